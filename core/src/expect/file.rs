//! The expectations file after parsing: what [`super::parse()`] returns and
//! [`super::evaluate()`] checks. See `docs/expectations.md` for the text format.

use crate::model::Direction;
use crate::ports::PortSet;

use super::subject::Subject;

/// The one version of the expectations format this crate reads (`version: 1`).
pub const EXPECTATIONS_VERSION: u32 = 1;

/// Where front-ends look for the expectations file when none is named.
pub const DEFAULT_EXPECTATIONS_PATH: &str = "netreach.yaml";

/// A parsed expectations file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// The file's `SourceFile::path`.
    pub path: String,
    pub expectations: Vec<Expectation>,
}

/// One named assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub name: String,
    pub description: Option<String>,
    /// Position in the file's `expectations` list.
    pub index: usize,
    /// One-based line of the list item.
    pub line: usize,
    pub assertion: Assertion,
}

/// What an expectation asserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assertion {
    /// `from` + `to` + `allow`/`deny`: for every pair of the cross product (a bare Pod with
    /// itself excluded), the ports must be allowed (`allow`) or none of them may be (`deny`).
    Reach {
        from: Subject,
        to: Subject,
        verdict: Verdict,
    },
    /// `isolation`: nothing outside `target` reaches into it (ingress) or is reached from it
    /// (egress), except the listed peers on the listed ports. `None`: that direction is not
    /// checked; an empty list: nothing at all.
    Isolation {
        target: Subject,
        ingress: Option<Vec<Exception>>,
        egress: Option<Vec<Exception>>,
    },
    /// `selected-by-ingress-policy` / `selected-by-egress-policy`: every matched workload is
    /// isolated in that direction by some `NetworkPolicy`.
    SelectedByPolicy { direction: Direction, subject: Subject },
    /// `no-egress-to-external`: the workloads reach no address outside the cluster, except the
    /// listed ones on the listed ports.
    NoExternalEgress { from: Subject, except: Vec<Exception> },
}

/// `allow` or `deny` with its ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow(PortSpec),
    Deny(PortSpec),
}

/// The ports of `allow`/`deny`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSpec {
    /// `any`: with `allow`, at least one port must be allowed; with `deny`, none may be.
    Any,
    /// `all`: with `allow`, every port of every protocol; with `deny`, the same as `any`.
    All,
    /// Specific ports (never empty).
    Ports(PortSet),
}

/// A permitted peer of an isolation or an external egress rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub subject: Subject,
    /// `None`: every port.
    pub ports: Option<PortSet>,
}
