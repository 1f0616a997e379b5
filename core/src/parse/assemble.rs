//! One side's model from its documents' effects, added in input order.
//!
//! Everything that depends on more than one document is decided here: an object defined
//! twice keeps its first definition and the second is reported; each skipped kind keeps
//! the location of its first few objects; equal label sets and named-port lists are shared
//! (`workloads::Interner`); finally workloads fold into their controllers and every
//! namespace that objects refer to exists.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use super::decode::Source;
use super::effects::{Defined, Effect, Example, Spot};
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
    /// Every object kept so far → where it was first defined (file index, document, line).
    seen: HashMap<ObjectRef, (usize, usize, usize)>,
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
            Effect::Defined { object, at, value } => self.define(file, object, at, value),
        }
    }

    fn define(&mut self, file: usize, object: ObjectRef, at: Spot, value: Defined) {
        if let Some(&(path, document, line)) = self.seen.get(&object) {
            let message = format!(
                "{object}: defined more than once; this definition is ignored, the first is at {}:{line} (document {document})",
                self.files[path].path
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
        self.seen.insert(object, (file, at.document, at.line));
        match value {
            Defined::Workload(mut workload) => {
                workload.intern(&mut self.interner);
                self.workloads.push(workload);
            }
            Defined::Namespace(namespace) => {
                self.model.namespaces.insert(namespace.name.clone(), namespace);
            }
            Defined::Service(service) => self.model.services.push(service),
            Defined::Policy(policy) => self.model.policies.push(policy),
            Defined::Admin(policy) => self.admin_policies.push(policy),
            Defined::Baseline(policy) => self.model.baseline_policy = Some(policy),
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
