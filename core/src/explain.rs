//! Explain one connection: the verdict, and on each side which policy and which rule
//! (rule index, peer index, port entry) decided it — or that nothing matched.
//!
//! The explanation replays the engine's own evaluation with a recording tracer
//! ([`crate::engine::evaluate`]), so it always agrees with the analysis.

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, EXTERNAL_PREFIX};
use crate::engine::classes::Class;
use crate::engine::evaluate::{PeerRef, Step};
use crate::model::{AdminAction, Direction, Model, NamespaceScope, Peer, PortRef};
use crate::ports::{PortSet, Protocol};
use crate::source::{Location, SourceFile};

/// What to explain. `from`/`to`: an endpoint id (`shop/Deployment/web`), `namespace/name`,
/// a unique workload name, an external id, or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExplainQuery {
    pub from: String,
    pub to: String,
    /// Defaults to TCP.
    #[serde(default)]
    pub protocol: Option<Protocol>,
    /// Without a port, the explanation covers every port.
    #[serde(default)]
    pub port: Option<u16>,
}

/// Why a query could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    /// The name matches no endpoint.
    #[error("no endpoint {0:?}: use an id like namespace/Kind/name, namespace/name, or an IP address")]
    UnknownEndpoint(String),
    /// The name matches several workloads.
    #[error("{name:?} is ambiguous: it matches {candidates}")]
    Ambiguous { name: String, candidates: String },
    /// Both ends are outside the cluster.
    #[error("both ends are outside the cluster: NetworkPolicy only governs traffic to or from pods")]
    BothExternal,
}

/// One thing that took part in a side's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// `networkPolicyRule`, `adminRule`, `baselineRule`, `notIsolated`, `hostNetwork`, `defaultAllow`.
    pub kind: &'static str,
    /// `namespace/name` of the NetworkPolicy, or the admin policy's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// Which `from`/`to` entry matched; absent when the rule has no peers (matches all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_index: Option<usize>,
    /// Which `ports` entry matched the queried port; absent when the rule has no ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<AdminAction>,
    /// Ports this decision covers.
    pub ports: PortSet,
    /// Whether it covers the queried port (always true without a port).
    pub matches_query: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// One side of the connection: egress at the source or ingress at the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SideExplanation {
    /// False when this end is outside the cluster (no policy applies there).
    pub applies: bool,
    pub isolated: bool,
    pub host_network: bool,
    /// Policies selecting the endpoint in this direction.
    pub policies: Vec<String>,
    pub allowed_ports: PortSet,
    pub allowed: bool,
    pub decisions: Vec<Decision>,
    /// One sentence for humans.
    pub reason: String,
}

/// The answer to an [`ExplainQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    pub allowed: bool,
    /// Everything allowed between the two ends (both sides combined).
    pub allowed_ports: PortSet,
    pub egress: SideExplanation,
    pub ingress: SideExplanation,
    pub summary: String,
}

enum End {
    Class { id: String, class: usize },
    Atom { id: String, atom: usize },
}

impl End {
    fn id(&self) -> &str {
        match self {
            End::Class { id, .. } | End::Atom { id, .. } => id,
        }
    }
    fn peer(&self) -> PeerRef {
        match self {
            End::Class { class, .. } => PeerRef::Class(*class),
            End::Atom { atom, .. } => PeerRef::Atom(*atom),
        }
    }
}

fn resolve(analysis: &Analysis, name: &str) -> Result<End, ExplainError> {
    let reach = &analysis.reach;
    if let Ok(addr) = name.parse::<std::net::IpAddr>() {
        return Ok(End::Atom {
            id: addr.to_string(),
            atom: reach.atoms.containing(addr),
        });
    }
    if name.starts_with(EXTERNAL_PREFIX) {
        let e = analysis
            .endpoint_index(name)
            .ok_or_else(|| ExplainError::UnknownEndpoint(name.into()))?;
        return Ok(End::Atom {
            id: name.to_string(),
            atom: analysis.external_atoms(e)[0],
        });
    }
    let workloads = &analysis.endpoints[..analysis.workload_count];
    let matches: Vec<usize> = if let Some(i) = analysis.endpoint_index(name) {
        vec![i]
    } else {
        let parts: Vec<&str> = name.split('/').collect();
        (0..workloads.len())
            .filter(|&i| {
                let e = &workloads[i];
                let (ns, n) = (e.namespace.as_deref().unwrap_or(""), e.name.as_deref().unwrap_or(""));
                match parts.as_slice() {
                    [only] => n == *only,
                    [a, b] => ns == *a && n == *b,
                    _ => false,
                }
            })
            .collect()
    };
    match matches.as_slice() {
        [] => Err(ExplainError::UnknownEndpoint(name.into())),
        [i] => {
            let id = workloads[*i].id.to_string();
            // Endpoint order is id order; the class comes from the workload with that id.
            let class = analysis.class_of(*i);
            Ok(End::Class { id, class })
        }
        many => Err(ExplainError::Ambiguous {
            name: name.into(),
            candidates: many.iter().map(|&i| &*workloads[i].id).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// Explains the connection `query.from` → `query.to`.
pub fn explain(
    model: &Model,
    analysis: &Analysis,
    files: &[SourceFile],
    query: &ExplainQuery,
) -> Result<Explanation, ExplainError> {
    let from = resolve(analysis, &query.from)?;
    let to = resolve(analysis, &query.to)?;
    if matches!((&from, &to), (End::Atom { .. }, End::Atom { .. })) {
        return Err(ExplainError::BothExternal);
    }
    let protocol = query.protocol.unwrap_or(Protocol::Tcp);
    if let (End::Class { id: a, .. }, End::Class { id: b, .. }) = (&from, &to) {
        if a == b && is_bare_pod(model, analysis, a) {
            return Ok(loopback(a, protocol, query.port));
        }
    }
    let ctx = Ctx {
        model,
        analysis,
        files,
        protocol,
        port: query.port,
    };
    let egress = match &from {
        End::Class { class, .. } => ctx.side(Direction::Egress, *class, &to),
        End::Atom { .. } => SideExplanation::outside("the source is outside the cluster: no egress policy applies"),
    };
    let ingress = match &to {
        End::Class { class, .. } => ctx.side(Direction::Ingress, *class, &from),
        End::Atom { .. } => {
            SideExplanation::outside("the destination is outside the cluster: no ingress policy applies")
        }
    };
    let allowed_ports = egress.allowed_ports.intersect(&ingress.allowed_ports);
    let allowed = ctx.covers(&allowed_ports);
    let what = query
        .port
        .map_or_else(|| "any port".to_string(), |p| format!("{protocol} {p}"));
    let summary = if allowed {
        format!(
            "{} can reach {} on {what}: {} and {}.",
            from.id(),
            to.id(),
            egress.reason,
            ingress.reason
        )
    } else {
        let blocker = if egress.allowed {
            &ingress.reason
        } else {
            &egress.reason
        };
        format!("{} cannot reach {} on {what}: {blocker}.", from.id(), to.id())
    };
    Ok(Explanation {
        from: from.id().to_string(),
        to: to.id().to_string(),
        protocol,
        port: query.port,
        allowed,
        allowed_ports,
        egress,
        ingress,
        summary,
    })
}

/// A bare Pod (not a controller standing for several pods): its traffic to itself is loopback.
fn is_bare_pod(model: &Model, analysis: &Analysis, id: &str) -> bool {
    analysis
        .endpoint_index(id)
        .is_some_and(|e| !model.workloads[analysis.workload_index[e]].replicated)
}

/// A bare Pod to itself: loopback, which `NetworkPolicy` never governs and the analysis does
/// not list as a connection — so, like the analysis, no allowed ports.
fn loopback(id: &str, protocol: Protocol, port: Option<u16>) -> Explanation {
    let reason = "a Pod's traffic to itself is loopback: NetworkPolicy does not apply to it";
    let side = SideExplanation {
        applies: false,
        isolated: false,
        host_network: false,
        policies: Vec::new(),
        allowed_ports: PortSet::none(),
        allowed: false,
        decisions: Vec::new(),
        reason: reason.to_string(),
    };
    Explanation {
        from: id.to_string(),
        to: id.to_string(),
        protocol,
        port,
        allowed: false,
        allowed_ports: PortSet::none(),
        egress: side.clone(),
        ingress: side,
        summary: format!("{id} to itself is loopback: NetworkPolicy never applies to a Pod's traffic to itself, so it is not a connection between endpoints and the analysis lists none."),
    }
}

impl SideExplanation {
    fn outside(reason: &str) -> Self {
        SideExplanation {
            applies: false,
            isolated: false,
            host_network: false,
            policies: Vec::new(),
            allowed_ports: PortSet::all(),
            allowed: true,
            decisions: Vec::new(),
            reason: reason.to_string(),
        }
    }
}

struct Ctx<'a> {
    model: &'a Model,
    analysis: &'a Analysis,
    files: &'a [SourceFile],
    protocol: Protocol,
    port: Option<u16>,
}

impl Ctx<'_> {
    fn covers(&self, ports: &PortSet) -> bool {
        match self.port {
            Some(p) => ports.contains(self.protocol, p),
            None => !ports.is_empty(),
        }
    }

    fn side(&self, direction: Direction, subject: usize, peer: &End) -> SideExplanation {
        let reach = &self.analysis.reach;
        let mut steps: Vec<Step> = Vec::new();
        let allowed_ports = reach.evaluator().side(direction, subject, peer.peer(), &mut steps);
        let class = &reach.classes.classes[subject];
        let mut out = SideExplanation {
            applies: true,
            isolated: false,
            host_network: class.host_network,
            policies: Vec::new(),
            allowed: self.covers(&allowed_ports),
            allowed_ports,
            decisions: Vec::new(),
            reason: String::new(),
        };
        for step in steps {
            match step {
                Step::HostNetwork => out.decisions.push(self.simple("hostNetwork", PortSet::all())),
                Step::NotIsolated => out.decisions.push(self.simple("notIsolated", PortSet::none())),
                Step::DefaultAllow { ports } => out.decisions.push(self.simple("defaultAllow", ports)),
                Step::Isolated { policies } => {
                    out.isolated = true;
                    out.policies = policies
                        .iter()
                        .map(|&p| format!("{}/{}", self.model.policies[p].namespace, self.model.policies[p].name))
                        .collect();
                }
                Step::RuleAllows { rule, ports } => {
                    let compiled = &reach.compiled.rules[rule];
                    out.decisions.push(self.np_decision(
                        compiled.policy,
                        direction,
                        compiled.index,
                        peer,
                        class,
                        ports,
                    ));
                }
                Step::Admin { rule, action, ports } | Step::Baseline { rule, action, ports } => {
                    let compiled = &reach.compiled.admin_rules[rule];
                    let policy = if compiled.baseline {
                        self.model.baseline_policy.as_ref()
                    } else {
                        self.model.admin_policies.get(compiled.policy)
                    };
                    let kind_name = if compiled.baseline {
                        "BaselineAdminNetworkPolicy"
                    } else {
                        "AdminNetworkPolicy"
                    };
                    let location = policy.map(|p| {
                        let field = format!("spec.{}[{}]", direction.field(), compiled.index);
                        self.location(&p.origin, kind_name, "", &p.name, field)
                    });
                    out.decisions.push(Decision {
                        kind: if compiled.baseline { "baselineRule" } else { "adminRule" },
                        policy: policy.map(|p| p.name.clone()),
                        rule_index: Some(compiled.index),
                        peer_index: None,
                        port_index: None,
                        action: Some(action),
                        matches_query: self.covers(&ports),
                        ports,
                        location,
                    });
                }
            }
        }
        out.reason = Self::reason(direction, &out);
        out
    }

    fn simple(&self, kind: &'static str, ports: PortSet) -> Decision {
        Decision {
            kind,
            policy: None,
            rule_index: None,
            peer_index: None,
            port_index: None,
            action: None,
            matches_query: kind != "notIsolated" && self.covers(&ports),
            ports,
            location: None,
        }
    }

    fn location(
        &self,
        origin: &crate::source::Origin,
        kind: &str,
        namespace: &str,
        name: &str,
        field: String,
    ) -> Location {
        Location {
            path: origin.path.to_string(),
            document: origin.document,
            line: crate::parse::locate(self.files, origin, &field),
            object: Some(crate::source::ObjectRef {
                kind: kind.to_string(),
                namespace: namespace.to_string(),
                name: name.to_string(),
            }),
            field: Some(field),
        }
    }

    fn np_decision(
        &self,
        p: usize,
        direction: Direction,
        index: usize,
        peer: &End,
        subject: &Class,
        ports: PortSet,
    ) -> Decision {
        let policy = &self.model.policies[p];
        let rule = &policy.rules(direction).unwrap_or_default()[index];
        let peer_index = rule.peers.as_ref().and_then(|peers| {
            peers
                .iter()
                .position(|candidate| self.peer_matches(candidate, policy, peer))
        });
        // Named ports resolve on the destination: the subject for ingress, the peer for egress.
        let dest = match (direction, peer) {
            (Direction::Ingress, _) => Some(subject),
            (Direction::Egress, End::Class { class, .. }) => Some(&self.analysis.reach.classes.classes[*class]),
            (Direction::Egress, End::Atom { .. }) => None,
        };
        let port_index = self.port.and_then(|port| {
            rule.ports.iter().position(|entry| {
                if entry.protocol != self.protocol {
                    return false;
                }
                match &entry.port {
                    None => true,
                    Some(PortRef::Number(lo)) => (*lo..=entry.end_port.unwrap_or(*lo)).contains(&port),
                    Some(PortRef::Name(name)) => dest.is_some_and(|d| {
                        d.named_ports
                            .iter()
                            .any(|np| &np.name == name && np.protocol == self.protocol && np.port == port)
                    }),
                }
            })
        });
        let mut field = format!("spec.{}[{index}]", direction.field());
        if let Some(pi) = peer_index {
            field = format!("{field}.{}[{pi}]", direction.peers_field());
        }
        Decision {
            kind: "networkPolicyRule",
            policy: Some(format!("{}/{}", policy.namespace, policy.name)),
            rule_index: Some(index),
            peer_index,
            port_index,
            action: None,
            matches_query: self.covers(&ports),
            ports,
            location: Some(self.location(&policy.origin, "NetworkPolicy", &policy.namespace, &policy.name, field)),
        }
    }

    fn peer_matches(&self, candidate: &Peer, policy: &crate::model::NetworkPolicy, peer: &End) -> bool {
        let reach = &self.analysis.reach;
        match (candidate, peer) {
            (Peer::Pods { namespaces, pods }, End::Class { class, .. }) => {
                let class = &reach.classes.classes[*class];
                let ns_name = &reach.classes.namespaces[class.namespace];
                let ns_ok = match namespaces {
                    NamespaceScope::Own(own) => own == ns_name && *own == policy.namespace,
                    NamespaceScope::Matching(sel) => sel.matches(&reach.classes.namespace_labels[class.namespace]),
                };
                ns_ok && !class.host_network && pods.matches(&class.labels)
            }
            (Peer::IpBlock { set, .. }, End::Atom { atom, .. }) => set.contains_set(&reach.atoms.to_set([*atom])),
            _ => false,
        }
    }

    fn reason(direction: Direction, side: &SideExplanation) -> String {
        let dir = direction.as_str().to_lowercase();
        if side.host_network {
            return "it uses the host network, so NetworkPolicy does not apply to it".into();
        }
        let admin = side
            .decisions
            .iter()
            .find(|d| d.matches_query && matches!(d.kind, "adminRule" | "baselineRule"));
        if let Some(d) = admin {
            let action = d.action.map_or("", |a| match a {
                AdminAction::Allow => "allows",
                AdminAction::Deny => "denies",
                AdminAction::Pass => "passes",
            });
            let rule = d.rule_index.unwrap_or(0);
            return format!(
                "{} rule {rule} of {} {action} it",
                if d.kind == "adminRule" {
                    "AdminNetworkPolicy"
                } else {
                    "BaselineAdminNetworkPolicy"
                },
                d.policy.as_deref().unwrap_or("?")
            );
        }
        if !side.isolated {
            return format!("no NetworkPolicy selects it for {dir}, so all {dir} is allowed");
        }
        let matching: Vec<&Decision> = side
            .decisions
            .iter()
            .filter(|d| d.kind == "networkPolicyRule" && d.matches_query)
            .collect();
        if let Some(d) = matching.first() {
            let mut s = format!(
                "{dir} rule {} of {}",
                d.rule_index.unwrap_or(0),
                d.policy.as_deref().unwrap_or("?")
            );
            if let Some(pi) = d.peer_index {
                s.push_str(" (peer ");
                s.push_str(&pi.to_string());
                s.push(')');
            }
            s.push_str(" allows it");
            return s;
        }
        let rules_matched_peer = side.decisions.iter().any(|d| d.kind == "networkPolicyRule");
        if rules_matched_peer {
            format!(
                "isolated for {dir} by {}; rules match this peer but not this port",
                side.policies.join(", ")
            )
        } else {
            format!(
                "isolated for {dir} by {} and no rule matches this peer",
                side.policies.join(", ")
            )
        }
    }
}
