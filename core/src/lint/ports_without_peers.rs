//! `ingress-ports-from-anywhere` (warning) and `egress-ports-to-anywhere` (info): a rule
//! that lists `ports` but no `from`/`to` peers.
//!
//! An absent or empty peer list matches every peer — every pod of every namespace *and*
//! every address outside the cluster. Authors who write `ports: [8080]` often mean "port
//! 8080 from my other pods"; what they get is port 8080 from the internet (wherever the pod
//! is reachable). For ingress that is worth a warning. For egress, "these ports to
//! anywhere" is the usual way to allow e.g. HTTPS out, so it is only information — and a
//! rule opening only DNS (port 53, or the named ports `dns`/`dns-tcp`) is the recommended
//! DNS allowance and is not reported at all.
//!
//! A rule with neither peers nor ports (`- {}`) is the explicit "allow everything" idiom
//! and is not reported either.

use crate::diagnostic::Severity;
use crate::model::{Direction, PortEntry, PortRef};

use super::context::{rule_field, Context};
use super::dns::is_dns_port;

pub const INGRESS: &str = "ingress-ports-from-anywhere";
pub const EGRESS: &str = "egress-ports-to-anywhere";

/// `TCP 80, TCP 8000-8100, UDP dns, SCTP (all ports)`
pub(crate) fn describe_ports(entries: &[PortEntry]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|entry| {
            let protocol = entry.protocol;
            match (&entry.port, entry.end_port) {
                (None, _) => format!("{protocol} (all ports)"),
                (Some(PortRef::Number(lo)), Some(hi)) if hi != *lo => {
                    format!("{protocol} {lo}-{hi}")
                }
                (Some(PortRef::Number(port)), _) => format!("{protocol} {port}"),
                (Some(PortRef::Name(name)), _) => format!("{protocol} {name}"),
            }
        })
        .collect();
    parts.join(", ")
}

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    for (p, policy) in model.policies.iter().enumerate() {
        for direction in [Direction::Ingress, Direction::Egress] {
            for (i, rule) in policy.rules(direction).unwrap_or_default().iter().enumerate() {
                if rule.peers.is_some() || rule.ports.is_empty() {
                    continue;
                }
                let ports = describe_ports(&rule.ports);
                let field = Some(rule_field(direction, i));
                match direction {
                    Direction::Ingress => {
                        let message = format!(
                            "ingress rule {i} allows {ports} from every source, including outside the cluster: it has ports but no `from`; list the intended peers to restrict it"
                        );
                        cx.policy_finding(p, field, INGRESS, Severity::Warning, message);
                    }
                    Direction::Egress => {
                        if rule.ports.iter().all(is_dns_port) {
                            continue;
                        }
                        let message = format!(
                            "egress rule {i} allows {ports} to every destination, including any address outside the cluster: it has ports but no `to`"
                        );
                        cx.policy_finding(p, field, EGRESS, Severity::Info, message);
                    }
                }
            }
        }
    }
}
