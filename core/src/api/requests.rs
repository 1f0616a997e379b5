//! Bindings: requests as JSON values in, report data or an [`ApiError`] out.
//!
//! The wasm layer (and any other binding that speaks JSON values) converts its input to a
//! `serde_json::Value`, calls one of the functions below and converts the answer back, so the
//! rules for what a valid request is and how an unusable one is reported live here, once.

use crate::options::Options;
use crate::report::Report;
use crate::source::SourceFile;

use super::{explain, report};

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

/// The version of netreach-core, as reported in `Report::tool`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What kind of unusable request an [`ApiError`] is about (`kind` in JS, kebab-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiErrorKind {
    /// The request does not have the documented shape: not an object, `head` missing, a file
    /// without `text`, an unknown member, a value of the wrong type.
    InvalidRequest,
    /// A member of `options` (or of the render options) is unknown or has the wrong type.
    InvalidOption,
    /// The output format name is none of those [`render`] knows.
    UnknownFormat,
    /// An explain query names an endpoint that does not exist.
    UnknownEndpoint,
    /// An explain query names an endpoint that matches several workloads.
    AmbiguousEndpoint,
    /// An explain query whose two ends are both outside the cluster.
    BothExternal,
    /// A bug: the result could not be converted for the caller.
    Internal,
}

impl ApiErrorKind {
    /// The kebab-case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiErrorKind::InvalidRequest => "invalid-request",
            ApiErrorKind::InvalidOption => "invalid-option",
            ApiErrorKind::UnknownFormat => "unknown-format",
            ApiErrorKind::UnknownEndpoint => "unknown-endpoint",
            ApiErrorKind::AmbiguousEndpoint => "ambiguous-endpoint",
            ApiErrorKind::BothExternal => "both-external",
            ApiErrorKind::Internal => "internal",
        }
    }
}

/// Why a request could not be answered at all.
///
/// Problems *inside* the manifests (bad YAML, invalid objects) are never errors: they are
/// diagnostics in the report, and the rest of the input is still analysed. Only a request
/// that cannot be used is an error; bindings throw it (in JS: an `Error` carrying these
/// fields as properties).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ApiErrorKind,
    pub message: String,
    /// The input file (`SourceFile::path`) the problem is in, when it is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// One-based line in `file`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Where in the request, e.g. `head[1].text` or `options.clusterCidrs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(kind: ApiErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
            file: None,
            line: None,
            field: None,
        }
    }
}

impl From<crate::explain::ExplainError> for ApiError {
    fn from(error: crate::explain::ExplainError) -> Self {
        use crate::explain::ExplainError;
        let kind = match &error {
            ExplainError::UnknownEndpoint(_) => ApiErrorKind::UnknownEndpoint,
            ExplainError::Ambiguous { .. } => ApiErrorKind::AmbiguousEndpoint,
            ExplainError::BothExternal => ApiErrorKind::BothExternal,
        };
        ApiError::new(kind, error.to_string())
    }
}

/// Reads a request ([`ReportRequest`], [`ExplainRequest`]) from a JSON value.
///
/// A member set to `null` counts as absent (JS callers write `{ options: undefined }`).
/// Errors name the member (`field`), and the file when the problem is inside one of the
/// request's files; their kind is `invalid-option` under `options`, else `invalid-request`.
pub fn parse_request<T: serde::de::DeserializeOwned>(request: serde_json::Value) -> Result<T, ApiError> {
    parse_value(request, "request", |field| {
        if field == "options" || field.starts_with("options.") {
            ApiErrorKind::InvalidOption
        } else {
            ApiErrorKind::InvalidRequest
        }
    })
}

/// Options of [`render`]; every member is optional, and members that do not apply to the
/// chosen format are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RenderOptions {
    /// Markdown: upper bound on the comment length (default 65,000).
    pub max_chars: Option<usize>,
    /// Markdown: hidden marker put first, e.g. `<!-- netreach -->`.
    pub marker: Option<String>,
    /// Markdown: appended (verbatim Markdown) when the comment had to be cut.
    pub full_report_hint: Option<String>,
    /// Markdown: heading text.
    pub title: Option<String>,
    /// `json` and `analysis-json`: indent with two spaces (default true).
    pub pretty: Option<bool>,
}

/// Reads [`RenderOptions`] from a JSON value (`null` means all defaults).
pub fn parse_render_options(options: serde_json::Value) -> Result<RenderOptions, ApiError> {
    parse_value(options, "render options", |_| ApiErrorKind::InvalidOption)
}

/// Every format name [`render`] accepts (canonical names; `md` and `txt` work too).
pub const RENDER_FORMATS: [&str; 8] = [
    "markdown",
    "text",
    "json",
    "sarif",
    "csv",
    "dot",
    "analysis-json",
    "connections",
];

/// Renders `report` in the format named `format` (ASCII case ignored): a
/// [`ReportFormat`](crate::report::format::ReportFormat) name, `analysis-json` (only the
/// analysis, see [`crate::report::json::render_analysis`]) or `connections` (one line per
/// allowed connection, see [`crate::report::text::render_connections`]).
pub fn render(report: &Report, format: &str, options: &RenderOptions) -> Result<String, ApiError> {
    use crate::report::format::ReportFormat;
    use crate::report::{json, markdown, text};
    let pretty = options.pretty.unwrap_or(true);
    match format.to_ascii_lowercase().as_str() {
        "analysis-json" => return Ok(json::render_analysis(report, pretty)),
        "connections" => return Ok(text::render_connections(report)),
        _ => {}
    }
    let parsed: ReportFormat = format.parse().map_err(|_| {
        ApiError::new(
            ApiErrorKind::UnknownFormat,
            format!(
                "unknown report format {format:?}: expected one of markdown (md), text (txt), json, sarif, csv, dot, analysis-json, connections"
            ),
        )
    })?;
    Ok(match parsed {
        ReportFormat::Markdown => {
            let defaults = markdown::MarkdownOptions::default();
            let markdown_options = markdown::MarkdownOptions {
                max_chars: options.max_chars.unwrap_or(defaults.max_chars),
                full_report_hint: options.full_report_hint.clone(),
                title: options.title.clone(),
                marker: options.marker.clone(),
            };
            markdown::render(report, &markdown_options)
        }
        ReportFormat::Json => json::render(report, pretty),
        other => crate::report::format::render(report, other),
    })
}

impl ExplainRequest {
    pub fn run(&self) -> Result<crate::explain::Explanation, ApiError> {
        explain(&self.files, &self.options, &self.query).map_err(ApiError::from)
    }
}

/// Deserialises `value` (nulls dropped) with the failing member's path in the error.
fn parse_value<T: serde::de::DeserializeOwned>(
    mut value: serde_json::Value,
    what: &str,
    kind_of: impl Fn(&str) -> ApiErrorKind,
) -> Result<T, ApiError> {
    drop_nulls(&mut value);
    if !value.is_object() {
        // Absent altogether: let the type decide whether `{}` is fine.
        if value.is_null() {
            value = serde_json::Value::Object(serde_json::Map::new());
        } else {
            return Err(ApiError::new(
                kind_of(""),
                format!("invalid {what}: expected an object, got {}", json_type(&value)),
            ));
        }
    }
    // Which file each `head[i]`/`base[i]`/`files[i]` is, to name it in errors.
    let paths: Vec<(String, Vec<Option<String>>)> = ["head", "base", "files"]
        .iter()
        .filter_map(|side| {
            let files = value.get(side)?.as_array()?;
            let paths = files
                .iter()
                .map(|f| f.get("path").and_then(serde_json::Value::as_str).map(str::to_string))
                .collect();
            Some(((*side).to_string(), paths))
        })
        .collect();
    let mut track = serde_path_to_error::Track::new();
    let result = T::deserialize(serde_path_to_error::Deserializer::new(value, &mut track));
    result.map_err(|error| {
        use serde_path_to_error::Segment;
        let path = track.path();
        let mut segments = path.iter();
        let file = match (segments.next(), segments.next()) {
            (Some(Segment::Map { key }), Some(Segment::Seq { index })) => paths
                .iter()
                .find(|(side, _)| side == key)
                .and_then(|(_, paths)| paths.get(*index)?.clone()),
            _ => None,
        };
        let field = path.to_string();
        let field = (field != ".").then_some(field);
        let kind = kind_of(field.as_deref().unwrap_or(""));
        let mut message = format!("invalid {what}");
        if let Some(field) = &field {
            message = format!("{message} at {field}");
        }
        ApiError {
            kind,
            message: format!("{message}: {error}"),
            file,
            line: None,
            field,
        }
    })
}

/// Removes object members whose value is `null`, at every depth (`undefined` in JS).
fn drop_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod binding_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_errors_name_the_member_and_the_file() {
        let error = parse_request::<ReportRequest>(json!({"base": []})).unwrap_err();
        assert_eq!(error.kind, ApiErrorKind::InvalidRequest);
        assert_eq!((error.field, error.file), (None, None));
        assert!(error.message.contains("missing field `head`"), "{}", error.message);

        let files = json!([{"path": "a.yaml", "text": ""}, {"path": "b.yaml", "text": 1}]);
        let error = parse_request::<ReportRequest>(json!({ "head": files })).unwrap_err();
        assert_eq!(error.kind, ApiErrorKind::InvalidRequest);
        assert_eq!(error.field.as_deref(), Some("head[1].text"));
        assert_eq!(error.file.as_deref(), Some("b.yaml"));
        assert_eq!(error.line, None);

        let error = parse_request::<ReportRequest>(json!({"head": [], "options": {"x": 1}}));
        let error = error.unwrap_err();
        assert_eq!(error.kind, ApiErrorKind::InvalidOption);
        assert_eq!(error.field.as_deref(), Some("options.x"));

        let error = parse_request::<ReportRequest>(json!("head")).unwrap_err();
        assert_eq!(error.message, "invalid request: expected an object, got a string");
    }

    #[test]
    fn null_members_are_absent() {
        let request = json!({"base": null, "head": [], "options": {"namespace": null}});
        let request: ReportRequest = parse_request(request).unwrap();
        assert!(request.base.is_none());
        assert_eq!(request.options, Options::default());
        assert_eq!(parse_render_options(json!(null)), Ok(RenderOptions::default()));
        let error = parse_render_options(json!("md")).unwrap_err();
        assert_eq!(error.kind, ApiErrorKind::InvalidOption);
    }

    #[test]
    fn render_knows_every_format_and_applies_options() {
        let report = report(None, &[], &Options::default());
        for format in RENDER_FORMATS.iter().chain(&["MD", "txt"]) {
            assert!(render(&report, format, &RenderOptions::default()).is_ok(), "{format}");
        }
        let error = render(&report, "html", &RenderOptions::default()).unwrap_err();
        assert_eq!(error.kind, ApiErrorKind::UnknownFormat);
        let options = RenderOptions {
            marker: Some("<!-- m -->".into()),
            pretty: Some(false),
            ..RenderOptions::default()
        };
        assert!(render(&report, "markdown", &options)
            .unwrap()
            .starts_with("<!-- m -->\n"));
        assert!(!render(&report, "json", &options).unwrap().contains('\n'));
        assert!(render(&report, "json", &RenderOptions::default())
            .unwrap()
            .contains('\n'));
    }
}
