//! Every assertion form, subject form and port form, passing and failing, on a small app
//! (see `expect_support::APP`).

mod expect_support;

use expect_support::{app, assert_fail, assert_pass, one, pairs};
use netreach_core::expect::AssertionKind;

fn s(text: &str) -> String {
    text.to_string()
}

// --- allow ---------------------------------------------------------------------------------

#[test]
fn allow_ports_pass_and_fail_with_missing_ports_and_explanation() {
    let r = one(&app(), "from: a/Deployment/web\nto: a/Deployment/api\nallow: TCP 8080");
    assert_pass(&r);
    assert_eq!(r.kind, AssertionKind::Allow);
    assert_eq!(r.checked, 1);

    let r = one(
        &app(),
        "from: a/Deployment/web\nto: a/Deployment/api\nallow: TCP 8080,9090",
    );
    assert_fail(&r);
    assert_eq!(r.violation_count, 1);
    let v = &r.violations[0];
    assert_eq!(v.missing.as_ref().unwrap().to_string(), "TCP 9090");
    assert_eq!(v.allowed.as_ref().unwrap().to_string(), "TCP 8080");
    assert!(
        v.message.contains("cannot reach a/Deployment/api on TCP 9090"),
        "{}",
        v.message
    );
    let explanation = v.explanation.as_ref().expect("explained");
    assert_eq!(explanation.port, Some(9090));
    assert!(!explanation.allowed);
    assert_eq!(explanation.ingress.policies, vec![s("a/api-in")]);
    assert!(r.summary.contains("not allowed for 1 of 1 pair"), "{}", r.summary);
}

#[test]
fn allow_any_needs_some_port() {
    assert_pass(&one(&app(), "from: a/Deployment/api\nto: b/Deployment/db\nallow: any"));
    let r = one(&app(), "from: a/Deployment/web\nto: b/Deployment/db\nallow: any");
    assert_fail(&r);
    let v = &r.violations[0];
    assert!(v.missing.is_none());
    assert!(
        v.message.ends_with("cannot reach b/Deployment/db at all"),
        "{}",
        v.message
    );
    // The blocker is web's own egress policy.
    let explanation = v.explanation.as_ref().unwrap();
    assert!(!explanation.egress.allowed);
    assert_eq!(explanation.egress.policies, vec![s("a/web-out")]);
}

#[test]
fn allow_all_needs_every_port() {
    assert_pass(&one(&app(), "from: a/Deployment/web\nto: a/Pod/solo\nallow: all"));
    let r = one(&app(), "from: a/Deployment/web\nto: a/Deployment/api\nallow: all");
    assert_fail(&r);
    assert!(r.violations[0]
        .missing
        .as_ref()
        .unwrap()
        .contains(netreach_core::ports::Protocol::Udp, 53));
}

// --- deny ----------------------------------------------------------------------------------

#[test]
fn deny_any_and_deny_ports() {
    assert_pass(&one(&app(), "from: a/Pod/solo\nto: a/Deployment/api\ndeny: any"));
    // Only 5432 is open from api to db: other ports are denied.
    assert_pass(&one(
        &app(),
        "from: a/Deployment/api\nto: b/Deployment/db\ndeny: [\"TCP 80\", \"UDP 5432\"]",
    ));
    let r = one(
        &app(),
        "from: a/Deployment/api\nto: b/Deployment/db\ndeny: TCP 5000-6000",
    );
    assert_fail(&r);
    assert_eq!(r.kind, AssertionKind::Deny);
    let v = &r.violations[0];
    assert_eq!(v.unexpected.as_ref().unwrap().to_string(), "TCP 5432");
    let explanation = v.explanation.as_ref().unwrap();
    assert!(explanation.allowed);
    assert_eq!(explanation.port, Some(5432));
    let rule = explanation
        .ingress
        .decisions
        .iter()
        .find(|d| d.matches_query)
        .expect("a deciding rule");
    assert_eq!(rule.policy.as_deref(), Some("b/db-in"));
    assert_eq!(rule.rule_index, Some(0));
    assert!(rule.location.as_ref().unwrap().line > 1);
}

#[test]
fn deny_all_is_deny_any() {
    assert_pass(&one(&app(), "from: a/Pod/solo\nto: b/Deployment/db\ndeny: all"));
    assert_fail(&one(&app(), "from: a/Deployment/api\nto: b/Deployment/db\ndeny: all"));
}

// --- isolation -----------------------------------------------------------------------------

#[test]
fn isolation_ingress_with_port_scoped_exception() {
    let r = one(
        &app(),
        "isolation:\n  namespace: b\n  ingress-only-from:\n    - {namespace: a, labels: {app: api}, ports: TCP 5432}",
    );
    assert_pass(&r);
    assert_eq!(r.kind, AssertionKind::Isolation);
    // every workload outside b (3) and every external range, into db.
    assert!(r.checked >= 4, "{}", r.checked);

    let r = one(&app(), "isolation:\n  namespace: b\n  ingress-only-from: []");
    assert_fail(&r);
    assert_eq!(pairs(&r), vec![(s("a/Deployment/api"), s("b/Deployment/db"))]);
    assert_eq!(r.violations[0].unexpected.as_ref().unwrap().to_string(), "TCP 5432");
    assert!(r.violations[0].explanation.is_some());

    // The exception's ports are enforced.
    let r = one(
        &app(),
        "isolation:\n  namespace: b\n  ingress-only-from: [{namespace: a, ports: TCP 80}]",
    );
    assert_fail(&r);
}

#[test]
fn isolation_egress_and_sources_inside_are_free() {
    // Inside `a` everything talks to everything; `a` as a whole reaches b and the world.
    let r = one(
        &app(),
        "isolation:\n  namespace: a\n  egress-only-to: [{namespace: b}, external]",
    );
    assert_pass(&r);
    let r = one(
        &app(),
        "isolation:\n  namespace: a\n  egress-only-to: [{namespace: b}, \"203.0.113.0/24\"]",
    );
    assert_fail(&r);
    // api and solo are unisolated for egress: they reach the rest of the world.
    assert!(
        pairs(&r)
            .iter()
            .all(|(from, to)| from.starts_with("a/") && to.starts_with("external:")),
        "{:?}",
        pairs(&r)
    );
    assert!(
        pairs(&r).iter().all(|(_, to)| to != "external:203.0.113.0/24"),
        "{:?}",
        pairs(&r)
    );
}

#[test]
fn isolation_external_sources_are_cut_by_exception_cidrs() {
    // web is public; allowing the world minus one /24 leaves that /24 as the violation.
    let r = one(
        &app(),
        "isolation:\n  namespace: a\n  name: web\n  ingress-only-from: [{namespace: a}, {namespace: b}, {cidr: 0.0.0.0/0, except: [198.51.100.0/24]}, \"::/0\"]",
    );
    assert_fail(&r);
    assert_eq!(pairs(&r), vec![(s("external:198.51.100.0/24"), s("a/Deployment/web"))]);
}

#[test]
fn isolation_warns_about_exceptions_that_match_nothing() {
    let r = one(
        &app(),
        "isolation:\n  namespace: b\n  ingress-only-from: [{namespace: a, labels: {app: api}}, {namespace: nowhere}]",
    );
    assert_pass(&r);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("ingress-only-from[1] ({namespace: nowhere}) matches nothing"),
        "{:?}",
        r.warnings
    );
}

// --- selected-by-*-policy -------------------------------------------------------------------

#[test]
fn selected_by_ingress_policy() {
    let r = one(&app(), "selected-by-ingress-policy: {namespace: b}");
    assert_pass(&r);
    assert_eq!(r.kind, AssertionKind::SelectedByIngressPolicy);
    let r = one(&app(), "selected-by-ingress-policy: {namespace: a}");
    assert_fail(&r);
    let endpoints: Vec<&str> = r.violations.iter().map(|v| v.endpoint.as_deref().unwrap()).collect();
    assert_eq!(endpoints, ["a/Deployment/web", "a/Pod/solo"]);
    assert_eq!(r.violation_count, 2);
    assert_eq!(r.checked, 3);
    assert!(r.violations[0]
        .message
        .contains("no NetworkPolicy selects a/Deployment/web for ingress"));
}

#[test]
fn selected_by_egress_policy() {
    let r = one(&app(), "selected-by-egress-policy: a/Deployment/web");
    assert_pass(&r);
    assert_eq!(r.kind, AssertionKind::SelectedByEgressPolicy);
    assert_fail(&one(&app(), "selected-by-egress-policy: [a/web, a/api]"));
}

#[test]
fn selected_by_policy_reports_host_network() {
    let host = "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: a}\nspec: {hostNetwork: true, containers: [{name: a, image: a}]}\n";
    let mut files = app();
    files.push(netreach_core::SourceFile::new("host.yaml", host));
    let r = one(&files, "selected-by-ingress-policy: a/Pod/agent");
    assert_fail(&r);
    assert!(
        r.violations[0].message.contains("uses hostNetwork"),
        "{}",
        r.violations[0].message
    );
}

// --- no-egress-to-external ------------------------------------------------------------------

#[test]
fn no_egress_to_external() {
    let r = one(
        &app(),
        "no-egress-to-external: {namespace: a, name: web, except: [\"203.0.113.0/24\"]}",
    );
    assert_pass(&r);
    assert_eq!(r.kind, AssertionKind::NoEgressToExternal);

    let r = one(&app(), "no-egress-to-external: a/Deployment/web");
    assert_fail(&r);
    assert_eq!(pairs(&r), vec![(s("a/Deployment/web"), s("external:203.0.113.0/24"))]);
    assert_eq!(r.violations[0].unexpected.as_ref().unwrap().to_string(), "TCP 443");

    // Port-scoped exception: 443 is not 80.
    let r = one(
        &app(),
        "no-egress-to-external: {namespace: a, name: web, except: [{cidr: 203.0.113.0/24, ports: TCP 80}]}",
    );
    assert_fail(&r);
    // A narrower exception leaves the rest of the range.
    let r = one(
        &app(),
        "no-egress-to-external: {namespace: a, name: web, except: [203.0.113.0/25]}",
    );
    assert_fail(&r);
    assert_eq!(pairs(&r), vec![(s("a/Deployment/web"), s("external:203.0.113.128/25"))]);

    // Unisolated workloads reach the whole world.
    let r = one(&app(), "no-egress-to-external: {namespace: a, labels: {app: api}}");
    assert_fail(&r);
    assert!(r.violations.iter().all(|v| v.unexpected.as_ref().unwrap().is_all()));
}

// --- subjects ------------------------------------------------------------------------------

#[test]
fn subject_forms_match_the_right_workloads() {
    // Each form names web (and only web) as the source of TCP 8080 into api.
    for from in [
        "a/Deployment/web",
        "a/web",
        "{namespace: a, name: web}",
        "{labels: {app: web}}",
        "{labels: {tier: front}, namespace: a}",
        "{namespace-labels: {team: alpha}, kind: Deployment, name: web}",
        "[a/web, a/web]",
    ] {
        let r = one(&app(), &format!("from: {from}\nto: a/Deployment/api\nallow: TCP 8080"));
        assert_pass(&r);
        assert_eq!(r.checked, 1, "{from}");
    }
    // Whole namespaces and lists are cross products.
    let r = one(&app(), "from: {namespace: a}\nto: [b/db, a/api]\ndeny: UDP 53");
    assert_pass(&r);
    // 3 sources × 2 destinations, minus nothing (api → api is a controller's self-pair).
    assert_eq!(r.checked, 6);
    let r = one(
        &app(),
        "from: {kind: Pod}\nto: {namespace-labels: {team: beta}}\ndeny: any",
    );
    assert_pass(&r);
    assert_eq!(r.checked, 1);
}

#[test]
fn any_and_external_subjects() {
    // From anywhere (every workload and every address) only web reaches api.
    let r = one(&app(), "from: any\nto: a/Deployment/api\ndeny: any");
    assert_fail(&r);
    assert_eq!(pairs(&r), vec![(s("a/Deployment/web"), s("a/Deployment/api"))]);
    // Nothing outside the cluster reaches b.
    assert_pass(&one(&app(), "from: external\nto: {namespace: b}\ndeny: any"));
    // The outside world reaches web on every port, from every address.
    assert_pass(&one(&app(), "from: external\nto: a/web\nallow: all"));
    let r = one(&app(), "from: external\nto: a/api\nallow: any");
    assert_fail(&r);
    assert!(pairs(&r).iter().all(|(from, _)| from.starts_with("external:")));
}

#[test]
fn cidr_subjects_are_checked_part_by_part() {
    assert_pass(&one(&app(), "from: a/web\nto: 203.0.113.0/24\nallow: TCP 443"));
    assert_pass(&one(&app(), "from: a/web\nto: {cidr: 203.0.113.0/25}\nallow: TCP 443"));
    // Half of a /23 is not reachable: allow needs every part.
    let r = one(&app(), "from: a/web\nto: 203.0.112.0/23\nallow: TCP 443");
    assert_fail(&r);
    assert_eq!(pairs(&r), vec![(s("a/Deployment/web"), s("external:203.0.112.0/24"))]);
    // deny needs no part: the reachable half fails it.
    let r = one(&app(), "from: a/web\nto: 203.0.112.0/23\ndeny: TCP 443");
    assert_fail(&r);
    assert_eq!(pairs(&r), vec![(s("a/Deployment/web"), s("external:203.0.113.0/24"))]);
    // cidr minus except.
    assert_pass(&one(
        &app(),
        "from: a/web\nto: {cidr: 203.0.112.0/23, except: [203.0.112.0/24]}\nallow: TCP 443",
    ));
    // IPv6 addresses.
    assert_pass(&one(&app(), "from: \"2001:db8::/32\"\nto: a/web\nallow: any"));
}

#[test]
fn subjects_matching_nothing_fail() {
    for (body, role) in [
        ("from: a/Deployment/wbe\nto: a/api\nallow: any", "from"),
        ("from: a/web\nto: a/Deployment/apj\ndeny: any", "to"),
        ("from: {labels: {app: nothing}}\nto: a/api\ndeny: any", "from"),
        ("from: {namespace-labels: {team: gamma}}\nto: a/api\ndeny: any", "from"),
        ("from: a/StatefulSet/web\nto: a/api\ndeny: any", "from"),
        ("isolation: {namespace: c, ingress-only-from: []}", "isolation"),
        (
            "selected-by-ingress-policy: {namespace: c}",
            "selected-by-ingress-policy",
        ),
        ("no-egress-to-external: c/x", "no-egress-to-external"),
    ] {
        let r = one(&app(), body);
        assert_fail(&r);
        assert_eq!(r.unmatched.len(), 1, "{body}");
        assert_eq!(r.unmatched[0].role, role, "{body}");
        assert!(r.summary.contains("matches nothing"), "{}", r.summary);
    }
}

#[test]
fn a_bare_pod_is_never_checked_against_itself() {
    let r = one(&app(), "from: {labels: {app: solo}}\nto: {namespace: a}\nallow: any");
    assert_eq!(r.checked, 2, "solo → web and solo → api, not solo → solo");
    assert_eq!(pairs(&r), vec![(s("a/Pod/solo"), s("a/Deployment/api"))]);
    // Nothing left to check is a failure, not a silent pass.
    let r = one(&app(), "from: a/Pod/solo\nto: a/Pod/solo\nallow: any");
    assert_fail(&r);
    assert_eq!(r.checked, 0);
    assert!(r.summary.starts_with("nothing to check"), "{}", r.summary);
    // A controller's replicas are subject to policy: api → api is checked.
    let r = one(&app(), "from: a/api\nto: a/api\ndeny: any");
    assert_pass(&r);
    assert_eq!(r.checked, 1);
}

// --- ports ---------------------------------------------------------------------------------

#[test]
fn port_forms() {
    for allow in [
        "TCP 8080",
        "tcp 8080",
        "TCP 8000-8100",
        "[\"TCP 8080\", \"TCP 8081\"]",
        "TCP 1-65535",
        "TCP all",
        "TCP 22, 8080; UDP 53; SCTP 9",
    ] {
        // web reaches solo on everything.
        assert_pass(&one(&app(), &format!("from: a/web\nto: a/solo\nallow: {allow}")));
    }
    // web reaches api on TCP 8080 only.
    assert_pass(&one(&app(), "from: a/web\nto: a/api\nallow: TCP 8080"));
    assert_fail(&one(&app(), "from: a/web\nto: a/api\nallow: TCP 8000-8100"));
    assert_fail(&one(
        &app(),
        "from: a/web\nto: a/api\nallow: [\"TCP 8080\", \"UDP 53\"]",
    ));
    assert_pass(&one(&app(), "from: a/web\nto: a/api\ndeny: UDP all"));
}

// --- results -------------------------------------------------------------------------------

#[test]
fn results_are_counted_located_and_capped() {
    let yaml = "\
version: 1
expectations:
  - name: passes
    from: a/web
    to: a/api
    allow: TCP 8080

  - name: fails
    description: everyone reaches web
    from: any
    to: a/web
    deny: any
";
    let results = expect_support::check(&app(), yaml);
    assert_eq!((results.total, results.passed, results.failed), (2, 1, 1));
    assert_eq!(results.path, "netreach.yaml");
    let [first, second] = results.results.as_slice() else {
        panic!()
    };
    assert_eq!(first.location.line, 3);
    assert_eq!(second.location.line, 8);
    assert_eq!(second.location.field.as_deref(), Some("expectations[1]"));
    assert_eq!(second.description.as_deref(), Some("everyone reaches web"));
    assert!(second.violation_count >= 4, "{}", second.violation_count);
    let explained = second.violations.iter().filter(|v| v.explanation.is_some()).count();
    assert_eq!(explained, second.violations.len().min(3));
    let json = serde_json::to_value(&results).unwrap();
    assert_eq!(json["results"][1]["violationCount"], second.violation_count);
    assert_eq!(json["results"][1]["kind"], "deny");
}

#[test]
fn violations_are_capped_with_a_count() {
    // 40 bare Pods in one unisolated namespace: 40 × 39 pairs reach each other.
    let pods: Vec<String> = (0..40)
        .map(|i| format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i:02}, namespace: many}}\nspec: {{containers: [{{name: c, image: c}}]}}\n"))
        .collect();
    let pods = pods.join("---\n");
    let files = vec![netreach_core::SourceFile::new("many.yaml", pods)];
    let r = one(&files, "from: {namespace: many}\nto: {namespace: many}\ndeny: any");
    assert_eq!(r.checked, 40 * 39);
    assert_eq!(r.violation_count, 40 * 39);
    assert_eq!(r.violations.len(), 20);
    assert_eq!(r.violations.iter().filter(|v| v.explanation.is_some()).count(), 3);
}
