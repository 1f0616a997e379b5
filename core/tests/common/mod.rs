//! Shared helpers of the semantics and conformance tests: YAML in, allowed ports out.

#![allow(dead_code)] // each test crate uses a different subset

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use netreach_core::analysis::Analysis;
use netreach_core::api;
use netreach_core::ipset::IpSet;
use netreach_core::model::Model;
use netreach_core::{Options, Severity, SourceFile};

pub const PATH: &str = "manifests.yaml";

/// Analyses one YAML text; panics if the input has errors, so a test can never pass
/// because its YAML was skipped.
pub fn analyze_with(yaml: &str, options: &Options) -> (Model, Analysis) {
    let files = [SourceFile::new(PATH, yaml)];
    let (model, analysis) = api::analyze(&files, options);
    let errors: Vec<String> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "test input has errors:\n{}", errors.join("\n"));
    (model, analysis)
}

pub fn analyze(yaml: &str) -> Analysis {
    analyze_with(yaml, &Options::default()).1
}

/// Index of an endpoint: a workload id (`ns/Kind/name`), an external id, or an IP address
/// (the external endpoint containing it).
pub fn endpoint(analysis: &Analysis, name: &str) -> usize {
    if let Ok(addr) = name.parse::<IpAddr>() {
        return analysis
            .endpoints
            .iter()
            .position(|e| e.is_external() && external_set(e).contains_addr(addr))
            .unwrap_or_else(|| panic!("no external endpoint contains {addr}; endpoints: {}", ids(analysis)));
    }
    analysis
        .endpoint_index(name)
        .unwrap_or_else(|| panic!("no endpoint {name:?}; endpoints: {}", ids(analysis)))
}

/// The addresses of an external endpoint, from its `cidrs`.
pub fn external_set(endpoint: &netreach_core::analysis::Endpoint) -> IpSet {
    endpoint.cidrs.iter().flatten().fold(IpSet::empty(), |acc, c| {
        acc.union(&IpSet::parse_cidr(c).expect("endpoint cidr"))
    })
}

/// Every endpoint id, for failure messages.
pub fn ids(analysis: &Analysis) -> String {
    analysis
        .endpoints
        .iter()
        .map(|e| e.id.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The allowed ports `from` → `to` rendered with `Display` ("TCP 80", "all ports", "no ports").
pub fn allowed_in(analysis: &Analysis, from: &str, to: &str) -> String {
    analysis
        .allowed(endpoint(analysis, from), endpoint(analysis, to))
        .to_string()
}

/// Parses `yaml` and renders the allowed ports `from` → `to`.
pub fn allowed(yaml: &str, from: &str, to: &str) -> String {
    allowed_in(&analyze(yaml), from, to)
}

pub fn allowed_with(yaml: &str, options: &Options, from: &str, to: &str) -> String {
    allowed_in(&analyze_with(yaml, options).1, from, to)
}

/// The external endpoints' CIDR lists, in endpoint order.
pub fn external_cidrs(analysis: &Analysis) -> Vec<Vec<String>> {
    analysis
        .endpoints
        .iter()
        .filter(|e| e.is_external())
        .map(|e| e.cidrs.clone().unwrap_or_default())
        .collect()
}

/// A Deployment `name` in `namespace` with pod labels `labels` (flow-style YAML map body,
/// e.g. `app: web`) and optional container ports (flow-style list body).
pub fn deployment(namespace: &str, name: &str, labels: &str, ports: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n  selector: {{matchLabels: {{{labels}}}}}\n  template:\n    metadata: {{labels: {{{labels}}}}}\n    spec: {{containers: [{{name: c, image: i, ports: [{ports}]}}]}}\n---\n"
    )
}

/// A bare Pod.
pub fn pod(namespace: &str, name: &str, labels: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {namespace}, labels: {{{labels}}}}}\nspec: {{containers: [{{name: c, image: i}}]}}\n---\n"
    )
}

/// A Namespace with labels.
pub fn namespace(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{{labels}}}}}\n---\n")
}

/// A `NetworkPolicy` in `namespace` with the given `spec` (block YAML indented by two spaces).
pub fn policy(namespace: &str, name: &str, spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n{spec}\n---\n")
}

/// The netpol-analyzer fixtures (`shared/` beside the repository).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/netpol-analyzer")
}

/// Every manifest (`.yaml`, `.yml`, `.json`) under `dir`, recursively, sorted by path.
pub fn load_dir(dir: &Path) -> Vec<SourceFile> {
    let mut paths = Vec::new();
    collect(dir, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().into_owned();
            SourceFile::new(rel, text)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
            out.push(path);
        }
    }
}
