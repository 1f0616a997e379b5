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
pub mod flat_lists;
pub mod port_sets;

use rustc_hash::FxHashMap as HashMap;

use crate::ipset::IpSet;
use crate::model::{AdminPeer, Direction, Model, Peer};

use atoms::Atoms;
use bitset::{BitMatrix, BitSet};
use classes::{Class, Classes};
use compile::Compiled;
use evaluate::{Evaluator, NoTrace, PeerRef};
pub use port_sets::PortSets;

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
    let mut port_sets = PortSets::default();
    let rule_ports = RulePortIds::new(&reach.compiled, &mut port_sets);
    reach.pairs = if reach.compiled.has_admin {
        admin_class_pairs(&reach, &mut port_sets)
    } else {
        policy_class_pairs(&reach, &rule_ports, &mut port_sets)
    };
    reach.port_sets = port_sets;
    external(&mut reach, &rule_ports);
    reach
}

/// The ports each NetworkPolicy rule opens, as port-set ids, for the id-based shortcuts of
/// NetworkPolicy-only clusters.
struct RulePortIds {
    numeric: Vec<u32>,
}

impl RulePortIds {
    fn new(compiled: &Compiled, port_sets: &mut PortSets) -> Self {
        let numeric = compiled
            .rules
            .iter()
            .map(|r| port_sets.intern(r.ports.numeric.clone()))
            .collect();
        RulePortIds { numeric }
    }

    /// What rule `r` opens towards `dest`, the destination class (`None` for an address).
    /// Named ports resolve on a destination class only, as in [`compile::RulePorts::resolve`].
    fn opened(&self, compiled: &Compiled, r: usize, dest: Option<&Class>, port_sets: &mut PortSets) -> u32 {
        let ports = &compiled.rules[r].ports;
        match dest {
            Some(_) if !ports.named.is_empty() => port_sets.intern(ports.resolve(dest)),
            _ => self.numeric[r],
        }
    }
}

/// Clusters with admin policies: any pair may be allowed whatever NetworkPolicy says, so
/// every pair is evaluated with the full evaluator.
fn admin_class_pairs(reach: &Reachability, port_sets: &mut PortSets) -> Vec<(u32, u32, u32)> {
    let eval = reach.evaluator();
    let n = reach.classes.len();
    let mut pairs = Vec::new();
    for d in 0..n {
        for s in 0..n {
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
    pairs
}

/// NetworkPolicy-only clusters. Candidate sources of a destination are those its ingress
/// rules admit and whose egress is open or names it (the transpose of each source's egress
/// reach). Each ingress rule of the destination is walked once, adding its ports to the
/// sources it admits, instead of evaluating every pair rule by rule; the result equals
/// [`Evaluator::side`] on both ends (a test holds the two together).
fn policy_class_pairs(
    reach: &Reachability,
    rule_ports: &RulePortIds,
    port_sets: &mut PortSets,
) -> Vec<(u32, u32, u32)> {
    let compiled = &reach.compiled;
    let classes = &reach.classes.classes;
    let n = classes.len();
    let ingress_rules = |c: usize| compiled.ingress.get(c);
    let egress_rules = |c: usize| compiled.egress.get(c);
    let resolve = |r: usize, dest: usize, port_sets: &mut PortSets| -> u32 {
        rule_ports.opened(compiled, r, Some(&classes[dest]), port_sets)
    };
    // Row d: the classes whose egress lets them send to d.
    let mut open_egress = BitSet::new(n);
    let mut egress_to = BitMatrix::new(n, n);
    for s in 0..n {
        match egress_rules(s) {
            Some(rules) => {
                for &r in rules {
                    for d in compiled.rules[r].peers.classes.iter() {
                        egress_to.insert(d, s);
                    }
                }
            }
            None => open_egress.insert(s),
        }
    }
    let egress = |s: usize, d: usize, port_sets: &mut PortSets| -> u32 {
        let Some(rules) = egress_rules(s) else {
            return PortSets::ALL;
        };
        let mut ports = PortSets::NONE;
        for &r in rules {
            if compiled.rules[r].peers.classes.contains(d) {
                let opened = resolve(r, d, port_sets);
                ports = port_sets.union(ports, opened);
            }
        }
        ports
    };
    let mut pairs = Vec::new();
    let mut inbound = vec![PortSets::NONE; n];
    let mut admitted: Vec<usize> = Vec::new();
    for d in 0..n {
        egress_to.union_row_with(d, &open_egress);
        match ingress_rules(d) {
            None => admitted.extend(egress_to.iter_row(d).inspect(|&s| inbound[s] = PortSets::ALL)),
            Some(rules) => {
                for &r in rules {
                    let opened = resolve(r, d, port_sets);
                    if opened == PortSets::NONE {
                        continue;
                    }
                    for s in egress_to.iter_row_and(d, &compiled.rules[r].peers.classes) {
                        if inbound[s] == PortSets::NONE {
                            admitted.push(s);
                        }
                        inbound[s] = port_sets.union(inbound[s], opened);
                    }
                }
                admitted.sort_unstable();
            }
        }
        for s in admitted.drain(..) {
            let inbound = std::mem::replace(&mut inbound[s], PortSets::NONE);
            let outbound = egress(s, d, port_sets);
            let allowed = port_sets.intersect(inbound, outbound);
            if allowed != PortSets::NONE {
                pairs.push((s as u32, d as u32, allowed));
            }
        }
    }
    pairs
}

/// Per atom and class, the ports allowed from the atom into the class and from the class
/// out to the atom; atoms with identical columns form one external endpoint.
///
/// Only rules whose address set is neither empty nor everything tell atoms apart, so atoms
/// are first grouped by the set of such rules containing them, and only classes having such
/// a rule are evaluated per group; every other class answers the same for all atoms.
fn external(reach: &mut Reachability, rule_ports: &RulePortIds) {
    let n = reach.classes.len();
    let atom_count = reach.atoms.len();
    let compiled = &reach.compiled;
    let classes = &reach.classes.classes;
    let eval = Evaluator {
        classes: &reach.classes,
        compiled,
    };
    // NetworkPolicy-only clusters: one side is the union of the ports of the subject's rules
    // that name the atom, as interned ids, equal to what the evaluator gives (the equivalence
    // tests hold them together). The destination is the class for ingress, an address for
    // egress.
    let opened = |r: usize, direction: Direction, c: usize, port_sets: &mut PortSets| -> u32 {
        let dest = (direction == Direction::Ingress).then(|| &classes[c]);
        rule_ports.opened(compiled, r, dest, port_sets)
    };
    let side = |direction: Direction, c: usize, atom: usize, port_sets: &mut PortSets| -> u32 {
        if compiled.has_admin {
            return port_sets.intern(eval.side(direction, c, PeerRef::Atom(atom), &mut NoTrace));
        }
        let rules = match direction {
            Direction::Ingress => compiled.ingress.get(c),
            Direction::Egress => compiled.egress.get(c),
        };
        match rules {
            None => PortSets::ALL,
            Some(rules) => rules
                .iter()
                .filter(|&&r| compiled.rules[r].peers.atoms.contains(atom))
                .fold(PortSets::NONE, |ports, &r| {
                    let opened = opened(r, direction, c, port_sets);
                    port_sets.union(ports, opened)
                }),
        }
    };
    let splits = |atoms: &BitSet| !atoms.is_empty() && atoms.count() != atom_count;
    let np_splitting: Vec<bool> = compiled.rules.iter().map(|r| splits(&r.peers.atoms)).collect();
    let admin_splitting: Vec<bool> = compiled.admin_rules.iter().map(|r| splits(&r.peers.atoms)).collect();
    let mut signature: Vec<Vec<u32>> = vec![Vec::new(); atom_count];
    for (r, rule) in compiled.rules.iter().enumerate() {
        if np_splitting[r] {
            for a in rule.peers.atoms.iter() {
                signature[a].push(r as u32);
            }
        }
    }
    let offset = compiled.rules.len() as u32;
    for (r, rule) in compiled.admin_rules.iter().enumerate() {
        if admin_splitting[r] {
            for a in rule.peers.atoms.iter() {
                signature[a].push(offset + r as u32);
            }
        }
    }
    let mut pre_of: HashMap<&[u32], usize> = HashMap::default();
    let mut pre_groups: Vec<Vec<usize>> = Vec::new();
    for (a, sig) in signature.iter().enumerate() {
        let g = *pre_of.entry(sig.as_slice()).or_insert_with(|| {
            pre_groups.push(Vec::new());
            pre_groups.len() - 1
        });
        pre_groups[g].push(a);
    }
    // A column is one class in one direction; it varies if one of its rules splits atoms.
    let varies = |direction: Direction, c: usize| -> bool {
        let (np, admin, baseline) = match direction {
            Direction::Ingress => (
                compiled.ingress.list(c),
                compiled.admin_ingress.list(c),
                compiled.baseline_ingress.list(c),
            ),
            Direction::Egress => (
                compiled.egress.list(c),
                compiled.admin_egress.list(c),
                compiled.baseline_egress.list(c),
            ),
        };
        np.iter().any(|&r| np_splitting[r]) || admin.iter().chain(baseline).any(|&r| admin_splitting[r])
    };
    let columns: Vec<(Direction, usize)> = [Direction::Ingress, Direction::Egress]
        .into_iter()
        .flat_map(|d| (0..n).map(move |c| (d, c)))
        .filter(|&(d, c)| varies(d, c))
        .collect();
    // Profiles over the varying columns, per pre-group; pre-groups with equal profiles merge.
    let mut group_of: HashMap<Vec<u32>, usize> = HashMap::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_profile: Vec<Vec<u32>> = Vec::new();
    for atoms in &pre_groups {
        let rep = atoms[0];
        let profile: Vec<u32> = columns
            .iter()
            .map(|&(direction, c)| side(direction, c, rep, &mut reach.port_sets))
            .collect();
        let g = if let Some(&g) = group_of.get(&profile) {
            g
        } else {
            groups.push(Vec::new());
            group_profile.push(profile.clone());
            group_of.insert(profile, groups.len() - 1);
            groups.len() - 1
        };
        groups[g].extend_from_slice(atoms);
    }
    for atoms in &mut groups {
        atoms.sort_unstable();
    }
    // Order groups by first atom so ids come out IPv4-first and stable.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| groups[g][0]);
    let groups: Vec<Vec<usize>> = order.iter().map(|&g| std::mem::take(&mut groups[g])).collect();
    let group_profile: Vec<Vec<u32>> = order.iter().map(|&g| std::mem::take(&mut group_profile[g])).collect();
    let mut column_index: HashMap<(Direction, usize), usize> = HashMap::default();
    for (i, &col) in columns.iter().enumerate() {
        column_index.insert(col, i);
    }
    for direction in [Direction::Ingress, Direction::Egress] {
        for c in 0..n {
            let constant = match column_index.get(&(direction, c)) {
                Some(_) => None,
                None => Some(side(direction, c, groups[0][0], &mut reach.port_sets)),
            };
            for (g, profile) in group_profile.iter().enumerate() {
                let id = constant.unwrap_or_else(|| profile[column_index[&(direction, c)]]);
                if reach.port_sets.get(id).is_empty() {
                    continue;
                }
                match direction {
                    Direction::Ingress => reach.ext_in.push((g as u32, c as u32, id)),
                    Direction::Egress => reach.ext_out.push((c as u32, g as u32, id)),
                }
            }
        }
    }
    reach.ext_in.sort_unstable();
    reach.ext_out.sort_unstable();
    reach.groups = groups;
}
