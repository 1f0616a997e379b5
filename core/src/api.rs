//! The entry points front-ends call: text in, report data out.

use crate::analysis::{self, Analysis};
use crate::diff;
use crate::engine::address_sets;
use crate::lint;
use crate::model::Model;
use crate::options::Options;
use crate::parse;
use crate::report::{LintFinding, Report};
use crate::source::SourceFile;

/// Parses and analyses one side on its own.
pub fn analyze(files: &[SourceFile], options: &Options) -> (Model, Analysis) {
    let model = parse::parse(files, options);
    let analysis = analysis::analyze(&model, &[]);
    (model, analysis)
}

/// The full report: head analysis, lint, and — when `base` is given — the diff base → head.
pub fn report(base: Option<&[SourceFile]>, head: &[SourceFile], options: &Options) -> Report {
    let head_model = parse::parse(head, options);
    let Some(base) = base else {
        let analysis = analysis::analyze(&head_model, &[]);
        let lint = lint::lint(&head_model, &analysis, head, options)
            .into_iter()
            .map(|diagnostic| LintFinding { diagnostic, new: true })
            .collect();
        return Report::assemble(None, &head_model, analysis, None, lint);
    };
    let base_model = parse::parse(base, options);
    // Both sides cut the outside world at the union of their ipBlock boundaries.
    let head_analysis = analysis::analyze(&head_model, &address_sets(&base_model));
    let base_analysis = analysis::analyze(&base_model, &address_sets(&head_model));
    let diff = diff::diff(&base_analysis, &head_analysis);
    let base_lint = lint::lint(&base_model, &base_analysis, base, options);
    let lint = lint::lint(&head_model, &head_analysis, head, options)
        .into_iter()
        .map(|diagnostic| {
            let new = !base_lint.iter().any(|b| same_finding(b, &diagnostic));
            LintFinding { diagnostic, new }
        })
        .collect();
    Report::assemble(Some((&base_model, base_analysis)), &head_model, head_analysis, Some(diff), lint)
}

/// The same finding on both sides, even if lines moved.
fn same_finding(a: &crate::Diagnostic, b: &crate::Diagnostic) -> bool {
    a.code == b.code && a.location.object == b.location.object && a.location.field == b.location.field && a.message == b.message
}

/// Explains one connection of one side.
pub fn explain(
    files: &[SourceFile],
    options: &Options,
    query: &crate::explain::ExplainQuery,
) -> Result<crate::explain::Explanation, crate::explain::ExplainError> {
    let (model, analysis) = analyze(files, options);
    crate::explain::explain(&model, &analysis, files, query)
}

/// A report request as front-ends send it (JSON / JS object).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportRequest {
    /// The base side; without it the report has no diff.
    #[serde(default)]
    pub base: Option<Vec<SourceFile>>,
    pub head: Vec<SourceFile>,
    #[serde(default)]
    pub options: Options,
}

/// An explain request: one side's files and the connection to explain.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExplainRequest {
    pub files: Vec<SourceFile>,
    #[serde(default)]
    pub options: Options,
    pub query: crate::explain::ExplainQuery,
}

impl ReportRequest {
    pub fn run(&self) -> Report {
        report(self.base.as_deref(), &self.head, &self.options)
    }
}
