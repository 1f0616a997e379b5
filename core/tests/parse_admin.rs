//! `AdminNetworkPolicy` and `BaselineAdminNetworkPolicy` (`policy.networking.k8s.io/v1alpha1`).

use netreach_core::diagnostic::Severity;
use netreach_core::ipset::IpSet;
use netreach_core::model::{AdminAction, AdminPeer, AdminSubject, Model, PortEntry, PortRef};
use netreach_core::parse::parse;
use netreach_core::ports::Protocol;
use netreach_core::{Options, SourceFile};

fn parse_yaml(yaml: &str) -> Model {
    parse(&[SourceFile::new("anp.yaml", yaml)], &Options::default())
}

const ANP: &str = "apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata:
  name: NAME
spec:
  priority: PRIORITY
  subject:
    pods:
      namespaceSelector: {matchLabels: {tier: prod}}
      podSelector: {matchLabels: {app: db}}
  ingress:
  - name: deny-dev
    action: Deny
    from:
    - namespaces: {matchLabels: {tier: dev}}
    - pods:
        namespaceSelector: {}
        podSelector: {matchLabels: {role: scanner}}
    ports:
    - portNumber: {protocol: TCP, port: 5432}
    - namedPort: metrics
    - portRange: {protocol: UDP, start: 1000, end: 2000}
  egress:
  - name: allow-dns
    action: Allow
    to:
    - networks: [10.0.0.0/8, 'fd00::/8']
    - nodes: {matchLabels: {role: dns}}
";

fn anp(name: &str, priority: &str) -> String {
    ANP.replace("NAME", name).replace("PRIORITY", priority)
}

#[test]
fn admin_policy_is_converted() {
    let model = parse_yaml(&anp("db", "10"));
    let errors: Vec<_> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let policy = &model.admin_policies[0];
    assert_eq!(
        (policy.name.as_str(), policy.priority, policy.baseline),
        ("db", 10, false)
    );
    assert!(matches!(&policy.subject, AdminSubject::Pods { .. }));
    let rule = &policy.ingress[0];
    assert_eq!((rule.name.as_str(), rule.action), ("deny-dev", AdminAction::Deny));
    assert_eq!(rule.peers.len(), 2);
    assert!(matches!(rule.peers[0], AdminPeer::Namespaces(_)));
    assert!(matches!(rule.peers[1], AdminPeer::Pods { .. }));
    let tcp = PortEntry {
        protocol: Protocol::Tcp,
        port: Some(PortRef::Number(5432)),
        end_port: None,
    };
    assert_eq!(rule.ports[0], tcp);
    let named: Vec<Protocol> = rule.ports[1..4].iter().map(|p| p.protocol).collect();
    assert_eq!(
        named,
        Protocol::ALL,
        "a named port matches whatever protocol the pod declares"
    );
    assert!(rule.ports[1..4]
        .iter()
        .all(|p| p.port == Some(PortRef::Name("metrics".into()))));
    assert_eq!(
        rule.ports[4],
        PortEntry {
            protocol: Protocol::Udp,
            port: Some(PortRef::Number(1000)),
            end_port: Some(2000)
        }
    );
    let egress = &policy.egress[0];
    let expected = IpSet::parse_cidr("10.0.0.0/8")
        .unwrap()
        .union(&IpSet::parse_cidr("fd00::/8").unwrap());
    assert_eq!(egress.peers, vec![AdminPeer::Networks(expected)]);
    // The `nodes` peer is not modelled: a warning, located.
    assert_eq!(model.diagnostics.len(), 1);
    let warning = &model.diagnostics[0];
    assert_eq!(
        (warning.code.as_str(), warning.severity),
        ("unsupported-peer", Severity::Warning)
    );
    assert_eq!(warning.location.field.as_deref(), Some("spec.egress[0].to[1].nodes"));
    assert_eq!(warning.location.line, 28);
}

#[test]
fn admin_policies_sort_by_priority_then_name() {
    let yaml = [anp("c", "5"), anp("b", "20"), anp("a", "5")].join("---\n");
    let model = parse_yaml(&yaml);
    let order: Vec<&str> = model.admin_policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(order, ["a", "c", "b"]);
}

#[test]
fn admin_policy_validation() {
    let model = parse_yaml(&anp("too-high", "1001"));
    assert!(model.admin_policies.is_empty());
    let d = model
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(d.location.field.as_deref(), Some("spec.priority"));
    assert_eq!(d.location.line, 6);
    assert!(
        d.message.starts_with("AdminNetworkPolicy too-high: spec.priority: "),
        "{}",
        d.message
    );

    let model = parse_yaml(
        &anp("bad", "1")
            .replace("action: Deny", "action: Reject")
            .replace("start: 1000", "start: 3000"),
    );
    let errors: Vec<(&str, Option<&str>, usize)> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code.as_str(), d.location.field.as_deref(), d.location.line))
        .collect();
    assert_eq!(
        errors,
        [
            ("invalid-object", Some("spec.ingress[0].action"), 13),
            ("invalid-end-port", Some("spec.ingress[0].ports[2].portRange.end"), 22),
        ]
    );
}

#[test]
fn baseline_policy_must_be_named_default() {
    let banp = "apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: NAME}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: ACTION, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]}
";
    let model = parse_yaml(&banp.replace("NAME", "default").replace("ACTION", "Allow"));
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    let baseline = model.baseline_policy.unwrap();
    assert!(baseline.baseline && baseline.priority == 0);
    assert!(matches!(baseline.subject, AdminSubject::Namespaces(ref s) if s.is_everything()));

    let model = parse_yaml(&banp.replace("NAME", "other").replace("ACTION", "Allow"));
    assert!(model.baseline_policy.is_none());
    assert_eq!(model.diagnostics[0].location.field.as_deref(), Some("metadata.name"));

    let model = parse_yaml(&banp.replace("NAME", "default").replace("ACTION", "Pass"));
    assert!(model.baseline_policy.is_none(), "no Pass in a baseline");

    let twice = [banp, banp]
        .join("---\n")
        .replace("NAME", "default")
        .replace("ACTION", "Deny");
    let model = parse_yaml(&twice);
    assert!(model.baseline_policy.is_some());
    assert_eq!(model.diagnostics.len(), 1);
    assert_eq!(model.diagnostics[0].code, "duplicate-object");
}

#[test]
fn admin_policies_in_a_list() {
    let yaml = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicyList\nitems:\n- metadata: {name: a}\n  spec:\n    priority: 3\n    subject: {namespaces: {}}\n    egress: [{action: Pass, to: [{namespaces: {}}]}]\n";
    let model = parse_yaml(yaml);
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(model.admin_policies[0].origin.item, Some(0));
    assert_eq!(model.admin_policies[0].egress[0].action, AdminAction::Pass);
}
