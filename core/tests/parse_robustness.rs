//! Bad input: syntax errors among good documents, non-Kubernetes files, garbage, YAML
//! bombs, deep nesting. Each gives located diagnostics, never a panic or a hang.

use std::fmt::Write;
use std::time::{Duration, Instant};

use netreach_core::diagnostic::Severity;
use netreach_core::model::Model;
use netreach_core::parse::parse;
use netreach_core::{Options, SourceFile};

fn parse_text(path: &str, text: &str) -> Model {
    parse(&[SourceFile::new(path, text)], &Options::default())
}

/// `(code, line)` of every diagnostic.
fn found(model: &Model) -> Vec<(&str, usize)> {
    model
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.line))
        .collect()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME}\n";

fn pod(name: &str) -> String {
    POD.replace("NAME", name)
}

#[test]
fn empty_input() {
    let model = parse(&[], &Options::default());
    assert!(model.workloads.is_empty() && model.diagnostics.is_empty());
    for text in [
        "",
        "\n\n",
        "# just a comment\n",
        "---\n---\n",
        "---\n# c\n...\n",
        "~\n",
        "null\n",
    ] {
        let model = parse_text("empty.yaml", text);
        assert!(model.diagnostics.is_empty(), "{text:?}: {:#?}", model.diagnostics);
        assert!(model.skipped.is_empty());
    }
}

#[test]
fn syntax_error_between_good_documents() {
    let text = format!(
        "{}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\n  labels: {{app: [x}}\n---\n{}",
        pod("a"),
        pod("b")
    );
    let model = parse_text("stream.yaml", &text);
    let names: Vec<&str> = model.workloads.iter().map(|w| &*w.name).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(found(&model), [("yaml-syntax", 9)]);
    let d = &model.diagnostics[0];
    assert_eq!(d.location.document, 1);
    assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
    assert!(
        !d.message.contains("line"),
        "positions are in the location: {}",
        d.message
    );
}

#[test]
fn unclosed_quote_swallows_only_its_document() {
    let text = format!(
        "{}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: \"broken\n---\n{}",
        pod("a"),
        pod("b")
    );
    let model = parse_text("stream.yaml", &text);
    assert_eq!(model.workloads.len(), 2);
    assert_eq!(model.diagnostics.len(), 1);
    assert_eq!(model.diagnostics[0].code, "yaml-syntax");
    assert_eq!(model.diagnostics[0].location.document, 1);
}

#[test]
fn documents_that_are_not_kubernetes_objects() {
    let text = "- a\n- b\n---\njust text\n---\nname: no kind here\n---\nkind: Pod\nmetadata: {name: p}\n";
    let model = parse_text("odd.yaml", text);
    assert_eq!(
        found(&model),
        [
            ("not-kubernetes", 1),
            ("not-kubernetes", 4),
            ("not-kubernetes", 6),
            ("invalid-object", 8)
        ]
    );
    assert!(
        model.diagnostics[0].message.contains("sequence"),
        "{}",
        model.diagnostics[0].message
    );
    assert!(
        model.diagnostics[3].message.contains("apiVersion"),
        "{}",
        model.diagnostics[3].message
    );
    assert!(model.diagnostics.iter().all(|d| d.severity == Severity::Error));
}

#[test]
fn json_that_is_not_kubernetes() {
    let model = parse_text("out.json", r#"[{"src": "a", "dst": "b", "conn": "TCP 80"}]"#);
    assert_eq!(found(&model), [("not-kubernetes", 1)]);
    let model = parse_text(
        "bad.json",
        "{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"x\" \"y\": 1}\n}\n",
    );
    assert_eq!(model.diagnostics.len(), 1);
    assert_eq!(model.diagnostics[0].code, "yaml-syntax");
    assert!(
        model.diagnostics[0].message.starts_with("invalid JSON"),
        "{}",
        model.diagnostics[0].message
    );
    assert_eq!(model.diagnostics[0].location.line, 3);
    // A trailing comma is fine in flow YAML, so that file is read as YAML.
    let model = parse_text(
        "comma.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"x\",}}",
    );
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(model.workloads.len(), 1);
}

#[test]
fn flow_yaml_that_looks_like_json_is_read_as_yaml() {
    let model = parse_text("flow.yaml", "{apiVersion: v1, kind: Pod, metadata: {name: flow}}\n---\n{apiVersion: v1, kind: Pod, metadata: {name: two}}\n");
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(model.workloads.len(), 2);
}

#[test]
fn json_documents_are_read() {
    let json = r#"{
  "apiVersion": "networking.k8s.io/v1",
  "kind": "NetworkPolicy",
  "metadata": {"name": "p", "namespace": "shop"},
  "spec": {
    "ingress": [{"from": [{"ipBlock": {"cidr": "300.0.0.0/8"}}]}]
  }
}"#;
    let model = parse_text("p.json", json);
    assert_eq!(found(&model), [("invalid-cidr", 6)]);
}

#[test]
fn binary_looking_garbage() {
    let garbage: String = (0u8..=255).cycle().take(4096).map(char::from).collect();
    let model = parse_text("garbage.bin", &garbage);
    assert!(!model.diagnostics.is_empty());
    assert!(model.diagnostics.iter().all(|d| d.severity == Severity::Error));
    let model = parse_text("nul.yaml", "kind: Pod\u{0}\u{1}\u{2}\napiVersion: v1\n");
    assert_eq!(model.diagnostics.len(), 1);
    assert_eq!(model.diagnostics[0].code, "yaml-syntax");
    let model = parse_text("tabs.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n");
    assert_eq!(found(&model), [("yaml-syntax", 4)]);
}

fn alias_bomb(kind_line: &str) -> String {
    // 10 levels of 10 aliases each: 10^10 nodes if expanded.
    let mut text = format!("{kind_line}a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let prev = level - 1;
        let refs = vec![format!("*a{prev}"); 10].join(", ");
        writeln!(text, "a{level}: &a{level} [{refs}]").unwrap();
    }
    text
}

#[test]
fn alias_bomb_errors_quickly() {
    let start = Instant::now();
    // Not a modelled kind: skipped without expanding anything.
    let model = parse_text("bomb.yaml", &alias_bomb("apiVersion: v1\nkind: ConfigMap\n"));
    assert_eq!(model.skipped["v1/ConfigMap"].count, 1);
    assert!(model.diagnostics.is_empty());
    // No kind at all: the sniffer skips aliases without expanding them.
    let model = parse_text("bomb.yaml", &alias_bomb(""));
    assert_eq!(found(&model), [("not-kubernetes", 1)]);
    // A list whose item is the bomb: reading the items would expand it.
    let list = format!(
        "{}items:\n- {{apiVersion: v1, kind: ConfigMap, data: *a9}}\n",
        alias_bomb("apiVersion: v1\nkind: List\n")
    );
    let model = parse_text("bomb.yaml", &list);
    assert_eq!(model.diagnostics.len(), 1, "{:#?}", model.diagnostics);
    let d = &model.diagnostics[0];
    assert_eq!(d.code, "yaml-syntax");
    assert!(d.message.contains("repetition limit"), "{}", d.message);
    assert_eq!(d.location.line, 14);
    // A modelled kind whose labels are the bomb: rejected by type before expanding.
    let pod = format!(
        "{}metadata:\n  name: bomb\n  labels: *a9\n",
        alias_bomb("apiVersion: v1\nkind: Pod\n")
    );
    let model = parse_text("bomb.yaml", &pod);
    assert!(model.workloads.is_empty());
    // serde points at the aliased node (line 12), the field names `metadata.labels`.
    assert_eq!(found(&model), [("invalid-object", 12)]);
    assert_eq!(model.diagnostics[0].location.field.as_deref(), Some("metadata.labels"));
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

#[test]
fn ten_thousand_aliases() {
    let mut text =
        String::from("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: &l {app: x}\nspec:\n  containers:\n");
    for i in 0..10_000 {
        writeln!(text, "  - {{name: c{i}, env: [*l, *l, *l, *l, *l]}}").unwrap();
    }
    let start = Instant::now();
    let model = parse_text("aliases.yaml", &text);
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    // Either read (aliases are legal) or rejected with a located error; never a hang.
    assert!(model.workloads.len() + model.diagnostics.len() >= 1);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let model = parse_text("deep.yaml", &deep);
    assert_eq!(model.diagnostics.len(), 1);
    let model = parse_text(
        "deep.json",
        &format!("{{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"spec\": {deep}}}"),
    );
    assert_eq!(model.diagnostics.len(), 1, "{:#?}", model.diagnostics);
    let yaml = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {deep}\n");
    let model = parse_text("deep.yaml", &yaml);
    assert_eq!(model.diagnostics.len(), 1, "{:#?}", model.diagnostics);
    assert_eq!(model.diagnostics[0].location.line, 4);
    // Unbalanced: a syntax error.
    let model = parse_text("deep.yaml", &"[".repeat(5000));
    assert_eq!(found(&model), [("yaml-syntax", 1)]);
}

#[test]
fn skipped_kinds_are_counted_with_a_few_examples() {
    let mut text = String::new();
    for i in 0..7 {
        writeln!(
            text,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}, namespace: ns}}"
        )
        .unwrap();
    }
    text.push_str("---\napiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: r}\n");
    text.push_str("---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
    let model = parse_text("mixed.yaml", &text);
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    let keys: Vec<&str> = model.skipped.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["example.com/v1/Widget", "route.openshift.io/v1/Route", "v1/ConfigMap"]
    );
    let cms = &model.skipped["v1/ConfigMap"];
    assert_eq!(cms.count, 7);
    assert_eq!(cms.examples.len(), 5);
    assert_eq!(cms.examples[1].line, 6);
    assert_eq!(cms.examples[1].document, 1);
    let object = cms.examples[1].object.as_ref().unwrap();
    assert_eq!((object.namespace.as_str(), object.name.as_str()), ("ns", "cm1"));
}

#[test]
fn removed_api_versions_warn_and_are_skipped() {
    let text = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\n---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: older}\n";
    let model = parse_text("old.yaml", text);
    assert!(model.workloads.is_empty());
    assert_eq!(
        found(&model),
        [("unsupported-api-version", 1), ("unsupported-api-version", 5)]
    );
    assert!(model.diagnostics.iter().all(|d| d.severity == Severity::Warning));
    assert_eq!(model.skipped["extensions/v1beta1/Deployment"].count, 1);
}

#[test]
fn kind_and_api_version_mismatch_is_reported() {
    // `kind: Pod` with `apiVersion: apps/v1` is not something we model.
    let model = parse_text("x.yaml", "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p}\n");
    assert!(model.workloads.is_empty());
    assert_eq!(found(&model), [("unsupported-api-version", 1)]);
}

#[test]
fn separators_with_content_comments_and_crlf() {
    let text = "--- # first\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: a}\r\n--- {apiVersion: v1, kind: Pod, metadata: {name: b}}\r\n...\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: c\r\n  labels: {bad key: x}\r\n";
    let model = parse_text("crlf.yaml", text);
    let names: Vec<&str> = model.workloads.iter().map(|w| &*w.name).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(model.workloads[1].origin.line, 5);
    assert_eq!(found(&model), [("invalid-label", 12)]);
}

#[test]
fn big_files_parse_in_reasonable_time() {
    let mut text = String::new();
    for i in 0..2000 {
        write!(
            text,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: ns{}}}\nspec:\n  selector: {{matchLabels: {{app: d{i}}}}}\n  template:\n    metadata: {{labels: {{app: d{i}}}}}\n    spec:\n      containers: [{{name: c, ports: [{{name: http, containerPort: 8080}}]}}]\n",
            i % 10
        )
        .unwrap();
    }
    let start = Instant::now();
    let model = parse_text("big.yaml", &text);
    assert_eq!(model.workloads.len(), 2000);
    assert_eq!(model.namespaces.len(), 10);
    // Generous: debug builds on slow CI machines.
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
}
