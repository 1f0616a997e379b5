//! The lock file (`netreach.lock.json`): the approved reachability, committed next to the
//! manifests, and the drift of the current reachability from it.
//!
//! [`snapshot`] writes the reachability of an analysis in a stable, sorted, diff-friendly form —
//! one endpoint and one connection per line — that depends only on who can reach whom:
//! renaming or reordering policies, or rewriting them equivalently, gives the same bytes.
//!
//! ```json
//! {
//!   "version": 1,
//!   "endpoints": [
//!     {"id": "shop-core/Deployment/payments"},
//!     {"id": "external:203.0.113.0/24", "cidrs": ["203.0.113.0/24"]}
//!   ],
//!   "connections": [
//!     {"from": "shop-core/Deployment/payments", "to": "external:203.0.113.0/24", "ports": "TCP 443"}
//!   ]
//! }
//! ```
//!
//! Endpoints are the workloads (`namespace/Kind/name`, sorted), then the outside world as the
//! analysis groups it (addresses with identical connectivity; `cidrs` lists them exactly).
//! Connections are sorted by source, then destination, in endpoint order; `ports` uses the
//! form [`PortSet`] prints (`TCP 80,443; UDP 53`, `TCP all`, `all ports`), which
//! [`crate::expect::ports::parse_port_set`] reads back.
//!
//! [`compare`] reads a lock and returns the drift as a [`Diff`] (lock = base, current = head),
//! so every renderer shows it with the code it uses for pull-request diffs. Workloads are
//! matched by id. The outside world is matched by address, not by id: the ranges of both sides
//! are cut against each other, so a lock taken on identical input always compares clean, and a
//! changed ipBlock shows as the addresses whose connectivity changed
//! (`payments → external:203.0.113.128/25: removed TCP 443`).
//!
//! ```
//! use netreach_core::{api, lock, Options, SourceFile};
//! let files = [SourceFile::new("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\n")];
//! let (_, analysis) = api::analyze(&files, &Options::default());
//! let text = lock::snapshot(&analysis);
//! assert!(lock::compare(&analysis, &text).unwrap().clean);
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::analysis::{external_id, Analysis, EXTERNAL_PREFIX};
use crate::diff::{Change, Diff, PairEnd};
use crate::expect::ports::parse_port_set;
use crate::expect::subject::external_set;
use crate::ipset::IpSet;
use crate::parse::field_line;
use crate::ports::PortSet;

/// The lock format version this crate writes and reads.
pub const LOCK_VERSION: u32 = 1;

/// Where front-ends look for the lock file when none is named.
pub const DEFAULT_LOCK_PATH: &str = "netreach.lock.json";

/// The current reachability against the lock.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockDrift {
    /// True when nothing changed.
    pub clean: bool,
    /// Changes that allow more than the lock.
    pub exposures: usize,
    /// Changes that allow less than the lock.
    pub breakages: usize,
    /// Lock = before, current = after; shaped like a pull request's diff.
    pub diff: Diff,
}

/// What kind of problem a [`LockError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockErrorKind {
    /// Not valid JSON.
    Syntax,
    /// Valid JSON, but not a lock file this version reads: unknown or missing member, wrong
    /// type, unsupported version, bad ports or CIDRs, unknown or duplicate endpoints.
    Invalid,
}

/// An unusable lock file. Front-ends stop on it (regenerate it with `snapshot`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "camelCase")]
#[error("line {line}: {message}")]
pub struct LockError {
    pub kind: LockErrorKind,
    /// One-based line in the lock file.
    pub line: usize,
    /// Member path, e.g. `connections[3].ports`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

/// Writes the lock file text of an analysis.
pub fn snapshot(analysis: &Analysis) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = format!("{{\n  \"version\": {LOCK_VERSION},\n  \"endpoints\": [");
    let mut lines = Vec::with_capacity(analysis.endpoints.len());
    for (i, endpoint) in analysis.endpoints.iter().enumerate() {
        if i < analysis.workload_count {
            lines.push(format!("    {{\"id\": {}}}", q(&endpoint.id)));
        } else {
            let cidrs: Vec<String> = external_set(analysis, i).to_cidrs().iter().map(|c| q(c)).collect();
            lines.push(format!(
                "    {{\"id\": {}, \"cidrs\": [{}]}}",
                q(&endpoint.id),
                cidrs.join(", ")
            ));
        }
    }
    push_lines(&mut out, &lines);
    out.push_str(",\n  \"connections\": [");
    let lines: Vec<String> = analysis
        .connections
        .iter()
        .map(|c| {
            format!(
                "    {{\"from\": {}, \"to\": {}, \"ports\": {}}}",
                q(&analysis.endpoints[c.from as usize].id),
                q(&analysis.endpoints[c.to as usize].id),
                q(&analysis.ports(c).to_string())
            )
        })
        .collect();
    push_lines(&mut out, &lines);
    out.push_str("\n}\n");
    out
}

fn push_lines(out: &mut String, lines: &[String]) {
    if lines.is_empty() {
        out.push(']');
        return;
    }
    out.push('\n');
    out.push_str(&lines.join(",\n"));
    out.push_str("\n  ]");
}

/// Compares the current analysis with a lock file's text.
pub fn compare(analysis: &Analysis, lock_text: &str) -> Result<LockDrift, LockError> {
    let locked = read(lock_text)?;
    let current = State::of(analysis);
    let diff = drift(&locked, &current);
    Ok(LockDrift {
        clean: diff.is_empty(),
        exposures: diff.exposures(),
        breakages: diff.breakages(),
        diff,
    })
}

/// One end of a connection in a [`State`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Workload(usize),
    External(usize),
}

/// Reachability in lock terms: workload ids, external address sets, connections.
struct State {
    workloads: Vec<String>,
    externals: Vec<IpSet>,
    connections: Vec<(End, End, PortSet)>,
}

impl State {
    fn of(analysis: &Analysis) -> Self {
        let wc = analysis.workload_count;
        let end = |i: u32| {
            let i = i as usize;
            if i < wc {
                End::Workload(i)
            } else {
                End::External(i - wc)
            }
        };
        State {
            workloads: analysis.endpoints[..wc].iter().map(|e| e.id.to_string()).collect(),
            externals: (wc..analysis.endpoints.len())
                .map(|e| external_set(analysis, e))
                .collect(),
            connections: analysis
                .connections
                .iter()
                .map(|c| (end(c.from), end(c.to), analysis.ports(c).clone()))
                .collect(),
        }
    }
}

#[derive(Deserialize)]
struct VersionOnly {
    version: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    #[allow(dead_code)]
    version: u32,
    endpoints: Vec<LockEndpoint>,
    connections: Vec<LockConnection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockEndpoint {
    id: String,
    #[serde(default)]
    cidrs: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockConnection {
    from: String,
    to: String,
    ports: String,
}

fn json_error(error: &serde_json::Error) -> LockError {
    let kind = match error.classify() {
        serde_json::error::Category::Data => LockErrorKind::Invalid,
        _ => LockErrorKind::Syntax,
    };
    let mut message = error.to_string();
    if let Some(at) = message.find(" at line ") {
        message.truncate(at);
    }
    let message = match kind {
        LockErrorKind::Syntax => format!("invalid JSON: {message}"),
        LockErrorKind::Invalid => format!("not a netreach lock file: {message}"),
    };
    LockError {
        kind,
        line: error.line().max(1),
        field: None,
        message,
    }
}

fn read(text: &str) -> Result<State, LockError> {
    let invalid = |field: &str, message: String| LockError {
        kind: LockErrorKind::Invalid,
        line: field_line(text, 1, field).unwrap_or(1),
        field: Some(field.to_string()),
        message: format!("{field}: {message}"),
    };
    let version: VersionOnly = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    match version.version {
        None => {
            return Err(LockError {
                kind: LockErrorKind::Invalid,
                line: 1,
                field: None,
                message: "not a netreach lock file: `version` is missing".to_string(),
            })
        }
        Some(v) if v.as_u64() == Some(u64::from(LOCK_VERSION)) => {}
        Some(v) => {
            return Err(invalid(
                "version",
                format!(
                    "unsupported lock version {v}: this netreach reads version {LOCK_VERSION}; regenerate the lock"
                ),
            ))
        }
    }
    let file: LockFile = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let mut ids: HashMap<&str, End> = HashMap::new();
    let mut state = State {
        workloads: Vec::new(),
        externals: Vec::new(),
        connections: Vec::new(),
    };
    for (i, endpoint) in file.endpoints.iter().enumerate() {
        let field = format!("endpoints[{i}]");
        let end = if endpoint.id.starts_with(EXTERNAL_PREFIX) {
            let Some(cidrs) = &endpoint.cidrs else {
                return Err(invalid(
                    &field,
                    format!("external endpoint {:?} needs `cidrs`", endpoint.id),
                ));
            };
            let mut set = IpSet::empty();
            for (j, cidr) in cidrs.iter().enumerate() {
                let part =
                    IpSet::parse_cidr(cidr).map_err(|e| invalid(&format!("{field}.cidrs[{j}]"), e.to_string()))?;
                set = set.union(&part);
            }
            if let Some(other) = state.externals.iter().position(|s| !s.intersect(&set).is_empty()) {
                return Err(invalid(
                    &field,
                    format!(
                        "addresses of {:?} overlap those of endpoint {:?}",
                        endpoint.id,
                        external_id(&state.externals[other])
                    ),
                ));
            }
            state.externals.push(set);
            End::External(state.externals.len() - 1)
        } else {
            if endpoint.cidrs.is_some() {
                return Err(invalid(
                    &format!("{field}.cidrs"),
                    format!("only external endpoints (ids starting with {EXTERNAL_PREFIX:?}) have cidrs"),
                ));
            }
            state.workloads.push(endpoint.id.clone());
            End::Workload(state.workloads.len() - 1)
        };
        if ids.insert(endpoint.id.as_str(), end).is_some() {
            return Err(invalid(
                &format!("{field}.id"),
                format!("duplicate endpoint {:?}", endpoint.id),
            ));
        }
    }
    let mut seen = HashMap::new();
    for (i, c) in file.connections.iter().enumerate() {
        let field = format!("connections[{i}]");
        let lookup = |key: &str, id: &str| {
            ids.get(id).copied().ok_or_else(|| {
                invalid(
                    &format!("{field}.{key}"),
                    format!("{id:?} is not listed in `endpoints`"),
                )
            })
        };
        let from = lookup("from", &c.from)?;
        let to = lookup("to", &c.to)?;
        let ports = parse_port_set(&c.ports).map_err(|m| invalid(&format!("{field}.ports"), m))?;
        if seen.insert((c.from.as_str(), c.to.as_str()), i).is_some() {
            return Err(invalid(
                &field,
                format!("the connection {} → {} is listed twice", c.from, c.to),
            ));
        }
        state.connections.push((from, to, ports));
    }
    Ok(state)
}

/// A node of the joint endpoint space: a workload of either side, or a piece of the outside
/// world that lies in one external endpoint of each side.
struct Node {
    id: String,
    namespace: Option<String>,
    external: bool,
    in_lock: bool,
    in_current: bool,
}

fn drift(lock: &State, current: &State) -> Diff {
    // Workloads of both sides, by id.
    let mut workload_ids: BTreeMap<&str, (Option<usize>, Option<usize>)> = BTreeMap::new();
    for (i, id) in lock.workloads.iter().enumerate() {
        workload_ids.entry(id).or_default().0 = Some(i);
    }
    for (i, id) in current.workloads.iter().enumerate() {
        workload_ids.entry(id).or_default().1 = Some(i);
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut lock_map: Vec<Vec<usize>> = vec![Vec::new(); lock.workloads.len()];
    let mut current_map: Vec<Vec<usize>> = vec![Vec::new(); current.workloads.len()];
    for (id, (l, c)) in &workload_ids {
        let n = nodes.len();
        nodes.push(Node {
            id: (*id).to_string(),
            namespace: id.split('/').next().map(str::to_string),
            external: false,
            in_lock: l.is_some(),
            in_current: c.is_some(),
        });
        if let Some(l) = l {
            lock_map[*l].push(n);
        }
        if let Some(c) = c {
            current_map[*c].push(n);
        }
    }
    // The outside world: every non-empty intersection of a lock range and a current range.
    // Addresses a (hand-edited) lock does not cover have no connections in the lock.
    let uncovered = |sets: &[IpSet]| sets.iter().fold(IpSet::all(), |acc, s| acc.difference(s));
    let lock_sets: Vec<Option<&IpSet>> = lock.externals.iter().map(Some).collect();
    let current_sets: Vec<Option<&IpSet>> = current.externals.iter().map(Some).collect();
    let (lock_rest, current_rest) = (uncovered(&lock.externals), uncovered(&current.externals));
    let mut pieces: Vec<(IpSet, Option<usize>, Option<usize>)> = Vec::new();
    for (l, lset) in lock_sets.iter().copied().chain([None]).enumerate() {
        for (c, cset) in current_sets.iter().copied().chain([None]).enumerate() {
            let piece = lset.unwrap_or(&lock_rest).intersect(cset.unwrap_or(&current_rest));
            if (lset.is_none() && cset.is_none()) || piece.is_empty() {
                continue;
            }
            pieces.push((piece, lset.map(|_| l), cset.map(|_| c)));
        }
    }
    pieces.sort();
    let mut lock_ext: Vec<Vec<usize>> = vec![Vec::new(); lock.externals.len()];
    let mut current_ext: Vec<Vec<usize>> = vec![Vec::new(); current.externals.len()];
    for (set, l, c) in &pieces {
        let n = nodes.len();
        nodes.push(Node {
            id: external_id(set),
            namespace: None,
            external: true,
            in_lock: true,
            in_current: true,
        });
        if let Some(l) = l {
            lock_ext[*l].push(n);
        }
        if let Some(c) = c {
            current_ext[*c].push(n);
        }
    }
    let expand = |state: &State, workloads: &[Vec<usize>], externals: &[Vec<usize>]| {
        let nodes_of = |end: End| match end {
            End::Workload(i) => &workloads[i],
            End::External(i) => &externals[i],
        };
        let mut map: BTreeMap<(usize, usize), PortSet> = BTreeMap::new();
        for (from, to, ports) in &state.connections {
            for &f in nodes_of(*from) {
                for &t in nodes_of(*to) {
                    map.entry((f, t)).or_default().add(ports);
                }
            }
        }
        map
    };
    let before = expand(lock, &lock_map, &lock_ext);
    let after = expand(current, &current_map, &current_ext);
    let none = PortSet::none();
    let mut keys: Vec<&(usize, usize)> = before.keys().chain(after.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut changes: Vec<Change> = keys
        .into_iter()
        .filter_map(|key| {
            let b = before.get(key).unwrap_or(&none);
            let a = after.get(key).unwrap_or(&none);
            (b != a).then(|| change(&nodes, *key, b, a))
        })
        .collect();
    changes.sort_by(|a, b| (a.rank(), &a.to, &a.from).cmp(&(b.rank(), &b.to, &b.from)));
    let pick = |f: fn(&Node) -> bool| -> Vec<String> {
        nodes
            .iter()
            .filter(|n| !n.external && f(n))
            .map(|n| n.id.clone())
            .collect()
    };
    Diff {
        changes,
        added_endpoints: pick(|n| n.in_current && !n.in_lock),
        removed_endpoints: pick(|n| n.in_lock && !n.in_current),
    }
}

fn change(nodes: &[Node], (f, t): (usize, usize), before: &PortSet, after: &PortSet) -> Change {
    Change::between(&nodes[f].end(), &nodes[t].end(), before, after)
}

impl Node {
    fn end(&self) -> PairEnd<'_> {
        PairEnd {
            id: &self.id,
            namespace: self.namespace.as_deref(),
            external: self.external,
            in_before: self.in_lock,
            in_after: self.in_current,
        }
    }
}
