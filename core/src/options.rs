//! Options shared by every core entry point.

use serde::{Deserialize, Serialize};

/// How to read and judge the input. Every field has a default, so `{}` is valid from JS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// Namespace for objects without `metadata.namespace` (kubectl's default: `default`).
    pub namespace: String,
    /// The cluster's pod and service CIDRs, if known: ipBlocks covering them are linted,
    /// since NetworkPolicy ipBlocks are not meant to select pod traffic.
    pub cluster_cidrs: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            namespace: "default".to_string(),
            cluster_cidrs: Vec::new(),
        }
    }
}
