//! Shared fixtures for the report tests: small manifests written inline, and reports built
//! from them through the public API, exactly as front-ends do.

#![allow(dead_code)]

use netreach_core::api;
use netreach_core::report::Report;
use netreach_core::{Options, SourceFile};

pub fn namespace(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\n")
}

/// A Deployment whose pods carry `app: <app>` and expose `port` as `http`.
pub fn deployment(ns: &str, name: &str, app: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers:
      - name: main
        image: example
"
    )
}

/// Denies all ingress in a namespace.
pub fn deny_ingress(ns: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: {ns}}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress]
"
    )
}

/// Allows ingress to pods `app: <to>` from the given `from` peers (YAML flow list) on `ports`
/// (YAML flow list).
pub fn allow(ns: &str, name: &str, to: &str, from: &str, ports: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: {ns}}}
spec:
  podSelector: {{matchLabels: {{app: {to}}}}}
  policyTypes: [Ingress]
  ingress:
  - from: {from}
    ports: {ports}
"
    )
}

pub fn file(path: &str, docs: &[String]) -> Vec<SourceFile> {
    vec![SourceFile::new(path, docs.join("---\n"))]
}

pub fn diff_report(base: &[SourceFile], head: &[SourceFile]) -> Report {
    api::report(Some(base), head, &Options::default())
}

pub fn head_report(head: &[SourceFile]) -> Report {
    api::report(None, head, &Options::default())
}

/// The shared scenario: a shop namespace with default-deny ingress, a team namespace, and a
/// head that opens the database to the team, opens the web front-end to the internet, closes
/// web → api and adds a cache.
pub fn shop() -> (Vec<SourceFile>, Vec<SourceFile>) {
    let mut common = vec![
        namespace("shop", "team: shop"),
        namespace("team-a", "team: a"),
        deployment("shop", "web", "web"),
        deployment("shop", "api", "api"),
        deployment("shop", "db", "db"),
        deny_ingress("shop"),
        allow(
            "shop",
            "api-to-db",
            "db",
            "[{podSelector: {matchLabels: {app: api}}}]",
            "[{port: 5432}]",
        ),
    ];
    for i in 1..=4 {
        common.push(deployment("team-a", &format!("worker-{i}"), &format!("worker-{i}")));
    }
    let mut base = common.clone();
    base.push(allow(
        "shop",
        "web-to-api",
        "api",
        "[{podSelector: {matchLabels: {app: web}}}]",
        "[{port: 8080}]",
    ));
    let mut head = common;
    head.push(allow(
        "shop",
        "team-to-db",
        "db",
        "[{namespaceSelector: {matchLabels: {team: a}}}]",
        "[{port: 5432}]",
    ));
    head.push(allow(
        "shop",
        "internet-to-web",
        "web",
        "[{ipBlock: {cidr: 0.0.0.0/0}}]",
        "[{port: 443}]",
    ));
    head.push(deployment("shop", "cache", "cache"));
    (file("k8s/shop.yaml", &base), file("k8s/shop.yaml", &head))
}

/// A big diff: `namespaces` × `per_namespace` workloads, base denies all ingress everywhere,
/// head allows everything inside the cluster on a per-namespace port: about N² exposures.
pub fn big(namespaces: usize, per_namespace: usize) -> (Vec<SourceFile>, Vec<SourceFile>) {
    let mut base = Vec::new();
    let mut head = Vec::new();
    for n in 0..namespaces {
        let ns = format!("ns-{n:02}");
        let declared = namespace(&ns, &format!("idx: \"{n}\""));
        base.push(declared.clone());
        head.push(declared);
        for w in 0..per_namespace {
            let d = deployment(&ns, &format!("app-{w:03}"), &format!("app-{w:03}"));
            base.push(d.clone());
            head.push(d);
        }
        base.push(deny_ingress(&ns));
        head.push(allow(
            &ns,
            "allow-cluster",
            "app-000",
            "[{namespaceSelector: {}}]",
            &format!("[{{port: {}}}]", 8000 + n),
        ));
        head.push(format!(
            "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow-all-in, namespace: {ns}}}
spec:
  podSelector: {{}}
  ingress:
  - from: [{{namespaceSelector: {{}}}}, {{ipBlock: {{cidr: 10.{n}.0.0/16}}}}]
    ports: [{{port: {}}}, {{port: 53, protocol: UDP}}]
",
            9000 + n
        ));
    }
    (file("big/base.yaml", &base), file("big/head.yaml", &head))
}

/// Replaces code spans by `CODE` and backslash escapes by `ESC`, as a `CommonMark` reader
/// would see them: what remains is text GitHub interprets.
pub fn strip_code_and_escapes(md: &str) -> String {
    let chars: Vec<char> = md.chars().collect();
    let run_at = |at: usize| chars[at..].iter().take_while(|&&ch| ch == '`').count();
    let mut out = String::new();
    let mut at = 0;
    while at < chars.len() {
        let ch = chars[at];
        if ch == '\\' && at + 1 < chars.len() && chars[at + 1].is_ascii_punctuation() {
            out.push_str("ESC");
            at += 2;
            continue;
        }
        if ch != '`' {
            out.push(ch);
            at += 1;
            continue;
        }
        // A code span closes at the next run of exactly as many backticks.
        let fence = run_at(at);
        let mut scan = at + fence;
        let mut close = None;
        while scan < chars.len() {
            if chars[scan] == '`' {
                let run = run_at(scan);
                if run == fence {
                    close = Some(scan);
                    break;
                }
                scan += run;
            } else {
                scan += 1;
            }
        }
        if let Some(end) = close {
            out.push_str("CODE");
            at = end + fence;
        } else {
            // An unmatched run is literal text.
            out.extend(std::iter::repeat_n('`', fence));
            at += fence;
        }
    }
    out
}

fn excerpt(text: &str, at: usize) -> String {
    text[at..].chars().take(40).collect()
}

/// Asserts that GitHub would render `md` without any HTML, link, image or mention coming from
/// the input: the only tags are ours, every `@` is defused, tables keep their shape.
pub fn assert_inert_markdown(md: &str) {
    const ALLOWED: [&str; 5] = ["<details>", "</details>", "<summary>", "</summary>", "<!-- netreach"];
    let text = strip_code_and_escapes(md);
    for (i, _) in text.match_indices('<') {
        assert!(
            ALLOWED.iter().any(|tag| text[i..].starts_with(tag)),
            "live HTML at {:?}\n--- in ---\n{md}",
            excerpt(&text, i)
        );
    }
    for bad in ["[", "](", "![", "://", "www."] {
        assert!(!text.contains(bad), "possible link {bad:?} in:\n{text}");
    }
    for (i, _) in text.match_indices('@') {
        assert!(
            text[i + 1..].starts_with("&#8203;"),
            "live mention at {:?}",
            excerpt(&text, i)
        );
    }
    // Tables: every row of a table has as many unescaped pipes as its header.
    let mut expected: Option<usize> = None;
    for line in text.lines() {
        if line.starts_with('|') {
            let pipes = line.matches('|').count();
            match expected {
                None => expected = Some(pipes),
                Some(n) => assert_eq!(pipes, n, "broken table row: {line}"),
            }
        } else {
            expected = None;
        }
    }
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count(),
        "unbalanced <details>"
    );
}

/// Text a PR author might smuggle into names, labels and paths.
pub const HOSTILE: &str = "<script>alert(1)</script>|`x``y`[x](https://evil.example)@octocat #1 **b** \u{1b}[31m";

/// A report whose workload ids, namespace and labels are [`HOSTILE`] — impossible through the
/// parser (it validates names), so built from a hand-made model like a buggy front-end might.
pub fn hostile_report() -> Report {
    use netreach_core::analysis;
    use netreach_core::diff;
    use netreach_core::model::{Model, Workload, WorkloadKind};
    use netreach_core::Origin;

    let workload = |ns: &str, name: &str| Workload {
        id: format!("{ns}/Deployment/{name}").into(),
        namespace: ns.into(),
        kind: WorkloadKind::Deployment,
        name: name.into(),
        labels: std::sync::Arc::new([("app".to_string(), HOSTILE.to_string())].into_iter().collect()),
        named_ports: Vec::new().into(),
        host_network: false,
        replicated: true,
        origin: Origin {
            path: format!("k8s/{HOSTILE}.yaml").into(),
            document: 0,
            line: 3,
            item: None,
        },
    };
    let ns = "evil|@admins";
    let base = Model {
        workloads: vec![workload(ns, "a")],
        ..Model::default()
    };
    let mut head = base.clone();
    head.workloads.push(workload(ns, HOSTILE));
    head.workloads.sort_by(|a, b| a.id.cmp(&b.id));
    let base_analysis = analysis::analyze(&base, &[]);
    let head_analysis = analysis::analyze(&head, &[]);
    let diff = diff::diff(&base_analysis, &head_analysis);
    Report::assemble(Some(&base), &head, head_analysis, Some(diff), Vec::new())
}
