//! The PR comment: content, ordering, escaping, size cap and determinism.

mod report_support;

use netreach_core::report::markdown::{render, MarkdownOptions, DEFAULT_MAX_CHARS};
use netreach_core::report::Report;
use netreach_core::SourceFile;
use report_support::{
    allow, assert_inert_markdown, big, deployment, diff_report, file, head_report, hostile_report, namespace, shop,
    HOSTILE,
};

fn md(report: &Report) -> String {
    render(report, &MarkdownOptions::default())
}

fn position(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{haystack}"))
}

#[test]
fn shop_diff_reads_top_down() {
    let (base, head) = shop();
    let out = md(&diff_report(&base, &head));
    assert!(out.starts_with("## netreach: NetworkPolicy reachability changes\n\n⚠️ **This change newly allows"));
    assert!(out.contains("| 11 | 1 | 1 | 0 | 0 | 0 | 0 | 0 |"), "{out}");
    let order = [
        "### Newly allowed (exposure)",
        "- **`shop/Deployment/web`** ← external `0.0.0.0/0`: TCP 443",
        "- **`shop/Deployment/db`** ← all 4 workloads in ns `team-a`: TCP 5432",
        "- **`shop/Deployment/cache`** _(new workload)_ → 6 destinations:",
        "### Newly blocked (breakage)",
        "- **`shop/Deployment/api`** ← `shop/Deployment/web`: TCP 8080",
        "### Workloads added",
        "<details><summary>All 12 changes</summary>",
        "| `shop/Deployment/web` | `shop/Deployment/api` | TCP 8080 | — |",
        "</details>",
    ];
    let positions: Vec<usize> = order.iter().map(|needle| position(&out, needle)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "out of order: {positions:?}\n{out}"
    );
    assert!(out.ends_with("</details>\n"));
    assert_inert_markdown(&out);
}

#[test]
fn exposure_from_outside_is_listed_before_same_namespace() {
    // Head opens `db` to `api` (same namespace) and to the internet: the internet comes first
    // even though `shop/…` sorts before `external:…`.
    let docs = |extra: &[String]| {
        let mut docs = vec![
            namespace("shop", "team: shop"),
            deployment("shop", "api", "api"),
            deployment("shop", "db", "db"),
            report_support::deny_ingress("shop"),
        ];
        docs.extend_from_slice(extra);
        file("shop.yaml", &docs)
    };
    let head = docs(&[
        allow(
            "shop",
            "api-db",
            "db",
            "[{podSelector: {matchLabels: {app: api}}}]",
            "[{port: 5432}]",
        ),
        allow(
            "shop",
            "www-api",
            "api",
            "[{ipBlock: {cidr: 0.0.0.0/0}}]",
            "[{port: 8443}]",
        ),
    ]);
    let out = md(&diff_report(&docs(&[]), &head));
    let external = position(&out, "- **`shop/Deployment/api`** ← external `0.0.0.0/0`: TCP 8443");
    let same_namespace = position(&out, "- **`shop/Deployment/db`** ← `shop/Deployment/api`: TCP 5432");
    assert!(external < same_namespace, "{out}");
    assert!(out.contains("(1 to or from outside the cluster)"), "{out}");
}

#[test]
fn marker_title_and_hint() {
    let (base, head) = shop();
    let report = diff_report(&base, &head);
    let out = render(
        &report,
        &MarkdownOptions {
            marker: Some("<!-- netreach:comment -->".into()),
            title: Some("netreach for <b>@team</b>".into()),
            ..MarkdownOptions::default()
        },
    );
    assert!(out.starts_with("<!-- netreach:comment -->\n## netreach for \\<b\\>@&#8203;team\\</b\\>\n"));
    // A marker that is not a comment is wrapped; one that would close early is defused.
    let wrapped = render(
        &report,
        &MarkdownOptions {
            marker: Some("netreach --> <b>".into()),
            ..MarkdownOptions::default()
        },
    );
    assert!(wrapped.starts_with("<!-- netreach - b -->\n"), "{wrapped}");
    // The hint only appears when the comment is cut.
    let hint = "See the job summary for the full report.";
    let full = render(
        &report,
        &MarkdownOptions {
            full_report_hint: Some(hint.into()),
            ..MarkdownOptions::default()
        },
    );
    assert!(!full.contains(hint));
    let cut = render(
        &report,
        &MarkdownOptions {
            max_chars: 1200,
            full_report_hint: Some(hint.into()),
            ..MarkdownOptions::default()
        },
    );
    assert!(cut.len() <= 1200, "{}", cut.len());
    assert!(cut.ends_with(&format!("** {hint}\n")), "{cut}");
    assert!(cut.contains("\n**… "), "{cut}");
}

#[test]
fn hostile_ids_and_paths_stay_inert() {
    let report = hostile_report();
    let out = md(&report);
    assert_inert_markdown(&out);
    assert!(!out.contains('\u{1b}'), "terminal escape leaked");
    // The names are still there, readable, inside code spans.
    assert!(
        out.contains("``evil|@admins/Deployment/<script>alert(1)</script>"),
        "{out}"
    );
    let cut = render(
        &report,
        &MarkdownOptions {
            max_chars: 900,
            ..MarkdownOptions::default()
        },
    );
    assert_inert_markdown(&cut);
}

#[test]
fn hostile_input_files_stay_inert() {
    // Paths, invalid names quoted in error messages and unknown kinds all come from the PR.
    let path = format!("k8s/{HOSTILE}.yaml");
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: \"<img src=x onerror=alert(1)>@octocat\", namespace: shop}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: \"[x](https://evil.example)\"}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: \"evil.example/v1\"
kind: \"Img<img src=x>@all\"
metadata: {name: x}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{ipBlock: {cidr: \"<b>@here</b>|10.0.0.0/8\"}}]
";
    let head = vec![SourceFile::new(path, text)];
    let base = vec![SourceFile::new("k8s/base.yaml", "")];
    let with_diff = diff_report(&base, &head);
    assert!(
        with_diff.summary.input_errors > 0,
        "the fixture should produce input errors"
    );
    for out in [md(&with_diff), md(&head_report(&head))] {
        assert!(out.contains("### Input problems"), "{out}");
        assert_inert_markdown(&out);
    }
}

#[test]
fn huge_diff_stays_under_the_limit_and_ends_cleanly() {
    let (base, head) = big(6, 25);
    let report = diff_report(&base, &head);
    let changes = report.diff.as_ref().unwrap().changes.len();
    assert!(changes > 10_000, "fixture too small: {changes}");
    let hint = "See the job summary for the full report.";
    for max_chars in [DEFAULT_MAX_CHARS, 20_000, 4_000, 1_500] {
        let out = render(
            &report,
            &MarkdownOptions {
                max_chars,
                full_report_hint: Some(hint.into()),
                marker: Some("<!-- netreach:comment -->".into()),
                title: None,
            },
        );
        assert!(out.len() <= max_chars, "{} > {max_chars}", out.len());
        assert!(out.starts_with("<!-- netreach:comment -->\n## netreach"));
        let last = out.trim_end().lines().last().unwrap();
        assert!(
            last.starts_with("**… ") && last.ends_with(&format!("more changes not shown.** {hint}")),
            "{last}"
        );
        let omitted: usize = last
            .trim_start_matches("**… ")
            .split(' ')
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap();
        assert!(omitted > 0 && omitted < changes, "{omitted}");
        // Cut between rows: the line before the footer closes a block or ends a row or item.
        assert_inert_markdown(&out);
        let body = out.trim_end().rsplit_once("\n\n").unwrap().0;
        let before = body.lines().last().unwrap();
        assert!(
            before == "</details>" || before.ends_with(" |") || before.starts_with("- ") || before.starts_with("  - "),
            "unclean cut: {before:?}"
        );
    }
    // Within the default budget, the summary sections come first and the top lists are capped.
    let out = md(&report);
    assert!(out.len() > DEFAULT_MAX_CHARS - 2_000, "budget not used: {}", out.len());
    assert!(out.contains("### Newly allowed (exposure)"));
    assert!(out.contains("more destinations ("), "{out}");
    assert!(out.contains("<details><summary>All 22,"), "{}", &out[..3000]);
}

#[test]
fn tiny_budgets_never_overflow() {
    let (base, head) = shop();
    let report = diff_report(&base, &head);
    for max_chars in [0, 1, 10, 50, 100, 200, 400, 800] {
        let out = render(
            &report,
            &MarkdownOptions {
                max_chars,
                full_report_hint: Some("See the [job summary](https://example.com/run) for everything.".into()),
                ..MarkdownOptions::default()
            },
        );
        assert!(out.len() <= max_chars, "{} > {max_chars}", out.len());
    }
}

#[test]
fn same_input_same_bytes() {
    let (base, head) = shop();
    let first = md(&diff_report(&base, &head));
    for _ in 0..3 {
        assert_eq!(md(&diff_report(&base, &head)), first);
    }
    let (base, head) = big(3, 10);
    let a = render(
        &diff_report(&base, &head),
        &MarkdownOptions {
            max_chars: 8_000,
            ..MarkdownOptions::default()
        },
    );
    let b = render(
        &diff_report(&base, &head),
        &MarkdownOptions {
            max_chars: 8_000,
            ..MarkdownOptions::default()
        },
    );
    assert_eq!(a, b);
}

#[test]
fn no_changes() {
    let (_, head) = shop();
    let out = md(&diff_report(&head, &head));
    assert!(out.contains("✅ **No reachability changes.**"), "{out}");
    assert!(!out.contains("### Newly"));
    assert!(!out.contains("<details>"));
}

#[test]
fn without_base_shows_who_can_reach_what() {
    let (_, head) = shop();
    let out = md(&head_report(&head));
    assert!(
        out.starts_with("## netreach: NetworkPolicy reachability\n\nℹ️ **8 workloads in 2 namespaces"),
        "{out}"
    );
    assert!(
        out.contains("| Workloads | Namespaces | Policies | Connections |"),
        "{out}"
    );
    assert!(out.contains("<details><summary>Who can reach what ("), "{out}");
    // team-a has no policy: everyone reaches it; the database only from the api and team-a.
    assert!(
        out.contains("- **`team-a/Deployment/worker-1`** _(no ingress policy)_ ← "),
        "{out}"
    );
    assert!(out.contains("  - all 8 workloads in the cluster: all ports"), "{out}");
    assert!(out.contains("- **`shop/Deployment/db`** ← 5 sources:\n  - `shop/Deployment/api`: TCP 5432\n  - all 4 workloads in ns `team-a`: TCP 5432\n"), "{out}");
    assert_inert_markdown(&out);
}

#[test]
fn lint_findings_new_first_with_file_and_line() {
    let ghost = |name: &str, app: &str| allow("shop", name, app, "[{podSelector: {}}]", "[{port: 80}]");
    let (base, head) = shop();
    let mut base_docs = vec![base[0].text.clone()];
    base_docs.push(ghost("old-ghost", "old-ghost"));
    let mut head_docs = vec![head[0].text.clone()];
    head_docs.push(ghost("old-ghost", "old-ghost"));
    head_docs.push(ghost("new-ghost", "new-ghost"));
    let report = diff_report(&file("k8s/shop.yaml", &base_docs), &file("k8s/shop.yaml", &head_docs));
    let findings: Vec<_> = report
        .lint
        .iter()
        .filter(|l| l.diagnostic.code == "policy-selects-nothing")
        .collect();
    assert_eq!(findings.len(), 2, "{:?}", report.lint);
    let out = md(&report);
    let section = &out[position(&out, "### Lint findings")..];
    let new = position(section, "new-ghost");
    let old = position(section, "old-ghost");
    assert!(new < old, "{section}");
    let new_line = section.lines().find(|l| l.contains("new-ghost")).unwrap();
    assert!(
        new_line.starts_with("- **warning** `policy-selects-nothing` `k8s/shop.yaml:"),
        "{new_line}"
    );
    assert!(new_line.ends_with(" · **new**"), "{new_line}");
    assert!(!section
        .lines()
        .find(|l| l.contains("old-ghost"))
        .unwrap()
        .contains("**new**"));
}

#[test]
fn generated_cluster_fits_and_stays_inert() {
    use netreach_core::generate::{generate, GeneratorConfig};
    let cluster = generate(&GeneratorConfig {
        seed: 7,
        workloads: 300,
        policies: 80,
        changed_policies: 40,
    });
    let report = diff_report(&cluster.base, &cluster.head);
    assert!(
        !report.diff.as_ref().unwrap().changes.is_empty(),
        "the generator should change something"
    );
    for max_chars in [DEFAULT_MAX_CHARS, 10_000, 3_000] {
        let options = MarkdownOptions {
            max_chars,
            ..MarkdownOptions::default()
        };
        let out = render(&report, &options);
        assert!(out.len() <= max_chars, "{} > {max_chars}", out.len());
        assert_inert_markdown(&out);
        assert_eq!(out, render(&diff_report(&cluster.base, &cluster.head), &options));
    }
}
