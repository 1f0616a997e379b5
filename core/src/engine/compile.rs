//! Policies compiled against the classes and atoms of one model.
//!
//! Each rule's peers become a bit set over classes and one over atoms, evaluated once (with
//! a cache, since many rules repeat the same selectors). Each class gets the list of rules
//! that apply to it per direction, or `None` when no policy isolates it in that direction.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::model::{
    AdminAction, AdminPeer, AdminPolicy, AdminSubject, Direction, Model, NamespaceScope, Peer, PortEntry, PortRef,
};
use crate::ports::{PortSet, Protocol};
use crate::selector::{Requirement, Selector};

use super::atoms::Atoms;
use super::bitset::BitSet;
use super::classes::{Class, Classes};
use super::flat_lists::{FlatLists, FlatListsBuilder};

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

/// Peers of a rule as sets. Most rules name one peer: their class set is the selector's
/// cached set itself, shared rather than copied.
#[derive(Debug, Clone)]
pub struct PeerSets {
    pub classes: Arc<BitSet>,
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
    /// Per class: NetworkPolicy rules in effect for ingress (`get` is `None` if no policy
    /// isolates the class). Host-network classes are never listed here nor in the other
    /// per-class lists: selectors never match them, so no policy applies to them.
    pub ingress: FlatLists,
    pub egress: FlatLists,
    /// Policies selecting each class per direction (for explain and lint).
    pub ingress_policies: FlatLists,
    pub egress_policies: FlatLists,
    pub admin_rules: Vec<CompiledAdminRule>,
    /// Per class: ANP rules in evaluation order, then (separately) BANP rules.
    pub admin_ingress: FlatLists,
    pub admin_egress: FlatLists,
    pub baseline_ingress: FlatLists,
    pub baseline_egress: FlatLists,
    pub has_admin: bool,
    /// Classes selected by each policy (`Model::policies` order).
    pub policy_selects: Vec<Arc<BitSet>>,
}

static EVERYTHING: Selector = Selector::EVERYTHING;

/// Evaluates selectors over classes, caching identical questions.
///
/// Pod selectors nearly always require some `key=value`: the classes carrying each label
/// are indexed once, and a selector only tests the classes admitted by its most selective
/// `In` requirement (or `Exists` key), or its namespace's classes when those are fewer.
pub struct Matcher<'a> {
    classes: &'a Classes,
    by_namespace: Vec<Vec<usize>>,
    index: Option<LabelIndex<'a>>,
    /// Per namespace selector: which namespaces it matches, and how many classes they hold.
    scopes: HashMap<Option<&'a Selector>, Scope>,
    cache: HashMap<Question<'a>, Arc<BitSet>>,
}

/// Which pods: in a namespace, or in the namespaces a selector matches; with these labels.
type Question<'a> = (Option<usize>, Option<&'a Selector>, &'a Selector);

/// The namespaces a namespace selector matches.
struct Scope {
    namespaces: Vec<bool>,
    /// How many classes those namespaces hold.
    classes: usize,
    /// Their classes that pod selectors can match (not host-network).
    everyone: Arc<BitSet>,
}

impl Scope {
    fn new(classes: &Classes, by_namespace: &[Vec<usize>], selector: Option<&Selector>) -> Self {
        let namespaces: Vec<bool> = match selector {
            Some(sel) => classes.namespace_labels.iter().map(|l| sel.matches(l)).collect(),
            None => vec![true; classes.namespaces.len()],
        };
        let mut everyone = BitSet::new(classes.len());
        let mut count = 0;
        for (members, _) in by_namespace.iter().zip(&namespaces).filter(|(_, &in_scope)| in_scope) {
            count += members.len();
            for &c in members.iter().filter(|&&c| !classes.classes[c].host_network) {
                everyone.insert(c);
            }
        }
        Scope {
            namespaces,
            classes: count,
            everyone: Arc::new(everyone),
        }
    }
}

/// Non-host-network classes (ascending) per label key, and per value of that key.
struct LabelIndex<'a> {
    /// Label key → its id.
    keys: HashMap<&'a str, usize>,
    /// (key id, value) → the label's id.
    labels: HashMap<(usize, &'a str), usize>,
    by_key: FlatLists,
    by_label: FlatLists,
}

impl<'a> LabelIndex<'a> {
    fn build(classes: &'a Classes) -> Self {
        let mut keys: HashMap<&str, usize> = HashMap::default();
        let mut labels: HashMap<(usize, &str), usize> = HashMap::default();
        let (mut by_key, mut by_label) = (FlatListsBuilder::default(), FlatListsBuilder::default());
        for (c, class) in classes.classes.iter().enumerate() {
            if class.host_network {
                continue; // pod selectors never match host-network pods
            }
            for (key, value) in class.labels.iter() {
                let next = keys.len();
                let key = *keys.entry(key).or_insert(next);
                let next = labels.len();
                let label = *labels.entry((key, value)).or_insert(next);
                by_key.push(key, c);
                by_label.push(label, c);
            }
        }
        LabelIndex {
            by_key: by_key.build(keys.len()),
            by_label: by_label.build(labels.len()),
            keys,
            labels,
        }
    }

    fn with_key(&self, key: &str) -> &[usize] {
        self.keys.get(key).map_or(&[], |&k| self.by_key.list(k))
    }

    fn with_label(&self, key: &str, value: &str) -> &[usize] {
        self.keys
            .get(key)
            .and_then(|&k| self.labels.get(&(k, value)))
            .map_or(&[], |&l| self.by_label.list(l))
    }

    /// The requirement of `pods` that admits the fewest classes (`In` or `Exists`: the others
    /// admit classes by what they lack), with that number.
    fn narrowest<'s>(&self, pods: &'s Selector) -> Option<(&'s Requirement, usize)> {
        let size = |requirement: &Requirement| match requirement {
            Requirement::In { key, values } => Some(values.iter().map(|v| self.with_label(key, v).len()).sum()),
            Requirement::Exists { key } => Some(self.with_key(key).len()),
            Requirement::NotIn { .. } | Requirement::DoesNotExist { .. } => None,
        };
        pods.requirements()
            .iter()
            .filter_map(|r| Some((r, size(r)?)))
            .min_by_key(|&(_, size)| size)
    }

    /// The classes a requirement found by [`Self::narrowest`] admits.
    fn admitted<'s>(&'s self, requirement: &'s Requirement) -> impl Iterator<Item = usize> + 's {
        let (key, values): (&str, &[String]) = match requirement {
            Requirement::In { key, values } => (key, values),
            Requirement::Exists { key } | Requirement::NotIn { key, .. } | Requirement::DoesNotExist { key } => {
                (key, &[])
            }
        };
        let whole_key = matches!(requirement, Requirement::Exists { .. }).then(|| self.with_key(key));
        whole_key
            .into_iter()
            .flatten()
            .chain(values.iter().flat_map(move |v| self.with_label(key, v)))
            .copied()
    }
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
            index: None,
            scopes: HashMap::default(),
            cache: HashMap::default(),
        }
    }

    /// Non-host-network classes in namespace `own` (or in namespaces matching `ns_selector`)
    /// whose pod labels match `pods`.
    pub fn pods(&mut self, own: Option<usize>, ns_selector: Option<&'a Selector>, pods: &'a Selector) -> &Arc<BitSet> {
        let key = (own, ns_selector, pods);
        if self.cache.contains_key(&key) {
            return &self.cache[&key];
        }
        let classes = self.classes;
        // The namespaces in scope, and how many classes they hold.
        let (in_scope, scoped): (&[bool], usize) = if let Some(ns) = own {
            (&[], self.by_namespace[ns].len())
        } else {
            let by_namespace = &self.by_namespace;
            let scope = self
                .scopes
                .entry(ns_selector)
                .or_insert_with(|| Scope::new(classes, by_namespace, ns_selector));
            if pods.is_everything() {
                // Whole namespaces, as namespace-only peers and admin subjects ask.
                let everyone = scope.everyone.clone();
                return self.cache.entry(key).or_insert(everyone);
            }
            (&scope.namespaces, scope.classes)
        };
        let in_scope = |n: usize| own.map_or_else(|| in_scope[n], |ns| n == ns);
        let index = self.index.get_or_insert_with(|| LabelIndex::build(classes));
        // Candidates come from the index when it narrows things down; they all satisfy the
        // requirement they were found by, so only the other requirements are tested.
        let narrowest = index
            .narrowest(pods)
            .filter(|&(_, size)| size < scoped)
            .map(|(requirement, _)| requirement);
        let others = |labels: &crate::model::Labels| {
            pods.requirements()
                .iter()
                .filter(|r| narrowest.is_none_or(|n| !std::ptr::eq(*r, n)))
                .all(|r| r.matches(labels))
        };
        let mut bits = BitSet::new(classes.len());
        let mut admit = |c: usize| {
            let class = &classes.classes[c];
            if in_scope(class.namespace) && !class.host_network && others(&class.labels) {
                bits.insert(c);
            }
        };
        match narrowest {
            Some(requirement) => index.admitted(requirement).for_each(&mut admit),
            None => (0..classes.namespaces.len())
                .filter(|&n| in_scope(n))
                .flat_map(|n| self.by_namespace[n].iter().copied())
                .for_each(&mut admit),
        }
        self.cache.entry(key).or_insert(Arc::new(bits))
    }
}

fn namespace_of(classes: &Classes, name: &str) -> Option<usize> {
    classes.namespace_index(name)
}

/// Adds a peer's classes to a rule's, sharing the set while the rule has only one.
fn add_classes(classes: &mut Option<Arc<BitSet>>, peer: &Arc<BitSet>) {
    match classes {
        None => *classes = Some(peer.clone()),
        Some(classes) => Arc::make_mut(classes).union_with(peer),
    }
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
            classes: Arc::new(BitSet::full(n)),
            atoms: BitSet::full(atoms.len()),
        };
    };
    let mut classes = None;
    let mut atom_set = BitSet::new(atoms.len());
    for peer in peers {
        match peer {
            Peer::Pods { namespaces, pods } => {
                match namespaces {
                    NamespaceScope::Own(_) => {
                        // A policy in an unknown namespace selects nothing there.
                        if let Some(ns) = policy_ns {
                            add_classes(&mut classes, matcher.pods(Some(ns), None, pods));
                        }
                    }
                    NamespaceScope::Matching(sel) => add_classes(&mut classes, matcher.pods(None, Some(sel), pods)),
                }
            }
            Peer::IpBlock { set, .. } => atom_set.union_with(&atoms.of_set(set)),
        }
    }
    PeerSets {
        classes: classes.unwrap_or_else(|| Arc::new(BitSet::new(n))),
        atoms: atom_set,
    }
}

fn admin_peer_sets<'a>(peers: &'a [AdminPeer], matcher: &mut Matcher<'a>, atoms: &Atoms, n: usize) -> PeerSets {
    let mut classes = None;
    let mut atom_set = BitSet::new(atoms.len());
    for peer in peers {
        match peer {
            AdminPeer::Namespaces(sel) => add_classes(&mut classes, matcher.pods(None, Some(sel), &EVERYTHING)),
            AdminPeer::Pods { namespaces, pods } => {
                add_classes(&mut classes, matcher.pods(None, Some(namespaces), pods));
            }
            AdminPeer::Networks(set) => atom_set.union_with(&atoms.of_set(set)),
        }
    }
    PeerSets {
        classes: classes.unwrap_or_else(|| Arc::new(BitSet::new(n))),
        atoms: atom_set,
    }
}

fn admin_subject<'a>(subject: &'a AdminSubject, matcher: &mut Matcher<'a>) -> Arc<BitSet> {
    match subject {
        AdminSubject::Namespaces(sel) => matcher.pods(None, Some(sel), &EVERYTHING).clone(),
        AdminSubject::Pods { namespaces, pods } => matcher.pods(None, Some(namespaces), pods).clone(),
    }
}

/// Compiles every policy of `model` against `classes` and `atoms`.
pub fn compile<'a>(model: &'a Model, classes: &'a Classes, atoms: &Atoms) -> Compiled {
    let n = classes.len();
    let mut matcher = Matcher::new(classes);
    let lists = FlatListsBuilder::default;
    let (mut ingress, mut egress, mut ingress_policies, mut egress_policies) = (lists(), lists(), lists(), lists());
    let mut rules_compiled = Vec::new();
    let mut policy_selects = Vec::with_capacity(model.policies.len());
    for (p, policy) in model.policies.iter().enumerate() {
        let ns = namespace_of(classes, &policy.namespace);
        let selected = match ns {
            Some(ns) => matcher.pods(Some(ns), None, &policy.pod_selector).clone(),
            None => Arc::new(BitSet::new(n)),
        };
        debug_assert!(selected.iter().all(|c| !classes.classes[c].host_network));
        for direction in [Direction::Ingress, Direction::Egress] {
            let Some(rules) = policy.rules(direction) else { continue };
            let mut ids = Vec::with_capacity(rules.len());
            for (index, rule) in rules.iter().enumerate() {
                ids.push(rules_compiled.len());
                rules_compiled.push(CompiledRule {
                    policy: p,
                    direction,
                    index,
                    peers: np_peer_sets(rule.peers.as_deref(), ns, &mut matcher, atoms, n),
                    ports: RulePorts::from_entries(&rule.ports),
                });
            }
            let (per_class, policies) = match direction {
                Direction::Ingress => (&mut ingress, &mut ingress_policies),
                Direction::Egress => (&mut egress, &mut egress_policies),
            };
            for c in selected.iter() {
                per_class.add(c, &ids);
                policies.add(c, &[p]);
            }
        }
        policy_selects.push(selected);
    }
    let admin: Vec<(usize, &AdminPolicy)> = model
        .admin_policies
        .iter()
        .enumerate()
        .chain(model.baseline_policy.iter().map(|b| (0, b)))
        .collect();
    let mut admin_rules = Vec::new();
    let (mut admin_ingress, mut admin_egress, mut baseline_ingress, mut baseline_egress) =
        (lists(), lists(), lists(), lists());
    for (p, policy) in admin {
        let subject = admin_subject(&policy.subject, &mut matcher);
        debug_assert!(subject.iter().all(|c| !classes.classes[c].host_network));
        for (direction, rules) in [
            (Direction::Ingress, &policy.ingress),
            (Direction::Egress, &policy.egress),
        ] {
            for (index, rule) in rules.iter().enumerate() {
                let id = admin_rules.len();
                admin_rules.push(CompiledAdminRule {
                    policy: p,
                    baseline: policy.baseline,
                    direction,
                    index,
                    action: rule.action,
                    peers: admin_peer_sets(&rule.peers, &mut matcher, atoms, n),
                    ports: RulePorts::from_entries(&rule.ports),
                });
                let lists = match (direction, policy.baseline) {
                    (Direction::Ingress, false) => &mut admin_ingress,
                    (Direction::Egress, false) => &mut admin_egress,
                    (Direction::Ingress, true) => &mut baseline_ingress,
                    (Direction::Egress, true) => &mut baseline_egress,
                };
                for c in subject.iter() {
                    lists.add(c, &[id]);
                }
            }
        }
    }
    Compiled {
        rules: rules_compiled,
        ingress: ingress.build(n),
        egress: egress.build(n),
        ingress_policies: ingress_policies.build(n),
        egress_policies: egress_policies.build(n),
        admin_rules,
        admin_ingress: admin_ingress.build(n),
        admin_egress: admin_egress.build(n),
        baseline_ingress: baseline_ingress.build(n),
        baseline_egress: baseline_egress.build(n),
        has_admin: !model.admin_policies.is_empty() || model.baseline_policy.is_some(),
        policy_selects,
    }
}
