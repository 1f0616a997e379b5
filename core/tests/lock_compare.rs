//! Comparing the current reachability with the lock: clean on identical input, drift shaped
//! like a pull request's diff otherwise, and located errors for unusable lock files.

mod expect_support;

use expect_support::{app, request, shop, APP};
use netreach_core::api::{self, CheckErrorKind};
use netreach_core::diff::{ChangeKind, EndpointChange, Scope};
use netreach_core::lock::{self, LockDrift, LockErrorKind};
use netreach_core::{Options, SourceFile};

fn drift(locked: &[SourceFile], current: &[SourceFile]) -> LockDrift {
    let text = api::snapshot(locked, &Options::default());
    let (_, analysis) = api::analyze(current, &Options::default());
    lock::compare(&analysis, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn app_with(from: &str, to: &str) -> Vec<SourceFile> {
    assert!(APP.contains(from), "{from}");
    vec![SourceFile::new("app.yaml", APP.replace(from, to))]
}

#[test]
fn identical_input_compares_clean() {
    for files in [app(), shop("base"), shop("head")] {
        let d = drift(&files, &files);
        assert!(d.clean, "{:?}", d.diff);
        assert_eq!((d.exposures, d.breakages), (0, 0));
    }
}

#[test]
fn reordered_lock_lines_still_compare_clean() {
    let text = api::snapshot(&shop("base"), &Options::default());
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["endpoints"].as_array_mut().unwrap().reverse();
    json["connections"].as_array_mut().unwrap().reverse();
    let (_, analysis) = api::analyze(&shop("base"), &Options::default());
    assert!(lock::compare(&analysis, &json.to_string()).unwrap().clean);
}

#[test]
fn the_shop_pull_request_drifts_from_the_base_lock() {
    let d = drift(&shop("base"), &shop("head"));
    assert!(!d.clean);
    assert_eq!(d.diff.added_endpoints, ["shop-core/CronJob/catalog-reindex"]);
    assert!(d.diff.removed_endpoints.is_empty());
    let find = |from: &str, to: &str| {
        d.diff
            .changes
            .iter()
            .find(|c| c.from == from && c.to == to)
            .unwrap_or_else(|| panic!("{from} → {to}: {:#?}", d.diff.changes))
    };
    let exposure = find("monitoring/Deployment/prometheus", "shop-data/StatefulSet/postgres");
    assert_eq!(exposure.kind, ChangeKind::Exposure);
    assert_eq!(exposure.added.to_string(), "TCP 5432");
    assert_eq!(exposure.scope, Scope::CrossNamespace);
    let breakage = find("shop-web/Deployment/storefront", "shop-core/Deployment/cart");
    assert_eq!(breakage.kind, ChangeKind::Breakage);
    assert_eq!(breakage.removed.to_string(), "TCP 50051");
    assert!(breakage.after.is_empty());
    let new = find("shop-core/CronJob/catalog-reindex", "shop-data/StatefulSet/postgres");
    assert_eq!(new.endpoint_change, Some(EndpointChange::Added));
    // Ranked like a diff: cross-namespace exposure before breakage before added endpoints.
    assert_eq!(d.diff.changes[0].kind, ChangeKind::Exposure);
    assert_eq!(
        d.diff.changes.last().unwrap().endpoint_change,
        Some(EndpointChange::Added)
    );
    assert_eq!(d.exposures, d.diff.exposures());
    assert_eq!(d.breakages, d.diff.breakages());
}

#[test]
fn added_and_removed_connections() {
    // Let solo into api: an added connection.
    let more = app_with(
        "- from: [{podSelector: {matchLabels: {app: web}}}]",
        "- from: [{podSelector: {matchLabels: {app: web}}}, {podSelector: {matchLabels: {app: solo}}}]",
    );
    let d = drift(&app(), &more);
    assert_eq!(d.diff.changes.len(), 1, "{:#?}", d.diff.changes);
    let c = &d.diff.changes[0];
    assert_eq!((c.from.as_str(), c.to.as_str()), ("a/Pod/solo", "a/Deployment/api"));
    assert_eq!(
        (c.kind, c.before.is_empty(), c.after.to_string()),
        (ChangeKind::Exposure, true, "TCP 8080".to_string())
    );
    // And the reverse: a removed connection.
    let d = drift(&more, &app());
    assert_eq!(d.diff.changes.len(), 1);
    assert_eq!(d.diff.changes[0].kind, ChangeKind::Breakage);
    assert_eq!(d.breakages, 1);
}

#[test]
fn changed_ports() {
    let changed = app_with("ports: [{port: 5432}]", "ports: [{port: 5433}]");
    let d = drift(&app(), &changed);
    assert_eq!(d.diff.changes.len(), 1, "{:#?}", d.diff.changes);
    let c = &d.diff.changes[0];
    assert_eq!(
        (c.from.as_str(), c.to.as_str()),
        ("a/Deployment/api", "b/Deployment/db")
    );
    assert_eq!(c.kind, ChangeKind::Mixed);
    assert_eq!(
        (c.before.to_string(), c.after.to_string()),
        ("TCP 5432".to_string(), "TCP 5433".to_string())
    );
    assert_eq!(
        (c.added.to_string(), c.removed.to_string()),
        ("TCP 5433".to_string(), "TCP 5432".to_string())
    );
}

#[test]
fn a_new_and_a_removed_workload() {
    let mut more = app();
    more.push(SourceFile::new(
        "cache.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: cache, namespace: b}\nspec:\n  selector: {matchLabels: {app: cache}}\n  template:\n    metadata: {labels: {app: cache}}\n    spec: {containers: [{name: c, image: c}]}\n",
    ));
    let d = drift(&app(), &more);
    assert_eq!(d.diff.added_endpoints, ["b/StatefulSet/cache"]);
    assert!(!d.clean);
    assert!(d
        .diff
        .changes
        .iter()
        .all(|c| c.endpoint_change == Some(EndpointChange::Added)));
    assert!(d
        .diff
        .changes
        .iter()
        .any(|c| c.from == "a/Deployment/api" && c.to == "b/StatefulSet/cache"));
    let d = drift(&more, &app());
    assert_eq!(d.diff.removed_endpoints, ["b/StatefulSet/cache"]);
    assert!(d
        .diff
        .changes
        .iter()
        .all(|c| c.endpoint_change == Some(EndpointChange::Removed) && c.after.is_empty()));
}

#[test]
fn a_changed_ip_block_shows_the_addresses_that_changed() {
    let narrower = app_with("cidr: 203.0.113.0/24", "cidr: 203.0.113.0/25");
    let d = drift(&app(), &narrower);
    assert_eq!(d.diff.changes.len(), 1, "{:#?}", d.diff.changes);
    let c = &d.diff.changes[0];
    assert_eq!(
        (c.from.as_str(), c.to.as_str()),
        ("a/Deployment/web", "external:203.0.113.128/25")
    );
    assert_eq!((c.kind, c.scope), (ChangeKind::Breakage, Scope::External));
    assert_eq!(c.removed.to_string(), "TCP 443");
    // Moved elsewhere: the old range lost it, the new one gained it.
    let moved = app_with("cidr: 203.0.113.0/24", "cidr: 198.51.100.0/24");
    let d = drift(&app(), &moved);
    let summary: Vec<(String, ChangeKind)> = d.diff.changes.iter().map(|c| (c.to.clone(), c.kind)).collect();
    assert_eq!(
        summary,
        [
            ("external:198.51.100.0/24".to_string(), ChangeKind::Exposure),
            ("external:203.0.113.0/24".to_string(), ChangeKind::Breakage),
        ]
    );
}

#[test]
fn drift_from_a_lock_is_the_diff_of_the_two_inputs() {
    let cases = [
        (shop("base"), shop("head")),
        (shop("head"), shop("base")),
        (app(), app_with("cidr: 203.0.113.0/24", "cidr: 203.0.113.0/25")),
        (app(), app_with("cidr: 203.0.113.0/24", "cidr: 198.51.100.0/24")),
        (app(), app_with("ports: [{port: 5432}]", "ports: [{port: 5433}]")),
    ];
    for (base, head) in cases {
        let report = api::report(Some(&base), &head, &Options::default());
        let diff = report.diff.unwrap();
        let d = drift(&base, &head);
        assert_eq!(d.diff.changes, diff.changes);
        assert_eq!(d.diff.added_endpoints, diff.added_endpoints);
        assert_eq!(d.diff.removed_endpoints, diff.removed_endpoints);
    }
}

#[test]
fn the_drift_serialises_like_a_diff() {
    let d = drift(&shop("base"), &shop("head"));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["clean"], false);
    assert!(json["diff"]["changes"][0]["from"].is_string());
    assert_eq!(json["diff"]["addedEndpoints"][0], "shop-core/CronJob/catalog-reindex");
}

// --- errors --------------------------------------------------------------------------------

fn error(text: &str) -> lock::LockError {
    let (_, analysis) = api::analyze(&app(), &Options::default());
    match lock::compare(&analysis, text) {
        Ok(d) => panic!("expected an error, got {d:?}"),
        Err(e) => e,
    }
}

#[test]
fn unusable_lock_files_are_located_errors() {
    let good = api::snapshot(&app(), &Options::default());
    let e = error("{\n  \"version\": 1,\n  \"endpoints\": [\n");
    assert_eq!(e.kind, LockErrorKind::Syntax);
    assert!(e.message.starts_with("invalid JSON"), "{e}");
    let e = error(&good.replacen("\"version\": 1", "\"version\": 2", 1));
    assert_eq!((e.kind, e.line), (LockErrorKind::Invalid, 2));
    assert!(e.message.contains("unsupported lock version 2"), "{e}");
    let e = error("{\"endpoints\": [], \"connections\": []}");
    assert!(e.message.contains("`version` is missing"), "{e}");
    let e = error(&good.replacen("\"version\": 1,", "\"version\": 1,\n  \"extra\": true,", 1));
    assert_eq!((e.kind, e.line), (LockErrorKind::Invalid, 3));
    assert!(e.message.contains("unknown field `extra`"), "{e}");

    // Semantic problems point at their line: one item per line.
    let line_of = |needle: &str| good.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let bad_ports = good.replacen("\"ports\": \"TCP 8080\"", "\"ports\": \"TCP 80a\"", 1);
    let e = error(&bad_ports);
    assert_eq!(e.line, line_of("\"ports\": \"TCP 8080\""));
    assert!(e.message.contains("not a port number"), "{e}");
    assert_eq!(e.field.as_deref().unwrap().rsplit('.').next(), Some("ports"), "{e:?}");
    let unknown = good.replacen("\"to\": \"a/Deployment/api\"", "\"to\": \"a/Deployment/apj\"", 1);
    let e = error(&unknown);
    assert!(
        e.message.contains("\"a/Deployment/apj\" is not listed in `endpoints`"),
        "{e}"
    );
    assert_eq!(e.line, line_of("\"to\": \"a/Deployment/api\""));
    let duplicate = good.replacen("{\"id\": \"a/Deployment/web\"}", "{\"id\": \"a/Deployment/api\"}", 1);
    assert!(error(&duplicate).message.contains("duplicate endpoint"));
    let no_cidrs = good.replacen(", \"cidrs\": [\"203.0.113.0/24\"]", "", 1);
    assert!(error(&no_cidrs).message.contains("needs `cidrs`"));
    let overlap = good.replacen("\"cidrs\": [\"203.0.113.0/24\"]", "\"cidrs\": [\"203.0.0.0/16\"]", 1);
    assert!(error(&overlap).message.contains("overlap"), "{}", error(&overlap));
    let bad_cidr = good.replacen("\"cidrs\": [\"203.0.113.0/24\"]", "\"cidrs\": [\"203.0.113/24\"]", 1);
    assert!(error(&bad_cidr).message.contains("invalid CIDR"));
    let twice_line = good
        .lines()
        .find(|l| l.contains("\"ports\": \"TCP 8080\""))
        .unwrap()
        .to_string();
    let twice = good.replacen(&twice_line, &format!("{twice_line}\n{twice_line}"), 1);
    assert!(error(&twice).message.contains("listed twice"), "{}", error(&twice));
}

// --- the check API -------------------------------------------------------------------------

#[test]
fn check_with_a_lock() {
    let lock_text = api::snapshot(&shop("base"), &Options::default());
    let clean = api::check(&request(shop("base"), None, Some(&lock_text))).unwrap();
    assert!(clean.passed);
    assert!(clean.expectations.is_none());
    assert!(clean.lock.as_ref().unwrap().clean);

    let drifted = api::check(&request(shop("head"), None, Some(&lock_text))).unwrap();
    assert!(!drifted.passed);
    let summary = &drifted.summary;
    assert!(summary.lock_changes > 0);
    assert_eq!(summary.lock_added_endpoints, 1);
    assert!(summary.lock_exposures > 0 && summary.lock_breakages > 0);
    let json = serde_json::to_value(&drifted).unwrap();
    assert_eq!(json["schemaVersion"], 1);
    assert_eq!(json["expectations"], serde_json::Value::Null);
    assert_eq!(json["summary"]["lockAddedEndpoints"], 1);
}

#[test]
fn check_errors_name_file_and_line() {
    let e = api::check(&request(
        app(),
        Some("version: 1\nexpectations:\n  - name: x\n    from: a/web\n    to: a/api\n    allow: TCP 80a\n"),
        None,
    ))
    .unwrap_err();
    assert_eq!(
        (e.kind, e.file.as_str(), e.line),
        (CheckErrorKind::InvalidExpectations, "netreach.yaml", 6)
    );
    assert_eq!(e.field.as_deref(), Some("expectations[0].allow"));
    let e = api::check(&request(app(), Some("version: [1\n"), None)).unwrap_err();
    assert_eq!(e.kind, CheckErrorKind::ExpectationsSyntax);
    let e = api::check(&request(app(), None, Some("{\"version\": 1,"))).unwrap_err();
    assert_eq!(
        (e.kind, e.file.as_str()),
        (CheckErrorKind::LockSyntax, "netreach.lock.json")
    );
    let e = api::check(&request(
        app(),
        None,
        Some("{\"version\": 1, \"endpoints\": 3, \"connections\": []}"),
    ))
    .unwrap_err();
    assert_eq!(e.kind, CheckErrorKind::InvalidLock);
    assert_eq!(e.line, 1);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "invalid-lock");
    assert_eq!(json["file"], "netreach.lock.json");
    assert!(e.to_string().starts_with("netreach.lock.json:1: "), "{e}");
}

#[test]
fn check_requests_are_strict_json() {
    let ok: api::CheckRequest = serde_json::from_str(r#"{"files": [{"path": "a.yaml", "text": ""}], "expectations": {"path": "netreach.yaml", "text": "version: 1\nexpectations: []\n"}}"#).unwrap();
    assert!(ok.lock.is_none());
    let result = ok.run().unwrap();
    assert!(result.passed);
    assert_eq!(result.summary.expectations, 0);
    assert!(serde_json::from_str::<api::CheckRequest>(r#"{"files": [], "expectation": null}"#).is_err());
}

#[test]
fn input_errors_fail_the_check() {
    let broken = SourceFile::new("bad.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: a}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0/8}}]}]\n");
    let mut files = app();
    files.push(broken);
    let lock_text = api::snapshot(&app(), &Options::default());
    let result = api::check(&request(files, None, Some(&lock_text))).unwrap();
    assert_eq!(result.summary.input_errors, 1);
    assert!(result.lock.as_ref().unwrap().clean);
    assert!(!result.passed);
}
