//! The JSON Schema (`schema/netreach.schema.json`, for editor completion) and the docs
//! (`docs/expectations.md`) describe the same format the parser reads.

mod expect_support;

use std::collections::BTreeSet;

use expect_support::repo;
use netreach_core::model::WorkloadKind;

fn schema() -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join("schema/netreach.schema.json")).unwrap();
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn keys(value: &serde_json::Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(ToString::to_string).collect()
}

const EXPECTATION_KEYS: [&str; 10] = [
    "name",
    "description",
    "from",
    "to",
    "allow",
    "deny",
    "isolation",
    "selected-by-ingress-policy",
    "selected-by-egress-policy",
    "no-egress-to-external",
];
const WORKLOAD_KEYS: [&str; 5] = ["namespace", "namespace-labels", "kind", "name", "labels"];

#[test]
fn the_schema_has_the_parsers_keys() {
    let schema = schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(keys(&schema["properties"]), set(&["version", "expectations"]));
    assert_eq!(schema["properties"]["version"]["const"], 1);
    let d = &schema["definitions"];
    assert_eq!(keys(&d["expectation"]["properties"]), set(&EXPECTATION_KEYS));
    assert_eq!(keys(&d["workloadSelector"]["properties"]), set(&WORKLOAD_KEYS));
    assert_eq!(keys(&d["cidrSelector"]["properties"]), set(&["cidr", "except"]));
    let mut isolation = set(&WORKLOAD_KEYS);
    isolation.extend(set(&["ingress-only-from", "egress-only-to"]));
    assert_eq!(keys(&d["isolation"]["properties"]), isolation);
    let kinds: Vec<&str> = d["workloadKind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let expected: Vec<&str> = WorkloadKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(kinds, expected);
    // Every closed object in the schema rejects unknown keys, like the parser.
    for name in ["expectation", "workloadSelector", "cidrSelector", "isolation"] {
        assert_eq!(d[name]["additionalProperties"], false, "{name}");
    }
}

#[test]
fn every_schema_reference_resolves() {
    let schema = schema();
    let text = schema.to_string();
    let mut rest = text.as_str();
    let mut count = 0;
    while let Some(at) = rest.find("\"$ref\":\"#/definitions/") {
        rest = &rest[at + "\"$ref\":\"#/definitions/".len()..];
        let name = &rest[..rest.find('"').unwrap()];
        assert!(schema["definitions"].get(name).is_some(), "dangling $ref to {name}");
        count += 1;
    }
    assert!(count > 10);
}

#[test]
fn the_docs_and_the_example_point_at_the_schema() {
    let docs = std::fs::read_to_string(repo().join("docs/expectations.md")).unwrap();
    assert!(docs.contains("# yaml-language-server: $schema="));
    for key in EXPECTATION_KEYS.iter().chain(&WORKLOAD_KEYS).chain(&[
        "ingress-only-from",
        "egress-only-to",
        "except",
        "ports",
        "cidr",
    ]) {
        assert!(
            docs.contains(&format!("`{key}")),
            "docs/expectations.md does not mention `{key}`"
        );
    }
    let example = std::fs::read_to_string(repo().join("examples/shop/netreach.yaml")).unwrap();
    let first = example.lines().next().unwrap();
    let path = first
        .strip_prefix("# yaml-language-server: $schema=")
        .expect("schema comment first");
    assert!(repo().join("examples/shop").join(path).is_file(), "{path}");
}
