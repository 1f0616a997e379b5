//! The report: one data structure that every output format renders.
//!
//! [`Report`] holds the head analysis, the diff against base (when there is a base), input
//! problems of both sides, lint findings and skipped documents, plus summary counts. The
//! renderers ([`markdown`], [`text`], [`json`], …) only format it, so the PR comment, the
//! terminal and the JSON file can never disagree.
//!
//! # JSON format (`schemaVersion` 1)
//!
//! ```json
//! {
//!   "schemaVersion": 1,
//!   "tool": {"name": "netreach", "version": "0.1.0"},
//!   "summary": {"workloads": 12, "namespaces": 3, "policies": 9, "connections": 40,
//!               "exposures": 2, "breakages": 1, "addedEndpoints": 0, "removedEndpoints": 0,
//!               "inputErrors": 0, "lintErrors": 0, "lintWarnings": 3, "skippedDocuments": 4},
//!   "analysis": {"endpoints": [...], "connections": [...]},   // see crate::analysis
//!   "diff": {"changes": [...], "addedEndpoints": [...], "removedEndpoints": [...]}, // see crate::diff; absent without base
//!   "diagnostics": [{"side": "head", "code", "severity", "message", "location"}],
//!   "lint": [{"code", "severity", "message", "location", "new"}],
//!   "skipped": [{"side": "head", "kind": "v1/ConfigMap", "count": 3, "examples": [...]}],
//!   "notes": ["..."]
//! }
//! ```
//! `location` is `{"path", "document", "line", "object": {"kind", "namespace", "name"}, "field"}`.

pub mod check;
pub mod csv;
pub mod dot;
pub mod escape;
pub mod format;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::diff::Diff;
use crate::model::Model;

/// Version of the JSON report format. Bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Which input a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Base,
    Head,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// Counts first: what a reviewer reads before anything else.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub workloads: usize,
    pub namespaces: usize,
    pub policies: usize,
    pub connections: usize,
    pub exposures: usize,
    pub breakages: usize,
    pub added_endpoints: usize,
    pub removed_endpoints: usize,
    pub input_errors: usize,
    pub lint_errors: usize,
    pub lint_warnings: usize,
    pub skipped_documents: usize,
}

/// An input problem, tagged with the side it was found on.
#[derive(Debug, Clone, Serialize)]
pub struct SidedDiagnostic {
    pub side: Side,
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// A lint finding; `new` is true when base did not have the same finding.
#[derive(Debug, Clone, Serialize)]
pub struct LintFinding {
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
    pub new: bool,
}

/// Documents of kinds netreach does not model.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub side: Side,
    pub kind: String,
    pub count: usize,
    pub examples: Vec<crate::source::Location>,
}

/// Everything any output format shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub summary: Summary,
    pub analysis: Analysis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
    pub diagnostics: Vec<SidedDiagnostic>,
    pub lint: Vec<LintFinding>,
    pub skipped: Vec<Skipped>,
    /// Modelling assumptions worth stating next to the results.
    pub notes: Vec<String>,
}

impl Report {
    /// Assembles a report from already computed parts.
    pub fn assemble(
        base: Option<&Model>,
        head: &Model,
        analysis: Analysis,
        diff: Option<Diff>,
        lint: Vec<LintFinding>,
    ) -> Report {
        let mut diagnostics = Vec::new();
        let mut skipped = Vec::new();
        let base_model = base;
        for (side, model) in [(Side::Base, base_model), (Side::Head, Some(head))] {
            let Some(model) = model else { continue };
            diagnostics.extend(model.diagnostics.iter().map(|d| SidedDiagnostic {
                side,
                diagnostic: d.clone(),
            }));
            skipped.extend(model.skipped.iter().map(|(kind, s)| Skipped {
                side,
                kind: kind.clone(),
                count: s.count,
                examples: s.examples.clone(),
            }));
        }
        let count = |sev: Severity| lint.iter().filter(|l| l.diagnostic.severity == sev).count();
        let summary = Summary {
            workloads: analysis.workload_count,
            namespaces: head.namespaces.len(),
            policies: head.policies.len() + head.admin_policies.len() + usize::from(head.baseline_policy.is_some()),
            connections: analysis.connections.len(),
            exposures: diff.as_ref().map_or(0, Diff::exposures),
            breakages: diff.as_ref().map_or(0, Diff::breakages),
            added_endpoints: diff.as_ref().map_or(0, |d| d.added_endpoints.len()),
            removed_endpoints: diff.as_ref().map_or(0, |d| d.removed_endpoints.len()),
            input_errors: diagnostics
                .iter()
                .filter(|d| d.diagnostic.severity == Severity::Error)
                .count(),
            lint_errors: count(Severity::Error),
            lint_warnings: count(Severity::Warning),
            skipped_documents: skipped.iter().filter(|s| s.side == Side::Head).map(|s| s.count).sum(),
        };
        let mut notes = Vec::new();
        if analysis.endpoints.iter().any(super::analysis::Endpoint::is_external)
            && !crate::engine::address_sets(head).is_empty()
        {
            notes.push(
                "ipBlock peers are matched against addresses outside the cluster only: pod IPs are not known to a static analysis."
                    .to_string(),
            );
        }
        if analysis.endpoints.iter().any(|e| e.host_network) {
            notes.push(
                "hostNetwork workloads are not subject to NetworkPolicy and are not matched by pod selectors; they are shown as unrestricted."
                    .to_string(),
            );
        }
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "netreach",
                version: env!("CARGO_PKG_VERSION"),
            },
            summary,
            analysis,
            diff,
            diagnostics,
            lint,
            skipped,
            notes,
        }
    }
}
