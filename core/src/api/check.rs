//! Check: the manifests held to expectations and the lock file, for CI and right before an
//! Argo CD sync.

use crate::options::Options;
use crate::source::SourceFile;

use super::analyze;
use super::requests::{ApiError, ApiErrorKind};

/// Version of the JSON form of [`CheckResult`]. Bump on any incompatible change.
pub const CHECK_SCHEMA_VERSION: u32 = 1;

/// A check request: the manifests, and the expectations file and/or lock file to hold them to.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckRequest {
    pub files: Vec<SourceFile>,
    #[serde(default)]
    pub options: Options,
    /// The expectations file (`netreach.yaml`): path and YAML text.
    #[serde(default)]
    pub expectations: Option<SourceFile>,
    /// The lock file (`netreach.lock.json`): path and JSON text.
    #[serde(default)]
    pub lock: Option<SourceFile>,
}

impl CheckRequest {
    pub fn run(&self) -> Result<CheckResult, CheckError> {
        check(self)
    }
}

/// Which file a [`CheckError`] is about and what is wrong with it (`kind` in JS, kebab-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckErrorKind {
    /// The expectations file is not valid YAML.
    ExpectationsSyntax,
    /// The expectations file is YAML but not a valid expectations file (unknown key, bad
    /// ports, bad CIDR, …).
    InvalidExpectations,
    /// The lock file is not valid JSON.
    LockSyntax,
    /// The lock file is JSON but not a lock this version reads.
    InvalidLock,
}

/// An expectations or lock file that cannot be used. Findings are never errors: a failed
/// expectation or lock drift is data in [`CheckResult`]. Front-ends throw this (the CLI exits 2)
/// and point at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[error("{file}:{line}: {message}")]
pub struct CheckError {
    pub kind: CheckErrorKind,
    /// The `SourceFile::path` of the expectations or lock file.
    pub file: String,
    /// One-based line.
    pub line: usize,
    /// Field path in the file, e.g. `expectations[2].allow`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl From<crate::expect::ExpectError> for CheckError {
    fn from(error: crate::expect::ExpectError) -> Self {
        CheckError {
            kind: match error.kind {
                crate::expect::ExpectErrorKind::Syntax => CheckErrorKind::ExpectationsSyntax,
                crate::expect::ExpectErrorKind::Invalid => CheckErrorKind::InvalidExpectations,
            },
            file: error.path,
            line: error.line,
            field: error.field,
            message: error.message,
        }
    }
}

impl CheckError {
    fn lock(file: &str, error: crate::lock::LockError) -> Self {
        CheckError {
            kind: match error.kind {
                crate::lock::LockErrorKind::Syntax => CheckErrorKind::LockSyntax,
                crate::lock::LockErrorKind::Invalid => CheckErrorKind::InvalidLock,
            },
            file: file.to_string(),
            line: error.line,
            field: error.field,
            message: error.message,
        }
    }
}

/// Counts first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckSummary {
    pub expectations: usize,
    pub expectations_passed: usize,
    pub expectations_failed: usize,
    /// Connections whose ports differ from the lock.
    pub lock_changes: usize,
    pub lock_exposures: usize,
    pub lock_breakages: usize,
    /// Workloads present now but not in the lock, and the reverse.
    pub lock_added_endpoints: usize,
    pub lock_removed_endpoints: usize,
    /// Manifest objects that were invalid and skipped (see `diagnostics`).
    pub input_errors: usize,
}

/// The answer to a [`CheckRequest`].
///
/// JSON: `{"schemaVersion": 1, "passed", "summary": {…}, "expectations": {…} | null,
/// "lock": {"clean", "exposures", "breakages", "diff": {…}} | null, "diagnostics": [...]}` —
/// `expectations` is [`crate::expect::ExpectationResults`], `lock.diff` has the form of a
/// report's `diff` ([`crate::diff`]), `diagnostics` the manifests' input problems.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub schema_version: u32,
    /// Every expectation holds, the reachability matches the lock, and no manifest object was
    /// invalid.
    pub passed: bool,
    pub summary: CheckSummary,
    /// Absent (`null`) when the request had no expectations file.
    pub expectations: Option<crate::expect::ExpectationResults>,
    /// Absent (`null`) when the request had no lock file.
    pub lock: Option<crate::lock::LockDrift>,
    /// Problems found while reading the manifests (errors mean an object was skipped).
    pub diagnostics: Vec<crate::Diagnostic>,
}

/// Holds the manifests to the expectations and/or the lock. Unusable expectations or lock
/// files are errors; everything else is data.
pub fn check(request: &CheckRequest) -> Result<CheckResult, CheckError> {
    let expectations = request.expectations.as_ref().map(crate::expect::parse).transpose()?;
    let (model, analysis) = analyze(&request.files, &request.options);
    let lock = request
        .lock
        .as_ref()
        .map(|file| crate::lock::compare(&analysis, &file.text).map_err(|e| CheckError::lock(&file.path, e)))
        .transpose()?;
    let expectations = expectations.map(|e| crate::expect::evaluate(&e, &model, &analysis, &request.files));
    let input_errors = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::Severity::Error)
        .count();
    let summary = CheckSummary {
        expectations: expectations.as_ref().map_or(0, |e| e.total),
        expectations_passed: expectations.as_ref().map_or(0, |e| e.passed),
        expectations_failed: expectations.as_ref().map_or(0, |e| e.failed),
        lock_changes: lock.as_ref().map_or(0, |l| l.diff.changes.len()),
        lock_exposures: lock.as_ref().map_or(0, |l| l.exposures),
        lock_breakages: lock.as_ref().map_or(0, |l| l.breakages),
        lock_added_endpoints: lock.as_ref().map_or(0, |l| l.diff.added_endpoints.len()),
        lock_removed_endpoints: lock.as_ref().map_or(0, |l| l.diff.removed_endpoints.len()),
        input_errors,
    };
    let passed = summary.expectations_failed == 0 && lock.as_ref().is_none_or(|l| l.clean) && input_errors == 0;
    Ok(CheckResult {
        schema_version: CHECK_SCHEMA_VERSION,
        passed,
        summary,
        expectations,
        lock,
        diagnostics: model.diagnostics,
    })
}

/// The lock file text ([`crate::lock::snapshot`]) of the manifests' current reachability.
pub fn snapshot(files: &[SourceFile], options: &Options) -> String {
    let (_, analysis) = analyze(files, options);
    crate::lock::snapshot(&analysis)
}

/// A snapshot request as front-ends send it: `{files, options?}`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotRequest {
    pub files: Vec<SourceFile>,
    #[serde(default)]
    pub options: Options,
}

impl SnapshotRequest {
    /// The lock file text, see [`snapshot`].
    pub fn run(&self) -> String {
        snapshot(&self.files, &self.options)
    }
}

/// Every format name [`render_check`] accepts (canonical names; `md` and `txt` work too).
pub const CHECK_FORMATS: [&str; 3] = ["markdown", "text", "json"];

/// Renders a [`CheckResult`] as `markdown` (`md`), `text` (`txt`) or `json` (ASCII case
/// ignored); see [`crate::report::check`].
pub fn render_check(result: &CheckResult, format: &str) -> Result<String, ApiError> {
    use crate::report::check;
    match format.to_ascii_lowercase().as_str() {
        "markdown" | "md" => Ok(check::markdown(result)),
        "text" | "txt" => Ok(check::text(result)),
        "json" => {
            serde_json::to_string_pretty(result).map_err(|e| ApiError::new(ApiErrorKind::Internal, e.to_string()))
        }
        _ => Err(ApiError::new(
            ApiErrorKind::UnknownFormat,
            format!("unknown check format {format:?}: expected one of markdown (md), text (txt), json"),
        )),
    }
}
