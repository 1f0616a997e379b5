//! One side's model from its documents' effects, added in input order.
//!
//! Everything that depends on more than one document is decided here: an object defined
//! twice keeps its first definition and the second is reported; each skipped kind keeps
//! the location of its first few objects; equal label sets and named-port lists are shared
//! (`workloads::Interner`); finally workloads fold into their controllers and every
//! namespace that objects refer to exists.

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use super::decode::Source;
use super::effects::{self, Defined, Effect, Example, Identity, Spot};
use super::read;
use super::workloads::{self, RawWorkload};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{self, AdminPolicy, Model};
use crate::source::{Location, ObjectRef, SourceFile};

/// How many example locations [`Model::skipped`] keeps per kind.
const SKIPPED_EXAMPLES: usize = 5;

pub(super) struct Assembler<'o> {
    default_namespace: &'o str,
    files: &'o [SourceFile],
    model: Model,
    workloads: Vec<RawWorkload>,
    admin_policies: Vec<AdminPolicy>,
    /// Every object kept so far, by identity key (see `effects::Identity`).
    seen: HashMap<u64, Kept>,
    /// Kept objects whose key another kept object had first (a hash collision).
    collided: Vec<(u64, Kept)>,
    interner: workloads::Interner,
}

impl<'o> Assembler<'o> {
    pub fn new(default_namespace: &'o str, files: &'o [SourceFile]) -> Self {
        Assembler {
            default_namespace,
            files,
            model: Model::default(),
            workloads: Vec::new(),
            admin_policies: Vec::new(),
            seen: HashMap::default(),
            collided: Vec::new(),
            interner: workloads::Interner::default(),
        }
    }

    /// Adds one effect of a document of `files[file]`.
    pub fn apply(&mut self, file: usize, effect: Effect<'_>) {
        match effect {
            Effect::Diagnostic(diagnostic) => self.model.diagnostics.push(diagnostic),
            Effect::Skipped { key, example } => {
                let entry = self.model.skipped.entry(key).or_default();
                entry.count += 1;
                if entry.examples.len() < SKIPPED_EXAMPLES {
                    entry.examples.push(named(example, self.default_namespace));
                }
            }
            Effect::Defined { key, at, value } => self.define(file, key, at, value),
        }
    }

    fn define(&mut self, file: usize, key: u64, at: Spot, value: Defined) {
        let identity = value.identity();
        let first = std::iter::once(self.seen.get(&key))
            .flatten()
            .chain(self.collided.iter().filter(|(k, _)| *k == key).map(|(_, kept)| kept))
            .find(|kept| self.identity(&kept.slot) == identity);
        if let Some(first) = first {
            let (kind, namespace, name) = identity;
            let object = ObjectRef {
                kind: kind.to_string(),
                namespace: namespace.to_string(),
                name: name.to_string(),
            };
            let message = format!(
                "{object}: defined more than once; this definition is ignored, the first is at {}:{} (document {})",
                self.files[first.file].path, first.line, first.document
            );
            let location = Location {
                path: self.files[file].path.clone(),
                document: at.document,
                line: at.line,
                object: Some(object),
                field: at.field,
            };
            self.model.diagnostics.push(Diagnostic {
                code: "duplicate-object".to_string(),
                severity: Severity::Error,
                message,
                location,
            });
            return;
        }
        let slot = match value {
            Defined::Workload(mut workload) => {
                workload.intern(&mut self.interner);
                self.workloads.push(workload);
                Slot::Workload(self.workloads.len() - 1)
            }
            Defined::Namespace(namespace) => {
                let name = namespace.name.clone();
                self.model.namespaces.insert(name.clone(), namespace);
                Slot::Namespace(name)
            }
            Defined::Service(service) => {
                self.model.services.push(service);
                Slot::Service(self.model.services.len() - 1)
            }
            Defined::Policy(policy) => {
                self.model.policies.push(policy);
                Slot::Policy(self.model.policies.len() - 1)
            }
            Defined::Admin(policy) => {
                self.admin_policies.push(policy);
                Slot::Admin(self.admin_policies.len() - 1)
            }
            Defined::Baseline(policy) => {
                self.model.baseline_policy = Some(policy);
                Slot::Baseline
            }
        };
        let kept = Kept {
            slot,
            file,
            document: at.document,
            line: at.line,
        };
        match self.seen.entry(key) {
            Entry::Vacant(entry) => {
                entry.insert(kept);
            }
            Entry::Occupied(_) => self.collided.push((key, kept)),
        }
    }

    /// The identity of a kept object, borrowed from where it is kept.
    fn identity<'s>(&'s self, slot: &'s Slot) -> Identity<'s> {
        match slot {
            Slot::Workload(i) => self.workloads[*i].identity(),
            Slot::Namespace(name) => effects::namespace_identity(&self.model.namespaces[name]),
            Slot::Service(i) => effects::service_identity(&self.model.services[*i]),
            Slot::Policy(i) => effects::policy_identity(&self.model.policies[*i]),
            Slot::Admin(i) => effects::admin_identity(&self.admin_policies[*i]),
            Slot::Baseline => self
                .model
                .baseline_policy
                .as_ref()
                .map_or(("", "", ""), effects::admin_identity),
        }
    }

    pub fn finish(self) -> Model {
        let mut model = self.model;
        model.workloads = workloads::fold(self.workloads);
        let referenced = model
            .workloads
            .iter()
            .map(|w| &*w.namespace)
            .chain(model.policies.iter().map(|p| p.namespace.as_str()))
            .chain(model.services.iter().map(|s| s.namespace.as_str()));
        let mut implicit: BTreeMap<String, model::Namespace> = BTreeMap::new();
        for name in referenced {
            if !model.namespaces.contains_key(name) && !implicit.contains_key(name) {
                implicit.insert(
                    name.to_string(),
                    model::Namespace {
                        name: name.to_string(),
                        labels: model::implicit_namespace_labels(name),
                        origin: None,
                    },
                );
            }
        }
        model.namespaces.extend(implicit);
        model
            .policies
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        model
            .services
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        let mut admin_policies = self.admin_policies;
        admin_policies.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
        model.admin_policies = admin_policies;
        model
    }
}

/// A kept object: where it is kept, and where it was defined.
struct Kept {
    slot: Slot,
    file: usize,
    document: usize,
    line: usize,
}

/// Which list of the model holds a kept object, and where in it.
enum Slot {
    Workload(usize),
    Namespace(String),
    Service(usize),
    Policy(usize),
    Admin(usize),
    Baseline,
}

/// The location of a skipped object kept as an example, with its name.
fn named(example: Example<'_>, default_namespace: &str) -> Location {
    match example {
        Example::Named(location) => location,
        Example::Unnamed {
            location,
            document,
            kind,
        } => Location {
            object: read::name_of(Source::Document(&document), &kind, true, default_namespace),
            ..location
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;

    fn service(name: &str) -> Effect<'static> {
        Effect::Defined {
            // Every object gets the same key: only identities can tell them apart.
            key: 7,
            at: Spot {
                document: 0,
                line: 1,
                field: None,
            },
            value: Defined::Service(model::Service {
                namespace: "shop".to_string(),
                name: name.to_string(),
                selector: None,
                origin: Origin {
                    path: "s.yaml".into(),
                    document: 0,
                    line: 1,
                    item: None,
                },
            }),
        }
    }

    #[test]
    fn colliding_keys_are_told_apart_by_identity() {
        let files = [SourceFile::new("s.yaml", "")];
        let mut assembler = Assembler::new("default", &files);
        for name in ["a", "b", "c", "b"] {
            assembler.apply(0, service(name));
        }
        let model = assembler.finish();
        let names: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(model.diagnostics.len(), 1);
        assert_eq!(model.diagnostics[0].code, "duplicate-object");
        assert!(
            model.diagnostics[0].message.starts_with("Service shop/b:"),
            "{}",
            model.diagnostics[0].message
        );
    }
}
