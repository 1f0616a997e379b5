//! Explain: which policy, rule, peer and port entry decided — and always the same verdict
//! as the analysis.

mod common;

use common::{deployment, namespace, pod, policy};
use netreach_core::api;
use netreach_core::explain::{Decision, ExplainQuery, Explanation};
use netreach_core::ports::Protocol;
use netreach_core::{Options, SourceFile};

fn explain(yaml: &str, from: &str, to: &str, protocol: Option<Protocol>, port: Option<u16>) -> Explanation {
    let files = [SourceFile::new(common::PATH, yaml)];
    let query = ExplainQuery {
        from: from.into(),
        to: to.into(),
        protocol,
        port,
    };
    api::explain(&files, &Options::default(), &query).unwrap_or_else(|e| panic!("explain {from} -> {to}: {e}"))
}

fn matching_rules(side: &netreach_core::explain::SideExplanation) -> Vec<&Decision> {
    side.decisions
        .iter()
        .filter(|d| d.kind == "networkPolicyRule" && d.matches_query)
        .collect()
}

fn cluster() -> String {
    [
        deployment("shop", "web", "app: web", "{name: http, containerPort: 8080}"),
        deployment("shop", "api", "app: api", ""),
        deployment("shop", "db", "app: db", ""),
        deployment("ops", "monitor", "app: monitor", ""),
        namespace("ops", "team: ops"),
    ]
    .concat()
}

const WEB: &str = "shop/Deployment/web";
const API: &str = "shop/Deployment/api";
const DB: &str = "shop/Deployment/db";

#[test]
fn names_policy_rule_peer_and_port() {
    let yaml = cluster()
        + &policy(
            "shop",
            "web-in",
            "  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
  - from:
    - podSelector: {matchLabels: {app: db}}
    - podSelector: {matchLabels: {app: api}}
    ports: [{port: 443}, {port: 80}, {port: http}]",
        );
    let e = explain(&yaml, API, WEB, None, Some(80));
    assert!(e.allowed);
    assert_eq!(e.protocol, Protocol::Tcp);
    assert!(e.ingress.isolated);
    assert_eq!(e.ingress.policies, ["shop/web-in"]);
    let rules = matching_rules(&e.ingress);
    assert_eq!(rules.len(), 1, "{:#?}", e.ingress.decisions);
    let d = rules[0];
    assert_eq!(d.policy.as_deref(), Some("shop/web-in"));
    assert_eq!(d.rule_index, Some(1));
    assert_eq!(d.peer_index, Some(1));
    assert_eq!(d.port_index, Some(1));
    let location = d.location.as_ref().expect("a location");
    assert_eq!(location.field.as_deref(), Some("spec.ingress[1].from[1]"));
    assert_eq!(
        location.line,
        common_line(&yaml, "- podSelector: {matchLabels: {app: api}}")
    );
    assert!(e.ingress.reason.contains("shop/web-in"), "{}", e.ingress.reason);
    // The named port entry is the one for 8080.
    let e = explain(&yaml, API, WEB, None, Some(8080));
    assert_eq!(matching_rules(&e.ingress)[0].port_index, Some(2));
    // Egress of api is not isolated.
    assert!(!e.egress.isolated);
    assert!(e.egress.allowed);
}

fn common_line(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle in the input")
        + 1
}

#[test]
fn denied_by_port_or_by_peer() {
    let yaml = cluster()
        + &policy("shop", "web-in", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 80}]}]");
    let e = explain(&yaml, API, WEB, None, Some(81));
    assert!(!e.allowed);
    assert!(e.ingress.reason.contains("not this port"), "{}", e.ingress.reason);
    assert_eq!(e.allowed_ports.to_string(), "TCP 80");
    let e = explain(&yaml, DB, WEB, Some(Protocol::Tcp), Some(80));
    assert!(!e.allowed);
    assert!(matching_rules(&e.ingress).is_empty());
    assert!(
        e.ingress.reason.contains("no rule matches this peer"),
        "{}",
        e.ingress.reason
    );
    assert!(e.summary.contains("cannot reach"), "{}", e.summary);
}

#[test]
fn egress_side_and_external_ends() {
    let yaml = cluster()
        + &policy("shop", "api-out", "  podSelector: {matchLabels: {app: api}}\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}], ports: [{port: 53, protocol: UDP}]}]");
    let e = explain(&yaml, API, "8.8.8.8", Some(Protocol::Udp), Some(53));
    assert!(e.allowed);
    let d = matching_rules(&e.egress)[0];
    assert_eq!(
        (d.policy.as_deref(), d.rule_index, d.peer_index, d.port_index),
        (Some("shop/api-out"), Some(0), Some(0), Some(0))
    );
    assert!(!e.ingress.applies);
    let e = explain(&yaml, API, "10.1.1.1", Some(Protocol::Udp), Some(53));
    assert!(!e.allowed);
}

/// Fixtures covering every kind of decision: `NetworkPolicy` with named ports, ipBlocks,
/// hostNetwork, bare Pods, ANP/BANP.
fn fixtures() -> Vec<String> {
    let host = "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: c, image: i}]}
---
";
    let plain = cluster()
        + host
        + &pod("shop", "debug", "app: debug")
        + &policy(
            "shop",
            "web-in",
            "  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api}}}, {ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
    ports: [{port: http}, {port: 53, protocol: UDP}]
  - from: [{namespaceSelector: {matchLabels: {team: ops}}}]
    ports: [{port: 22}]",
        )
        + &policy(
            "shop",
            "api-out",
            "  podSelector: {matchLabels: {app: api}}
  egress:
  - to: [{podSelector: {}}]
    ports: [{port: http}, {port: 80, endPort: 90}]
  - to: [{ipBlock: {cidr: 10.0.0.0/8}}]",
        )
        + &policy("ops", "deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]");
    let admin = cluster()
        + host
        + &namespace("shop", "team: shop")
        + "apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: shop}}}
  ingress:
  - {action: Deny, from: [{namespaces: {matchLabels: {team: ops}}}], ports: [{portNumber: {protocol: TCP, port: 22}}]}
  - {action: Pass, from: [{namespaces: {matchLabels: {team: ops}}}]}
  - {action: Allow, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: api}}}}], ports: [{namedPort: http}]}
  egress:
  - {action: Deny, to: [{networks: [10.0.0.0/8]}], ports: [{portRange: {protocol: TCP, start: 80, end: 8080}}]}
  - {action: Allow, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {matchLabels: {team: ops}}}]}
  egress:
  - {action: Deny, to: [{networks: [0.0.0.0/0]}]}
---
"
        + &policy("shop", "web-in", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 80}]}]");
    vec![plain, admin]
}

/// Every pair × a few ports: explain's verdict is the analysis's.
fn check_agreement(name: &str, files: &[SourceFile]) -> usize {
    let queries = [
        (Protocol::Tcp, 22),
        (Protocol::Tcp, 80),
        (Protocol::Tcp, 85),
        (Protocol::Tcp, 8080),
        (Protocol::Udp, 53),
        (Protocol::Udp, 5353),
        (Protocol::Sctp, 9000),
    ];
    // What `api::explain` does, without parsing again for every query.
    let (model, analysis) = api::analyze(files, &Options::default());
    let mut checked = 0;
    let n = analysis.endpoints.len();
    for from in 0..n {
        for to in 0..n {
            let (a, b) = (&analysis.endpoints[from], &analysis.endpoints[to]);
            if a.is_external() && b.is_external() {
                continue;
            }
            let ports = analysis.allowed(from, to);
            let ask = |protocol: Option<Protocol>, port: Option<u16>| {
                let query = ExplainQuery {
                    from: a.id.to_string(),
                    to: b.id.to_string(),
                    protocol,
                    port,
                };
                netreach_core::explain::explain(&model, &analysis, files, &query)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
            };
            for &(protocol, port) in &queries {
                let e = ask(Some(protocol), Some(port));
                assert_eq!(
                    e.allowed,
                    ports.contains(protocol, port),
                    "{name}: {} -> {} {protocol} {port}: explain says {:?}, analysis says {ports}",
                    a.id,
                    b.id,
                    e.summary
                );
                checked += 1;
            }
            // Without a port: the same allowed ports, and allowed iff any.
            let e = ask(None, None);
            assert_eq!(e.allowed_ports, ports, "{name}: {} -> {}", a.id, b.id);
            assert_eq!(e.allowed, !ports.is_empty(), "{name}: {} -> {}", a.id, b.id);
        }
    }
    checked
}

#[test]
fn explain_agrees_with_the_analysis_on_every_pair() {
    let mut checked = 0;
    for (i, yaml) in fixtures().iter().enumerate() {
        let files = [SourceFile::new(common::PATH, yaml.as_str())];
        let (model, _) = common::analyze_with(yaml, &Options::default());
        assert!(model.admin_policies.len() + model.policies.len() > 1);
        checked += check_agreement(&format!("fixture {i}"), &files);
    }
    // And on some real-world inputs (netpol-analyzer's test data).
    for dir in [
        "acs-security-demos",
        "anp_banp_blog_demo",
        "anp_test_4",
        "netpol_named_port_test",
        "test_with_named_ports",
    ] {
        let files = common::load_dir(&common::fixtures_dir().join(dir));
        checked += check_agreement(dir, &files);
    }
    assert!(checked > 5000, "{checked}");
    // The API entry point answers the same.
    let yaml = &fixtures()[0];
    let files = [SourceFile::new(common::PATH, yaml.as_str())];
    let query = ExplainQuery {
        from: API.into(),
        to: WEB.into(),
        protocol: None,
        port: Some(8080),
    };
    let (model, analysis) = api::analyze(&files, &Options::default());
    let direct = netreach_core::explain::explain(&model, &analysis, &files, &query).expect("explain");
    assert_eq!(
        api::explain(&files, &Options::default(), &query).expect("explain"),
        direct
    );
    assert!(direct.allowed);
}

#[test]
fn a_bare_pod_to_itself_is_loopback_a_controller_to_itself_is_not() {
    let yaml = cluster()
        + &pod("shop", "debug", "app: debug")
        + &policy("shop", "web-in", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 80}]}]");
    let e = explain(&yaml, "shop/Pod/debug", "shop/Pod/debug", None, None);
    assert!(!e.allowed);
    assert!(e.allowed_ports.is_empty());
    assert!(!e.egress.applies && !e.ingress.applies);
    assert!(e.summary.contains("loopback"), "{}", e.summary);
    // Replicas of a controller talk to each other under policy.
    let e = explain(&yaml, WEB, WEB, None, Some(80));
    assert!(e.allowed);
    assert_eq!(matching_rules(&e.ingress)[0].peer_index, Some(0));
    let e = explain(&yaml, WEB, WEB, None, Some(81));
    assert!(!e.allowed);
}
