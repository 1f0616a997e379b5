//! The machine and graph formats (JSON, SARIF, CSV, DOT), plain text, and the format dispatch.

mod report_support;

use std::collections::BTreeSet;

use netreach_core::report::format::{render, ReportFormat};
use netreach_core::report::{csv, dot, escape, json, sarif, text, Report, Side};
use netreach_core::SourceFile;
use report_support::{allow, diff_report, file, head_report, hostile_report, shop, HOSTILE};
use serde_json::Value;

/// The shop diff, plus a policy that selects nothing (a lint warning) and one with an invalid
/// CIDR (an input error) in a second file.
fn shop_with_findings() -> Report {
    let (base, mut head) = shop();
    head.extend(file(
        "k8s/extra policies.yaml",
        &[
            allow("shop", "ghost", "ghost", "[{podSelector: {}}]", "[{port: 80}]"),
            allow(
                "shop",
                "bad-cidr",
                "web",
                "[{ipBlock: {cidr: 10.0.0/8}}]",
                "[{port: 80}]",
            ),
        ],
    ));
    diff_report(&base, &head)
}

#[test]
fn sarif_shape() {
    let report = shop_with_findings();
    assert!(
        !report.lint.is_empty() && report.summary.input_errors > 0,
        "fixture must have findings"
    );
    let log: Value = serde_json::from_str(&sarif::render(&report)).expect("SARIF is JSON");
    assert_eq!(log["$schema"], sarif::SCHEMA);
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "netreach");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["shortDescription"]["text"].is_string());
            assert!(["error", "warning", "note"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
            r["id"].as_str().unwrap()
        })
        .collect();
    let mut sorted = rules.clone();
    sorted.sort_unstable();
    assert_eq!(rules, sorted, "rules are sorted by id");
    for id in [
        sarif::EXPOSURE_RULE,
        sarif::BREAKAGE_RULE,
        "invalid-cidr",
        "policy-selects-nothing",
    ] {
        assert!(rules.contains(&id), "missing rule {id}: {rules:?}");
    }
    let results = runs[0]["results"].as_array().unwrap();
    let diff = report.diff.as_ref().unwrap();
    let head_diagnostics = report.diagnostics.iter().filter(|d| d.side == Side::Head).count();
    let reachability = results
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("reachability-"))
        .count();
    assert_eq!(results.len(), report.lint.len() + head_diagnostics + reachability);
    // One result per rule and workload, together covering every change.
    let covered: u64 = results
        .iter()
        .filter_map(|r| r["properties"]["changes"].as_str())
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert_eq!(covered as usize, diff.exposures() + diff.breakages());
    let mut keys = BTreeSet::new();
    for r in results.iter().filter(|r| r["properties"]["workload"].is_string()) {
        assert!(keys.insert((
            r["ruleId"].as_str().unwrap(),
            r["properties"]["workload"].as_str().unwrap()
        )));
    }
    let mut seen = BTreeSet::new();
    for result in results {
        let rule = result["ruleId"].as_str().unwrap();
        seen.insert(rule);
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index], rule);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        for location in result["locations"].as_array().into_iter().flatten() {
            let physical = &location["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri == "k8s/shop.yaml" || uri == "k8s/extra%20policies.yaml", "{uri}");
            assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
        }
    }
    assert_eq!(seen.len(), rules.len(), "every rule is used");
    // The exposure into the database points at the database's Deployment and names the sources.
    let db = results
        .iter()
        .find(|r| r["ruleId"] == sarif::EXPOSURE_RULE && r["properties"]["workload"] == "shop/Deployment/db")
        .unwrap();
    assert_eq!(db["level"], "warning");
    assert_eq!(db["properties"]["changes"], "4");
    assert_eq!(
        db["message"]["text"],
        "Newly allowed for shop/Deployment/db: 4 connections: team-a/Deployment/worker-1 → shop/Deployment/db on TCP 5432; \
         team-a/Deployment/worker-2 → shop/Deployment/db on TCP 5432; team-a/Deployment/worker-3 → shop/Deployment/db on TCP 5432; \
         team-a/Deployment/worker-4 → shop/Deployment/db on TCP 5432."
    );
    assert_eq!(
        db["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "Deployment shop/db"
    );
    let line = db["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap();
    let shop_text = &shop().1[0].text;
    let db_line = shop_text.lines().position(|l| l.contains("name: db,")).unwrap() as u64;
    assert!(
        line <= db_line + 1 && line + 3 >= db_line,
        "db at line {line}, expected near {}",
        db_line + 1
    );
    let cidr = results.iter().find(|r| r["ruleId"] == "invalid-cidr").unwrap();
    assert_eq!(cidr["level"], "error");
}

#[test]
fn sarif_without_diff_has_only_findings() {
    let (_, head) = shop();
    let log: Value = serde_json::from_str(&sarif::render(&head_report(&head))).unwrap();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        assert!(!result["ruleId"].as_str().unwrap().starts_with("reachability-"));
    }
}

/// A minimal RFC 4180 reader: records of fields.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (_, c) => field.push(c),
        }
    }
    assert!(
        record.is_empty() && field.is_empty(),
        "last record not terminated by CRLF"
    );
    records
}

#[test]
fn csv_quoting() {
    let (base, mut head) = shop();
    head.extend(file(
        "more.yaml",
        &[allow(
            "shop",
            "web-more",
            "web",
            "[{podSelector: {}}]",
            "[{port: 80}, {port: 8080}, {port: 53, protocol: UDP}]",
        )],
    ));
    let report = diff_report(&base, &head);
    let out = csv::render_diff(&report);
    let records = read_csv(&out);
    assert_eq!(
        records[0],
        ["from", "to", "before", "after", "added", "removed", "kind"]
    );
    assert_eq!(records.len(), report.diff.as_ref().unwrap().changes.len() + 1);
    assert!(records.iter().all(|r| r.len() == 7));
    let api_to_web = records
        .iter()
        .find(|r| r[0] == "shop/Deployment/api" && r[1] == "shop/Deployment/web")
        .unwrap();
    assert_eq!(
        api_to_web[2..],
        ["", "TCP 80,8080; UDP 53", "TCP 80,8080; UDP 53", "", "exposure"]
    );
    assert!(
        out.contains(",\"TCP 80,8080; UDP 53\","),
        "comma fields are quoted: {out}"
    );
    let breakage = records.iter().find(|r| r[6] == "breakage").unwrap();
    assert_eq!(
        breakage[..4],
        ["shop/Deployment/web", "shop/Deployment/api", "TCP 8080", ""]
    );

    let connections = read_csv(&csv::render_connections(&report));
    assert_eq!(connections[0], ["from", "to", "ports"]);
    assert_eq!(connections.len(), report.analysis.connections.len() + 1);

    // Quotes, commas and line breaks in ids survive a round trip.
    let hostile = hostile_report();
    let records = read_csv(&csv::render_diff(&hostile));
    assert!(records.iter().all(|r| r.len() == 7));
    assert!(records.iter().any(|r| r[1].ends_with(HOSTILE)), "{records:?}");
    assert_eq!(escape::csv_field("a\"b\nc"), "\"a\"\"b\nc\"");
}

#[test]
fn json_report_and_analysis_contract() {
    let report = shop_with_findings();
    let compact = json::render(&report, false);
    assert!(compact.starts_with(r#"{"schemaVersion":1,"tool":{"name":"netreach","version":""#));
    let value: Value = serde_json::from_str(&json::render(&report, true)).unwrap();
    assert_eq!(
        value,
        serde_json::from_str::<Value>(&compact).unwrap(),
        "pretty and compact agree"
    );
    for key in ["summary", "analysis", "diff", "diagnostics", "lint", "skipped", "notes"] {
        assert!(value.get(key).is_some(), "missing {key}");
    }
    assert_eq!(value["summary"]["exposures"], report.summary.exposures);
    let analysis: Value = serde_json::from_str(&json::render_analysis(&report, false)).unwrap();
    let keys: Vec<&String> = analysis.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["connections", "endpoints"]);
    assert!(json::render_analysis(&report, false).starts_with(r#"{"endpoints":["#));
    assert_eq!(analysis["connections"], value["analysis"]["connections"]);
    // Without a base there is no `diff` key.
    let (_, head) = shop();
    let value: Value = serde_json::from_str(&json::render(&head_report(&head), false)).unwrap();
    assert!(value.get("diff").is_none());
}

#[test]
fn text_output() {
    let (base, head) = shop();
    let report = diff_report(&base, &head);
    let out = text::render(&report);
    assert!(out.starts_with("netreach: NetworkPolicy reachability changes\n====="));
    assert!(
        out.contains("  shop/Deployment/db\n    <- all 4 workloads in ns team-a"),
        "{out}"
    );
    assert!(
        out.contains("  shop/Deployment/cache (new workload)\n    -> 2 external ranges (0.0.0.0/0 and ::/0)"),
        "{out}"
    );
    assert!(out.contains("  FROM "), "{out}");
    assert!(!out.contains('`') && !out.contains("**"), "no markup: {out}");
    assert!(out.ends_with('\n') && !out.ends_with("\n\n"));

    let connections = text::render_connections(&report);
    let lines: Vec<&str> = connections.lines().collect();
    assert_eq!(lines.len(), report.analysis.connections.len());
    assert!(
        lines.contains(&"shop/Deployment/api => shop/Deployment/db : TCP 5432"),
        "{connections}"
    );
    assert!(
        lines.contains(&"external:0.0.0.0/0 => shop/Deployment/web : TCP 443"),
        "{connections}"
    );
    // Workloads (by id) first, then external ranges.
    let firsts: Vec<&str> = lines.iter().map(|l| l.split(" => ").next().unwrap()).collect();
    let first_external = firsts.iter().position(|f| f.starts_with("external:")).unwrap();
    assert!(firsts[..first_external].windows(2).all(|w| w[0] <= w[1]));
    assert!(firsts[first_external..].iter().all(|f| f.starts_with("external:")));

    // Names cannot reach the terminal as control sequences.
    let hostile = text::render(&hostile_report());
    assert!(!hostile.contains('\u{1b}'));
    assert!(hostile.contains("\u{FFFD}[31m"));
}

#[test]
fn dot_graph() {
    let (base, head) = shop();
    let out = dot::render(&diff_report(&base, &head));
    assert!(out.starts_with("digraph netreach {\n") && out.ends_with("}\n"));
    assert_eq!(out.matches('{').count(), out.matches('}').count());
    assert!(out.contains("subgraph cluster_0 {\n    label=\"shop\";"), "{out}");
    assert!(out.contains("label=\"team-a\""));
    assert!(
        out.contains("label=\"0.0.0.0/0\", shape=ellipse, style=dashed"),
        "{out}"
    );
    assert!(out.contains("label=\"+TCP 5432\", color=darkgreen"), "{out}");
    assert!(
        out.contains("label=\"−TCP 8080\", color=red, fontcolor=red, style=dashed"),
        "{out}"
    );
    assert!(
        out.contains("label=\"Deployment\\ncache\", shape=box, color=darkgreen"),
        "{out}"
    );
    // Quotes and backslashes in names cannot end a DOT string early.
    let hostile = dot::render(&hostile_report());
    for line in hostile.lines() {
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "unbalanced quotes: {line}");
    }
}

#[test]
fn format_names_and_dispatch() {
    for (name, format) in [
        ("markdown", ReportFormat::Markdown),
        ("md", ReportFormat::Markdown),
        ("text", ReportFormat::Text),
        ("txt", ReportFormat::Text),
        ("json", ReportFormat::Json),
        ("sarif", ReportFormat::Sarif),
        ("csv", ReportFormat::Csv),
        ("dot", ReportFormat::Dot),
    ] {
        assert_eq!(name.parse::<ReportFormat>(), Ok(format));
    }
    let error = "yaml".parse::<ReportFormat>().unwrap_err();
    assert!(error
        .to_string()
        .contains("markdown (md), text (txt), json, sarif, csv, dot"));

    let (base, head) = shop();
    let report = diff_report(&base, &head);
    assert!(render(&report, ReportFormat::Csv).starts_with("from,to,before,after"));
    let head_only = head_report(&head);
    assert!(render(&head_only, ReportFormat::Csv).starts_with("from,to,ports\r\n"));
    for format in ReportFormat::ALL {
        let out = render(&report, format);
        assert!(!out.is_empty(), "{format}");
        // Same input, same bytes — for every format, from independently computed reports.
        assert_eq!(
            out,
            render(&diff_report(&base, &head), format),
            "{format} is not deterministic"
        );
    }
}

#[test]
fn empty_input_renders_everywhere() {
    let empty = [SourceFile::new("empty.yaml", "")];
    for report in [head_report(&empty), diff_report(&empty, &empty)] {
        for format in ReportFormat::ALL {
            let _ = render(&report, format);
        }
        assert_eq!(text::render_connections(&report), "");
    }
}
