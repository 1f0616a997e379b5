//! Equivalence classes of workloads.
//!
//! Policies see a workload only through its namespace, pod labels, named ports and whether
//! it uses the host network. Workloads equal in those four are indistinguishable to every
//! rule, so the engine evaluates each class once and expands to workloads only when reporting.
//!
//! The parser shares equal label sets and named-port lists (one `Arc` each), so classes
//! are keyed by those addresses: comparing label maps of thousands of workloads, whose
//! strings lie all over the heap, was most of the cost of grouping. Models built by hand
//! with separate but equal `Arc`s just get more classes than needed; the results are the
//! same.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::flat_lists::{FlatLists, FlatListsBuilder};
use crate::model::{Labels, Model, NamedPort};

/// Workloads that every policy treats alike.
#[derive(Debug, Clone)]
pub struct Class {
    /// Index into [`Classes::namespaces`].
    pub namespace: usize,
    pub labels: Arc<Labels>,
    pub named_ports: Arc<[NamedPort]>,
    pub host_network: bool,
}

/// The model's workloads grouped into classes, plus the namespace index they refer to.
#[derive(Debug, Clone)]
pub struct Classes {
    /// Namespace names in model order.
    pub namespaces: Vec<String>,
    /// Namespace labels (including `kubernetes.io/metadata.name`), parallel to `namespaces`.
    pub namespace_labels: Vec<Labels>,
    pub classes: Vec<Class>,
    /// Class of each workload, parallel to `Model::workloads`.
    pub of_workload: Vec<usize>,
    /// Each class's workloads (indices into `Model::workloads`), ascending.
    members: FlatLists,
    /// Index of each namespace name in `namespaces`.
    namespace_ids: HashMap<String, usize>,
}

impl Classes {
    pub fn build(model: &Model) -> Self {
        let mut namespaces: Vec<String> = model.namespaces.keys().cloned().collect();
        let mut namespace_labels: Vec<Labels> = model.namespaces.values().map(|ns| ns.labels.clone()).collect();
        // The parser registers every referenced namespace; this only guards hand-built models.
        for workload in &model.workloads {
            if !model.namespaces.contains_key(&*workload.namespace)
                && !namespaces.iter().any(|n| **n == *workload.namespace)
            {
                namespaces.push(workload.namespace.to_string());
                namespace_labels.push(crate::model::implicit_namespace_labels(&workload.namespace));
            }
        }
        let namespace_ids: HashMap<String, usize> =
            namespaces.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        let mut by_key: HashMap<(usize, *const Labels, *const [NamedPort], bool), usize> = HashMap::default();
        let mut classes: Vec<Class> = Vec::new();
        let mut of_workload = Vec::with_capacity(model.workloads.len());
        let mut members = FlatListsBuilder::default();
        // Workloads come sorted by id, so namespace after namespace.
        let mut last: Option<(&str, usize)> = None;
        for (w, workload) in model.workloads.iter().enumerate() {
            let namespace = match last {
                Some((name, id)) if name == &*workload.namespace => id,
                _ => namespace_ids[&*workload.namespace],
            };
            last = Some((&workload.namespace, namespace));
            let key = (
                namespace,
                Arc::as_ptr(&workload.labels),
                Arc::as_ptr(&workload.named_ports),
                workload.host_network,
            );
            let class = *by_key.entry(key).or_insert_with(|| {
                classes.push(Class {
                    namespace,
                    labels: workload.labels.clone(),
                    named_ports: workload.named_ports.clone(),
                    host_network: workload.host_network,
                });
                classes.len() - 1
            });
            members.push(class, w);
            of_workload.push(class);
        }
        Classes {
            namespaces,
            namespace_labels,
            members: members.build(classes.len()),
            classes,
            of_workload,
            namespace_ids,
        }
    }

    /// The workloads of class `c` (indices into `Model::workloads`), ascending.
    pub fn members(&self, c: usize) -> &[usize] {
        self.members.list(c)
    }

    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    pub fn namespace_index(&self, name: &str) -> Option<usize> {
        self.namespace_ids.get(name).copied()
    }
}
