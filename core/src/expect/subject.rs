//! Subjects: the "who" of an expectation, and which endpoints of an analysis they match.
//!
//! A subject is a union of items: `any` (every workload and the whole outside world),
//! `external` (the whole outside world), a CIDR (optionally minus `except` CIDRs), or a
//! workload filter (namespace, namespace labels, kind, name, pod labels — all required). Workload
//! ids `namespace/Kind/name` and the shorthand `namespace/name` are workload filters too.
//!
//! Resolution yields workload endpoints (indices into [`Analysis::endpoints`]) and a set of
//! external addresses; [`external_ends`] cuts the analysis' external endpoints at
//! that set, so a CIDR is compared address by address whatever the policies' ipBlocks are.

use std::fmt;

use crate::analysis::{external_id, Analysis};
use crate::ipset::IpSet;
use crate::model::{Labels, Model, WorkloadKind};

/// Who an expectation talks about: the union of its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub items: Vec<SubjectItem>,
}

/// One alternative of a [`Subject`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectItem {
    /// Every workload and every address outside the cluster.
    Any,
    /// Every address outside the cluster.
    External,
    /// Addresses outside the cluster: `cidr` minus `except`; `text` is how it was written.
    Cidr { set: IpSet, text: String },
    /// Workloads matching every given field.
    Workloads(WorkloadFilter),
}

/// Workloads matching all of the given fields (absent fields match anything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadFilter {
    pub namespace: Option<String>,
    /// Labels the workload's namespace must carry (every namespace has
    /// `kubernetes.io/metadata.name=<name>`).
    pub namespace_labels: Labels,
    pub kind: Option<WorkloadKind>,
    pub name: Option<String>,
    /// Pod template labels the workload must carry.
    pub labels: Labels,
}

impl WorkloadFilter {
    fn matches(&self, model: &Model, namespace: &str, kind: &str, name: &str, labels: Option<&Labels>) -> bool {
        if self.namespace.as_deref().is_some_and(|n| n != namespace)
            || self.kind.is_some_and(|k| k.as_str() != kind)
            || self.name.as_deref().is_some_and(|n| n != name)
        {
            return false;
        }
        let contains =
            |have: Option<&Labels>, want: &Labels| want.iter().all(|(k, v)| have.and_then(|h| h.get(k)) == Some(v));
        if !self.labels.is_empty() && !contains(labels, &self.labels) {
            return false;
        }
        if !self.namespace_labels.is_empty() {
            let ns_labels = model.namespaces.get(namespace).map(|n| &n.labels);
            if !contains(ns_labels, &self.namespace_labels) {
                return false;
            }
        }
        true
    }
}

impl Subject {
    /// Whether the subject includes addresses outside the cluster.
    pub fn has_external(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, SubjectItem::Any | SubjectItem::External | SubjectItem::Cidr { .. }))
    }

    /// Whether the subject names something outside the cluster explicitly (`external`, a CIDR).
    pub fn names_external(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, SubjectItem::External | SubjectItem::Cidr { .. }))
    }

    /// Whether the subject includes workloads (`any` or a workload filter).
    pub fn names_workloads(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, SubjectItem::Any | SubjectItem::Workloads(_)))
    }

    /// The workload endpoints and external addresses the subject matches.
    pub fn resolve(&self, model: &Model, analysis: &Analysis) -> Resolved {
        let mut workloads = Vec::new();
        let mut external = IpSet::empty();
        for item in &self.items {
            match item {
                SubjectItem::Any => {
                    workloads.extend(0..analysis.workload_count);
                    external = IpSet::all();
                }
                SubjectItem::External => external = IpSet::all(),
                SubjectItem::Cidr { set, .. } => external = external.union(set),
                SubjectItem::Workloads(filter) => {
                    for (i, e) in analysis.endpoints[..analysis.workload_count].iter().enumerate() {
                        let namespace = e.namespace.as_deref().unwrap_or("");
                        let kind = e.kind.unwrap_or("");
                        let name = e.name.as_deref().unwrap_or("");
                        if filter.matches(model, namespace, kind, name, e.labels.as_deref()) {
                            workloads.push(i);
                        }
                    }
                }
            }
        }
        workloads.sort_unstable();
        workloads.dedup();
        Resolved { workloads, external }
    }
}

/// What a subject matched in one analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Workload endpoint indices, ascending.
    pub workloads: Vec<usize>,
    /// Addresses outside the cluster.
    pub external: IpSet,
}

/// One end of a checked pair: a workload, or the part of an external endpoint inside a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    Workload(usize),
    /// `endpoint` is the external endpoint (all addresses with the same connectivity); `set`
    /// the part of it the subject covers.
    External {
        endpoint: usize,
        set: IpSet,
    },
}

impl End {
    /// The analysis endpoint whose connectivity this end has.
    pub fn endpoint(&self) -> usize {
        match self {
            End::Workload(i) | End::External { endpoint: i, .. } => *i,
        }
    }

    pub fn is_external(&self) -> bool {
        matches!(self, End::External { .. })
    }

    /// The endpoint id, or `external:<the covered addresses>`.
    pub fn id(&self, analysis: &Analysis) -> String {
        match self {
            End::Workload(i) => analysis.endpoints[*i].id.to_string(),
            End::External { set, .. } => external_id(set),
        }
    }
}

impl Resolved {
    pub fn is_empty(&self) -> bool {
        self.workloads.is_empty() && self.external.is_empty()
    }

    /// Workload ends, then the analysis' external endpoints cut to the subject's addresses.
    pub fn ends(&self, analysis: &Analysis) -> Vec<End> {
        let mut ends: Vec<End> = self.workloads.iter().map(|&i| End::Workload(i)).collect();
        ends.extend(external_ends(analysis, &self.external));
        ends
    }

    /// Whether `end` is (entirely) inside this subject.
    pub fn contains_workload(&self, endpoint: usize) -> bool {
        self.workloads.binary_search(&endpoint).is_ok()
    }
}

/// The analysis' external endpoints intersected with `addresses` (empty parts dropped).
pub fn external_ends(analysis: &Analysis, addresses: &IpSet) -> Vec<End> {
    if addresses.is_empty() {
        return Vec::new();
    }
    (analysis.workload_count..analysis.endpoints.len())
        .filter_map(|e| {
            let set = external_set(analysis, e).intersect(addresses);
            (!set.is_empty()).then_some(End::External { endpoint: e, set })
        })
        .collect()
}

/// The addresses of an external endpoint.
pub fn external_set(analysis: &Analysis, endpoint: usize) -> IpSet {
    analysis
        .reach
        .atoms
        .to_set(analysis.external_atoms(endpoint).iter().copied())
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.items.as_slice() {
            return write!(f, "{only}");
        }
        f.write_str("[")?;
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{item}")?;
        }
        f.write_str("]")
    }
}

/// Written the way the expectations file accepts it: `any`, `external`, a CIDR,
/// `namespace/Kind/name`, `namespace/name`, or `{namespace: …, labels: {…}}`.
impl fmt::Display for SubjectItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectItem::Any => f.write_str("any"),
            SubjectItem::External => f.write_str("external"),
            SubjectItem::Cidr { text, .. } => f.write_str(text),
            SubjectItem::Workloads(w) => {
                let plain = w.labels.is_empty() && w.namespace_labels.is_empty();
                match (&w.namespace, w.kind, &w.name) {
                    (Some(ns), Some(kind), Some(name)) if plain => return write!(f, "{ns}/{}/{name}", kind.as_str()),
                    (Some(ns), None, Some(name)) if plain => return write!(f, "{ns}/{name}"),
                    _ => {}
                }
                let mut parts = Vec::new();
                if let Some(ns) = &w.namespace {
                    parts.push(format!("namespace: {ns}"));
                }
                if !w.namespace_labels.is_empty() {
                    parts.push(format!("namespace-labels: {}", labels_text(&w.namespace_labels)));
                }
                if let Some(kind) = w.kind {
                    parts.push(format!("kind: {}", kind.as_str()));
                }
                if let Some(name) = &w.name {
                    parts.push(format!("name: {name}"));
                }
                if !w.labels.is_empty() {
                    parts.push(format!("labels: {}", labels_text(&w.labels)));
                }
                write!(f, "{{{}}}", parts.join(", "))
            }
        }
    }
}

fn labels_text(labels: &Labels) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", pairs.join(", "))
}
