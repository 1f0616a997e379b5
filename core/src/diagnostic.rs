//! Findings about the input: parse and validation problems, lint results.
//!
//! Findings are data, never panics or early returns: an invalid object is skipped and
//! reported while the valid objects around it are still analysed.

use serde::{Deserialize, Serialize};

use crate::source::Location;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: nothing wrong, but worth knowing (e.g. an assumption the model made).
    Info,
    /// Valid but surprising: a named port with no match, a selector that matches nothing.
    Warning,
    /// Invalid as the API server would reject it (the object was skipped), or unreadable input.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding with a stable machine-readable `code` (e.g. `invalid-cidr`, `NR001`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {} [{}]",
            self.location,
            self.severity.as_str(),
            self.message,
            self.code
        )
    }
}
