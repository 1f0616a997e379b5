//! Conformance with np-guard/netpol-analyzer's golden outputs.
//!
//! For every input dir of `shared/fixtures/netpol-analyzer` with a connlist golden
//! (`_expected/connlist/<dir>_connlist_output.txt`) and every diff pair with a golden
//! (`_expected/diff/diff_between_<REF2>_and_<REF1>.txt`), our analysis (or diff REF1 → REF2)
//! is compared with the golden as sets of (source, destination, ports) — never as text; so
//! is the CLI golden of `document_with_syntax_error` (see [`EXTRA_CONNLISTS`]). The
//! `bad_netpols` inputs, which have no goldens, are checked for the errors they must raise.
//!
//! Names map `ns/name[Kind]` ↔ `ns/Kind/name`; external ranges `A-B[External]` ↔ our external
//! endpoints' CIDRs by cutting both sides into common atomic IPv4 ranges. Two output
//! conventions of the peer are normalised away: it names IPv4 ranges only (our IPv6
//! addresses are not compared), and it never lists self-edges (ours are left out).
//!
//! Every remaining difference must be claimed by a named entry of [`EXCEPTIONS`], each
//! documented in `tests/conformance/DIFFERENCES.md`; an unclaimed difference, or an
//! exception that claims nothing, fails the test.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::net::Ipv4Addr;
use std::path::Path;

use netreach_core::analysis::{self, external_id, Analysis};
use netreach_core::diff::{self, Diff, EndpointChange};
use netreach_core::engine::address_sets;
use netreach_core::ipset::{Family, IpSet};
use netreach_core::model::Model;
use netreach_core::ports::{PortSet, Protocol};
use netreach_core::{api, parse, Options};

/// A deliberate difference from the peer tool: which fixtures and which pairs it explains.
struct Exception {
    /// Heading in `tests/conformance/DIFFERENCES.md`.
    name: &'static str,
    /// Fixtures (connlist dir, or `REF1 -> REF2` for a diff) where it applies.
    fixtures: &'static [&'static str],
    /// Whether it explains this difference.
    claims: fn(&Mismatch) -> bool,
}

/// Known deliberate differences; see `tests/conformance/DIFFERENCES.md`.
const EXCEPTIONS: &[Exception] = &[
    Exception {
        name: "hostNetwork pods are not subject to NetworkPolicy",
        fixtures: &[
            "ipblockstest",
            "ipblockstest_2",
            "ipblockstest -> ipblockstest_2",
            "ipblockstest -> ipblockstest_4",
        ],
        claims: |m| m.host_network,
    },
    Exception {
        name: "Routes and Ingress objects are not modelled",
        fixtures: &[
            "acs-security-demos",
            "k8s_ingress_test",
            "acs-security-demos -> acs-security-demos-added-workloads",
            "acs-security-demos -> acs-security-demos-new",
            "acs-security-demos -> acs-security-demos-no-routes",
            "k8s_ingress_test -> k8s_ingress_test_new",
        ],
        claims: |m| m.src == INGRESS_CONTROLLER && m.ours == NOT_MODELLED,
    },
    Exception {
        name: "Documents after a YAML syntax error are still read",
        fixtures: &["document_with_syntax_error"],
        claims: |m| m.unknown_to_peer && m.theirs == "No Connections",
    },
];

const INGRESS_CONTROLLER: &str = "{ingress-controller}";
const NOT_MODELLED: &str = "not modelled";

// ---------------------------------------------------------------------------------------
// Names and port sets in the peer's text format.

/// One end of a golden line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Peer {
    /// Our id: `ns/Kind/name`.
    Workload(String),
    /// Inclusive IPv4 range.
    Range(u32, u32),
    /// `{ingress-controller}`: Routes and Ingress objects, which we do not model.
    IngressController,
}

fn parse_peer(text: &str) -> Peer {
    if text == "{ingress-controller}" {
        return Peer::IngressController;
    }
    let (name, kind) = text
        .strip_suffix(']')
        .and_then(|t| t.split_once('['))
        .unwrap_or_else(|| panic!("unexpected peer {text:?}"));
    if kind == "External" {
        let (lo, hi) = name
            .split_once('-')
            .unwrap_or_else(|| panic!("unexpected range {name:?}"));
        let ip = |s: &str| u32::from(s.parse::<Ipv4Addr>().unwrap_or_else(|e| panic!("{s:?}: {e}")));
        return Peer::Range(ip(lo), ip(hi));
    }
    let (ns, workload) = name
        .split_once('/')
        .unwrap_or_else(|| panic!("unexpected workload {name:?}"));
    Peer::Workload(format!("{ns}/{kind}/{workload}"))
}

/// `All Connections`, `No Connections`, `TCP 8080,9555`, `TCP 10053-10054,UDP 10053`.
fn parse_ports(text: &str) -> PortSet {
    match text {
        "All Connections" => return PortSet::all(),
        "No Connections" => return PortSet::none(),
        _ => {}
    }
    let mut set = PortSet::none();
    let mut protocol = None;
    for token in text.split(',') {
        let token = token.trim();
        let range = match token.split_once(' ') {
            Some((p, range)) => {
                protocol = Some(Protocol::parse(p).unwrap_or_else(|| panic!("protocol {p:?} in {text:?}")));
                range
            }
            None => token,
        };
        let protocol = protocol.unwrap_or_else(|| panic!("no protocol in {text:?}"));
        let port = |s: &str| {
            s.parse::<u16>()
                .unwrap_or_else(|e| panic!("port {s:?} in {text:?}: {e}"))
        };
        let (lo, hi) = range
            .split_once('-')
            .map_or_else(|| (port(range), port(range)), |(a, b)| (port(a), port(b)));
        set.add(&PortSet::range(protocol, lo, hi));
    }
    set
}

/// `src => dst : conns` lines.
fn parse_connlist(text: &str) -> Vec<(Peer, Peer, PortSet)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (pair, conns) = line
                .rsplit_once(" : ")
                .unwrap_or_else(|| panic!("connlist line {line:?}"));
            let (src, dst) = pair
                .split_once(" => ")
                .unwrap_or_else(|| panic!("connlist line {line:?}"));
            (
                parse_peer(src.trim()),
                parse_peer(dst.trim()),
                parse_ports(conns.trim()),
            )
        })
        .collect()
}

/// One line of a diff golden.
struct DiffLine {
    src: Peer,
    dst: Peer,
    before: PortSet,
    after: PortSet,
    /// `workload ns/name[Kind] added|removed` → (our id, added?).
    info: Option<(String, bool)>,
}

/// `diff-type: changed, source: …, destination: …, ref1: …, ref2: …[, workloads-diff-info: …]`.
fn parse_diff(text: &str) -> Vec<DiffLine> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "Connectivity diff:")
        .map(|line| {
            let fields: HashMap<&str, &str> = line
                .split(", ")
                .map(|part| {
                    part.split_once(": ")
                        .unwrap_or_else(|| panic!("diff field {part:?} in {line:?}"))
                })
                .collect();
            let get = |key: &str| *fields.get(key).unwrap_or_else(|| panic!("no {key} in {line:?}"));
            let (before, after) = (parse_ports(get("ref1")), parse_ports(get("ref2")));
            let expected_type = match (before.is_empty(), after.is_empty()) {
                (true, false) => "added",
                (false, true) => "removed",
                _ => "changed",
            };
            assert_eq!(get("diff-type"), expected_type, "inconsistent golden line {line:?}");
            let info = fields.get("workloads-diff-info").map(|info| {
                let rest = info
                    .strip_prefix("workload ")
                    .unwrap_or_else(|| panic!("info {info:?}"));
                let (name, what) = rest.rsplit_once(' ').unwrap_or_else(|| panic!("info {info:?}"));
                let Peer::Workload(id) = parse_peer(name) else {
                    panic!("info {info:?}")
                };
                (id, what == "added")
            });
            DiffLine {
                src: parse_peer(get("source")),
                dst: parse_peer(get("destination")),
                before,
                after,
                info,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Atomic IPv4 ranges: the common refinement of both sides' ranges.

#[derive(Default)]
struct Cuts(BTreeSet<u64>);

impl Cuts {
    fn add(&mut self, lo: u32, hi: u32) {
        self.0.insert(u64::from(lo));
        self.0.insert(u64::from(hi) + 1);
    }
    fn peers<'a>(&mut self, peers: impl IntoIterator<Item = &'a Peer>) {
        for peer in peers {
            if let Peer::Range(lo, hi) = peer {
                self.add(*lo, *hi);
            }
        }
    }
    fn ranges(&mut self, ranges: &[(u32, u32)]) {
        for &(lo, hi) in ranges {
            self.add(lo, hi);
        }
    }
    fn freeze(mut self) -> Atoms {
        self.0.insert(0);
        self.0.insert(1 << 32);
        Atoms(self.0.into_iter().collect())
    }
}

/// Sorted cut points; atom `i` is `cuts[i] ..= cuts[i + 1] - 1`.
struct Atoms(Vec<u64>);

impl Atoms {
    fn of(&self, lo: u32, hi: u32) -> std::ops::Range<usize> {
        let start = self.0.binary_search(&u64::from(lo)).expect("cut at range start");
        let end = self.0.binary_search(&(u64::from(hi) + 1)).expect("cut after range end");
        start..end
    }
    fn range(&self, atom: usize) -> (u32, u32) {
        (self.0[atom] as u32, (self.0[atom + 1] - 1) as u32)
    }
}

/// A node of the compared graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Node {
    Workload(String),
    Atom(usize),
}

fn v4_ranges(set: &IpSet) -> Vec<(u32, u32)> {
    set.ranges(Family::V4)
        .iter()
        .map(|&(lo, hi)| (lo as u32, hi as u32))
        .collect()
}

/// The IPv4 ranges of every external endpoint of an analysis (by endpoint index).
fn external_ranges(analysis: &Analysis) -> HashMap<usize, Vec<(u32, u32)>> {
    analysis
        .endpoints
        .iter()
        .enumerate()
        .filter(|(_, e)| e.is_external())
        .map(|(i, e)| (i, v4_ranges(&common::external_set(e))))
        .collect()
}

/// Expands one end to nodes.
fn nodes(peer: &Peer, atoms: &Atoms) -> Vec<Node> {
    match peer {
        Peer::Workload(id) => vec![Node::Workload(id.clone())],
        Peer::Range(lo, hi) => atoms.of(*lo, *hi).map(Node::Atom).collect(),
        Peer::IngressController => Vec::new(),
    }
}

fn ranges_nodes(ranges: &[(u32, u32)], atoms: &Atoms) -> Vec<Node> {
    ranges
        .iter()
        .flat_map(|&(lo, hi)| atoms.of(lo, hi).map(Node::Atom))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Differences.

/// One difference between our result and the golden, atoms merged back into ranges.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Mismatch {
    fixture: String,
    /// `ns/Kind/name`, `A.B.C.D-E.F.G.H` (IPv4 range) or `{ingress-controller}`.
    src: String,
    dst: String,
    /// Connlist: the ports; diff: `before -> after`; or a workloads-diff-info remark.
    theirs: String,
    ours: String,
    /// Whether one end is a workload with `hostNetwork: true` in our model.
    host_network: bool,
    /// Whether one end is a workload that no line of the golden names.
    unknown_to_peer: bool,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host_network { " (hostNetwork end)" } else { "" };
        let unknown = if self.unknown_to_peer {
            " (end unknown to the peer)"
        } else {
            ""
        };
        write!(
            f,
            "[{}] {} => {}{host}{unknown}: theirs {:?}, ours {:?}",
            self.fixture, self.src, self.dst, self.theirs, self.ours
        )
    }
}

/// A workload id, or an atom.
fn split_node(node: &Node) -> (Option<&str>, Option<usize>) {
    match node {
        Node::Workload(id) => (Some(id.as_str()), None),
        Node::Atom(a) => (None, Some(*a)),
    }
}

fn range_name((lo, hi): (u32, u32)) -> String {
    format!("{}-{}", Ipv4Addr::from(lo), Ipv4Addr::from(hi))
}

/// Both sides' values per node pair.
struct Compared<'a, V> {
    fixture: &'a str,
    atoms: &'a Atoms,
    theirs: BTreeMap<(Node, Node), V>,
    ours: BTreeMap<(Node, Node), V>,
    /// Ids of our host-network workloads.
    host_network: BTreeSet<String>,
    /// Workload ids the golden names.
    known: BTreeSet<String>,
}

impl<V: PartialEq> Compared<'_, V> {
    /// Pairs whose values differ (a missing pair counts as `absent`), as mismatches with runs
    /// of adjacent atoms merged back into ranges.
    fn mismatches(&self, absent: &V, show: impl Fn(Option<&V>) -> String) -> Vec<Mismatch> {
        /// `((src, dst), atom, theirs, ours)`: an end is `None` where the atom is.
        type Differing<'k> = ((Option<&'k str>, Option<&'k str>), Option<usize>, String, String);
        /// The same with the atoms of a run merged into one range.
        type Run = ((Option<String>, Option<String>), Option<(u32, u32)>, String, String);
        let keys: BTreeSet<&(Node, Node)> = self.theirs.keys().chain(self.ours.keys()).collect();
        let mut differing: Vec<Differing> = Vec::new();
        for key in keys {
            let (t, o) = (self.theirs.get(key), self.ours.get(key));
            if t.unwrap_or(absent) == o.unwrap_or(absent) {
                continue;
            }
            let ((s, sa), (d, da)) = (split_node(&key.0), split_node(&key.1));
            differing.push(((s, d), sa.or(da), show(t), show(o)));
        }
        // Group by the ends with the atom left out, then merge runs of adjacent atoms.
        differing.sort();
        let mut runs: Vec<Run> = Vec::new();
        for ((s, d), atom, t, o) in differing {
            let range = atom.map(|a| self.atoms.range(a));
            let ends = (s.map(str::to_string), d.map(str::to_string));
            if let (Some((lo, hi)), Some((last_ends, Some(last_range), last_t, last_o))) = (range, runs.last_mut()) {
                if *last_ends == ends && *last_t == t && *last_o == o && u64::from(last_range.1) + 1 == u64::from(lo) {
                    last_range.1 = hi;
                    continue;
                }
            }
            runs.push((ends, range, t, o));
        }
        runs.into_iter()
            .map(|((s, d), range, theirs, ours)| {
                let ends = || [&s, &d].into_iter().flatten();
                let host_network = ends().any(|id| self.host_network.contains(id));
                let unknown_to_peer = ends().any(|id| !self.known.contains(id));
                let name = |end: Option<String>| end.unwrap_or_else(|| range_name(range.unwrap_or_default()));
                Mismatch {
                    fixture: self.fixture.to_string(),
                    src: name(s.clone()),
                    dst: name(d.clone()),
                    theirs,
                    ours,
                    host_network,
                    unknown_to_peer,
                }
            })
            .collect()
    }
}

/// Workload ids named in a golden.
fn known_workloads<'a>(peers: impl IntoIterator<Item = &'a Peer>) -> BTreeSet<String> {
    peers
        .into_iter()
        .filter_map(|p| match p {
            Peer::Workload(id) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

/// Ids of our host-network workloads.
fn host_network_ids<'a>(analyses: impl IntoIterator<Item = &'a Analysis>) -> BTreeSet<String> {
    analyses
        .into_iter()
        .flat_map(|a| a.endpoints.iter().filter(|e| e.host_network).map(|e| e.id.to_string()))
        .collect()
}

/// Ports as the peer writes them (close enough to compare by eye).
fn peer_ports(ports: &PortSet) -> String {
    if ports.is_all() {
        "All Connections".into()
    } else if ports.is_empty() {
        "No Connections".into()
    } else {
        ports.to_string()
    }
}

// ---------------------------------------------------------------------------------------
// Connlist.

fn check_connlist(dir: &str, model: &Model, golden: &str) -> Vec<Mismatch> {
    let analysis = analysis::analyze(model, &[]);
    let lines = parse_connlist(golden);
    let ours_ext = external_ranges(&analysis);
    let mut cuts = Cuts::default();
    for (s, d, _) in &lines {
        cuts.peers([s, d]);
    }
    for ranges in ours_ext.values() {
        cuts.ranges(ranges);
    }
    let atoms = cuts.freeze();
    let mut compared: Compared<PortSet> = Compared {
        fixture: dir,
        atoms: &atoms,
        theirs: BTreeMap::new(),
        ours: BTreeMap::new(),
        host_network: host_network_ids([&analysis]),
        known: known_workloads(lines.iter().flat_map(|(s, d, _)| [s, d])),
    };
    let mut not_modelled = Vec::new();
    for (s, d, ports) in &lines {
        if *s == Peer::IngressController {
            not_modelled.push(ingress_controller(dir, d, peer_ports(ports)));
        }
        for sn in nodes(s, &atoms) {
            for dn in nodes(d, &atoms) {
                compared.theirs.entry((sn.clone(), dn)).or_default().add(ports);
            }
        }
    }
    let node_of = |e: usize| -> Vec<Node> {
        match ours_ext.get(&e) {
            Some(ranges) => ranges_nodes(ranges, &atoms),
            None => vec![Node::Workload(analysis.endpoints[e].id.to_string())],
        }
    };
    for c in &analysis.connections {
        if c.from == c.to {
            continue; // the peer never lists self-edges
        }
        let ports = analysis.ports(c);
        for sn in node_of(c.from as usize) {
            for dn in node_of(c.to as usize) {
                compared.ours.entry((sn.clone(), dn)).or_default().add(ports);
            }
        }
    }
    let mut mismatches = compared.mismatches(&PortSet::none(), |p| {
        p.map_or_else(|| "No Connections".into(), peer_ports)
    });
    mismatches.extend(not_modelled);
    mismatches
}

/// A golden line from `{ingress-controller}`: nothing on our side can match it.
fn ingress_controller(fixture: &str, dst: &Peer, theirs: String) -> Mismatch {
    let Peer::Workload(dst) = dst else {
        panic!("{fixture}: ingress-controller line to {dst:?}")
    };
    Mismatch {
        fixture: fixture.to_string(),
        src: INGRESS_CONTROLLER.to_string(),
        dst: dst.clone(),
        theirs,
        ours: NOT_MODELLED.to_string(),
        host_network: false,
        unknown_to_peer: false,
    }
}

// ---------------------------------------------------------------------------------------
// Diff.

/// The addresses of an external id of our diff (`external:` + [`IpSet`]'s `Display`):
/// per family either a list of CIDRs or one `cover except hole, hole, …`. Checked by
/// rendering the result again, so a change of that format fails loudly here.
fn parse_external_id(id: &str) -> IpSet {
    let text = id
        .strip_prefix(analysis::EXTERNAL_PREFIX)
        .unwrap_or_else(|| panic!("not an external id: {id}"));
    let cidr = |c: &str| IpSet::parse_cidr(c).unwrap_or_else(|e| panic!("{id}: {e}"));
    let family = |c: &str| {
        if c.contains(':') {
            Family::V6
        } else {
            Family::V4
        }
    };
    let mut set = IpSet::empty();
    // The family of an open `cover except …`: later CIDRs of that family are holes.
    let mut except: Option<Family> = None;
    for token in text.split(", ") {
        if let Some((cover, hole)) = token.split_once(" except ") {
            set = set.union(&cidr(cover).difference(&cidr(hole)));
            except = Some(family(cover));
        } else if except == Some(family(token)) {
            set = set.difference(&cidr(token));
        } else {
            except = None;
            set = set.union(&cidr(token));
        }
    }
    assert_eq!(external_id(&set), id, "external id did not round-trip");
    set
}

/// The diff REF1 → REF2 exactly as [`api::report`] computes it (checked against
/// `api::report` in [`report_diff_is_the_diff_compared_here`]), from already parsed models.
fn diff_models(base: &Model, head: &Model) -> (Diff, Analysis, Analysis) {
    let head_analysis = analysis::analyze(head, &address_sets(base));
    let base_analysis = analysis::analyze(base, &address_sets(head));
    (diff::diff(&base_analysis, &head_analysis), base_analysis, head_analysis)
}

fn check_diff(name: &str, base: &Model, head: &Model, golden: &str) -> Vec<Mismatch> {
    let (diff, base_analysis, head_analysis) = diff_models(base, head);
    let lines = parse_diff(golden);
    let mut ranges: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
    for change in &diff.changes {
        for id in [&change.from, &change.to] {
            if id.starts_with(analysis::EXTERNAL_PREFIX) && !ranges.contains_key(id.as_str()) {
                ranges.insert(id, v4_ranges(&parse_external_id(id)));
            }
        }
    }
    let mut cuts = Cuts::default();
    for line in &lines {
        cuts.peers([&line.src, &line.dst]);
    }
    for r in ranges.values() {
        cuts.ranges(r);
    }
    let atoms = cuts.freeze();
    let mut compared: Compared<(PortSet, PortSet)> = Compared {
        fixture: name,
        atoms: &atoms,
        theirs: BTreeMap::new(),
        ours: BTreeMap::new(),
        host_network: host_network_ids([&base_analysis, &head_analysis]),
        known: known_workloads(lines.iter().flat_map(|l| [&l.src, &l.dst])),
    };
    let show = |(b, a): &(PortSet, PortSet)| format!("{} -> {}", peer_ports(b), peer_ports(a));
    let mut mismatches = Vec::new();
    let mut their_info: BTreeMap<(Node, Node), (String, bool)> = BTreeMap::new();
    for line in &lines {
        let value = (line.before.clone(), line.after.clone());
        if line.src == Peer::IngressController {
            mismatches.push(ingress_controller(name, &line.dst, show(&value)));
        }
        for sn in nodes(&line.src, &atoms) {
            for dn in nodes(&line.dst, &atoms) {
                let key = (sn.clone(), dn);
                if let Some(info) = &line.info {
                    their_info.insert(key.clone(), info.clone());
                }
                compared.theirs.insert(key, value.clone());
            }
        }
    }
    let node_of = |id: &str| -> Vec<Node> {
        match ranges.get(id) {
            Some(r) => ranges_nodes(r, &atoms),
            None => vec![Node::Workload(id.to_string())],
        }
    };
    let mut our_info: BTreeMap<(Node, Node), EndpointChange> = BTreeMap::new();
    for change in &diff.changes {
        if change.from == change.to {
            continue; // the peer never lists self-edges
        }
        for sn in node_of(&change.from) {
            for dn in node_of(&change.to) {
                let key = (sn.clone(), dn);
                if let Some(ec) = change.endpoint_change {
                    our_info.insert(key.clone(), ec);
                }
                compared.ours.insert(key, (change.before.clone(), change.after.clone()));
            }
        }
    }
    let none = (PortSet::none(), PortSet::none());
    mismatches.extend(compared.mismatches(&none, |v| v.map_or_else(|| "unchanged".into(), show)));
    // workloads-diff-info: the pair is marked as caused by that workload on our side too,
    // and the workload is listed as added or removed.
    for (key, (id, added)) in &their_info {
        let expected = if *added {
            EndpointChange::Added
        } else {
            EndpointChange::Removed
        };
        let listed = if *added {
            &diff.added_endpoints
        } else {
            &diff.removed_endpoints
        };
        if our_info.get(key) != Some(&expected) || !listed.contains(id) {
            let name_of = |n: &Node| match n {
                Node::Workload(id) => id.clone(),
                Node::Atom(a) => range_name(atoms.range(*a)),
            };
            mismatches.push(Mismatch {
                fixture: name.to_string(),
                src: name_of(&key.0),
                dst: name_of(&key.1),
                theirs: format!("workload {id} {}", if *added { "added" } else { "removed" }),
                ours: format!("{:?}", our_info.get(key)),
                host_network: compared.host_network.contains(id),
                unknown_to_peer: false,
            });
        }
    }
    mismatches
}

// ---------------------------------------------------------------------------------------
// The tests.

/// Connlist goldens the naming rule does not find: `(dir, golden under _expected/)`. The
/// CLI test's golden for a stream with a broken document has the connlist format.
const EXTRA_CONNLISTS: &[(&str, &str)] = &[(
    "document_with_syntax_error",
    "cli/document_with_syntax_error_connlist_output.txt",
)];

/// Pairs of names: `(dir, connlist golden)` or `(REF1, REF2)`.
type Pairs = Vec<(String, String)>;

/// `(dir, connlist golden)` for every input dir with one, and diff pairs `(REF1, REF2)`
/// with a diff golden.
fn cases(root: &Path) -> (Pairs, Pairs) {
    let dirs: BTreeSet<String> = std::fs::read_dir(root)
        .expect("fixtures dir")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|d| !d.starts_with('_'))
        .collect();
    let mut connlist: Pairs = dirs
        .iter()
        .map(|d| (d.clone(), format!("connlist/{d}_connlist_output.txt")))
        .filter(|(_, golden)| root.join("_expected").join(golden).is_file())
        .collect();
    connlist.extend(EXTRA_CONNLISTS.iter().map(|&(d, g)| (d.to_string(), g.to_string())));
    let mut pairs = Vec::new();
    for entry in std::fs::read_dir(root.join("_expected/diff")).expect("diff goldens") {
        let file = entry.expect("entry").file_name().to_string_lossy().into_owned();
        let Some(stem) = file.strip_prefix("diff_between_").and_then(|f| f.strip_suffix(".txt")) else {
            continue;
        };
        let splits: Vec<(String, String)> = stem
            .match_indices("_and_")
            .map(|(i, sep)| (stem[..i].to_string(), stem[i + sep.len()..].to_string()))
            .filter(|(ref2, ref1)| dirs.contains(ref2) && dirs.contains(ref1))
            .collect();
        assert_eq!(splits.len(), 1, "cannot tell REF1 and REF2 apart in {file}");
        let (ref2, ref1) = splits.into_iter().next().expect("one split");
        pairs.push((ref1, ref2));
    }
    pairs.sort();
    (connlist, pairs)
}

/// Parses every dir once, on all cores: parsing dominates the run time.
fn parse_all(root: &Path, dirs: &BTreeSet<&str>) -> HashMap<String, Model> {
    let dirs: Vec<&str> = dirs.iter().copied().collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(dirs.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parsed = std::sync::Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(dir) = dirs.get(i) else { break };
                let model = parse::parse(&common::load_dir(&root.join(dir)), &Options::default());
                parsed.lock().expect("lock").insert((*dir).to_string(), model);
            });
        }
    });
    parsed.into_inner().expect("lock")
}

fn golden(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join("_expected").join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn netpol_analyzer_goldens() {
    let root = common::fixtures_dir();
    assert!(root.is_dir(), "fixtures not found at {}", root.display());
    let (connlist, pairs) = cases(&root);
    assert!(
        connlist.len() >= 19,
        "expected the connlist goldens, found {connlist:?}"
    );
    assert!(pairs.len() >= 16, "expected the diff goldens, found {pairs:?}");
    let dirs: BTreeSet<&str> = connlist
        .iter()
        .map(|(d, _)| d.as_str())
        .chain(pairs.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]))
        .collect();
    let models = parse_all(&root, &dirs);
    let mut mismatches = Vec::new();
    for (dir, path) in &connlist {
        mismatches.extend(check_connlist(dir, &models[dir], &golden(&root, path)));
    }
    for (ref1, ref2) in &pairs {
        let golden = golden(&root, &format!("diff/diff_between_{ref2}_and_{ref1}.txt"));
        mismatches.extend(check_diff(
            &format!("{ref1} -> {ref2}"),
            &models[ref1],
            &models[ref2],
            &golden,
        ));
    }
    let unexplained: Vec<String> = mismatches
        .iter()
        .filter(|m| {
            !EXCEPTIONS
                .iter()
                .any(|e| e.fixtures.contains(&m.fixture.as_str()) && (e.claims)(m))
        })
        .map(ToString::to_string)
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences from netpol-analyzer (fix the bug, or add a named exception and document it in tests/conformance/DIFFERENCES.md):\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    // Each exception is documented, and still explains something in each of its fixtures.
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/DIFFERENCES.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_else(|e| panic!("{}: {e}", doc_path.display()));
    for e in EXCEPTIONS {
        assert!(
            doc.contains(&format!("\n## {}\n", e.name)),
            "exception {:?} has no section in DIFFERENCES.md",
            e.name
        );
        for fixture in e.fixtures {
            assert!(
                mismatches.iter().any(|m| m.fixture == *fixture && (e.claims)(m)),
                "exception {:?} explains nothing in {fixture} any more: remove it there",
                e.name
            );
        }
    }
}

/// The comparison above reuses parsed models; this checks that its diff is the one
/// `api::report` returns.
#[test]
fn report_diff_is_the_diff_compared_here() {
    let root = common::fixtures_dir();
    for (ref1, ref2) in [
        ("acs-security-demos", "acs-security-demos-new"),
        (
            "onlineboutique_workloads",
            "onlineboutique_workloads_changed_netpols_and_workloads",
        ),
        ("netpol-analysis-example-minimal", "netpol-diff-example-minimal"),
    ] {
        let (base, head) = (common::load_dir(&root.join(ref1)), common::load_dir(&root.join(ref2)));
        let options = Options::default();
        let report = api::report(Some(&base), &head, &options).diff.expect("a diff");
        let (ours, _, _) = diff_models(&parse::parse(&base, &options), &parse::parse(&head, &options));
        assert_eq!(report.changes, ours.changes, "{ref1} -> {ref2}");
        assert_eq!(report.added_endpoints, ours.added_endpoints);
        assert_eq!(report.removed_endpoints, ours.removed_endpoints);
        assert!(!ours.changes.is_empty());
    }
}

#[test]
fn golden_formats_parse() {
    assert_eq!(
        parse_ports("TCP 10053-10054,UDP 10053").to_string(),
        "TCP 10053-10054; UDP 10053"
    );
    assert_eq!(parse_ports("TCP 8080,9555").to_string(), "TCP 8080,9555");
    assert!(parse_ports("All Connections").is_all());
    assert!(parse_ports("No Connections").is_empty());
    assert_eq!(
        parse_peer("default/details-v1-79f774bdb9[ReplicaSet]"),
        Peer::Workload("default/ReplicaSet/details-v1-79f774bdb9".into())
    );
    assert_eq!(
        parse_peer("0.0.0.0-9.255.255.255[External]"),
        Peer::Range(0, 0x09ff_ffff)
    );
    let set = parse_external_id("external:0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, ::/0 except fd00::/8");
    assert!(set.contains_addr("8.8.8.8".parse().expect("ip")));
    assert!(!set.contains_addr("172.16.0.1".parse().expect("ip")));
    assert!(!set.contains_addr("fd00::1".parse().expect("ip")));
    let set = parse_external_id("external:10.0.0.0/24, 10.0.2.0/24, fd00::/8");
    assert_eq!(set.to_cidrs(), ["10.0.0.0/24", "10.0.2.0/24", "fd00::/8"]);
}

/// netpol-analyzer's fatal-error inputs (`bad_netpols/subdir*`, no goldens: upstream asserts
/// the errors in its tests): each invalid policy is an error naming the field, the policy
/// is skipped, and the rest is still analysed.
#[test]
fn bad_netpols_are_rejected_like_the_api_server_would() {
    let root = common::fixtures_dir().join("bad_netpols");
    for (subdir, code, field) in [
        ("subdir1", "invalid-cidr", "spec.ingress[2].from[0].ipBlock.cidr"),
        ("subdir2", "invalid-label", "spec.podSelector.matchLabels"),
        ("subdir3", "ipblock-with-selector", "spec.ingress[0].from[0]"),
        ("subdir4", "empty-peer", "spec.ingress[0].from[0]"),
        (
            "subdir7",
            "invalid-label",
            "spec.egress[0].to[0].podSelector.matchLabels",
        ),
    ] {
        let model = parse::parse(&common::load_dir(&root.join(subdir)), &Options::default());
        let errors: Vec<_> = model
            .diagnostics
            .iter()
            .filter(|d| d.severity == netreach_core::Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{subdir}: {errors:#?}");
        assert_eq!(errors[0].code, code, "{subdir}");
        assert_eq!(errors[0].location.field.as_deref(), Some(field), "{subdir}");
        let policy = errors[0].location.object.as_ref().expect("the policy");
        assert!(
            !model.policies.iter().any(|p| p.name == policy.name),
            "{subdir}: the invalid policy must be skipped"
        );
        assert!(!model.workloads.is_empty(), "{subdir}: the rest is analysed");
    }
}

/// `bad_netpols/subdir6`: the peer rejects a named port in an egress rule to an ipBlock;
/// the API server accepts it, and it matches nothing (see DIFFERENCES.md).
#[test]
fn named_port_to_an_ip_block_is_valid_and_matches_nothing() {
    let files = common::load_dir(&common::fixtures_dir().join("bad_netpols/subdir6"));
    let (model, analysis) = api::analyze(&files, &Options::default());
    assert!(
        model
            .diagnostics
            .iter()
            .all(|d| d.severity != netreach_core::Severity::Error),
        "{:#?}",
        model.diagnostics
    );
    assert_eq!(model.policies.len(), 1);
    let shipping = common::endpoint(&analysis, "default/Deployment/shippingservice");
    let outside = common::endpoint(&analysis, "8.8.8.8");
    assert_eq!(analysis.allowed(shipping, outside).to_string(), "no ports");
    let report = api::report(None, &files, &Options::default());
    // The lint points at it.
    let finding = report
        .lint
        .iter()
        .find(|l| l.diagnostic.code == "named-port-undefined")
        .expect("a named-port finding");
    assert_eq!(
        finding.diagnostic.location.field.as_deref(),
        Some("spec.egress[0].ports[0].port")
    );
    assert!(finding.diagnostic.message.contains("ipBlock"));
}
