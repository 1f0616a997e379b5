//! Policies compiled against the classes and atoms of one model.
//!
//! Each rule's peers become a bit set over classes and one over atoms, evaluated once (with
//! a cache, since many rules repeat the same selectors). Each class gets the list of rules
//! that apply to it per direction, or `None` when no policy isolates it in that direction.

use rustc_hash::FxHashMap as HashMap;

use crate::model::{
    AdminAction, AdminPeer, AdminPolicy, AdminSubject, Direction, Model, NamespaceScope, Peer, PortEntry, PortRef,
};
use crate::ports::{PortSet, Protocol};
use crate::selector::Selector;

use super::atoms::Atoms;
use super::bitset::BitSet;
use super::classes::{Class, Classes};

/// A rule's ports: the numeric part, plus names resolved per destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePorts {
    pub numeric: PortSet,
    pub named: Vec<(String, Protocol)>,
}

impl RulePorts {
    pub fn from_entries(entries: &[PortEntry]) -> Self {
        if entries.is_empty() {
            return RulePorts {
                numeric: PortSet::all(),
                named: Vec::new(),
            };
        }
        let mut numeric = PortSet::none();
        let mut named = Vec::new();
        for entry in entries {
            match &entry.port {
                None => numeric.add(&PortSet::protocol_all(entry.protocol)),
                Some(PortRef::Number(lo)) => {
                    numeric.add(&PortSet::range(entry.protocol, *lo, entry.end_port.unwrap_or(*lo)));
                }
                Some(PortRef::Name(name)) => named.push((name.clone(), entry.protocol)),
            }
        }
        RulePorts { numeric, named }
    }

    /// The ports this rule opens on `dest`; named ports resolve against the destination
    /// class's container ports with the same protocol, and never against an address.
    pub fn resolve(&self, dest: Option<&Class>) -> PortSet {
        let mut set = self.numeric.clone();
        if let Some(dest) = dest {
            for (name, protocol) in &self.named {
                for port in dest
                    .named_ports
                    .iter()
                    .filter(|p| &p.name == name && p.protocol == *protocol)
                {
                    set.add(&PortSet::single(*protocol, port.port));
                }
            }
        }
        set
    }
}

/// Peers of a rule as sets.
#[derive(Debug, Clone)]
pub struct PeerSets {
    pub classes: BitSet,
    pub atoms: BitSet,
}

/// One NetworkPolicy rule, compiled.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub policy: usize,
    pub direction: Direction,
    pub index: usize,
    pub peers: PeerSets,
    pub ports: RulePorts,
}

/// One admin (or baseline admin) rule, compiled.
#[derive(Debug, Clone)]
pub struct CompiledAdminRule {
    pub policy: usize,
    pub baseline: bool,
    pub direction: Direction,
    pub index: usize,
    pub action: AdminAction,
    pub peers: PeerSets,
    pub ports: RulePorts,
}

/// Everything the evaluator needs, per model.
#[derive(Debug)]
pub struct Compiled {
    pub rules: Vec<CompiledRule>,
    /// Per class: NetworkPolicy rules in effect for ingress, `None` if not isolated.
    pub ingress: Vec<Option<Vec<usize>>>,
    pub egress: Vec<Option<Vec<usize>>>,
    /// Policies selecting each class per direction (for explain and lint).
    pub ingress_policies: Vec<Vec<usize>>,
    pub egress_policies: Vec<Vec<usize>>,
    pub admin_rules: Vec<CompiledAdminRule>,
    /// Per class: ANP rules in evaluation order, then (separately) BANP rules.
    pub admin_ingress: Vec<Vec<usize>>,
    pub admin_egress: Vec<Vec<usize>>,
    pub baseline_ingress: Vec<Vec<usize>>,
    pub baseline_egress: Vec<Vec<usize>>,
    pub has_admin: bool,
    /// Classes selected by each policy (`Model::policies` order).
    pub policy_selects: Vec<BitSet>,
}

static EVERYTHING: Selector = Selector::EVERYTHING;

/// Evaluates selectors over classes, caching identical questions.
pub struct Matcher<'a> {
    classes: &'a Classes,
    by_namespace: Vec<Vec<usize>>,
    cache: HashMap<(Option<usize>, Option<&'a Selector>, &'a Selector), BitSet>,
}

impl<'a> Matcher<'a> {
    pub fn new(classes: &'a Classes) -> Self {
        let mut by_namespace = vec![Vec::new(); classes.namespaces.len()];
        for (c, class) in classes.classes.iter().enumerate() {
            by_namespace[class.namespace].push(c);
        }
        Matcher {
            classes,
            by_namespace,
            cache: HashMap::default(),
        }
    }

    /// Non-host-network classes in namespace `own` (or in namespaces matching `ns_selector`)
    /// whose pod labels match `pods`.
    pub fn pods(&mut self, own: Option<usize>, ns_selector: Option<&'a Selector>, pods: &'a Selector) -> BitSet {
        let key = (own, ns_selector, pods);
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let mut bits = BitSet::new(self.classes.len());
        let namespaces: Vec<usize> = match (own, ns_selector) {
            (Some(ns), _) => vec![ns],
            (None, Some(sel)) => (0..self.classes.namespaces.len())
                .filter(|&n| sel.matches(&self.classes.namespace_labels[n]))
                .collect(),
            (None, None) => (0..self.classes.namespaces.len()).collect(),
        };
        for ns in namespaces {
            for &c in &self.by_namespace[ns] {
                let class = &self.classes.classes[c];
                if !class.host_network && pods.matches(&class.labels) {
                    bits.insert(c);
                }
            }
        }
        self.cache.insert(key, bits.clone());
        bits
    }
}

fn namespace_of(classes: &Classes, name: &str) -> Option<usize> {
    classes.namespace_index(name)
}

fn np_peer_sets<'a>(
    peers: Option<&'a [Peer]>,
    policy_ns: Option<usize>,
    matcher: &mut Matcher<'a>,
    atoms: &Atoms,
    n: usize,
) -> PeerSets {
    let Some(peers) = peers else {
        return PeerSets {
            classes: BitSet::full(n),
            atoms: BitSet::full(atoms.len()),
        };
    };
    let mut sets = PeerSets {
        classes: BitSet::new(n),
        atoms: BitSet::new(atoms.len()),
    };
    for peer in peers {
        match peer {
            Peer::Pods { namespaces, pods } => {
                let bits = match namespaces {
                    // A policy in an unknown namespace selects nothing there.
                    NamespaceScope::Own(_) => match policy_ns {
                        Some(ns) => matcher.pods(Some(ns), None, pods),
                        None => BitSet::new(n),
                    },
                    NamespaceScope::Matching(sel) => matcher.pods(None, Some(sel), pods),
                };
                sets.classes.union_with(&bits);
            }
            Peer::IpBlock { set, .. } => sets.atoms.union_with(&atoms.of_set(set)),
        }
    }
    sets
}

fn admin_peer_sets<'a>(peers: &'a [AdminPeer], matcher: &mut Matcher<'a>, atoms: &Atoms, n: usize) -> PeerSets {
    let mut sets = PeerSets {
        classes: BitSet::new(n),
        atoms: BitSet::new(atoms.len()),
    };
    for peer in peers {
        match peer {
            AdminPeer::Namespaces(sel) => sets.classes.union_with(&matcher.pods(None, Some(sel), &EVERYTHING)),
            AdminPeer::Pods { namespaces, pods } => {
                sets.classes.union_with(&matcher.pods(None, Some(namespaces), pods));
            }
            AdminPeer::Networks(set) => sets.atoms.union_with(&atoms.of_set(set)),
        }
    }
    sets
}

fn admin_subject<'a>(subject: &'a AdminSubject, matcher: &mut Matcher<'a>) -> BitSet {
    match subject {
        AdminSubject::Namespaces(sel) => matcher.pods(None, Some(sel), &EVERYTHING),
        AdminSubject::Pods { namespaces, pods } => matcher.pods(None, Some(namespaces), pods),
    }
}

/// Compiles every policy of `model` against `classes` and `atoms`.
pub fn compile<'a>(model: &'a Model, classes: &'a Classes, atoms: &Atoms) -> Compiled {
    let n = classes.len();
    let mut matcher = Matcher::new(classes);
    let mut compiled = Compiled {
        rules: Vec::new(),
        ingress: vec![None; n],
        egress: vec![None; n],
        ingress_policies: vec![Vec::new(); n],
        egress_policies: vec![Vec::new(); n],
        admin_rules: Vec::new(),
        admin_ingress: vec![Vec::new(); n],
        admin_egress: vec![Vec::new(); n],
        baseline_ingress: vec![Vec::new(); n],
        baseline_egress: vec![Vec::new(); n],
        has_admin: !model.admin_policies.is_empty() || model.baseline_policy.is_some(),
        policy_selects: Vec::with_capacity(model.policies.len()),
    };
    for (p, policy) in model.policies.iter().enumerate() {
        let ns = namespace_of(classes, &policy.namespace);
        let selected = match ns {
            Some(ns) => matcher.pods(Some(ns), None, &policy.pod_selector),
            None => BitSet::new(n),
        };
        for direction in [Direction::Ingress, Direction::Egress] {
            let Some(rules) = policy.rules(direction) else { continue };
            let mut ids = Vec::with_capacity(rules.len());
            for (index, rule) in rules.iter().enumerate() {
                ids.push(compiled.rules.len());
                compiled.rules.push(CompiledRule {
                    policy: p,
                    direction,
                    index,
                    peers: np_peer_sets(rule.peers.as_deref(), ns, &mut matcher, atoms, n),
                    ports: RulePorts::from_entries(&rule.ports),
                });
            }
            let (per_class, policies) = match direction {
                Direction::Ingress => (&mut compiled.ingress, &mut compiled.ingress_policies),
                Direction::Egress => (&mut compiled.egress, &mut compiled.egress_policies),
            };
            for c in selected.iter() {
                per_class[c].get_or_insert_with(Vec::new).extend_from_slice(&ids);
                policies[c].push(p);
            }
        }
        compiled.policy_selects.push(selected);
    }
    let admin: Vec<(usize, &AdminPolicy)> = model
        .admin_policies
        .iter()
        .enumerate()
        .chain(model.baseline_policy.iter().map(|b| (0, b)))
        .collect();
    for (p, policy) in admin {
        let subject = admin_subject(&policy.subject, &mut matcher);
        for (direction, rules) in [
            (Direction::Ingress, &policy.ingress),
            (Direction::Egress, &policy.egress),
        ] {
            for (index, rule) in rules.iter().enumerate() {
                let id = compiled.admin_rules.len();
                compiled.admin_rules.push(CompiledAdminRule {
                    policy: p,
                    baseline: policy.baseline,
                    direction,
                    index,
                    action: rule.action,
                    peers: admin_peer_sets(&rule.peers, &mut matcher, atoms, n),
                    ports: RulePorts::from_entries(&rule.ports),
                });
                let lists = match (direction, policy.baseline) {
                    (Direction::Ingress, false) => &mut compiled.admin_ingress,
                    (Direction::Egress, false) => &mut compiled.admin_egress,
                    (Direction::Ingress, true) => &mut compiled.baseline_ingress,
                    (Direction::Egress, true) => &mut compiled.baseline_egress,
                };
                for c in subject.iter() {
                    lists[c].push(id);
                }
            }
        }
    }
    compiled
}
