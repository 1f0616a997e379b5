//! Every peer form and port form of a `NetworkPolicy` rule, and `ipBlock` `except` carving.

use netreach_core::ipset::IpSet;
use netreach_core::model::{Model, NamespaceScope, Peer, PortEntry, PortRef, Rule};
use netreach_core::parse::parse;
use netreach_core::ports::Protocol;
use netreach_core::selector::Selector;
use netreach_core::{Options, SourceFile};

fn parse_yaml(yaml: &str) -> Model {
    parse(&[SourceFile::new("test.yaml", yaml)], &Options::default())
}

/// The ingress rules of a policy in namespace `shop` with the given `spec.ingress` YAML.
fn ingress(rules: &str) -> Vec<Rule> {
    let yaml = format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  ingress:\n{rules}"
    );
    let model = parse_yaml(&yaml);
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    model.policies[0].ingress.clone().unwrap()
}

fn selector(matches: &str) -> Selector {
    let raw = serde_json::from_str(matches).unwrap();
    Selector::try_from(&raw).unwrap()
}

fn set(cidrs: &[&str]) -> IpSet {
    cidrs
        .iter()
        .fold(IpSet::empty(), |acc, c| acc.union(&IpSet::parse_cidr(c).unwrap()))
}

#[test]
fn pod_selector_alone_means_the_policy_namespace() {
    let rules = ingress("  - from:\n    - podSelector: {matchLabels: {app: web}}\n");
    assert_eq!(
        rules[0].peers,
        Some(vec![Peer::Pods {
            namespaces: NamespaceScope::Own("shop".into()),
            pods: selector(r#"{"matchLabels":{"app":"web"}}"#),
        }])
    );
}

#[test]
fn namespace_selector_alone_means_every_pod_there() {
    let rules = ingress("  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n    - namespaceSelector: {}\n");
    assert_eq!(
        rules[0].peers,
        Some(vec![
            Peer::Pods {
                namespaces: NamespaceScope::Matching(selector(r#"{"matchLabels":{"team":"a"}}"#)),
                pods: Selector::everything(),
            },
            Peer::Pods {
                namespaces: NamespaceScope::Matching(Selector::everything()),
                pods: Selector::everything(),
            },
        ])
    );
}

#[test]
fn both_selectors_in_one_peer_are_anded() {
    let rules = ingress(
        "  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n      podSelector:\n        matchExpressions:\n        - {key: tier, operator: NotIn, values: [db]}\n",
    );
    assert_eq!(
        rules[0].peers,
        Some(vec![Peer::Pods {
            namespaces: NamespaceScope::Matching(selector(r#"{"matchLabels":{"team":"a"}}"#)),
            pods: selector(r#"{"matchExpressions":[{"key":"tier","operator":"NotIn","values":["db"]}]}"#),
        }])
    );
}

#[test]
fn absent_or_empty_from_matches_every_peer() {
    let rules = ingress("  - {}\n  - from: []\n  - ports: []\n");
    assert_eq!(rules.len(), 3);
    for rule in &rules {
        assert_eq!(rule.peers, None);
        assert!(rule.ports.is_empty());
    }
}

#[test]
fn ip_block_carves_excepts_v4() {
    let rules =
        ingress("  - from:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n        except: [10.0.0.0/8, 192.168.1.0/24]\n");
    let Some(peers) = &rules[0].peers else { panic!() };
    let Peer::IpBlock { cidr, except, set: got } = &peers[0] else {
        panic!("{peers:?}")
    };
    assert_eq!(cidr, "0.0.0.0/0");
    assert_eq!(except, &["10.0.0.0/8".to_string(), "192.168.1.0/24".to_string()]);
    assert_eq!(
        got,
        &set(&["0.0.0.0/0"]).difference(&set(&["10.0.0.0/8", "192.168.1.0/24"]))
    );
    assert_eq!(got.to_string(), "0.0.0.0/0 except 10.0.0.0/8, 192.168.1.0/24");
}

#[test]
fn ip_block_carves_excepts_v6_and_drops_host_bits() {
    let rules = ingress(
        "  - from:\n    - ipBlock: {cidr: '2001:db8::1/32', except: ['2001:db8:ff::/48']}\n    - ipBlock: {cidr: 10.1.2.3/16}\n",
    );
    let Some(peers) = &rules[0].peers else { panic!() };
    let Peer::IpBlock { set: v6, .. } = &peers[0] else {
        panic!()
    };
    assert_eq!(v6, &set(&["2001:db8::/32"]).difference(&set(&["2001:db8:ff::/48"])));
    assert!(!v6.contains_addr("2001:db8:ff::1".parse().unwrap()));
    assert!(v6.contains_addr("2001:db8:fe::1".parse().unwrap()));
    let Peer::IpBlock { set: v4, .. } = &peers[1] else {
        panic!()
    };
    assert_eq!(v4, &set(&["10.1.0.0/16"]));
}

#[test]
fn every_port_form() {
    let rules = ingress(
        "  - ports:
    - port: 80
    - port: http
    - {port: 8000, endPort: 8100}
    - protocol: UDP
    - {port: 5000, protocol: SCTP}
    - {port: 53, endPort: 53, protocol: UDP}
",
    );
    let entry = |protocol, port, end_port| PortEntry {
        protocol,
        port,
        end_port,
    };
    assert_eq!(
        rules[0].ports,
        vec![
            entry(Protocol::Tcp, Some(PortRef::Number(80)), None),
            entry(Protocol::Tcp, Some(PortRef::Name("http".into())), None),
            entry(Protocol::Tcp, Some(PortRef::Number(8000)), Some(8100)),
            entry(Protocol::Udp, None, None),
            entry(Protocol::Sctp, Some(PortRef::Number(5000)), None),
            entry(Protocol::Udp, Some(PortRef::Number(53)), Some(53)),
        ]
    );
    assert_eq!(rules[0].peers, None);
}

#[test]
fn egress_rules_use_to() {
    let yaml = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 8.8.8.8/32}}]\n    ports: [{port: 53, protocol: UDP}]\n";
    let model = parse_yaml(yaml);
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    let policy = &model.policies[0];
    assert!(policy.ingress.is_none());
    let rule = &policy.egress.as_ref().unwrap()[0];
    assert!(matches!(&rule.peers.as_deref(), Some([Peer::IpBlock { .. }])));
    assert_eq!(rule.ports[0].protocol, Protocol::Udp);
}
