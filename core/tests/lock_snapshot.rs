//! The lock file's snapshot: stable, sorted, one item per line, and a function of reachability
//! only — never of policy names, order or file layout.

mod expect_support;

use expect_support::{app, shop};
use netreach_core::{api, lock, Options, SourceFile};

fn snapshot(files: &[SourceFile]) -> String {
    api::snapshot(files, &Options::default())
}

#[test]
fn the_format_is_one_item_per_line() {
    let text = snapshot(&app());
    let expected_start = "{\n  \"version\": 1,\n  \"endpoints\": [\n    {\"id\": \"a/Deployment/api\"},\n";
    assert!(text.starts_with(expected_start), "{text}");
    assert!(text.ends_with("\n  ]\n}\n"), "{text}");
    assert!(
        text.contains("\n    {\"id\": \"external:203.0.113.0/24\", \"cidrs\": [\"203.0.113.0/24\"]}\n  ],\n"),
        "{text}"
    );
    assert!(
        text.contains("    {\"from\": \"a/Deployment/web\", \"to\": \"a/Deployment/api\", \"ports\": \"TCP 8080\"},\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "    {\"from\": \"a/Deployment/web\", \"to\": \"external:203.0.113.0/24\", \"ports\": \"TCP 443\"}"
        ),
        "{text}"
    );
    assert!(text.contains("\"ports\": \"all ports\""), "{text}");
    // Valid JSON with the documented members.
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    let (model_count, connections) = {
        let (_, analysis) = api::analyze(&app(), &Options::default());
        (analysis.endpoints.len(), analysis.connections.len())
    };
    assert_eq!(json["endpoints"].as_array().unwrap().len(), model_count);
    assert_eq!(json["connections"].as_array().unwrap().len(), connections);
    // Every connection line is a line of its own.
    let lines = text.lines().filter(|l| l.trim_start().starts_with("{\"from\"")).count();
    assert_eq!(lines, connections);
}

#[test]
fn connections_are_sorted_by_endpoint_order() {
    let text = snapshot(&shop("base"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = json["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let workloads: Vec<&str> = ids.iter().copied().filter(|id| !id.starts_with("external:")).collect();
    let mut sorted = workloads.clone();
    sorted.sort_unstable();
    assert_eq!(workloads, sorted);
    assert!(
        ids[..workloads.len()].iter().all(|id| !id.starts_with("external:")),
        "workloads first"
    );
    let position = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    let keys: Vec<(usize, usize)> = json["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                position(c["from"].as_str().unwrap()),
                position(c["to"].as_str().unwrap()),
            )
        })
        .collect();
    let mut sorted_keys = keys.clone();
    sorted_keys.sort_unstable();
    sorted_keys.dedup();
    assert_eq!(keys, sorted_keys);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    assert_eq!(snapshot(&shop("base")), snapshot(&shop("base")));
    assert_eq!(snapshot(&shop("head")), snapshot(&shop("head")));
    assert_ne!(snapshot(&shop("base")), snapshot(&shop("head")));
}

/// Every `NetworkPolicy` renamed, documents reversed within each file, files reversed.
fn shuffled_and_renamed(files: &[SourceFile]) -> Vec<SourceFile> {
    files
        .iter()
        .rev()
        .map(|file| {
            let mut docs: Vec<String> = file
                .text
                .split("\n---\n")
                .map(|doc| {
                    if doc.contains("kind: NetworkPolicy") {
                        doc.replacen("metadata:\n  name: ", "metadata:\n  name: renamed-", 1)
                    } else {
                        doc.to_string()
                    }
                })
                .collect();
            docs.reverse();
            SourceFile::new(format!("moved/{}", file.path), docs.join("\n---\n"))
        })
        .collect()
}

#[test]
fn renaming_and_reordering_policies_changes_nothing() {
    for side in ["base", "head"] {
        let files = shop(side);
        let shuffled = shuffled_and_renamed(&files);
        assert!(shuffled.iter().any(|f| f.text.contains("name: renamed-default-deny")));
        let (model, _) = api::analyze(&shuffled, &Options::default());
        assert!(model
            .diagnostics
            .iter()
            .all(|d| d.severity != netreach_core::Severity::Error));
        assert_eq!(
            model.policies.len(),
            api::analyze(&files, &Options::default()).0.policies.len()
        );
        assert_eq!(snapshot(&files), snapshot(&shuffled), "{side}");
    }
}

#[test]
fn equivalent_rewrites_change_nothing() {
    // A named port written as its number, and a redundant ipBlock split in two halves.
    let rewritten = expect_support::APP
        .replace("ports: [{port: 8080}]", "ports: [{port: 8080, endPort: 8080}]")
        .replace(
            "- to: [{ipBlock: {cidr: 203.0.113.0/24}}]",
            "- to: [{ipBlock: {cidr: 203.0.113.0/25}}, {ipBlock: {cidr: 203.0.113.128/25}}]",
        );
    assert_ne!(rewritten, expect_support::APP);
    let files = vec![SourceFile::new("app.yaml", rewritten)];
    assert_eq!(snapshot(&app()), snapshot(&files));
}

#[test]
fn an_empty_input_has_an_empty_lock() {
    let text = snapshot(&[]);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["connections"].as_array().unwrap().len(), 0);
    // The outside world is still one endpoint (everything).
    assert_eq!(json["endpoints"].as_array().unwrap().len(), 1);
    let (_, analysis) = api::analyze(&[], &Options::default());
    assert!(lock::compare(&analysis, &text).unwrap().clean);
}
