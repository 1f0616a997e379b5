//! What checking expectations returns: per expectation pass/fail, and on failure the
//! offending pairs (capped, with the total) and for the first few the explanation.
//!
//! JSON form (inside `check`'s result, see [`crate::api::check`]):
//!
//! ```json
//! {"path": "netreach.yaml", "total": 6, "passed": 5, "failed": 1,
//!  "results": [{"name": "storefront reaches cart", "kind": "allow",
//!               "location": {"path": "netreach.yaml", "document": 0, "line": 4, "field": "expectations[0]"},
//!               "passed": false, "summary": "…", "checked": 1, "violationCount": 1,
//!               "violations": [{"from": "shop-web/Deployment/storefront", "to": "shop-core/Deployment/cart",
//!                               "allowed": [], "missing": [{"protocol": "TCP", "ranges": [[50051, 50051]]}],
//!                               "message": "…", "explanation": {…}}],
//!               "unmatched": [], "warnings": []}]}
//! ```
//!
//! `explanation` is [`crate::explain::Explanation`]; port sets use the analysis contract's form.

use serde::Serialize;

use crate::explain::Explanation;
use crate::ports::PortSet;
use crate::source::Location;

/// At most this many violations are listed per expectation (`violationCount` has the total).
pub const MAX_VIOLATIONS: usize = 20;

/// The first this many violations of an expectation carry an explanation.
pub const MAX_EXPLAINED: usize = 3;

/// The results of one expectations file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectationResults {
    /// The expectations file's path.
    pub path: String,
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// In file order.
    pub results: Vec<ExpectationResult>,
}

impl ExpectationResults {
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }
}

/// Which form an expectation has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AssertionKind {
    Allow,
    Deny,
    Isolation,
    SelectedByIngressPolicy,
    SelectedByEgressPolicy,
    NoEgressToExternal,
}

/// The verdict on one expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectationResult {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub kind: AssertionKind,
    /// The expectation in the expectations file.
    pub location: Location,
    pub passed: bool,
    /// One sentence: what holds, or what fails and how often.
    pub summary: String,
    /// Pairs (or workloads, for `selected-by-*`) checked.
    pub checked: usize,
    pub violation_count: usize,
    /// The first [`MAX_VIOLATIONS`] violations, in endpoint order.
    pub violations: Vec<Violation>,
    /// Subjects that match nothing (the expectation fails: a typo must not pass).
    pub unmatched: Vec<Unmatched>,
    /// Things worth knowing that do not fail the expectation (e.g. a permitted peer that
    /// matches nothing).
    pub warnings: Vec<String>,
}

/// A subject of an expectation that matched no endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unmatched {
    /// `from`, `to`, `isolation`, `selected-by-ingress-policy`, …
    pub role: String,
    /// The subject as written (normalised).
    pub subject: String,
}

/// One pair (or workload) that breaks an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// Source endpoint id; for a part of an external endpoint, `external:<those addresses>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The workload, for `selected-by-*` expectations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Everything allowed from `from` to `to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<PortSet>,
    /// `allow`: required ports that are not allowed (absent for `allow: any`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<PortSet>,
    /// `deny`, isolation, external egress: allowed ports that must not be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unexpected: Option<PortSet>,
    pub message: String,
    /// Which policy and rule decided it (first [`MAX_EXPLAINED`] violations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}
