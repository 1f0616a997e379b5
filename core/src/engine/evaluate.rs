//! One side of one connection: which ports does the subject's ingress (or egress) allow
//! for this peer?
//!
//! Order of evaluation, per port: AdminNetworkPolicy rules by priority (Allow and Deny are
//! final, Pass hands the port down), then NetworkPolicy (if any selects the subject in this
//! direction, only what its rules allow passes), then the BaselineAdminNetworkPolicy (only
//! for subjects no NetworkPolicy isolates), then the default: allow.
//! The same function serves the bulk analysis (with [`NoTrace`]) and explain (with a
//! recording tracer), so an explanation can never disagree with the matrix.

use crate::model::{AdminAction, Direction};
use crate::ports::PortSet;

use super::classes::{Class, Classes};
use super::compile::Compiled;

/// The other end of a connection, seen from the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerRef {
    Class(usize),
    Atom(usize),
}

/// What decided (part of) a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The subject uses the host network: NetworkPolicy does not apply to it.
    HostNetwork,
    /// An admin rule matched these ports with its action.
    Admin {
        rule: usize,
        action: AdminAction,
        ports: PortSet,
    },
    /// The subject is isolated by these NetworkPolicies (indices into `Model::policies`).
    Isolated { policies: Vec<usize> },
    /// A NetworkPolicy rule matched the peer and allowed these ports.
    RuleAllows { rule: usize, ports: PortSet },
    /// No NetworkPolicy selects the subject in this direction.
    NotIsolated,
    /// A baseline rule matched.
    Baseline {
        rule: usize,
        action: AdminAction,
        ports: PortSet,
    },
    /// Ports left to the default (allow).
    DefaultAllow { ports: PortSet },
}

/// Receives the steps of an evaluation.
pub trait Tracer {
    const ENABLED: bool;
    fn step(&mut self, step: Step);
}

/// The bulk analysis: records nothing, compiles away.
pub struct NoTrace;

impl Tracer for NoTrace {
    const ENABLED: bool = false;
    fn step(&mut self, _: Step) {}
}

impl Tracer for Vec<Step> {
    const ENABLED: bool = true;
    fn step(&mut self, step: Step) {
        self.push(step);
    }
}

pub struct Evaluator<'a> {
    pub classes: &'a Classes,
    pub compiled: &'a Compiled,
}

impl Evaluator<'_> {
    fn peer_matches(peers: &super::compile::PeerSets, peer: PeerRef) -> bool {
        match peer {
            PeerRef::Class(c) => peers.classes.contains(c),
            PeerRef::Atom(a) => peers.atoms.contains(a),
        }
    }

    /// Ports the subject allows in `direction` with `peer` at the other end.
    pub fn side<T: Tracer>(&self, direction: Direction, subject: usize, peer: PeerRef, tracer: &mut T) -> PortSet {
        let class = &self.classes.classes[subject];
        if class.host_network {
            if T::ENABLED {
                tracer.step(Step::HostNetwork);
            }
            return PortSet::all();
        }
        // Named ports resolve on the destination: the subject for ingress, the peer for egress.
        let dest: Option<&Class> = match (direction, peer) {
            (Direction::Ingress, _) => Some(class),
            (Direction::Egress, PeerRef::Class(c)) => Some(&self.classes.classes[c]),
            (Direction::Egress, PeerRef::Atom(_)) => None,
        };
        let compiled = self.compiled;
        let mut allowed = PortSet::none();
        let mut scope = PortSet::all();
        if compiled.has_admin {
            let list = match direction {
                Direction::Ingress => compiled.admin_ingress.list(subject),
                Direction::Egress => compiled.admin_egress.list(subject),
            };
            let mut undecided = PortSet::all();
            let mut passed = PortSet::none();
            for &r in list {
                let rule = &compiled.admin_rules[r];
                if !Self::peer_matches(&rule.peers, peer) {
                    continue;
                }
                let ports = rule.ports.resolve(dest).intersect(&undecided);
                if ports.is_empty() {
                    continue;
                }
                match rule.action {
                    AdminAction::Allow => allowed.add(&ports),
                    AdminAction::Deny => {}
                    AdminAction::Pass => passed.add(&ports),
                }
                undecided = undecided.difference(&ports);
                if T::ENABLED {
                    tracer.step(Step::Admin {
                        rule: r,
                        action: rule.action,
                        ports,
                    });
                }
            }
            scope = undecided.union(&passed);
            if scope.is_empty() {
                return allowed;
            }
        }
        let np_rules = match direction {
            Direction::Ingress => compiled.ingress.get(subject),
            Direction::Egress => compiled.egress.get(subject),
        };
        if let Some(rules) = np_rules {
            if T::ENABLED {
                let policies = match direction {
                    Direction::Ingress => compiled.ingress_policies.list(subject).to_vec(),
                    Direction::Egress => compiled.egress_policies.list(subject).to_vec(),
                };
                tracer.step(Step::Isolated { policies });
            }
            let mut np_allowed = PortSet::none();
            for &r in rules {
                let rule = &compiled.rules[r];
                if !Self::peer_matches(&rule.peers, peer) {
                    continue;
                }
                let ports = rule.ports.resolve(dest);
                if T::ENABLED {
                    tracer.step(Step::RuleAllows {
                        rule: r,
                        ports: ports.clone(),
                    });
                }
                np_allowed.add(&ports);
                if np_allowed.is_all() && !T::ENABLED {
                    break;
                }
            }
            if compiled.has_admin {
                np_allowed = np_allowed.intersect(&scope);
            }
            allowed.add(&np_allowed);
            return allowed;
        }
        if T::ENABLED {
            tracer.step(Step::NotIsolated);
        }
        if compiled.has_admin {
            let list = match direction {
                Direction::Ingress => compiled.baseline_ingress.list(subject),
                Direction::Egress => compiled.baseline_egress.list(subject),
            };
            for &r in list {
                let rule = &compiled.admin_rules[r];
                if !Self::peer_matches(&rule.peers, peer) {
                    continue;
                }
                let ports = rule.ports.resolve(dest).intersect(&scope);
                if ports.is_empty() {
                    continue;
                }
                if rule.action == AdminAction::Allow {
                    allowed.add(&ports);
                }
                scope = scope.difference(&ports);
                if T::ENABLED {
                    tracer.step(Step::Baseline {
                        rule: r,
                        action: rule.action,
                        ports,
                    });
                }
            }
        }
        if T::ENABLED && !scope.is_empty() {
            tracer.step(Step::DefaultAllow { ports: scope.clone() });
        }
        allowed.add(&scope);
        allowed
    }
}
