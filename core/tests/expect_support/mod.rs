//! Shared helpers for the expectations and lock tests: a small two-namespace app, the shop
//! example from `examples/shop`, and shortcuts for parsing and checking.
#![allow(dead_code)]

use std::path::Path;

use netreach_core::api::{self, CheckRequest};
use netreach_core::expect::{self, ExpectError, ExpectationResult, ExpectationResults};
use netreach_core::{Options, SourceFile};

/// Namespaces `a` (team alpha: web, api, a bare Pod `solo`) and `b` (team beta: db).
///
/// - `a/api` admits only `web`, on TCP 8080 (`a/api-in`);
/// - `b` admits only `a`'s `api`, on TCP 5432 (`b/db-in`);
/// - `a/web` may egress to pods in `a` (all ports) and to 203.0.113.0/24 on TCP 443 (`a/web-out`);
/// - everything else is unisolated.
pub const APP: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: alpha}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: beta}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: a}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: a, labels: {app: solo}}
spec: {containers: [{name: solo, image: solo}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: b}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: db}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: a}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: b}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: alpha}}, podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-out, namespace: a}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {}}]
  - to: [{ipBlock: {cidr: 203.0.113.0/24}}]
    ports: [{port: 443}]
";

pub const EXPECTATIONS_PATH: &str = "netreach.yaml";

pub fn app() -> Vec<SourceFile> {
    vec![SourceFile::new("app.yaml", APP)]
}

/// The files of `examples/shop/<side>` (paths relative to the repository), in name order.
pub fn shop(side: &str) -> Vec<SourceFile> {
    let dir = repo().join("examples/shop").join(side);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| Path::new(name).extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            SourceFile::new(format!("examples/shop/{side}/{name}"), text)
        })
        .collect()
}

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// `examples/shop/netreach.yaml`.
pub fn shop_expectations() -> SourceFile {
    let text = std::fs::read_to_string(repo().join("examples/shop/netreach.yaml")).unwrap();
    SourceFile::new("examples/shop/netreach.yaml", text)
}

/// Parses `yaml` (panicking with the error) and checks it against `files`.
pub fn check(files: &[SourceFile], yaml: &str) -> ExpectationResults {
    let file = SourceFile::new(EXPECTATIONS_PATH, yaml);
    let expectations = expect::parse(&file).unwrap_or_else(|e| panic!("{e}"));
    let (model, analysis) = api::analyze(files, &Options::default());
    expect::evaluate(&expectations, &model, &analysis, files)
}

/// Checks one expectation written as the body of a list item (`name` added).
pub fn one(files: &[SourceFile], body: &str) -> ExpectationResult {
    let indented: String = body.trim().lines().map(|l| ["    ", l, "\n"].concat()).collect();
    let yaml = format!("version: 1\nexpectations:\n  - name: it\n{indented}");
    let mut results = check(files, &yaml);
    assert_eq!(results.results.len(), 1);
    results.results.remove(0)
}

/// The error of parsing `yaml`, panicking if it parses.
pub fn parse_error(yaml: &str) -> ExpectError {
    match expect::parse(&SourceFile::new(EXPECTATIONS_PATH, yaml)) {
        Ok(parsed) => panic!("expected an error, parsed {parsed:?}"),
        Err(e) => e,
    }
}

/// Asserts a result passed, printing it otherwise.
#[track_caller]
pub fn assert_pass(result: &ExpectationResult) {
    assert!(result.passed, "expected a pass: {result:#?}");
    assert_eq!(result.violation_count, 0);
}

/// Asserts a result failed, printing it otherwise.
#[track_caller]
pub fn assert_fail(result: &ExpectationResult) {
    assert!(!result.passed, "expected a failure: {result:#?}");
}

/// `(from, to)` of every listed violation.
pub fn pairs(result: &ExpectationResult) -> Vec<(String, String)> {
    result
        .violations
        .iter()
        .map(|v| (v.from.clone().unwrap_or_default(), v.to.clone().unwrap_or_default()))
        .collect()
}

pub fn request(files: Vec<SourceFile>, expectations: Option<&str>, lock: Option<&str>) -> CheckRequest {
    CheckRequest {
        files,
        options: Options::default(),
        expectations: expectations.map(|t| SourceFile::new(EXPECTATIONS_PATH, t)),
        lock: lock.map(|t| SourceFile::new("netreach.lock.json", t)),
    }
}
