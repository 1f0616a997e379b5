//! Where things come from: the input files handed to the core and the origin of every
//! object parsed from them.
//!
//! The core never reads files itself. Front-ends pass `(path, text)` pairs; everything the
//! core reports points back into them with a [`Location`], so the CLI, the Action and the
//! playground can all show the offending line.

use serde::{Deserialize, Serialize};

/// One input file: a path used only for reporting, and its full text (YAML or JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// The `kind/namespace/name` of a Kubernetes object, as users write it in messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    pub kind: String,
    /// Empty for cluster-scoped objects (Namespace, AdminNetworkPolicy).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// Where a parsed object came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The `SourceFile::path` it was read from (shared by every object of the file).
    pub path: std::sync::Arc<str>,
    /// Zero-based index of the YAML document within the file.
    pub document: usize,
    /// One-based line of the document's first line within the file.
    pub line: usize,
    /// Index of the item when the object came from a `List` (`items[i]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
}

/// A place in the input that a finding points at: file, document, object, field and line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub document: usize,
    /// One-based line: of the field when it could be found, else of the document.
    pub line: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    /// Field path in kubectl notation, e.g. `spec.ingress[0].from[1].ipBlock.cidr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path, self.line)?;
        if let Some(object) = &self.object {
            write!(f, ": {object}")?;
        } else {
            write!(f, ": document {}", self.document)?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        Ok(())
    }
}
