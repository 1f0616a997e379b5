//! Checks parsed expectations against one analysis.
//!
//! Pairs are checked in endpoint order (workloads by id, then the outside world), so results
//! are deterministic. External subjects are compared address by address: the analysis'
//! external endpoints are cut at the subject's (and permitted peers') CIDRs, and each part is
//! checked on its own — `allow` from a CIDR needs every part of it allowed, `deny` no part.

use crate::analysis::Analysis;
use crate::explain::{explain, ExplainQuery};
use crate::ipset::IpSet;
use crate::model::{Direction, Model};
use crate::ports::{PortSet, Protocol};
use crate::source::{Location, SourceFile};

use super::file::{Assertion, Exception, Expectation, Expectations, PortSpec, Verdict};
use super::result::{
    AssertionKind, ExpectationResult, ExpectationResults, Unmatched, Violation, MAX_EXPLAINED, MAX_VIOLATIONS,
};
use super::subject::{external_set, End, Resolved, Subject};

/// Checks every expectation; `files` are the manifests (explanations point into them).
pub fn evaluate(
    expectations: &Expectations,
    model: &Model,
    analysis: &Analysis,
    files: &[SourceFile],
) -> ExpectationResults {
    let cx = Cx { model, analysis, files };
    let results: Vec<ExpectationResult> = expectations
        .expectations
        .iter()
        .map(|e| cx.expectation(&expectations.path, e))
        .collect();
    let passed = results.iter().filter(|r| r.passed).count();
    ExpectationResults {
        path: expectations.path.clone(),
        total: results.len(),
        passed,
        failed: results.len() - passed,
        results,
    }
}

struct Cx<'a> {
    model: &'a Model,
    analysis: &'a Analysis,
    files: &'a [SourceFile],
}

/// Violations of one expectation, capped, with explanations for the first few.
struct Collector<'a> {
    cx: &'a Cx<'a>,
    checked: usize,
    count: usize,
    violations: Vec<Violation>,
}

impl<'a> Collector<'a> {
    fn new(cx: &'a Cx<'a>) -> Self {
        Collector {
            cx,
            checked: 0,
            count: 0,
            violations: Vec::new(),
        }
    }

    fn push(&mut self, violation: impl FnOnce() -> Violation) {
        self.count += 1;
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations.push(violation());
        }
    }

    /// A pair violation; `message` gets the two ids (called only for listed violations).
    fn pair(
        &mut self,
        from: &End,
        to: &End,
        allowed: PortSet,
        missing: Option<PortSet>,
        unexpected: Option<PortSet>,
        message: impl FnOnce(&str, &str) -> String,
    ) {
        let explain = self.violations.len() < MAX_EXPLAINED;
        let cx = self.cx;
        self.push(|| {
            let focus = unexpected.as_ref().or(missing.as_ref());
            let (from_id, to_id) = (from.id(cx.analysis), to.id(cx.analysis));
            let message = message(&from_id, &to_id);
            Violation {
                from: Some(from_id),
                to: Some(to_id),
                endpoint: None,
                explanation: if explain { cx.explain(from, to, focus) } else { None },
                allowed: Some(allowed),
                missing,
                unexpected,
                message,
            }
        });
    }
}

impl Cx<'_> {
    /// Explains `from → to` on the first port of `focus` (every port without one).
    fn explain(&self, from: &End, to: &End, focus: Option<&PortSet>) -> Option<crate::explain::Explanation> {
        let first = focus.and_then(|set| {
            set.iter()
                .next()
                .map(|(protocol, ranges)| (protocol, ranges.ranges()[0].0))
        });
        let query = ExplainQuery {
            from: self.analysis.endpoints[from.endpoint()].id.to_string(),
            to: self.analysis.endpoints[to.endpoint()].id.to_string(),
            protocol: Some(first.map_or(Protocol::Tcp, |(p, _)| p)),
            port: first.map(|(_, port)| port),
        };
        explain(self.model, self.analysis, self.files, &query).ok()
    }

    fn allowed(&self, from: &End, to: &End) -> PortSet {
        self.analysis.allowed(from.endpoint(), to.endpoint())
    }

    /// A bare Pod talking to itself is loopback: never checked.
    fn is_loopback(&self, from: &End, to: &End) -> bool {
        match (from, to) {
            (End::Workload(a), End::Workload(b)) if a == b => {
                !self.model.workloads[self.analysis.workload_index[*a]].replicated
            }
            _ => false,
        }
    }

    fn expectation(&self, path: &str, expectation: &Expectation) -> ExpectationResult {
        let mut unmatched = Vec::new();
        let mut warnings = Vec::new();
        let mut collector = Collector::new(self);
        let (kind, pass_summary, fail_summary) = match &expectation.assertion {
            Assertion::Reach { from, to, verdict } => self.reach(from, to, verdict, &mut collector, &mut unmatched),
            Assertion::Isolation {
                target,
                ingress,
                egress,
            } => self.isolation(
                target,
                ingress.as_deref(),
                egress.as_deref(),
                &mut collector,
                &mut unmatched,
                &mut warnings,
            ),
            Assertion::SelectedByPolicy { direction, subject } => {
                self.selected(*direction, subject, &mut collector, &mut unmatched)
            }
            Assertion::NoExternalEgress { from, except } => {
                self.no_external_egress(from, except, &mut collector, &mut unmatched, &mut warnings)
            }
        };
        let Collector {
            checked,
            count,
            violations,
            ..
        } = collector;
        let passed = unmatched.is_empty() && count == 0 && checked > 0;
        let summary = if !unmatched.is_empty() {
            let parts: Vec<String> = unmatched
                .iter()
                .map(|u: &Unmatched| format!("`{}` ({}) matches nothing", u.role, u.subject))
                .collect();
            format!(
                "{}: check for a typo, or a workload that was renamed or removed",
                parts.join("; ")
            )
        } else if checked == 0 {
            "nothing to check: the subjects match endpoints but form no pair (a bare Pod is never checked against itself)".to_string()
        } else if count == 0 {
            pass_summary
        } else {
            fail_summary(count, checked)
        };
        ExpectationResult {
            name: expectation.name.clone(),
            description: expectation.description.clone(),
            kind,
            location: Location {
                path: path.to_string(),
                document: 0,
                line: expectation.line,
                object: None,
                field: Some(format!("expectations[{}]", expectation.index)),
            },
            passed,
            summary,
            checked,
            violation_count: count,
            violations,
            unmatched,
            warnings,
        }
    }

    fn resolve(&self, subject: &Subject, role: &str, unmatched: &mut Vec<Unmatched>) -> Resolved {
        let resolved = subject.resolve(self.model, self.analysis);
        if resolved.is_empty() {
            unmatched.push(Unmatched {
                role: role.to_string(),
                subject: subject.to_string(),
            });
        }
        resolved
    }

    /// Resolves workloads only (for subjects that cannot be addresses).
    fn resolve_workloads(&self, subject: &Subject, role: &str, unmatched: &mut Vec<Unmatched>) -> Resolved {
        let mut resolved = subject.resolve(self.model, self.analysis);
        resolved.external = IpSet::empty();
        if resolved.is_empty() {
            unmatched.push(Unmatched {
                role: role.to_string(),
                subject: subject.to_string(),
            });
        }
        resolved
    }

    fn reach(
        &self,
        from: &Subject,
        to: &Subject,
        verdict: &Verdict,
        out: &mut Collector<'_>,
        unmatched: &mut Vec<Unmatched>,
    ) -> Outcome {
        let sources = self.resolve(from, "from", unmatched).ends(self.analysis);
        let destinations = self.resolve(to, "to", unmatched).ends(self.analysis);
        let (spec, allow) = match verdict {
            Verdict::Allow(spec) => (spec, true),
            Verdict::Deny(spec) => (spec, false),
        };
        if unmatched.is_empty() {
            for s in &sources {
                for d in &destinations {
                    if (s.is_external() && d.is_external()) || self.is_loopback(s, d) {
                        continue;
                    }
                    out.checked += 1;
                    let allowed = self.allowed(s, d);
                    if allow {
                        let missing = match spec {
                            PortSpec::Any => (allowed.is_empty()).then(PortSet::all),
                            PortSpec::All => Some(PortSet::all().difference(&allowed)).filter(|m| !m.is_empty()),
                            PortSpec::Ports(required) => Some(required.difference(&allowed)).filter(|m| !m.is_empty()),
                        };
                        let Some(missing) = missing else { continue };
                        let detail = if allowed.is_empty() {
                            " at all".to_string()
                        } else {
                            format!(" on {missing} (allowed: {allowed})")
                        };
                        let missing = (!matches!(spec, PortSpec::Any)).then_some(missing);
                        out.pair(s, d, allowed, missing, None, |f, t| {
                            format!("{f} cannot reach {t}{detail}")
                        });
                    } else {
                        let forbidden = match spec {
                            PortSpec::Any | PortSpec::All => allowed.clone(),
                            PortSpec::Ports(ports) => ports.intersect(&allowed),
                        };
                        if forbidden.is_empty() {
                            continue;
                        }
                        let detail = format!(" on {forbidden}");
                        out.pair(s, d, allowed, None, Some(forbidden), |f, t| {
                            format!("{f} can reach {t}{detail}")
                        });
                    }
                }
            }
        }
        let what = match spec {
            PortSpec::Any if allow => "some port".to_string(),
            _ => spec_text(spec),
        };
        let (kind, pass, fail): (AssertionKind, String, &'static str) = if allow {
            (
                AssertionKind::Allow,
                format!("{from} reaches {to} on {what} (all pairs)"),
                "not allowed",
            )
        } else {
            (
                AssertionKind::Deny,
                format!("{from} cannot reach {to} on {what} (all pairs)"),
                "allowed",
            )
        };
        let head = format!("{from} → {to} on {what}");
        (
            kind,
            pass,
            Box::new(move |count, checked| format!("{head}: {fail} for {} of {}", count, plural(checked, "pair"))),
        )
    }

    fn isolation(
        &self,
        target: &Subject,
        ingress: Option<&[Exception]>,
        egress: Option<&[Exception]>,
        out: &mut Collector<'_>,
        unmatched: &mut Vec<Unmatched>,
        warnings: &mut Vec<String>,
    ) -> Outcome {
        let inside = self.resolve_workloads(target, "isolation", unmatched);
        if unmatched.is_empty() {
            for (direction, entries) in [(Direction::Ingress, ingress), (Direction::Egress, egress)] {
                let Some(entries) = entries else { continue };
                let role = if direction == Direction::Ingress {
                    "ingress-only-from"
                } else {
                    "egress-only-to"
                };
                let permitted = self.permitted(entries, role, warnings);
                let targets: Vec<End> = inside.workloads.iter().map(|&i| End::Workload(i)).collect();
                for peer in 0..self.analysis.endpoints.len() {
                    let peer_ends: Vec<(End, PortSet)> = if peer < self.analysis.workload_count {
                        if inside.contains_workload(peer) {
                            continue;
                        }
                        vec![(End::Workload(peer), permitted.exempt_workload(peer))]
                    } else {
                        permitted.exempt_external(self.analysis, peer)
                    };
                    for (peer_end, exempt) in &peer_ends {
                        for t in &targets {
                            let (s, d) = if direction == Direction::Ingress {
                                (peer_end, t)
                            } else {
                                (t, peer_end)
                            };
                            out.checked += 1;
                            let allowed = self.allowed(s, d);
                            let unexpected = allowed.difference(exempt);
                            if unexpected.is_empty() {
                                continue;
                            }
                            let detail = format!(" on {unexpected}, which the isolation of {target} does not permit");
                            out.pair(s, d, allowed, None, Some(unexpected), |f, t| {
                                format!("{f} can reach {t}{detail}")
                            });
                        }
                    }
                }
            }
        }
        let pass = match (ingress.is_some(), egress.is_some()) {
            (true, true) => {
                format!("nothing crosses the isolation of {target} in either direction beyond what it permits")
            }
            (true, false) => format!("nothing outside {target} reaches into it beyond what it permits"),
            _ => format!("{target} reaches nothing outside it beyond what it permits"),
        };
        let head = format!("isolation of {target}");
        (
            AssertionKind::Isolation,
            pass,
            Box::new(move |count, checked| format!("{head}: crossed by {count} of {}", plural(checked, "pair"))),
        )
    }

    fn selected(
        &self,
        direction: Direction,
        subject: &Subject,
        out: &mut Collector<'_>,
        unmatched: &mut Vec<Unmatched>,
    ) -> Outcome {
        let (kind, role) = match direction {
            Direction::Ingress => (AssertionKind::SelectedByIngressPolicy, "selected-by-ingress-policy"),
            Direction::Egress => (AssertionKind::SelectedByEgressPolicy, "selected-by-egress-policy"),
        };
        let dir = direction.field();
        let resolved = self.resolve_workloads(subject, role, unmatched);
        for &w in &resolved.workloads {
            out.checked += 1;
            let endpoint = &self.analysis.endpoints[w];
            let isolated = match direction {
                Direction::Ingress => endpoint.ingress_isolated,
                Direction::Egress => endpoint.egress_isolated,
            };
            if isolated == Some(true) {
                continue;
            }
            let message = if endpoint.host_network {
                format!("{} uses hostNetwork: NetworkPolicy does not apply to it", endpoint.id)
            } else {
                format!("no NetworkPolicy selects {} for {dir}", endpoint.id)
            };
            out.push(|| Violation {
                from: None,
                to: None,
                endpoint: Some(endpoint.id.to_string()),
                allowed: None,
                missing: None,
                unexpected: None,
                message,
                explanation: None,
            });
        }
        let pass = format!("every workload of {subject} is selected by a NetworkPolicy for {dir}");
        (
            kind,
            pass,
            Box::new(move |count, checked| {
                format!(
                    "{count} of {} not selected by any NetworkPolicy for {dir}",
                    plural(checked, "workload")
                )
            }),
        )
    }

    fn no_external_egress(
        &self,
        from: &Subject,
        except: &[Exception],
        out: &mut Collector<'_>,
        unmatched: &mut Vec<Unmatched>,
        warnings: &mut Vec<String>,
    ) -> Outcome {
        let sources = self.resolve_workloads(from, "no-egress-to-external", unmatched);
        if unmatched.is_empty() {
            let permitted = self.permitted(except, "except", warnings);
            for group in self.analysis.workload_count..self.analysis.endpoints.len() {
                let parts = permitted.exempt_external(self.analysis, group);
                for &w in &sources.workloads {
                    let s = End::Workload(w);
                    for (d, exempt) in &parts {
                        out.checked += 1;
                        let allowed = self.allowed(&s, d);
                        let unexpected = allowed.difference(exempt);
                        if unexpected.is_empty() {
                            continue;
                        }
                        let detail = format!(" on {unexpected}");
                        out.pair(&s, d, allowed, None, Some(unexpected), |f, t| {
                            format!("{f} can reach {t}{detail}")
                        });
                    }
                }
            }
        }
        let pass = if except.is_empty() {
            format!("{from} reaches no address outside the cluster")
        } else {
            format!("{from} reaches no address outside the cluster beyond the permitted ones")
        };
        let head = format!("{from} → outside the cluster");
        (
            AssertionKind::NoEgressToExternal,
            pass,
            Box::new(move |count, checked| {
                format!(
                    "{head}: {} of {} not permitted",
                    plural(count, "connection"),
                    plural(checked, "pair")
                )
            }),
        )
    }

    /// Resolves permitted peers; a peer matching nothing is a warning (it can only make the
    /// check stricter, never let something through).
    fn permitted(&self, entries: &[Exception], role: &str, warnings: &mut Vec<String>) -> Permitted {
        let mut out = Permitted::default();
        for (i, entry) in entries.iter().enumerate() {
            let resolved = entry.subject.resolve(self.model, self.analysis);
            if resolved.is_empty() {
                warnings.push(format!("{role}[{i}] ({}) matches nothing", entry.subject));
            }
            out.entries
                .push((resolved, entry.ports.clone().unwrap_or_else(PortSet::all)));
        }
        out
    }
}

/// The kind, the summary when it passes, and the summary when `count` of `checked` fail.
type Outcome = (AssertionKind, String, Box<dyn Fn(usize, usize) -> String>);

/// Permitted peers with the ports each may use.
#[derive(Default)]
struct Permitted {
    entries: Vec<(Resolved, PortSet)>,
}

impl Permitted {
    /// Ports a workload is permitted.
    fn exempt_workload(&self, endpoint: usize) -> PortSet {
        self.entries
            .iter()
            .filter(|(r, _)| r.contains_workload(endpoint))
            .fold(PortSet::none(), |acc, (_, ports)| acc.union(ports))
    }

    /// An external endpoint cut into parts with the same permitted ports (merged, ordered).
    fn exempt_external(&self, analysis: &Analysis, endpoint: usize) -> Vec<(End, PortSet)> {
        let mut parts = vec![(external_set(analysis, endpoint), PortSet::none())];
        for (resolved, ports) in &self.entries {
            if resolved.external.is_empty() {
                continue;
            }
            let mut next = Vec::with_capacity(parts.len() + 1);
            for (set, exempt) in parts {
                let inside = set.intersect(&resolved.external);
                let outside = set.difference(&resolved.external);
                if !inside.is_empty() {
                    next.push((inside, exempt.union(ports)));
                }
                if !outside.is_empty() {
                    next.push((outside, exempt));
                }
            }
            parts = next;
        }
        // Parts with equal permitted ports are one part.
        let mut merged: Vec<(IpSet, PortSet)> = Vec::new();
        for (set, exempt) in parts {
            match merged.iter_mut().find(|(_, e)| *e == exempt) {
                Some((s, _)) => *s = s.union(&set),
                None => merged.push((set, exempt)),
            }
        }
        merged.sort();
        merged
            .into_iter()
            .map(|(set, exempt)| (End::External { endpoint, set }, exempt))
            .collect()
    }
}

fn spec_text(spec: &PortSpec) -> String {
    match spec {
        PortSpec::Any => "any port".to_string(),
        PortSpec::All => "all ports".to_string(),
        PortSpec::Ports(ports) => ports.to_string(),
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
