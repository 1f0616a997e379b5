//! JSON: the whole [`Report`] (`schemaVersion` 1, documented in [`super`]), or only its
//! analysis — the `netreach analyze --format json` contract `{"endpoints", "connections"}`
//! documented in [`crate::analysis`].
//!
//! Keys appear in declaration order and maps are sorted, so the same input always gives the
//! same bytes.
//!
//! ```
//! use netreach_core::report::json;
//! use netreach_core::{api, Options, SourceFile};
//! let files = [SourceFile::new("app.yaml", "")];
//! let report = api::report(None, &files, &Options::default());
//! assert!(json::render(&report, false).starts_with(r#"{"schemaVersion":1,"#));
//! // No workloads, so the only endpoint is the outside world, and nothing connects.
//! let analysis = json::render_analysis(&report, false);
//! assert!(analysis.starts_with(r#"{"endpoints":[{"id":"external:"#));
//! assert!(analysis.ends_with(r#""connections":[]}"#));
//! ```

use serde::Serialize;

use super::Report;

/// The full report as JSON; `pretty` indents with two spaces.
pub fn render(report: &Report, pretty: bool) -> String {
    to_json(report, pretty)
}

/// Only the head analysis: `{"endpoints": [...], "connections": [...]}`.
pub fn render_analysis(report: &Report, pretty: bool) -> String {
    to_json(&report.analysis, pretty)
}

/// Serialises a value made only of structs, sequences and string-keyed maps, which cannot fail;
/// should it ever, the output is still JSON and says what went wrong.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    let result = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    result.unwrap_or_else(|error| {
        serde_json::json!({ "error": format!("netreach could not serialise the report: {error}") }).to_string()
    })
}
