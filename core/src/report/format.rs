//! Output formats: their names, one dispatching entry point, and the presentation the
//! human-readable formats share.
//!
//! [`render`] is what the CLI and the wasm layer call: a [`ReportFormat`] (parsed from the
//! user's `--format`) and a [`Report`] in, the text of that format out, with every format's
//! default options. Callers that need options (the Action's comment size, a title) call the
//! format's module directly, e.g. [`super::markdown::render`].
//!
//! ```
//! use netreach_core::report::format::{render, ReportFormat};
//! use netreach_core::{api, Options, SourceFile};
//! let head = [SourceFile::new("app.yaml", "")];
//! let report = api::report(None, &head, &Options::default());
//! let format: ReportFormat = "md".parse().unwrap();
//! assert!(render(&report, format).starts_with("## netreach"));
//! ```
//!
//! The second half of this module turns the report into what a reader sees — port lists like
//! `TCP 5432`, changes grouped by destination with sources summarised by namespace, a verdict
//! sentence, the counts — so that [`super::markdown`] and [`super::text`] show the same
//! content and differ only in markup.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::str::FromStr;

use crate::analysis::EXTERNAL_PREFIX;
use crate::diagnostic::Diagnostic;
use crate::diff::{Change, Diff, EndpointChange, Scope};
use crate::ports::{PortSet, RangeSet};

use super::Report;

/// Every output format netreach writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// The GitHub PR comment (also fine for job summaries).
    Markdown,
    /// Plain text for terminals.
    Text,
    /// The full report as JSON (`schemaVersion` 1, see [`super`]).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// The diff as CSV, or the connections when there is no base.
    Csv,
    /// Graphviz DOT of the head connectivity, with the diff coloured in.
    Dot,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 6] = [
        ReportFormat::Markdown,
        ReportFormat::Text,
        ReportFormat::Json,
        ReportFormat::Sarif,
        ReportFormat::Csv,
        ReportFormat::Dot,
    ];

    /// The canonical name, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "markdown",
            ReportFormat::Text => "text",
            ReportFormat::Json => "json",
            ReportFormat::Sarif => "sarif",
            ReportFormat::Csv => "csv",
            ReportFormat::Dot => "dot",
        }
    }

    /// The usual file extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Text => "txt",
            ReportFormat::Json => "json",
            ReportFormat::Sarif => "sarif",
            ReportFormat::Csv => "csv",
            ReportFormat::Dot => "dot",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of `markdown|md`, `text|txt`, `json`, `sarif`, `csv`, `dot`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format {0:?}: expected one of markdown (md), text (txt), json, sarif, csv, dot")]
pub struct UnknownFormat(pub String);

impl FromStr for ReportFormat {
    type Err = UnknownFormat;

    /// Parses a format name, ignoring ASCII case: `markdown|md`, `text|txt`, `json`, `sarif`,
    /// `csv`, `dot`.
    fn from_str(name: &str) -> Result<Self, UnknownFormat> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "markdown" | "md" => ReportFormat::Markdown,
            "text" | "txt" => ReportFormat::Text,
            "json" => ReportFormat::Json,
            "sarif" => ReportFormat::Sarif,
            "csv" => ReportFormat::Csv,
            "dot" => ReportFormat::Dot,
            _ => return Err(UnknownFormat(name.to_string())),
        })
    }
}

/// Renders `report` in `format` with that format's defaults: the Markdown comment with
/// [`MarkdownOptions::default`](super::markdown::MarkdownOptions), pretty JSON, the diff CSV
/// when there is a diff (the connections CSV otherwise).
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Markdown => super::markdown::render(report, &super::markdown::MarkdownOptions::default()),
        ReportFormat::Text => super::text::render(report),
        ReportFormat::Json => super::json::render(report, true),
        ReportFormat::Sarif => super::sarif::render(report),
        ReportFormat::Csv => match &report.diff {
            Some(_) => super::csv::render_diff(report),
            None => super::csv::render_connections(report),
        },
        ReportFormat::Dot => super::dot::render(report),
    }
}

// ---------------------------------------------------------------------------------------
// Presentation shared by the Markdown and text renderers.
// ---------------------------------------------------------------------------------------

/// A port set as people read it: `TCP 5432`, `TCP 80,443; UDP 53`, `all ports`,
/// `all TCP ports`, `TCP all except 22`; `no ports` when empty. Exact (no ranges left out).
pub fn ports(set: &PortSet) -> String {
    ports_capped(set, usize::MAX)
}

/// [`ports`], listing at most `max_ranges` ranges per protocol (`…+N more` for the rest).
pub fn ports_capped(set: &PortSet, max_ranges: usize) -> String {
    if set.is_all() {
        return "all ports".to_string();
    }
    if set.is_empty() {
        return "no ports".to_string();
    }
    let mut parts = Vec::new();
    for (protocol, ranges) in set.iter() {
        if ranges.is_full() {
            parts.push(format!("all {protocol} ports"));
            continue;
        }
        let complement = RangeSet::full().difference(ranges);
        if complement.ranges().len() < ranges.ranges().len() {
            parts.push(format!("{protocol} all except {}", range_list(&complement, max_ranges)));
        } else {
            parts.push(format!("{protocol} {}", range_list(ranges, max_ranges)));
        }
    }
    parts.join("; ")
}

fn range_list(ranges: &RangeSet, max_ranges: usize) -> String {
    let all = ranges.ranges();
    let shown = all.len().min(max_ranges.max(1));
    let mut out = String::new();
    for (i, &(lo, hi)) in all[..shown].iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if lo == hi {
            out.push_str(&lo.to_string());
        } else {
            let _ = write!(out, "{lo}-{hi}");
        }
    }
    if shown < all.len() {
        let _ = write!(out, ",…+{} more", all.len() - shown);
    }
    out
}

/// `1 connection`, `3 connections`.
pub(crate) fn plural(count: usize, noun: &str) -> String {
    counted(count, noun, &format!("{noun}s"))
}

/// `1 policy`, `3 policies`.
pub(crate) fn counted(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{} {plural}", thousands(count))
    }
}

/// `12345` → `12,345`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn is_external(id: &str) -> bool {
    id.starts_with(EXTERNAL_PREFIX)
}

/// The namespace of a workload id (`namespace/Kind/name`); `None` for external ids.
pub(crate) fn namespace_of(id: &str) -> Option<&str> {
    if is_external(id) {
        None
    } else {
        id.split('/').next()
    }
}

/// A workload id without its namespace (`Kind/name`), or an external id without its prefix.
pub(crate) fn short_name(id: &str) -> &str {
    if let Some(rest) = id.strip_prefix(EXTERNAL_PREFIX) {
        return rest;
    }
    id.split_once('/').map_or(id, |(_, rest)| rest)
}

/// Longest external range shown in lists before the rest is abbreviated.
pub(crate) const EXTERNAL_DISPLAY_MAX: usize = 60;

/// [`short_name`], with long external ranges (`0.0.0.0/0 except a, b, c, …`) cut after the
/// pieces that fit in `max` characters: `0.0.0.0/0 except a, b, … (+12 more)`.
pub(crate) fn short_name_capped(id: &str, max: usize) -> String {
    let name = short_name(id);
    if !is_external(id) || name.chars().count() <= max {
        return name.to_string();
    }
    let pieces: Vec<&str> = name.split(", ").collect();
    let mut shown = 0;
    let mut length = 0;
    for piece in &pieces {
        let extra = piece.chars().count() + if shown == 0 { 0 } else { 2 };
        if shown > 0 && length + extra > max {
            break;
        }
        length += extra;
        shown += 1;
    }
    if shown == pieces.len() {
        return name.to_string();
    }
    format!("{}, … (+{} more)", pieces[..shown].join(", "), pieces.len() - shown)
}

/// The label of an added or removed workload.
pub(crate) fn status_label(status: EndpointChange) -> &'static str {
    match status {
        EndpointChange::Added => "new workload",
        EndpointChange::Removed => "removed workload",
    }
}

/// Workloads of one namespace summarised into one line once there are this many.
pub(crate) const SUMMARY_MIN: usize = 3;
/// External ranges summarised into one line once there are this many (`0.0.0.0/0` and `::/0`
/// usually come as a pair).
pub(crate) const EXTERNAL_SUMMARY_MIN: usize = 2;

/// Who a line of a group is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Who<'a> {
    /// One workload or external range, by id; `status` when it was added or removed.
    Endpoint {
        id: &'a str,
        status: Option<EndpointChange>,
    },
    /// Every workload of a namespace.
    AllInNamespace { namespace: &'a str, count: usize },
    /// Several (not all) workloads of a namespace.
    SomeInNamespace { namespace: &'a str, ids: Vec<&'a str> },
    /// Every workload of the cluster (more than one namespace).
    AllWorkloads { count: usize },
    /// Several external address ranges (ids).
    Externals { ids: Vec<&'a str> },
}

/// One line under a destination: who, on which ports, and which items it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    pub who: Who<'a>,
    pub ports: &'a PortSet,
    /// Indices of the changes (diff) or connections (analysis) this line covers.
    pub covers: Vec<usize>,
}

/// Everything that changed (or is allowed) into one destination — or, for an added or removed
/// workload, out of it.
#[derive(Debug, Clone)]
pub(crate) struct Group<'a> {
    /// The destination (or, when `outgoing`, the source) all lines share.
    pub anchor: &'a str,
    /// The lines are destinations of `anchor` rather than sources.
    pub outgoing: bool,
    pub status: Option<EndpointChange>,
    /// The destination is a workload no policy isolates for ingress (connectivity view).
    pub open: bool,
    pub lines: Vec<Line<'a>>,
}

impl Group<'_> {
    /// Number of items (changes or connections) in the group.
    pub fn size(&self) -> usize {
        self.lines.iter().map(|l| l.covers.len()).sum()
    }
}

/// How many workloads there are, in total and per namespace: "all" needs a reference.
pub(crate) struct Universe<'a> {
    total: usize,
    per_namespace: HashMap<&'a str, usize>,
}

impl<'a> Universe<'a> {
    fn new(ids: impl Iterator<Item = &'a str>) -> Self {
        let mut universe = Universe {
            total: 0,
            per_namespace: HashMap::new(),
        };
        for id in ids {
            if let Some(ns) = namespace_of(id) {
                universe.total += 1;
                *universe.per_namespace.entry(ns).or_default() += 1;
            }
        }
        universe
    }
}

/// Added/removed workloads of a diff, for tagging.
pub(crate) struct Statuses<'a> {
    added: HashSet<&'a str>,
    removed: HashSet<&'a str>,
}

impl<'a> Statuses<'a> {
    pub fn new(diff: Option<&'a Diff>) -> Self {
        let set = |ids: Option<&'a Vec<String>>| ids.into_iter().flatten().map(String::as_str).collect();
        Statuses {
            added: set(diff.map(|d| &d.added_endpoints)),
            removed: set(diff.map(|d| &d.removed_endpoints)),
        }
    }

    pub fn of(&self, id: &str) -> Option<EndpointChange> {
        if self.added.contains(id) {
            Some(EndpointChange::Added)
        } else if self.removed.contains(id) {
            Some(EndpointChange::Removed)
        } else {
            None
        }
    }
}

/// One source into a destination, before summarising.
struct Item<'a> {
    from: &'a str,
    ports: &'a PortSet,
    cover: usize,
}

/// Summarises the sources of one destination: sources with the same ports are merged into
/// one line per namespace (or for the whole cluster, or for all external ranges) once there
/// are [`SUMMARY_MIN`] of them. Lines keep the order of their first source.
fn summarise<'a>(items: &[Item<'a>], universe: &Universe<'_>, statuses: &Statuses<'_>) -> Vec<Line<'a>> {
    let mut by_ports: Vec<(&PortSet, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&PortSet, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let k = *index.entry(item.ports).or_insert_with(|| {
            by_ports.push((item.ports, Vec::new()));
            by_ports.len() - 1
        });
        by_ports[k].1.push(i);
    }
    let mut lines: Vec<(usize, Line<'a>)> = Vec::new();
    let single = |i: usize| {
        (
            i,
            Line {
                who: Who::Endpoint {
                    id: items[i].from,
                    status: statuses.of(items[i].from),
                },
                ports: items[i].ports,
                covers: vec![items[i].cover],
            },
        )
    };
    let many = |members: &[usize], who: Who<'a>, ports: &'a PortSet| {
        (
            members[0],
            Line {
                who,
                ports,
                covers: members.iter().map(|&i| items[i].cover).collect(),
            },
        )
    };
    for (ports, members) in by_ports {
        let (externals, workloads): (Vec<usize>, Vec<usize>) =
            members.iter().partition(|&&i| is_external(items[i].from));
        if workloads.len() >= SUMMARY_MIN && workloads.len() == universe.total && universe.per_namespace.len() > 1 {
            lines.push(many(&workloads, Who::AllWorkloads { count: workloads.len() }, ports));
        } else {
            let mut by_namespace: Vec<(&str, Vec<usize>)> = Vec::new();
            for &i in &workloads {
                let ns = namespace_of(items[i].from).unwrap_or_default();
                match by_namespace.iter_mut().find(|(n, _)| *n == ns) {
                    Some((_, list)) => list.push(i),
                    None => by_namespace.push((ns, vec![i])),
                }
            }
            for (ns, list) in by_namespace {
                if list.len() < SUMMARY_MIN {
                    lines.extend(list.into_iter().map(single));
                    continue;
                }
                let namespace = namespace_of(items[list[0]].from).unwrap_or_default();
                let who = if universe.per_namespace.get(ns) == Some(&list.len()) {
                    Who::AllInNamespace {
                        namespace,
                        count: list.len(),
                    }
                } else {
                    Who::SomeInNamespace {
                        namespace,
                        ids: list.iter().map(|&i| items[i].from).collect(),
                    }
                };
                lines.push(many(&list, who, ports));
            }
        }
        if externals.len() >= EXTERNAL_SUMMARY_MIN {
            let ids = externals.iter().map(|&i| items[i].from).collect();
            lines.push(many(&externals, Who::Externals { ids }, ports));
        } else {
            lines.extend(externals.into_iter().map(single));
        }
    }
    lines.sort_by_key(|(first, _)| *first);
    lines.into_iter().map(|(_, line)| line).collect()
}

/// Groups the changes selected by `pick` (which returns the ports to show) by destination, in
/// the diff's order (most significant first), sources summarised. Changes out of an added or
/// removed workload are grouped by that workload instead.
fn change_groups<'a>(
    diff: &'a Diff,
    universe: &Universe<'_>,
    pick: impl Fn(&'a Change) -> Option<&'a PortSet>,
) -> Vec<Group<'a>> {
    let statuses = Statuses::new(Some(diff));
    let mut order: Vec<(&str, bool)> = Vec::new();
    let mut items: HashMap<(&str, bool), Vec<Item<'a>>> = HashMap::new();
    for (i, change) in diff.changes.iter().enumerate() {
        let Some(ports) = pick(change) else { continue };
        // What an added or removed workload gains or loses is read best from its side.
        let outgoing = statuses.of(&change.from).is_some() && statuses.of(&change.to).is_none();
        let (anchor, other) = if outgoing {
            (change.from.as_str(), change.to.as_str())
        } else {
            (change.to.as_str(), change.from.as_str())
        };
        let list = items.entry((anchor, outgoing)).or_insert_with(|| {
            order.push((anchor, outgoing));
            Vec::new()
        });
        list.push(Item {
            from: other,
            ports,
            cover: i,
        });
    }
    order
        .into_iter()
        .map(|key| Group {
            anchor: key.0,
            outgoing: key.1,
            status: statuses.of(key.0),
            open: false,
            lines: summarise(&items[&key], universe, &statuses),
        })
        .collect()
}

/// Newly allowed ports, grouped by destination.
pub(crate) fn exposure_groups<'a>(report: &'a Report, diff: &'a Diff) -> Vec<Group<'a>> {
    let workloads = &report.analysis.endpoints[..report.analysis.workload_count];
    let universe = Universe::new(workloads.iter().map(|e| &*e.id));
    change_groups(diff, &universe, |c| c.is_exposure().then_some(&c.added))
}

/// Newly denied ports, grouped by destination.
pub(crate) fn breakage_groups<'a>(report: &'a Report, diff: &'a Diff) -> Vec<Group<'a>> {
    // Breakage sources existed in base: head's workloads, minus added, plus removed.
    let added: HashSet<&str> = diff.added_endpoints.iter().map(String::as_str).collect();
    let workloads = &report.analysis.endpoints[..report.analysis.workload_count];
    let base_ids = workloads
        .iter()
        .map(|e| &*e.id)
        .filter(|id| !added.contains(id))
        .chain(diff.removed_endpoints.iter().map(String::as_str));
    let universe = Universe::new(base_ids);
    change_groups(diff, &universe, |c| c.is_breakage().then_some(&c.removed))
}

/// Who can reach each endpoint of the head analysis (sources outside the cluster first).
pub(crate) fn reach_groups(report: &Report) -> Vec<Group<'_>> {
    let analysis = &report.analysis;
    let workloads = &analysis.endpoints[..analysis.workload_count];
    let universe = Universe::new(workloads.iter().map(|e| &*e.id));
    let statuses = Statuses::new(None);
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); analysis.endpoints.len()];
    for (i, c) in analysis.connections.iter().enumerate() {
        into[c.to as usize].push(i);
    }
    let mut groups = Vec::new();
    for (to, conns) in into.iter().enumerate() {
        if conns.is_empty() {
            continue;
        }
        let endpoint = &analysis.endpoints[to];
        let (ext, int): (Vec<usize>, Vec<usize>) = conns
            .iter()
            .partition(|&&i| analysis.endpoints[analysis.connections[i].from as usize].is_external());
        let items: Vec<Item<'_>> = ext
            .into_iter()
            .chain(int)
            .map(|i| {
                let c = &analysis.connections[i];
                Item {
                    from: &analysis.endpoints[c.from as usize].id,
                    ports: analysis.ports(c),
                    cover: i,
                }
            })
            .collect();
        groups.push(Group {
            anchor: &endpoint.id,
            outgoing: false,
            status: None,
            open: endpoint.ingress_isolated == Some(false),
            lines: summarise(&items, &universe, &statuses),
        });
    }
    groups
}

/// The parts of a finding's location worth printing next to its message: `path:line`, then
/// the object and the field unless the message already names them (parser messages do).
pub(crate) struct Place<'a> {
    /// `path:line`, or the path alone when the line is unknown.
    pub file: String,
    pub object: Option<String>,
    pub field: Option<&'a str>,
}

pub(crate) fn place(d: &Diagnostic) -> Place<'_> {
    let loc = &d.location;
    let file = if loc.line > 0 {
        format!("{}:{}", loc.path, loc.line)
    } else {
        loc.path.clone()
    };
    let object = loc
        .object
        .as_ref()
        .map(ToString::to_string)
        .filter(|o| !d.message.contains(o.as_str()));
    let field = loc.field.as_deref().filter(|f| !d.message.contains(f));
    Place { file, object, field }
}

/// Lint findings in display order: new ones first, otherwise as the linter sorted them.
pub(crate) fn lint_order(report: &Report) -> Vec<usize> {
    let mut order: Vec<usize> = (0..report.lint.len()).collect();
    order.sort_by_key(|&i| !report.lint[i].new);
    order
}

/// Input problems in display order: errors first, head before base.
pub(crate) fn diagnostic_order(report: &Report) -> Vec<usize> {
    let mut order: Vec<usize> = (0..report.diagnostics.len()).collect();
    order.sort_by_key(|&i| {
        let d = &report.diagnostics[i];
        (std::cmp::Reverse(d.diagnostic.severity), std::cmp::Reverse(d.side))
    });
    order
}

/// The counts table: label and value, in reading order.
pub(crate) fn counts(report: &Report) -> Vec<(&'static str, usize)> {
    let s = &report.summary;
    let mut rows = if report.diff.is_some() {
        vec![
            ("Exposures", s.exposures),
            ("Breakages", s.breakages),
            ("Workloads added", s.added_endpoints),
            ("Workloads removed", s.removed_endpoints),
        ]
    } else {
        vec![
            ("Workloads", s.workloads),
            ("Namespaces", s.namespaces),
            ("Policies", s.policies),
            ("Connections", s.connections),
        ]
    };
    rows.extend([
        ("Lint errors", s.lint_errors),
        ("Lint warnings", s.lint_warnings),
        ("Input errors", s.input_errors),
        ("Skipped documents", s.skipped_documents),
    ]);
    rows
}

/// How bad the verdict is: decides the marker in front of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tone {
    Good,
    Notice,
    Bad,
}

/// The one-line verdict (plain text, no user content) and its tone.
pub(crate) fn verdict(report: &Report) -> (Tone, String) {
    let s = &report.summary;
    let mut tone = Tone::Good;
    let mut sentence = if let Some(diff) = &report.diff {
        if diff.is_empty() {
            "No reachability changes.".to_string()
        } else {
            let mut parts = Vec::new();
            if s.exposures > 0 {
                tone = Tone::Bad;
                let external = diff
                    .changes
                    .iter()
                    .filter(|c| c.is_exposure() && c.scope == Scope::External)
                    .count();
                let cross = diff
                    .changes
                    .iter()
                    .filter(|c| c.is_exposure() && c.scope == Scope::CrossNamespace)
                    .count();
                let mut detail = Vec::new();
                if external > 0 {
                    detail.push(format!("{} to or from outside the cluster", thousands(external)));
                }
                if cross > 0 {
                    detail.push(format!("{} across namespaces", thousands(cross)));
                }
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", detail.join(", "))
                };
                parts.push(format!("newly allows {}{detail}", plural(s.exposures, "connection")));
            }
            if s.breakages > 0 {
                tone = tone.max(Tone::Notice);
                parts.push(format!("blocks {}", plural(s.breakages, "connection")));
            }
            if s.added_endpoints > 0 {
                tone = tone.max(Tone::Notice);
                parts.push(format!("adds {}", plural(s.added_endpoints, "workload")));
            }
            if s.removed_endpoints > 0 {
                tone = tone.max(Tone::Notice);
                parts.push(format!("removes {}", plural(s.removed_endpoints, "workload")));
            }
            format!("This change {}.", join_and(&parts))
        }
    } else {
        let open = report
            .analysis
            .endpoints
            .iter()
            .filter(|e| e.ingress_isolated == Some(false))
            .count();
        let mut sentence = format!(
            "{} in {}, {}: {} allowed.",
            plural(s.workloads, "workload"),
            plural(s.namespaces, "namespace"),
            counted(s.policies, "policy", "policies"),
            plural(s.connections, "connection"),
        );
        if open > 0 {
            tone = Tone::Notice;
            let _ = write!(
                sentence,
                " {} not isolated for ingress (no policy selects {}).",
                if open == 1 {
                    "1 workload is".to_string()
                } else {
                    format!("{} workloads are", thousands(open))
                },
                if open == 1 { "it" } else { "them" },
            );
        }
        sentence
    };
    if s.input_errors > 0 || s.lint_errors > 0 {
        tone = Tone::Bad;
    }
    if s.input_errors > 0 {
        let _ = write!(
            sentence,
            " {} in the input: the objects concerned were skipped.",
            plural(s.input_errors, "error")
        );
    }
    (tone, sentence)
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::Protocol;

    #[test]
    fn format_names_round_trip() {
        for format in ReportFormat::ALL {
            assert_eq!(format.name().parse::<ReportFormat>(), Ok(format));
        }
        assert_eq!("MD".parse::<ReportFormat>(), Ok(ReportFormat::Markdown));
        assert_eq!("txt".parse::<ReportFormat>(), Ok(ReportFormat::Text));
        assert!("html".parse::<ReportFormat>().is_err());
    }

    #[test]
    fn port_wording() {
        assert_eq!(ports(&PortSet::single(Protocol::Tcp, 5432)), "TCP 5432");
        assert_eq!(ports(&PortSet::single(Protocol::Udp, 53)), "UDP 53");
        assert_eq!(ports(&PortSet::all()), "all ports");
        assert_eq!(ports(&PortSet::protocol_all(Protocol::Tcp)), "all TCP ports");
        let all_but_22 = PortSet::protocol_all(Protocol::Tcp).difference(&PortSet::single(Protocol::Tcp, 22));
        assert_eq!(ports(&all_but_22), "TCP all except 22");
        let web = PortSet::single(Protocol::Tcp, 80)
            .union(&PortSet::single(Protocol::Tcp, 443))
            .union(&PortSet::single(Protocol::Udp, 53));
        assert_eq!(ports(&web), "TCP 80,443; UDP 53");
        assert_eq!(ports_capped(&web, 1), "TCP 80,…+1 more; UDP 53");
    }

    #[test]
    fn long_external_ranges_are_abbreviated() {
        let id = "external:0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16";
        assert_eq!(
            short_name_capped(id, 100),
            "0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"
        );
        assert_eq!(short_name_capped(id, 30), "0.0.0.0/0 except 10.0.0.0/8, … (+2 more)");
        assert_eq!(short_name_capped(id, 5), "0.0.0.0/0 except 10.0.0.0/8, … (+2 more)");
        assert_eq!(short_name_capped("shop/Deployment/web", 3), "Deployment/web");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(plural(1, "change"), "1 change");
        assert_eq!(plural(2000, "change"), "2,000 changes");
        assert_eq!(join_and(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
