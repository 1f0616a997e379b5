//! The reachability engine: classes × policies → allowed ports for every pair.
//!
//! Workloads are grouped into [`classes`] (identical namespace, labels, named ports and
//! host-network flag), the outside world into [`atoms`] (ranges no ipBlock boundary splits).
//! Policies are [`compile`]d once into bit sets over both. [`evaluate`] answers one side of
//! one connection; this module walks only the candidate pairs a destination's ingress
//! rules can let in, so a default-deny cluster costs far less than all pairs × all ports.
//! Port sets are interned: reports and diffs compare small integers, not range lists.

pub mod atoms;
pub mod bitset;
pub mod classes;
pub mod compile;
pub mod evaluate;

use std::collections::HashMap;

use crate::ipset::IpSet;
use crate::model::{AdminPeer, Direction, Model, Peer};
use crate::ports::PortSet;

use atoms::Atoms;
use bitset::BitSet;
use classes::Classes;
use compile::Compiled;
use evaluate::{Evaluator, NoTrace, PeerRef};

/// Interns port sets so equal sets share one id.
#[derive(Debug, Default, Clone)]
pub struct PortSets {
    sets: Vec<PortSet>,
    ids: HashMap<PortSet, u32>,
}

impl PortSets {
    pub fn intern(&mut self, set: PortSet) -> u32 {
        if let Some(&id) = self.ids.get(&set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set.clone());
        self.ids.insert(set, id);
        id
    }

    pub fn get(&self, id: u32) -> &PortSet {
        &self.sets[id as usize]
    }
}

/// Class-level result of an analysis.
#[derive(Debug)]
pub struct Reachability {
    pub classes: Classes,
    pub atoms: Atoms,
    pub compiled: Compiled,
    /// External endpoints: groups of atoms with identical connectivity, ordered by first atom.
    pub groups: Vec<Vec<usize>>,
    pub port_sets: PortSets,
    /// `(source class, destination class, port set id)`, only non-empty.
    pub pairs: Vec<(u32, u32, u32)>,
    /// `(group, destination class, port set id)`: from outside into the cluster.
    pub ext_in: Vec<(u32, u32, u32)>,
    /// `(source class, group, port set id)`: from the cluster to the outside.
    pub ext_out: Vec<(u32, u32, u32)>,
}

impl Reachability {
    pub fn evaluator(&self) -> Evaluator<'_> {
        Evaluator {
            classes: &self.classes,
            compiled: &self.compiled,
        }
    }
}

/// Every ipBlock and admin `networks` set in the model: where the outside world is cut.
pub fn address_sets(model: &Model) -> Vec<IpSet> {
    let mut sets = Vec::new();
    for policy in &model.policies {
        for direction in [Direction::Ingress, Direction::Egress] {
            for rule in policy.rules(direction).unwrap_or_default() {
                for peer in rule.peers.iter().flatten() {
                    if let Peer::IpBlock { set, .. } = peer {
                        sets.push(set.clone());
                    }
                }
            }
        }
    }
    for policy in model.admin_policies.iter().chain(&model.baseline_policy) {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for peer in &rule.peers {
                if let AdminPeer::Networks(set) = peer {
                    sets.push(set.clone());
                }
            }
        }
    }
    sets.sort();
    sets.dedup();
    sets
}

/// Analyses a model. `extra_cuts` adds boundaries to the outside world (the diff passes the
/// other side's ipBlocks, so both sides share one set of atoms).
pub fn analyze(model: &Model, extra_cuts: &[IpSet]) -> Reachability {
    let classes = Classes::build(model);
    let mut cuts = address_sets(model);
    cuts.extend(extra_cuts.iter().cloned());
    let atoms = Atoms::build(&cuts);
    let compiled = compile::compile(model, &classes, &atoms);
    let mut reach = Reachability {
        classes,
        atoms,
        compiled,
        groups: Vec::new(),
        port_sets: PortSets::default(),
        pairs: Vec::new(),
        ext_in: Vec::new(),
        ext_out: Vec::new(),
    };
    let (pairs, port_sets) = class_pairs(&reach);
    reach.pairs = pairs;
    reach.port_sets = port_sets;
    external(&mut reach);
    reach
}

fn class_pairs(reach: &Reachability) -> (Vec<(u32, u32, u32)>, PortSets) {
    let eval = reach.evaluator();
    let compiled = &reach.compiled;
    let n = reach.classes.len();
    let mut port_sets = PortSets::default();
    let mut pairs = Vec::new();
    let all = BitSet::full(n);
    for d in 0..n {
        let candidates = match &compiled.ingress[d] {
            Some(rules) if !compiled.has_admin && !reach.classes.classes[d].host_network => {
                let mut bits = BitSet::new(n);
                for &r in rules {
                    bits.union_with(&compiled.rules[r].peers.classes);
                }
                bits
            }
            _ => all.clone(),
        };
        for s in candidates.iter() {
            let inbound = eval.side(Direction::Ingress, d, PeerRef::Class(s), &mut NoTrace);
            if inbound.is_empty() {
                continue;
            }
            let outbound = eval.side(Direction::Egress, s, PeerRef::Class(d), &mut NoTrace);
            let allowed = inbound.intersect(&outbound);
            if !allowed.is_empty() {
                pairs.push((s as u32, d as u32, port_sets.intern(allowed)));
            }
        }
    }
    (pairs, port_sets)
}

/// Per atom and class, the ports allowed from the atom into the class and from the class
/// out to the atom; atoms with identical columns form one external endpoint.
fn external(reach: &mut Reachability) {
    let n = reach.classes.len();
    let atom_count = reach.atoms.len();
    let compiled = &reach.compiled;
    let eval = Evaluator {
        classes: &reach.classes,
        compiled,
    };
    let all_id = reach.port_sets.intern(PortSet::all());
    // Classes whose answer can differ between atoms; all others allow everything.
    let varies = |direction: Direction, c: usize| {
        !reach.classes.classes[c].host_network
            && (compiled.has_admin
                || match direction {
                    Direction::Ingress => compiled.ingress[c].is_some(),
                    Direction::Egress => compiled.egress[c].is_some(),
                })
    };
    let columns: Vec<(Direction, usize)> = [Direction::Ingress, Direction::Egress]
        .into_iter()
        .flat_map(|d| (0..n).map(move |c| (d, c)))
        .filter(|&(d, c)| varies(d, c))
        .collect();
    let mut profiles: Vec<Vec<u32>> = vec![Vec::with_capacity(columns.len()); atom_count];
    for &(direction, c) in &columns {
        for (a, profile) in profiles.iter_mut().enumerate() {
            let ports = eval.side(direction, c, PeerRef::Atom(a), &mut NoTrace);
            profile.push(reach.port_sets.intern(ports));
        }
    }
    let mut group_of: HashMap<&[u32], usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_profile: Vec<usize> = Vec::new();
    for (a, profile) in profiles.iter().enumerate() {
        let g = *group_of.entry(profile.as_slice()).or_insert_with(|| {
            groups.push(Vec::new());
            group_profile.push(a);
            groups.len() - 1
        });
        groups[g].push(a);
    }
    let empty_id = reach.port_sets.intern(PortSet::none());
    for (g, &rep) in group_profile.iter().enumerate() {
        let mut column = profiles[rep].iter();
        for direction in [Direction::Ingress, Direction::Egress] {
            for c in 0..n {
                let id = if varies(direction, c) {
                    *column.next().unwrap_or(&empty_id)
                } else {
                    all_id
                };
                if id == empty_id || reach.port_sets.get(id).is_empty() {
                    continue;
                }
                match direction {
                    Direction::Ingress => reach.ext_in.push((g as u32, c as u32, id)),
                    Direction::Egress => reach.ext_out.push((c as u32, g as u32, id)),
                }
            }
        }
    }
    reach.groups = groups;
}
