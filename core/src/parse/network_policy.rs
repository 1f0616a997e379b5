//! `networking.k8s.io/v1` `NetworkPolicy` → [`model::NetworkPolicy`], defaulted and validated.
//!
//! Defaults, as the API server applies them:
//! - `policyTypes` absent or empty ⇒ `Ingress`, plus `Egress` iff `spec.egress` has a rule;
//!   rules for a direction left out of `policyTypes` are counted but not in effect;
//! - a peer with only `podSelector` looks in the policy's namespace; with only
//!   `namespaceSelector` it selects every pod of the matching namespaces; with both, the AND;
//! - `from`/`to` absent or empty ⇒ every peer; `ports` absent or empty ⇒ every port;
//! - a port's `protocol` defaults to TCP.
//!
//! Validation follows `ValidateNetworkPolicy`: CIDRs and excepts, peers with exactly one
//! kind (podSelector and namespaceSelector may combine, ipBlock may not), port numbers and
//! names, `endPort` only after a numeric `port` and not below it, protocols, policy types,
//! label selectors.

use k8s_openapi::api::networking::v1 as k8s;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::decode::Problem;
use super::validate::{self, join, Issues};
use crate::model::{self, Direction, NamespaceScope, Peer, PortEntry, PortRef, Rule};
use crate::selector::Selector;
use crate::source::Origin;

/// Converts a `NetworkPolicy` already known to be in `namespace` and named `name`.
/// Returns `None` (with `issues` filled) when the API server would reject it.
pub(crate) fn convert(
    policy: &k8s::NetworkPolicy,
    namespace: &str,
    name: &str,
    origin: Origin,
    issues: &mut Issues,
) -> Option<model::NetworkPolicy> {
    let before = issues.len();
    let default_spec = k8s::NetworkPolicySpec::default();
    let spec = policy.spec.as_ref().unwrap_or(&default_spec);

    let pod_selector = match &spec.pod_selector {
        Some(raw) => validate::selector(raw, "spec.podSelector", issues),
        None => Some(Selector::everything()),
    };

    let types = policy_types(spec, issues);
    let ingress_rules: Vec<Rule> = spec
        .ingress
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, rule)| {
            let field = format!("spec.ingress[{i}]");
            convert_rule(
                rule.from.as_deref(),
                rule.ports.as_deref(),
                Direction::Ingress,
                namespace,
                &field,
                issues,
            )
        })
        .collect();
    let egress_rules: Vec<Rule> = spec
        .egress
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, rule)| {
            let field = format!("spec.egress[{i}]");
            convert_rule(
                rule.to.as_deref(),
                rule.ports.as_deref(),
                Direction::Egress,
                namespace,
                &field,
                issues,
            )
        })
        .collect();

    if issues.len() > before {
        return None;
    }
    let (has_ingress, has_egress, explicit) = types?;
    let pod_selector = pod_selector?;
    let ingress_count = ingress_rules.len();
    let egress_count = egress_rules.len();
    Some(model::NetworkPolicy {
        namespace: namespace.to_string(),
        name: name.to_string(),
        pod_selector,
        ingress: has_ingress.then_some(ingress_rules),
        egress: has_egress.then_some(egress_rules),
        explicit_policy_types: explicit,
        ignored_ingress_rules: if has_ingress { 0 } else { ingress_count },
        ignored_egress_rules: if has_egress { 0 } else { egress_count },
        origin,
    })
}

/// `(ingress, egress, explicit)` after defaulting; `None` when a type is invalid.
fn policy_types(spec: &k8s::NetworkPolicySpec, issues: &mut Issues) -> Option<(bool, bool, bool)> {
    let declared = spec.policy_types.as_deref().unwrap_or_default();
    if declared.is_empty() {
        let egress = spec.egress.as_ref().is_some_and(|rules| !rules.is_empty());
        return Some((true, egress, false));
    }
    let mut ok = true;
    if declared.len() > 2 {
        issues.push(Problem::new(
            "invalid-policy-type",
            "spec.policyTypes",
            "may not specify more than two policyTypes",
        ));
        ok = false;
    }
    for (i, t) in declared.iter().enumerate() {
        if t != "Ingress" && t != "Egress" {
            issues.push(Problem::new(
                "invalid-policy-type",
                format!("spec.policyTypes[{i}]"),
                format!("unsupported policy type {t:?}: supported values are \"Ingress\", \"Egress\""),
            ));
            ok = false;
        }
    }
    let has = |name: &str| declared.iter().any(|t| t == name);
    ok.then(|| (has("Ingress"), has("Egress"), true))
}

fn convert_rule(
    peers: Option<&[k8s::NetworkPolicyPeer]>,
    ports: Option<&[k8s::NetworkPolicyPort]>,
    direction: Direction,
    namespace: &str,
    field: &str,
    issues: &mut Issues,
) -> Option<Rule> {
    let before = issues.len();
    let peers_field = join(field, direction.peers_field());
    let peers: Option<Vec<Peer>> = match peers {
        None | Some([]) => None,
        Some(list) => Some(
            list.iter()
                .enumerate()
                .filter_map(|(i, peer)| convert_peer(peer, namespace, &format!("{peers_field}[{i}]"), issues))
                .collect(),
        ),
    };
    let ports: Vec<PortEntry> = ports
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, port)| convert_port(port, &join(field, &format!("ports[{i}]")), issues))
        .collect();
    (issues.len() == before).then_some(Rule { peers, ports })
}

fn convert_peer(peer: &k8s::NetworkPolicyPeer, namespace: &str, field: &str, issues: &mut Issues) -> Option<Peer> {
    match (&peer.pod_selector, &peer.namespace_selector, &peer.ip_block) {
        (None, None, None) => {
            issues.push(Problem::new(
                "empty-peer",
                field,
                "must specify a peer: podSelector, namespaceSelector or ipBlock",
            ));
            None
        }
        (pods, namespaces, None) => {
            let pods = match pods {
                Some(raw) => validate::selector(raw, &join(field, "podSelector"), issues),
                None => Some(Selector::everything()),
            };
            let namespaces = match namespaces {
                Some(raw) => {
                    validate::selector(raw, &join(field, "namespaceSelector"), issues).map(NamespaceScope::Matching)
                }
                None => Some(NamespaceScope::Own(namespace.to_string())),
            };
            Some(Peer::Pods {
                namespaces: namespaces?,
                pods: pods?,
            })
        }
        (None, None, Some(block)) => validate::ip_block(
            &block.cidr,
            block.except.as_deref().unwrap_or_default(),
            &join(field, "ipBlock"),
            issues,
        ),
        (_, _, Some(_)) => {
            issues.push(Problem::new(
                "ipblock-with-selector",
                field,
                "may not specify both ipBlock and another peer (podSelector or namespaceSelector)",
            ));
            None
        }
    }
}

fn convert_port(port: &k8s::NetworkPolicyPort, field: &str, issues: &mut Issues) -> Option<PortEntry> {
    let before = issues.len();
    let protocol = validate::protocol(port.protocol.as_deref(), &join(field, "protocol"), issues);
    let port_field = join(field, "port");
    let number = match &port.port {
        Some(IntOrString::Int(n)) => validate::port_number(*n, &port_field, issues).map(PortRef::Number),
        Some(IntOrString::String(name)) => match validate::check_port_name(name) {
            Ok(()) => Some(PortRef::Name(name.clone())),
            Err(message) => {
                issues.push(Problem::new("invalid-port", &port_field, message));
                None
            }
        },
        None => None,
    };
    let end_field = join(field, "endPort");
    let end_port = match (port.end_port, &port.port) {
        (None, _) => None,
        (Some(_), None) => {
            issues.push(Problem::new(
                "invalid-end-port",
                &end_field,
                "may not be specified when `port` is not specified",
            ));
            None
        }
        (Some(_), Some(IntOrString::String(_))) => {
            issues.push(Problem::new(
                "invalid-end-port",
                &end_field,
                "may not be specified when `port` is a named port",
            ));
            None
        }
        (Some(end), Some(IntOrString::Int(start))) => {
            let mut end_issues = Issues::new();
            let end_port = validate::port_number(end, &end_field, &mut end_issues);
            for mut problem in end_issues {
                problem.code = "invalid-end-port";
                issues.push(problem);
            }
            match end_port {
                Some(e) if i32::from(e) < *start => {
                    issues.push(Problem::new(
                        "invalid-end-port",
                        &end_field,
                        format!("endPort {end} must be greater than or equal to port {start}"),
                    ));
                    None
                }
                other => other,
            }
        }
    };
    if issues.len() > before {
        return None;
    }
    Some(PortEntry {
        protocol: protocol?,
        port: number,
        end_port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> (Option<model::NetworkPolicy>, Issues) {
        let raw: k8s::NetworkPolicy = serde_yaml::from_str(yaml).unwrap();
        let mut issues = Issues::new();
        let origin = Origin {
            path: "p.yaml".into(),
            document: 0,
            line: 1,
            item: None,
        };
        (convert(&raw, "shop", "p", origin, &mut issues), issues)
    }

    #[test]
    fn policy_types_default() {
        let (p, _) = policy("spec: {podSelector: {}}");
        let p = p.unwrap();
        assert_eq!(p.ingress, Some(vec![]));
        assert_eq!(p.egress, None);
        assert!(!p.explicit_policy_types);
        let (p, _) = policy("spec: {egress: [{}]}");
        let p = p.unwrap();
        assert_eq!(p.egress.as_ref().map(Vec::len), Some(1));
        assert_eq!(p.ingress, Some(vec![]));
        let (p, _) = policy("spec: {egress: [], policyTypes: []}");
        assert_eq!(p.unwrap().egress, None);
    }

    #[test]
    fn rules_outside_policy_types_are_ignored_and_counted() {
        let (p, _) = policy("spec: {policyTypes: [Egress], ingress: [{}, {}], egress: [{}]}");
        let p = p.unwrap();
        assert_eq!(p.ingress, None);
        assert_eq!(p.ignored_ingress_rules, 2);
        assert_eq!(p.ignored_egress_rules, 0);
        assert!(p.explicit_policy_types);
    }

    #[test]
    fn end_port_rules() {
        for (yaml, field) in [
            ("{endPort: 90}", "spec.ingress[0].ports[0].endPort"),
            ("{port: http, endPort: 90}", "spec.ingress[0].ports[0].endPort"),
            ("{port: 100, endPort: 90}", "spec.ingress[0].ports[0].endPort"),
            ("{port: 100, endPort: 70000}", "spec.ingress[0].ports[0].endPort"),
        ] {
            let (p, issues) = policy(&format!("spec: {{ingress: [{{ports: [{yaml}]}}]}}"));
            assert!(p.is_none(), "{yaml}");
            assert_eq!(issues[0].code, "invalid-end-port", "{yaml}");
            assert_eq!(issues[0].field, field);
        }
        let (p, _) = policy("spec: {ingress: [{ports: [{port: 80, endPort: 80, protocol: UDP}]}]}");
        let rule = &p.unwrap().ingress.unwrap()[0];
        assert_eq!(
            rule.ports,
            vec![PortEntry {
                protocol: crate::ports::Protocol::Udp,
                port: Some(PortRef::Number(80)),
                end_port: Some(80)
            }]
        );
    }

    #[test]
    fn invalid_policy_types() {
        let (p, issues) = policy("spec: {policyTypes: [Ingress, Sideways]}");
        assert!(p.is_none());
        assert_eq!(issues[0].code, "invalid-policy-type");
        assert_eq!(issues[0].field, "spec.policyTypes[1]");
    }
}
