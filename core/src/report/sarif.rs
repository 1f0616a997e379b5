//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! One run of the `netreach` tool. Results, in this order:
//!
//! * every lint finding (`ruleId` = its code);
//! * every head-side input problem (base-side problems point into files that are not in the
//!   analysed tree, so they are left to the other formats);
//! * the changes of the diff: `reachability-exposure` for newly allowed ports and
//!   `reachability-breakage` for newly denied ones (a change doing both counts for both), at
//!   level `warning`, located at the destination workload's manifest (or the source's when the
//!   destination is outside the cluster or gone). Changes located at the same workload make one
//!   result whose message lists them (the first ten by name): code scanning fingerprints alerts
//!   by rule and line, so per-change results would collapse anyway. A change between two
//!   removed workloads has no line in head to point at and is left to the other formats.
//!
//! Levels map `error` → `error`, `warning` → `warning`, `info` → `note`. Locations carry the
//! input path as a relative URI (percent-encoded, `/`-separated) and the one-based line when
//! known. `tool.driver.rules` lists every rule used, sorted by id, and each result carries its
//! `ruleIndex`.
//!
//! ```
//! use netreach_core::report::sarif;
//! use netreach_core::{api, Options, SourceFile};
//! let files = [SourceFile::new("app.yaml", "")];
//! let report = api::report(None, &files, &Options::default());
//! let log: serde_json::Value = serde_json::from_str(&sarif::render(&report)).unwrap();
//! assert_eq!(log["version"], "2.1.0");
//! assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "netreach");
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::analysis::Endpoint;
use crate::diagnostic::{Diagnostic, Severity};
use crate::diff::Change;
use crate::source::{Location, ObjectRef, Origin};

use super::escape::plain;
use super::format::{plural, ports};
use super::json::to_json;
use super::{Report, Side};

/// Where the SARIF 2.1.0 JSON schema lives.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Rule of newly allowed connections.
pub const EXPOSURE_RULE: &str = "reachability-exposure";
/// Rule of newly denied connections.
pub const BREAKAGE_RULE: &str = "reachability-breakage";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<BTreeMap<&'static str, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference: `/`-separated, no leading `./`, and every byte outside
/// the unreserved set (and `/`) percent-encoded — a `:` in a first segment would otherwise
/// read as a scheme.
pub fn path_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut path = path.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn location(path: &str, line: usize, object: Option<&ObjectRef>) -> Vec<SarifLocation> {
    if path.is_empty() {
        return Vec::new();
    }
    vec![SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: path_uri(path) },
            region: (line > 0).then_some(Region { start_line: line }),
        },
        logical_locations: object
            .map(|o| LogicalLocation {
                fully_qualified_name: plain(&o.to_string()),
                kind: "resource",
            })
            .into_iter()
            .collect(),
    }]
}

fn diagnostic_location(loc: &Location) -> Vec<SarifLocation> {
    location(&loc.path, loc.line, loc.object.as_ref())
}

/// Rules seen so far: id → (short description, most severe level).
#[derive(Default)]
struct Rules(BTreeMap<String, (String, Severity)>);

impl Rules {
    fn see(&mut self, id: &str, description: impl FnOnce() -> String, severity: Severity) {
        let entry = self
            .0
            .entry(id.to_string())
            .or_insert_with(|| (description(), severity));
        entry.1 = entry.1.max(severity);
    }
}

/// A result before rule indices are known.
struct Pending {
    rule: String,
    level: &'static str,
    message: String,
    locations: Vec<SarifLocation>,
    properties: Option<BTreeMap<&'static str, String>>,
}

fn diagnostic_result(d: &Diagnostic, rules: &mut Rules, what: &str) -> Pending {
    rules.see(&d.code, || format!("netreach {what}: {}", plain(&d.code)), d.severity);
    Pending {
        rule: d.code.clone(),
        level: level(d.severity),
        message: plain(&d.message),
        locations: diagnostic_location(&d.location),
        properties: None,
    }
}

/// Changes listed by name in one result's message.
const CHANGES_PER_MESSAGE: usize = 10;

/// The head workload a change is shown at: its destination, else its source (destination
/// outside the cluster or gone). `None` when neither end is a workload of head.
fn anchor<'a>(report: &'a Report, change: &Change) -> Option<&'a Endpoint> {
    [&change.to, &change.from]
        .into_iter()
        .filter_map(|id| report.analysis.endpoint_index(id))
        .map(|i| &report.analysis.endpoints[i])
        .find(|e| e.origin.is_some())
}

/// One result per rule and workload: code scanning fingerprints results by rule and line, so
/// one result per change would collapse into one alert anyway, losing all but one message.
fn change_results(report: &Report, changes: &[Change], exposure: bool) -> Vec<Pending> {
    let (rule, verb) = if exposure {
        (EXPOSURE_RULE, "Newly allowed")
    } else {
        (BREAKAGE_RULE, "Newly blocked")
    };
    let mut order: Vec<usize> = Vec::new();
    let mut buckets: BTreeMap<usize, Vec<&Change>> = BTreeMap::new();
    for change in changes {
        if (exposure && !change.is_exposure()) || (!exposure && !change.is_breakage()) {
            continue;
        }
        let Some(endpoint) = anchor(report, change) else {
            continue; // both ends were removed: no line of head to point at
        };
        let key = report.analysis.endpoint_index(&endpoint.id).unwrap_or_default();
        buckets
            .entry(key)
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(change);
    }
    order
        .into_iter()
        .map(|key| {
            let endpoint = &report.analysis.endpoints[key];
            let list = &buckets[&key];
            let object = match (&endpoint.kind, &endpoint.namespace, &endpoint.name) {
                (Some(kind), Some(namespace), Some(name)) => Some(ObjectRef {
                    kind: (*kind).to_string(),
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                }),
                _ => None,
            };
            let locations = endpoint
                .origin
                .as_ref()
                .map_or_else(Vec::new, |o: &Origin| location(&o.path, o.line, object.as_ref()));
            let mut message = format!(
                "{verb} for {}: {}",
                plain(&endpoint.id),
                plural(list.len(), "connection")
            );
            for (i, change) in list.iter().take(CHANGES_PER_MESSAGE).enumerate() {
                let ports_changed = if exposure { &change.added } else { &change.removed };
                let _ = write!(
                    message,
                    "{} {} → {} on {}",
                    if i == 0 { ":" } else { ";" },
                    plain(&change.from),
                    plain(&change.to),
                    ports(ports_changed)
                );
            }
            if list.len() > CHANGES_PER_MESSAGE {
                let _ = write!(message, "; and {} more", list.len() - CHANGES_PER_MESSAGE);
            }
            message.push('.');
            let mut properties = BTreeMap::new();
            properties.insert("workload", plain(&endpoint.id));
            properties.insert("changes", list.len().to_string());
            Pending {
                rule: rule.to_string(),
                level: "warning",
                message,
                locations,
                properties: Some(properties),
            }
        })
        .collect()
}

/// Renders the report as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn render(report: &Report) -> String {
    let mut rules = Rules::default();
    let mut pending = Vec::new();
    for finding in &report.lint {
        pending.push(diagnostic_result(&finding.diagnostic, &mut rules, "lint"));
    }
    for d in report.diagnostics.iter().filter(|d| d.side == Side::Head) {
        pending.push(diagnostic_result(&d.diagnostic, &mut rules, "input problem"));
    }
    if let Some(diff) = &report.diff {
        let exposures = change_results(report, &diff.changes, true);
        if !exposures.is_empty() {
            rules.see(
                EXPOSURE_RULE,
                || "Connections the base did not allow are allowed after the change.".to_string(),
                Severity::Warning,
            );
        }
        let breakages = change_results(report, &diff.changes, false);
        if !breakages.is_empty() {
            rules.see(
                BREAKAGE_RULE,
                || "Connections the base allowed are denied after the change.".to_string(),
                Severity::Warning,
            );
        }
        pending.extend(exposures);
        pending.extend(breakages);
    }
    let index: BTreeMap<&str, usize> = rules.0.keys().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let results = pending
        .into_iter()
        .map(|p| SarifResult {
            rule_index: index[p.rule.as_str()],
            rule_id: p.rule,
            level: p.level,
            message: Text { text: p.message },
            locations: p.locations,
            properties: p.properties,
        })
        .collect();
    let rules = rules
        .0
        .into_iter()
        .map(|(id, (description, severity))| Rule {
            id,
            short_description: Text { text: description },
            default_configuration: Configuration { level: level(severity) },
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "netreach",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            results,
        }],
    };
    to_json(&log, true)
}

#[cfg(test)]
mod tests {
    use super::path_uri;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(path_uri("./k8s/app.yaml"), "k8s/app.yaml");
        assert_eq!(path_uri("k8s\\my app.yaml"), "k8s/my%20app.yaml");
        assert_eq!(path_uri("c:x.yaml"), "c%3Ax.yaml");
        assert_eq!(path_uri("ü.yaml"), "%C3%BC.yaml");
    }
}
