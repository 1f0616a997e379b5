//! `egress-blocks-dns` (warning) and `egress-blocks-dns-tcp` (info): a workload whose
//! egress `NetworkPolicy` allows no DNS.
//!
//! Once any policy isolates a pod for egress, everything not allowed is denied — including
//! the DNS lookups almost every program makes first. A default-deny egress policy without
//! a DNS rule is the classic "the app stopped resolving anything" outage. DNS uses UDP 53,
//! and TCP 53 for answers too large for UDP, so a rule with only UDP 53 is reported as
//! information.
//!
//! What counts as a DNS allowance (for each protocol separately):
//! - the cluster DNS is usually *not* part of the input (kube-system is rarely in an app's
//!   manifests), so an egress rule of a policy selecting the workload that opens port 53
//!   (or a named port `dns`/`dns-tcp`, the names `CoreDNS` and kube-dns use) to every peer,
//!   to any ipBlock (numeric ports only: named ports never match addresses), or to a pod
//!   peer whose namespaceSelector matches `kube-system` (its declared labels, or the
//!   implicit `kubernetes.io/metadata.name=kube-system` when the input does not declare it)
//!   — whatever the peer's podSelector says, since those pods are not in the input;
//! - likewise an `AdminNetworkPolicy` `Allow` egress rule for the workload with such ports
//!   and peers;
//! - otherwise, a DNS server that *is* part of the input: a workload that one of the
//!   workload's egress rules opens port 53 (or a named port) to, and whose own ingress lets
//!   the lookups in — asked of the engine's evaluator, so it agrees with the analysis.
//!   At most [`MAX_CANDIDATES`] such destinations are evaluated per class; a class with
//!   more is given the benefit of the doubt (a lint must not cost O(classes²)).
//!
//! Rule-level acceptance ignores admin `Deny`/`Pass` rules that might override it: the
//! check looks for an allowance that was written, not for every way it can be undone.
//!
//! One finding per workload (host-network workloads are exempt), capped per namespace.

use crate::diagnostic::Severity;
use crate::engine::bitset::BitSet;
use crate::engine::compile::RulePorts;
use crate::engine::evaluate::{NoTrace, PeerRef};
use crate::model::{
    implicit_namespace_labels, AdminAction, AdminPeer, Direction, Labels, NamespaceScope, Peer, PortEntry, PortRef,
};
use crate::ports::{PortSet, Protocol};

use super::context::Context;

pub const BLOCKED: &str = "egress-blocks-dns";
pub const NO_TCP: &str = "egress-blocks-dns-tcp";

/// Container port names the cluster DNS uses (`CoreDNS`, kube-dns).
const DNS_PORT_NAMES: [&str; 2] = ["dns", "dns-tcp"];

/// Destinations in the input evaluated per class as possible DNS servers.
pub const MAX_CANDIDATES: usize = 64;

/// True when a port entry opens DNS and nothing else: port 53 or a DNS port name.
pub(crate) fn is_dns_port(entry: &PortEntry) -> bool {
    match &entry.port {
        Some(PortRef::Number(53)) => entry.end_port.is_none_or(|end| end == 53),
        Some(PortRef::Name(name)) => DNS_PORT_NAMES.contains(&name.as_str()),
        _ => false,
    }
}

/// Which DNS transports are allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Dns {
    udp: bool,
    tcp: bool,
}

impl Dns {
    fn of_set(ports: &PortSet) -> Self {
        Dns {
            udp: ports.contains(Protocol::Udp, 53),
            tcp: ports.contains(Protocol::Tcp, 53),
        }
    }

    fn of_names(ports: &RulePorts) -> Self {
        let named = |protocol: Protocol| {
            ports
                .named
                .iter()
                .any(|(name, p)| *p == protocol && DNS_PORT_NAMES.contains(&name.as_str()))
        };
        Dns {
            udp: named(Protocol::Udp),
            tcp: named(Protocol::Tcp),
        }
    }

    fn add(&mut self, other: Dns) {
        self.udp |= other.udp;
        self.tcp |= other.tcp;
    }

    fn complete(self) -> bool {
        self.udp && self.tcp
    }
}

/// What a rule's peers can reach outside the input: (addresses, cluster DNS pods).
fn reaches_outside<'p>(peers: impl IntoIterator<Item = &'p Peer>, kube_system: &Labels) -> (bool, bool) {
    let (mut addresses, mut dns_pods) = (false, false);
    for peer in peers {
        match peer {
            Peer::IpBlock { .. } => addresses = true,
            Peer::Pods {
                namespaces: NamespaceScope::Matching(selector),
                ..
            } => dns_pods |= selector.matches(kube_system),
            Peer::Pods { .. } => {}
        }
    }
    (addresses, dns_pods)
}

/// The DNS an egress rule allows towards servers outside the input.
fn rule_allowance(peers: Option<&[Peer]>, ports: &RulePorts, kube_system: &Labels) -> Dns {
    let (addresses, dns_pods) = match peers {
        None => (true, true),
        Some(peers) => reaches_outside(peers, kube_system),
    };
    let mut dns = Dns::default();
    if addresses || dns_pods {
        dns.add(Dns::of_set(&ports.numeric));
    }
    if dns_pods {
        dns.add(Dns::of_names(ports));
    }
    dns
}

fn admin_rule_allowance(peers: &[AdminPeer], ports: &RulePorts, kube_system: &Labels) -> Dns {
    let mut dns = Dns::default();
    for peer in peers {
        let (addresses, dns_pods) = match peer {
            AdminPeer::Networks(_) => (true, false),
            AdminPeer::Namespaces(selector)
            | AdminPeer::Pods {
                namespaces: selector, ..
            } => (false, selector.matches(kube_system)),
        };
        if addresses || dns_pods {
            dns.add(Dns::of_set(&ports.numeric));
        }
        if dns_pods {
            dns.add(Dns::of_names(ports));
        }
    }
    dns
}

/// `NetworkPolicy deny-all` / `NetworkPolicies a, b, c and 2 more`.
fn policy_names(cx: &Context, policies: &[usize]) -> String {
    const SHOWN: usize = 3;
    let names: Vec<&str> = policies
        .iter()
        .take(SHOWN)
        .map(|&p| cx.model.policies[p].name.as_str())
        .collect();
    let more = policies.len().saturating_sub(SHOWN);
    match (policies.len(), more) {
        (1, _) => format!("NetworkPolicy {}", names[0]),
        (_, 0) => format!("NetworkPolicies {}", names.join(", ")),
        _ => format!("NetworkPolicies {} and {more} more", names.join(", ")),
    }
}

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    let reach = cx.reach();
    let compiled = cx.compiled();
    let classes = &reach.classes.classes;
    let isolated: Vec<bool> = (0..classes.len()).map(|c| compiled.egress.get(c).is_some()).collect();
    if !isolated.contains(&true) {
        return;
    }
    let mut allowed = vec![Dns::default(); classes.len()];
    // 1. Rules towards DNS servers outside the input.
    let kube_system = model
        .namespaces
        .get("kube-system")
        .map_or_else(|| implicit_namespace_labels("kube-system"), |ns| ns.labels.clone());
    let mut rule_dns: Vec<Option<Dns>> = vec![None; compiled.rules.len()];
    for c in (0..classes.len()).filter(|&c| isolated[c]) {
        for &r in compiled.egress.list(c) {
            let dns = *rule_dns[r].get_or_insert_with(|| {
                let rule = &compiled.rules[r];
                let peers = model.policies[rule.policy]
                    .egress
                    .as_ref()
                    .and_then(|rules| rules[rule.index].peers.as_deref());
                rule_allowance(peers, &rule.ports, &kube_system)
            });
            allowed[c].add(dns);
        }
        for &r in compiled.admin_egress.list(c) {
            let rule = &compiled.admin_rules[r];
            if rule.action != AdminAction::Allow || rule.baseline {
                continue;
            }
            let peers = &model.admin_policies[rule.policy].egress[rule.index].peers;
            allowed[c].add(admin_rule_allowance(peers, &rule.ports, &kube_system));
        }
    }
    // 2. DNS servers in the input, asked of the evaluator.
    let eval = reach.evaluator();
    for c in 0..classes.len() {
        if !isolated[c] || allowed[c].complete() {
            continue;
        }
        let mut candidates = BitSet::new(classes.len());
        for &r in compiled.egress.list(c) {
            let ports = &compiled.rules[r].ports;
            if !ports.named.is_empty() || Dns::of_set(&ports.numeric) != Dns::default() {
                candidates.union_with(&compiled.rules[r].peers.classes);
            }
        }
        for (n, d) in candidates.iter().enumerate() {
            if n == MAX_CANDIDATES {
                allowed[c] = Dns { udp: true, tcp: true };
                break;
            }
            let out = eval.side(Direction::Egress, c, PeerRef::Class(d), &mut NoTrace);
            let ports = out.intersect(&eval.side(Direction::Ingress, d, PeerRef::Class(c), &mut NoTrace));
            allowed[c].add(Dns::of_set(&ports));
            if allowed[c].complete() {
                break;
            }
        }
    }
    for (w, &c) in reach.classes.of_workload.iter().enumerate() {
        let dns = allowed[c];
        if !isolated[c] || dns.complete() {
            continue;
        }
        let (code, severity, summary) = if dns.udp {
            (NO_TCP, Severity::Info, "allow DNS over UDP 53 but not TCP 53")
        } else {
            (BLOCKED, Severity::Warning, "have egress restricted with no DNS allowed")
        };
        if !cx.list_workload(w, code, severity, summary) {
            continue;
        }
        let by = policy_names(cx, compiled.egress_policies.list(c));
        let message = match (dns.udp, dns.tcp) {
            (false, false) => format!(
                "egress is restricted by {by} and DNS (port 53) is not allowed to any destination: name lookups will fail"
            ),
            (false, true) => format!(
                "egress is restricted by {by} and DNS is allowed over TCP 53 but not UDP 53: most lookups use UDP and will fail"
            ),
            _ => format!(
                "egress is restricted by {by} and DNS is allowed over UDP 53 but not TCP 53: lookups whose answers are too large for UDP will fail"
            ),
        };
        cx.workload_finding(w, None, code, severity, message);
    }
}
