//! Graphviz DOT of the head connectivity: `dot -Tsvg report.dot > graph.svg`.
//!
//! Namespaces are clusters, workloads are boxes inside them, address ranges outside the
//! cluster are dashed ellipses; every allowed connection is an edge labelled with its ports.
//! With a diff the changes are drawn in: newly allowed edges green (`+ports`), edges that lost
//! everything red and dashed (`−ports`), edges that lost some ports red, mixed ones orange;
//! added workloads have a green border, removed ones a red dashed border.
//!
//! Changed edges use the diff's endpoints; removed workloads and external ranges cut
//! differently by the diff (see [`crate::diff`]) appear as extra nodes. All text goes through
//! [`escape::dot_string`](super::escape::dot_string); node ids are generated (`n0`, `n1`, …).
//!
//! ```
//! use netreach_core::report::dot;
//! use netreach_core::{api, Options, SourceFile};
//! let files = [SourceFile::new("app.yaml", "")];
//! let report = api::report(None, &files, &Options::default());
//! assert!(dot::render(&report).starts_with("digraph netreach {"));
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::diff::{Change, EndpointChange};
use crate::ports::PortSet;

use super::escape::dot_string;
use super::format::{is_external, namespace_of, ports, short_name, Statuses};
use super::Report;

struct Node<'a> {
    id: &'a str,
    status: Option<EndpointChange>,
    host_network: bool,
}

#[derive(Default)]
struct Edge<'a> {
    now: Option<&'a PortSet>,
    change: Option<&'a Change>,
}

/// Renders the head connectivity (with the diff coloured in) as a DOT digraph.
pub fn render(report: &Report) -> String {
    let analysis = &report.analysis;
    let statuses = Statuses::new(report.diff.as_ref());
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for e in &analysis.endpoints {
        index.insert(&e.id, nodes.len());
        nodes.push(Node {
            id: &e.id,
            status: statuses.of(&e.id),
            host_network: e.host_network,
        });
    }
    let changes: &[Change] = report.diff.as_ref().map_or(&[], |d| &d.changes);
    let mut extra: Vec<&str> = changes
        .iter()
        .flat_map(|c| [c.from.as_str(), c.to.as_str()])
        .filter(|id| !index.contains_key(id))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    for id in extra {
        index.insert(id, nodes.len());
        nodes.push(Node {
            id,
            status: statuses.of(id),
            host_network: false,
        });
    }
    let mut edges: BTreeMap<(usize, usize), Edge<'_>> = BTreeMap::new();
    for c in &analysis.connections {
        edges.entry((c.from as usize, c.to as usize)).or_default().now = Some(analysis.ports(c));
    }
    for change in changes {
        let key = (index[change.from.as_str()], index[change.to.as_str()]);
        let edge = edges.entry(key).or_default();
        edge.change = Some(change);
        if !change.after.is_empty() {
            edge.now = Some(&change.after);
        }
    }

    let mut out = String::from("digraph netreach {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let mut clusters: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut outside = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        match namespace_of(node.id) {
            Some(ns) => clusters.entry(ns).or_default().push(n),
            None => outside.push(n),
        }
    }
    for (c, (namespace, members)) in clusters.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{c} {{");
        let _ = writeln!(out, "    label={}; style=rounded; color=gray60;", dot_string(namespace));
        for &n in members {
            let _ = writeln!(out, "    {}", node_line(n, &nodes[n]));
        }
        out.push_str("  }\n");
    }
    for &n in &outside {
        let _ = writeln!(out, "  {}", node_line(n, &nodes[n]));
    }
    for ((from, to), edge) in &edges {
        let _ = writeln!(out, "  n{from} -> n{to} [{}];", edge_attributes(edge));
    }
    out.push_str("}\n");
    out
}

fn node_line(n: usize, node: &Node<'_>) -> String {
    let mut attributes = Vec::new();
    if is_external(node.id) {
        attributes.push(format!("label={}", dot_string(short_name(node.id))));
        attributes.push("shape=ellipse".to_string());
        attributes.push("style=dashed".to_string());
    } else {
        let short = short_name(node.id);
        let (kind, name) = short.split_once('/').unwrap_or(("", short));
        let mut label = format!("{kind}\n{name}");
        if node.host_network {
            label.push_str("\n(hostNetwork)");
        }
        attributes.push(format!("label={}", dot_string(&label)));
        attributes.push("shape=box".to_string());
    }
    match node.status {
        Some(EndpointChange::Added) => attributes.push("color=darkgreen, penwidth=2".to_string()),
        Some(EndpointChange::Removed) => {
            attributes.push("color=red, fontcolor=red, style=dashed".to_string());
        }
        None => {}
    }
    format!("n{n} [{}];", attributes.join(", "))
}

fn edge_attributes(edge: &Edge<'_>) -> String {
    let now = edge.now.map(ports);
    let Some(change) = edge.change else {
        return format!("label={}", dot_string(&now.unwrap_or_default()));
    };
    let (label, style) = if change.before.is_empty() {
        (
            format!("+{}", ports(&change.added)),
            "color=darkgreen, fontcolor=darkgreen",
        )
    } else if change.after.is_empty() {
        (
            format!("−{}", ports(&change.removed)),
            "color=red, fontcolor=red, style=dashed",
        )
    } else if change.removed.is_empty() {
        (
            format!("{} (+{})", now.unwrap_or_default(), ports(&change.added)),
            "color=darkgreen, fontcolor=darkgreen",
        )
    } else if change.added.is_empty() {
        (
            format!("{} (−{})", now.unwrap_or_default(), ports(&change.removed)),
            "color=red, fontcolor=red",
        )
    } else {
        (
            format!(
                "{} (+{} −{})",
                now.unwrap_or_default(),
                ports(&change.added),
                ports(&change.removed)
            ),
            "color=darkorange, fontcolor=darkorange",
        )
    };
    format!("label={}, {style}", dot_string(&label))
}
