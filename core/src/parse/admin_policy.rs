//! `AdminNetworkPolicy` and `BaselineAdminNetworkPolicy` (`policy.networking.k8s.io/v1alpha1`).
//!
//! These are CRDs from the network-policy-api project, not in k8s-openapi, so the few
//! fields netreach needs are small serde structs here. They are converted to
//! [`model::AdminPolicy`] and validated like the CRD's schema does: priority 0-1000, actions
//! `Allow`/`Deny`/`Pass` (`Pass` not in a baseline), at least one peer per rule, exactly one
//! peer kind per peer and one port form per port entry, valid CIDRs and selectors, and the
//! baseline policy named `default`.
//!
//! Egress peers of kind `nodes` and `domainNames` are outside netreach's model: they are
//! dropped with a warning (a rule left with no peer is dropped too).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Deserialize;

use super::decode::Problem;
use super::validate::{self, join, Issues};
use crate::ipset::IpSet;
use crate::model::{AdminAction, AdminPeer, AdminPolicy, AdminRule, AdminSubject, PortEntry, PortRef};
use crate::ports::Protocol;
use crate::selector::Selector;
use crate::source::Origin;

/// The API group and version both kinds are read from.
pub(crate) const API_VERSION: &str = "policy.networking.k8s.io/v1alpha1";

/// An `AdminNetworkPolicy` or `BaselineAdminNetworkPolicy` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawAdminPolicy {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: RawSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawSpec {
    priority: Option<i64>,
    subject: Option<RawSubject>,
    ingress: Option<Vec<RawRule>>,
    egress: Option<Vec<RawRule>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSubject {
    namespaces: Option<LabelSelector>,
    pods: Option<RawNamespacedPod>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawNamespacedPod {
    namespace_selector: Option<LabelSelector>,
    pod_selector: Option<LabelSelector>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    name: Option<String>,
    action: Option<String>,
    from: Option<Vec<RawPeer>>,
    to: Option<Vec<RawPeer>>,
    ports: Option<Vec<RawPort>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPeer {
    namespaces: Option<LabelSelector>,
    pods: Option<RawNamespacedPod>,
    nodes: Option<LabelSelector>,
    networks: Option<Vec<String>>,
    domain_names: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPort {
    port_number: Option<RawPortNumber>,
    named_port: Option<String>,
    port_range: Option<RawPortRange>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPortNumber {
    protocol: Option<String>,
    port: Option<i32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPortRange {
    protocol: Option<String>,
    start: Option<i32>,
    end: Option<i32>,
}

/// Converts a policy named `name`; `baseline` for a `BaselineAdminNetworkPolicy`.
/// Errors go to `issues` (the policy is then `None`), dropped peers to `warnings`.
pub(crate) fn convert(
    raw: &RawAdminPolicy,
    name: &str,
    baseline: bool,
    origin: Origin,
    issues: &mut Issues,
    warnings: &mut Issues,
) -> Option<AdminPolicy> {
    let before = issues.len();
    let spec = &raw.spec;
    if baseline && name != "default" {
        issues.push(Problem::new(
            "invalid-object",
            "metadata.name",
            format!("only one BaselineAdminNetworkPolicy is allowed and it must be named \"default\", not {name:?}"),
        ));
    }
    let priority = if baseline {
        Some(0)
    } else {
        match spec.priority {
            Some(p) if (0..=1000).contains(&p) => u32::try_from(p).ok(),
            Some(p) => {
                issues.push(Problem::new(
                    "invalid-object",
                    "spec.priority",
                    format!("priority {p} must be between 0 and 1000"),
                ));
                None
            }
            None => {
                issues.push(Problem::new("invalid-object", "spec.priority", "Required value"));
                None
            }
        }
    };
    let subject = convert_subject(spec.subject.as_ref(), issues);
    let ingress = convert_rules(spec.ingress.as_deref(), "ingress", baseline, issues, warnings);
    let egress = convert_rules(spec.egress.as_deref(), "egress", baseline, issues, warnings);
    if issues.len() > before {
        return None;
    }
    Some(AdminPolicy {
        name: name.to_string(),
        priority: priority?,
        subject: subject?,
        ingress,
        egress,
        baseline,
        origin,
    })
}

fn convert_subject(subject: Option<&RawSubject>, issues: &mut Issues) -> Option<AdminSubject> {
    let field = "spec.subject";
    match subject {
        Some(RawSubject {
            namespaces: Some(ns),
            pods: None,
        }) => validate::selector(ns, &join(field, "namespaces"), issues).map(AdminSubject::Namespaces),
        Some(RawSubject {
            namespaces: None,
            pods: Some(pods),
        }) => {
            let (namespaces, pods) = namespaced_pod(pods, &join(field, "pods"), issues)?;
            Some(AdminSubject::Pods { namespaces, pods })
        }
        Some(RawSubject {
            namespaces: Some(_),
            pods: Some(_),
        }) => {
            issues.push(Problem::new(
                "invalid-object",
                field,
                "must specify exactly one of namespaces or pods, not both",
            ));
            None
        }
        _ => {
            issues.push(Problem::new(
                "invalid-object",
                field,
                "Required value: must specify namespaces or pods",
            ));
            None
        }
    }
}

fn namespaced_pod(raw: &RawNamespacedPod, field: &str, issues: &mut Issues) -> Option<(Selector, Selector)> {
    let mut selector = |raw: Option<&LabelSelector>, name: &str| {
        let field = join(field, name);
        if let Some(raw) = raw {
            return validate::selector(raw, &field, issues);
        }
        issues.push(Problem::new("invalid-object", field, "Required value"));
        None
    };
    let namespaces = selector(raw.namespace_selector.as_ref(), "namespaceSelector");
    let pods = selector(raw.pod_selector.as_ref(), "podSelector");
    Some((namespaces?, pods?))
}

fn convert_rules(
    rules: Option<&[RawRule]>,
    direction: &str,
    baseline: bool,
    issues: &mut Issues,
    warnings: &mut Issues,
) -> Vec<AdminRule> {
    let mut out = Vec::new();
    for (i, rule) in rules.unwrap_or_default().iter().enumerate() {
        let field = format!("spec.{direction}[{i}]");
        let before = issues.len();
        let name = rule.name.clone().unwrap_or_default();
        if name.chars().count() > 100 {
            issues.push(Problem::new(
                "invalid-object",
                join(&field, "name"),
                "may not be more than 100 characters",
            ));
        }
        let action = match rule.action.as_deref() {
            Some("Allow") => Some(AdminAction::Allow),
            Some("Deny") => Some(AdminAction::Deny),
            Some("Pass") if !baseline => Some(AdminAction::Pass),
            other => {
                let allowed = if baseline {
                    "\"Allow\", \"Deny\""
                } else {
                    "\"Allow\", \"Deny\", \"Pass\""
                };
                let message = match other {
                    Some(a) => format!("unsupported action {a:?}: supported values are {allowed}"),
                    None => format!("Required value: one of {allowed}"),
                };
                issues.push(Problem::new("invalid-object", join(&field, "action"), message));
                None
            }
        };
        let (peer_key, peers, wrong) = if direction == "ingress" {
            ("from", rule.from.as_deref(), rule.to.is_some())
        } else {
            ("to", rule.to.as_deref(), rule.from.is_some())
        };
        if wrong {
            let key = if peer_key == "from" { "to" } else { "from" };
            issues.push(Problem::new(
                "invalid-object",
                join(&field, key),
                format!("{direction} rules take `{peer_key}`, not `{key}`"),
            ));
        }
        let peers_field = join(&field, peer_key);
        let mut converted = Vec::new();
        match peers {
            None | Some([]) => issues.push(Problem::new(
                "invalid-object",
                &peers_field,
                "Required value: at least one peer",
            )),
            Some(list) => {
                for (j, peer) in list.iter().enumerate() {
                    let peer_field = format!("{peers_field}[{j}]");
                    if let Some(p) = convert_peer(peer, direction, &peer_field, issues, warnings) {
                        converted.push(p);
                    }
                }
            }
        }
        let ports: Vec<PortEntry> = rule
            .ports
            .iter()
            .flatten()
            .enumerate()
            .flat_map(|(j, port)| convert_port(port, &join(&field, &format!("ports[{j}]")), issues))
            .collect();
        if issues.len() > before {
            continue;
        }
        let Some(action) = action else { continue };
        if converted.is_empty() {
            warnings.push(Problem::new(
                "unsupported-peer",
                &peers_field,
                "rule dropped: none of its peers can be modelled",
            ));
            continue;
        }
        out.push(AdminRule {
            name,
            action,
            peers: converted,
            ports,
        });
    }
    out
}

/// One peer; `None` with an issue when invalid, `None` with a warning when unsupported.
fn convert_peer(
    peer: &RawPeer,
    direction: &str,
    field: &str,
    issues: &mut Issues,
    warnings: &mut Issues,
) -> Option<AdminPeer> {
    let set = [
        peer.namespaces.is_some(),
        peer.pods.is_some(),
        peer.nodes.is_some(),
        peer.networks.is_some(),
        peer.domain_names.is_some(),
    ];
    if set.iter().filter(|&&s| s).count() != 1 {
        issues.push(Problem::new(
            if set.iter().any(|&s| s) {
                "invalid-object"
            } else {
                "empty-peer"
            },
            field,
            "must specify exactly one of namespaces, pods, nodes, networks or domainNames",
        ));
        return None;
    }
    if direction == "ingress" && (peer.nodes.is_some() || peer.networks.is_some() || peer.domain_names.is_some()) {
        issues.push(Problem::new(
            "invalid-object",
            field,
            "ingress peers may only be namespaces or pods",
        ));
        return None;
    }
    if let Some(ns) = &peer.namespaces {
        return validate::selector(ns, &join(field, "namespaces"), issues).map(AdminPeer::Namespaces);
    }
    if let Some(pods) = &peer.pods {
        let (namespaces, pods) = namespaced_pod(pods, &join(field, "pods"), issues)?;
        return Some(AdminPeer::Pods { namespaces, pods });
    }
    if let Some(networks) = &peer.networks {
        let networks_field = join(field, "networks");
        if networks.is_empty() {
            issues.push(Problem::new(
                "invalid-object",
                networks_field,
                "Required value: at least one CIDR",
            ));
            return None;
        }
        let mut set = IpSet::empty();
        let mut ok = true;
        for (i, cidr) in networks.iter().enumerate() {
            match validate::parse_net(cidr, &format!("{networks_field}[{i}]"), issues) {
                Some(net) => set = set.union(&IpSet::from_net(net)),
                None => ok = false,
            }
        }
        return ok.then_some(AdminPeer::Networks(set));
    }
    let what = if peer.nodes.is_some() { "nodes" } else { "domainNames" };
    warnings.push(Problem::new(
        "unsupported-peer",
        join(field, what),
        format!("`{what}` peers are not modelled by netreach; this peer is ignored"),
    ));
    None
}

/// One port entry; a named port becomes one entry per protocol (the name decides).
fn convert_port(port: &RawPort, field: &str, issues: &mut Issues) -> Vec<PortEntry> {
    let count = [
        port.port_number.is_some(),
        port.named_port.is_some(),
        port.port_range.is_some(),
    ]
    .iter()
    .filter(|&&s| s)
    .count();
    if count != 1 {
        issues.push(Problem::new(
            "invalid-port",
            field,
            "must specify exactly one of portNumber, namedPort or portRange",
        ));
        return Vec::new();
    }
    if let Some(number) = &port.port_number {
        let protocol = validate::protocol(number.protocol.as_deref(), &join(field, "portNumber.protocol"), issues);
        let port_field = join(field, "portNumber.port");
        let Some(value) = number.port else {
            issues.push(Problem::new("invalid-port", port_field, "Required value"));
            return Vec::new();
        };
        let port = validate::port_number(value, &port_field, issues);
        return match (protocol, port) {
            (Some(protocol), Some(port)) => vec![PortEntry {
                protocol,
                port: Some(PortRef::Number(port)),
                end_port: None,
            }],
            _ => Vec::new(),
        };
    }
    if let Some(name) = &port.named_port {
        if let Err(message) = validate::check_port_name(name) {
            issues.push(Problem::new("invalid-port", join(field, "namedPort"), message));
            return Vec::new();
        }
        return Protocol::ALL
            .into_iter()
            .map(|protocol| PortEntry {
                protocol,
                port: Some(PortRef::Name(name.clone())),
                end_port: None,
            })
            .collect();
    }
    let Some(range) = &port.port_range else {
        return Vec::new();
    };
    let protocol = validate::protocol(range.protocol.as_deref(), &join(field, "portRange.protocol"), issues);
    let mut bound = |value: Option<i32>, name: &str| {
        let f = join(field, &format!("portRange.{name}"));
        if let Some(v) = value {
            return validate::port_number(v, &f, issues);
        }
        issues.push(Problem::new("invalid-port", f, "Required value"));
        None
    };
    let start = bound(range.start, "start");
    let end = bound(range.end, "end");
    match (protocol, start, end) {
        (Some(protocol), Some(start), Some(end)) if start < end => vec![PortEntry {
            protocol,
            port: Some(PortRef::Number(start)),
            end_port: Some(end),
        }],
        (_, Some(start), Some(end)) if start >= end => {
            issues.push(Problem::new(
                "invalid-end-port",
                join(field, "portRange.end"),
                format!("start port {start} must be less than end port {end}"),
            ));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anp(yaml: &str, baseline: bool) -> (Option<AdminPolicy>, Issues, Issues) {
        let raw: RawAdminPolicy = serde_yaml::from_str(yaml).unwrap();
        let (mut issues, mut warnings) = (Issues::new(), Issues::new());
        let origin = Origin {
            path: "a.yaml".into(),
            document: 0,
            line: 1,
            item: None,
        };
        let name = raw.metadata.name.clone().unwrap_or_default();
        let policy = convert(&raw, &name, baseline, origin, &mut issues, &mut warnings);
        (policy, issues, warnings)
    }

    #[test]
    fn full_policy() {
        let (p, issues, warnings) = anp(
            r"
metadata: {name: a}
spec:
  priority: 5
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}
  ingress:
  - name: r1
    action: Deny
    from: [{namespaces: {matchLabels: {team: x}}}]
    ports:
    - portNumber: {port: 80}
    - namedPort: http
    - portRange: {protocol: UDP, start: 1000, end: 2000}
  egress:
  - action: Allow
    to: [{networks: [10.0.0.0/8, 'fd00::/8']}, {nodes: {}}]
",
            false,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let p = p.unwrap();
        assert_eq!(p.priority, 5);
        assert_eq!(p.ingress[0].action, AdminAction::Deny);
        assert_eq!(p.ingress[0].ports.len(), 5);
        assert_eq!(p.ingress[0].ports[4].end_port, Some(2000));
        assert_eq!(p.egress[0].peers.len(), 1);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].field, "spec.egress[0].to[1].nodes");
    }

    #[test]
    fn validation() {
        let (p, issues, _) = anp("metadata: {name: a}\nspec: {subject: {namespaces: {}}}", false);
        assert!(p.is_none());
        assert_eq!(issues[0].field, "spec.priority");
        let (p, issues, _) = anp(
            "metadata: {name: a}\nspec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Pass, from: [{namespaces: {}}]}]}",
            true,
        );
        assert!(p.is_none());
        assert_eq!(issues[0].field, "metadata.name");
        assert_eq!(issues[1].field, "spec.ingress[0].action");
        let (_, issues, _) = anp(
            "metadata: {name: a}\nspec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Allow, to: [{}], ports: [{portRange: {start: 5, end: 5}}]}]}",
            false,
        );
        let codes: Vec<_> = issues.iter().map(|i| (i.code, i.field.as_str())).collect();
        assert_eq!(
            codes,
            vec![
                ("empty-peer", "spec.egress[0].to[0]"),
                ("invalid-end-port", "spec.egress[0].ports[0].portRange.end")
            ]
        );
    }
}
