//! Diff of two analyses: which pairs gained ports (exposure), which lost ports (breakage),
//! which endpoints appeared or disappeared.
//!
//! Reachability is compared, never policy text: a renamed policy, or `port`+`endPort`
//! rewritten as a list of ports, diffs to nothing. Both sides are analysed with the same cut
//! of the outside world, and external ranges are regrouped jointly, so an external endpoint
//! of the diff is a set of addresses whose before *and* after are the same.
//!
//! JSON form (inside the report, see [`crate::report`]):
//! `{"changes": [{"from", "to", "before", "after", "added", "removed", "kind", "scope",
//! "endpointChange"}], "addedEndpoints": [...], "removedEndpoints": [...]}`; port sets use
//! the analysis contract's form. Changes are ranked: exposure from outside the cluster,
//! exposure across namespaces, breakage of paths between endpoints that exist on both
//! sides, exposure within a namespace, then changes caused by added or removed endpoints.

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::analysis::{external_id, Analysis, Endpoint};
use crate::ports::PortSet;

/// Is a change opening or closing?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only newly allowed ports.
    Exposure,
    /// Only newly denied ports.
    Breakage,
    /// Some ports opened, others closed.
    Mixed,
}

/// Where the source of a change sits relative to its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Scope {
    /// One end is outside the cluster.
    External,
    CrossNamespace,
    SameNamespace,
}

/// Why a pair changed when an endpoint is new or gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EndpointChange {
    Added,
    Removed,
}

/// One pair whose allowed ports changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub from: String,
    pub to: String,
    pub before: PortSet,
    pub after: PortSet,
    pub added: PortSet,
    pub removed: PortSet,
    pub kind: ChangeKind,
    pub scope: Scope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_change: Option<EndpointChange>,
}

impl Change {
    pub fn is_exposure(&self) -> bool {
        !self.added.is_empty()
    }
    pub fn is_breakage(&self) -> bool {
        !self.removed.is_empty()
    }
    /// Lower is more important (see module docs).
    pub fn rank(&self) -> u8 {
        match (self.endpoint_change, self.is_exposure(), self.scope) {
            (Some(_), _, _) => 5,
            (None, true, Scope::External) => 0,
            (None, true, Scope::CrossNamespace) => 1,
            (None, false, _) => 2,
            (None, true, Scope::SameNamespace) => 3,
        }
    }
}

/// The difference between a base and a head analysis.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Workload ids present only in head.
    pub added_endpoints: Vec<String>,
    /// Workload ids present only in base.
    pub removed_endpoints: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.added_endpoints.is_empty() && self.removed_endpoints.is_empty()
    }
    pub fn exposures(&self) -> usize {
        self.changes.iter().filter(|c| c.is_exposure()).count()
    }
    pub fn breakages(&self) -> usize {
        self.changes.iter().filter(|c| c.is_breakage()).count()
    }
}

/// Endpoints of the union of both sides: workloads by id, then joint external groups.
/// Workload ids and namespaces are borrowed from the analyses; only changes copy them.
struct Union<'a> {
    ids: Vec<Cow<'a, str>>,
    namespaces: Vec<Option<&'a str>>,
    in_base: Vec<bool>,
    in_head: Vec<bool>,
    external_from: usize,
}

/// Diffs two analyses that were computed with the same outside-world cuts (see
/// [`crate::analysis::analyze`]'s `extra_cuts`).
pub fn diff(base: &Analysis, head: &Analysis) -> Diff {
    let (union, base_map, head_map) = union_endpoints(base, head);
    let base_conns = expand(base, &base_map);
    let head_conns = expand(head, &head_map);
    let none = PortSet::none();
    let mut changes = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < base_conns.len() || j < head_conns.len() {
        let bk = base_conns.get(i).map(|c| (c.0, c.1));
        let hk = head_conns.get(j).map(|c| (c.0, c.1));
        let (key, before, after) = match (bk, hk) {
            (Some(b), Some(h)) if b == h => {
                i += 1;
                j += 1;
                (b, base_conns[i - 1].2, head_conns[j - 1].2)
            }
            (Some(b), Some(h)) if b < h => {
                i += 1;
                (b, base_conns[i - 1].2, &none)
            }
            (Some(b), None) => {
                i += 1;
                (b, base_conns[i - 1].2, &none)
            }
            (_, Some(h)) => {
                j += 1;
                (h, &none, head_conns[j - 1].2)
            }
            (None, None) => break,
        };
        if before == after {
            continue;
        }
        changes.push(make_change(&union, key, before, after));
    }
    changes.sort_by(|a, b| (a.rank(), &a.to, &a.from).cmp(&(b.rank(), &b.to, &b.from)));
    let pick = |side: &Vec<bool>, other: &Vec<bool>| -> Vec<String> {
        (0..union.external_from)
            .filter(|&u| side[u] && !other[u])
            .map(|u| union.ids[u].to_string())
            .collect()
    };
    Diff {
        added_endpoints: pick(&union.in_head, &union.in_base),
        removed_endpoints: pick(&union.in_base, &union.in_head),
        changes,
    }
}

fn make_change(union: &Union<'_>, (f, t): (u32, u32), before: &PortSet, after: &PortSet) -> Change {
    let end = |u: u32| {
        let u = u as usize;
        PairEnd {
            id: &union.ids[u],
            namespace: union.namespaces[u],
            external: u >= union.external_from,
            in_before: union.in_base[u],
            in_after: union.in_head[u],
        }
    };
    Change::between(&end(f), &end(t), before, after)
}

/// One end of a changed pair, as [`Change::between`] reads it.
pub(crate) struct PairEnd<'a> {
    pub id: &'a str,
    pub namespace: Option<&'a str>,
    pub external: bool,
    /// Whether the endpoint exists before and after (always, for the outside world).
    pub in_before: bool,
    pub in_after: bool,
}

impl Change {
    /// Classifies one pair whose ports went from `before` to `after`; the diff of two
    /// analyses and the lock file's drift both describe changes this way.
    pub(crate) fn between(from: &PairEnd<'_>, to: &PairEnd<'_>, before: &PortSet, after: &PortSet) -> Change {
        let added = after.difference(before);
        let removed = before.difference(after);
        let kind = match (added.is_empty(), removed.is_empty()) {
            (false, true) => ChangeKind::Exposure,
            (true, false) => ChangeKind::Breakage,
            _ => ChangeKind::Mixed,
        };
        let scope = if from.external || to.external {
            Scope::External
        } else if from.namespace == to.namespace {
            Scope::SameNamespace
        } else {
            Scope::CrossNamespace
        };
        let endpoint_change = [from, to].into_iter().find_map(|end| {
            if !end.in_before {
                Some(EndpointChange::Added)
            } else if !end.in_after {
                Some(EndpointChange::Removed)
            } else {
                None
            }
        });
        Change {
            from: from.id.to_string(),
            to: to.id.to_string(),
            before: before.clone(),
            after: after.clone(),
            added,
            removed,
            kind,
            scope,
            endpoint_change,
        }
    }
}

/// Maps each side's endpoint indices to union indices; external endpoints map to several.
#[allow(clippy::many_single_char_names)] // i/j walk the two sorted sides, b/h/e/u name their items
fn union_endpoints<'a>(base: &'a Analysis, head: &'a Analysis) -> (Union<'a>, Mapping, Mapping) {
    let mut union = Union {
        ids: Vec::new(),
        namespaces: Vec::new(),
        in_base: Vec::new(),
        in_head: Vec::new(),
        external_from: 0,
    };
    let mut base_map = Mapping::new(base);
    let mut head_map = Mapping::new(head);
    let bw = &base.endpoints[..base.workload_count];
    let hw = &head.endpoints[..head.workload_count];
    let (mut i, mut j) = (0, 0);
    let push = |union: &mut Union<'a>, e: &'a Endpoint, in_base: bool, in_head: bool| {
        union.ids.push(Cow::Borrowed(&e.id));
        union.namespaces.push(e.namespace.as_deref());
        union.in_base.push(in_base);
        union.in_head.push(in_head);
        (union.ids.len() - 1) as u32
    };
    while i < bw.len() || j < hw.len() {
        match (bw.get(i), hw.get(j)) {
            (Some(b), Some(h)) if b.id == h.id => {
                let u = push(&mut union, b, true, true);
                base_map.workloads[i] = u;
                head_map.workloads[j] = u;
                i += 1;
                j += 1;
            }
            (Some(b), Some(h)) if b.id < h.id => {
                base_map.workloads[i] = push(&mut union, b, true, false);
                i += 1;
            }
            (Some(b), None) => {
                base_map.workloads[i] = push(&mut union, b, true, false);
                i += 1;
            }
            (_, Some(h)) => {
                head_map.workloads[j] = push(&mut union, h, false, true);
                j += 1;
            }
            (None, None) => break,
        }
    }
    union.external_from = union.ids.len();
    // Joint external groups: atoms with the same (base group, head group).
    let atoms = base.reach.atoms.len().min(head.reach.atoms.len());
    let group_of = |a: &Analysis| {
        let mut of = vec![0usize; a.reach.atoms.len()];
        for (g, members) in a.reach.groups.iter().enumerate() {
            for &atom in members {
                of[atom] = g;
            }
        }
        of
    };
    let (bg, hg) = (group_of(base), group_of(head));
    let mut joint: HashMap<(usize, usize), usize> = HashMap::default();
    let mut joint_atoms: Vec<Vec<usize>> = Vec::new();
    for atom in 0..atoms {
        let key = (bg[atom], hg[atom]);
        let k = *joint.entry(key).or_insert_with(|| {
            joint_atoms.push(Vec::new());
            joint_atoms.len() - 1
        });
        joint_atoms[k].push(atom);
    }
    let mut keys: Vec<((usize, usize), usize)> = joint.into_iter().collect();
    keys.sort_by_key(|&(_, k)| k);
    for ((gb, gh), k) in keys {
        let set = base.reach.atoms.to_set(joint_atoms[k].iter().copied());
        let u = union.ids.len() as u32;
        union.ids.push(Cow::Owned(external_id(&set)));
        union.namespaces.push(None);
        union.in_base.push(true);
        union.in_head.push(true);
        base_map.externals[gb].push(u);
        head_map.externals[gh].push(u);
    }
    (union, base_map, head_map)
}

/// One side's endpoints → union endpoints: one per workload, one or more per external
/// endpoint (its atoms may fall into several joint groups).
struct Mapping {
    workloads: Vec<u32>,
    externals: Vec<Vec<u32>>,
}

impl Mapping {
    fn new(analysis: &Analysis) -> Self {
        Mapping {
            workloads: vec![0; analysis.workload_count],
            externals: vec![Vec::new(); analysis.endpoints.len() - analysis.workload_count],
        }
    }

    fn get(&self, endpoint: u32) -> &[u32] {
        let endpoint = endpoint as usize;
        match self.workloads.get(endpoint) {
            Some(u) => std::slice::from_ref(u),
            None => &self.externals[endpoint - self.workloads.len()],
        }
    }
}

fn expand<'a>(analysis: &'a Analysis, map: &Mapping) -> Vec<(u32, u32, &'a PortSet)> {
    let mut out = Vec::with_capacity(analysis.connections.len());
    for c in &analysis.connections {
        let ports = analysis.ports(c);
        for &f in map.get(c.from) {
            for &t in map.get(c.to) {
                out.push((f, t, ports));
            }
        }
    }
    out.sort_unstable_by_key(|&(f, t, _)| (f, t));
    out
}
