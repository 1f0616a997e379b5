//! The entry points front-ends call: text in, report data out.
//!
//! [`report`], [`explain`] and [`analyze`] take typed inputs. For bindings (the wasm layer),
//! [`parse_request`] reads the same requests ([`ReportRequest`], [`ExplainRequest`]) from
//! JSON values and [`render`] turns answers into text. [`check()`] holds manifests to an
//! expectations file and a lock file.

mod check;
mod requests;

pub use self::check::*;
pub use self::requests::*;

use std::collections::HashSet;

use crate::analysis::{self, Analysis};
use crate::diff;
use crate::engine::address_sets;
use crate::ipset::IpSet;
use crate::lint;
use crate::model::Model;
use crate::options::Options;
use crate::parallel;
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
    let Some(base) = base else {
        let head_model = parse::parse(head, options);
        let analysis = analysis::analyze(&head_model, &[]);
        let lint = lint::lint(&head_model, &analysis, head, options)
            .into_iter()
            .map(|diagnostic| LintFinding { diagnostic, new: true })
            .collect();
        return Report::assemble(None, &head_model, analysis, None, lint);
    };
    let (base_model, head_model) = parse::parse_pair(base, head, options);
    // Each side is analysed against the union of both sides' ipBlock boundaries (see
    // `analysis::analyze_pair`) and linted straight after, both sides at once. The report
    // needs only the base's diagnostics and skipped kinds, so the rest of the base model is
    // freed on its side's thread, alongside the head's work.
    let (base_cuts, head_cuts) = (address_sets(&base_model), address_sets(&head_model));
    let side = |model: &Model, files: &[SourceFile], other_cuts: &[IpSet]| {
        let analysis = analysis::analyze(model, other_cuts);
        let lint = lint::lint(model, &analysis, files, options);
        (analysis, lint)
    };
    let (((base_analysis, base_lint), base_inputs), (head_analysis, head_lint)) = parallel::both(
        || {
            let analysed = side(&base_model, base, &head_cuts);
            let inputs = Model {
                diagnostics: base_model.diagnostics,
                skipped: base_model.skipped,
                ..Model::default()
            };
            (analysed, inputs)
        },
        || side(&head_model, head, &base_cuts),
    );
    let diff = diff::diff(&base_analysis, &head_analysis);
    let known: HashSet<FindingKey<'_>> = base_lint.iter().map(FindingKey::of).collect();
    let lint = head_lint
        .into_iter()
        .map(|diagnostic| {
            let new = !known.contains(&FindingKey::of(&diagnostic));
            LintFinding { diagnostic, new }
        })
        .collect();
    Report::assemble(Some(&base_inputs), &head_model, head_analysis, Some(diff), lint)
}

/// What makes two findings the same on both sides, even if lines moved.
#[derive(PartialEq, Eq, Hash)]
struct FindingKey<'a> {
    code: &'a str,
    object: Option<&'a crate::ObjectRef>,
    field: Option<&'a str>,
    message: &'a str,
}

impl<'a> FindingKey<'a> {
    fn of(d: &'a crate::Diagnostic) -> Self {
        FindingKey {
            code: &d.code,
            object: d.location.object.as_ref(),
            field: d.location.field.as_deref(),
            message: &d.message,
        }
    }
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
