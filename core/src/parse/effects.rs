//! What reading one document yields, before it is added to a side's model.
//!
//! Reading a document (YAML, typed decoding, validation) is the expensive part of the whole
//! analysis, and it depends on nothing but the document and the options. So a document is
//! read into a list of [`Effect`]s, and a separate step adds them to the model in input order
//! (`assemble`): that is where everything that depends on the other documents is decided —
//! duplicate objects, which skipped objects are kept as examples, shared label sets.
//!
//! This split is what lets documents be read in any order, on several threads, and only once
//! when both sides of a diff hold the same text: a pull request changes a handful of
//! documents and the rest of the head is the base byte for byte. A document found at another
//! position (lines added above it) gets the same effects, moved ([`Effect::relocate`]).
//! Diagnostic messages never contain positions, so only origins and locations move.

use crate::diagnostic::Diagnostic;
use crate::model::{self, AdminPolicy};
use crate::source::{Location, Origin};

use super::documents::Document;
use super::workloads::RawWorkload;

/// One change to a side's model, in input order.
#[derive(Debug, Clone)]
pub(super) enum Effect<'a> {
    /// A finding about the document or one of its objects.
    Diagnostic(Diagnostic),
    /// An object of a kind netreach does not model (`key` is `apiVersion/kind`).
    Skipped { key: String, example: Example<'a> },
    /// A valid object, kept unless an earlier document defined the same one.
    Defined {
        /// Hash of the object's [`Identity`], computed where the document is read.
        key: u64,
        /// Where the object is, should it be reported as a duplicate.
        at: Spot,
        value: Defined,
    },
}

/// Where a defined object is in its file: what a [`Location`] needs besides the path
/// and the object, which the effect already has (a duplicate is rare; allocating its
/// location for every object is not worth it).
#[derive(Debug, Clone)]
pub(super) struct Spot {
    pub document: usize,
    pub line: usize,
    /// `items[i]` for a list item.
    pub field: Option<String>,
}

/// Where a skipped object is, should it be kept as one of its kind's examples.
#[derive(Debug, Clone)]
pub(super) enum Example<'a> {
    /// Located and named (list items, whose name costs nothing to read).
    Named(Location),
    /// A whole document, located but not yet named: reading the name means parsing the
    /// document, which only the few kept as examples are worth.
    Unnamed {
        location: Location,
        document: Document<'a>,
        kind: String,
    },
}

/// A valid object of a modelled kind.
#[derive(Debug, Clone)]
pub(super) enum Defined {
    Workload(RawWorkload),
    Namespace(model::Namespace),
    Service(model::Service),
    Policy(model::NetworkPolicy),
    Admin(AdminPolicy),
    Baseline(AdminPolicy),
}

/// What makes two objects the same object: kind, namespace (empty for cluster-scoped
/// kinds) and name. Borrowed from the object itself, so finding duplicates allocates nothing.
pub(super) type Identity<'a> = (&'a str, &'a str, &'a str);

/// The [`Effect::Defined::key`] of an identity.
pub(super) fn identity_key((kind, namespace, name): Identity<'_>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    (kind, namespace, name).hash(&mut hasher);
    hasher.finish()
}

impl Defined {
    pub(super) fn identity(&self) -> Identity<'_> {
        match self {
            Defined::Workload(workload) => workload.identity(),
            Defined::Namespace(namespace) => namespace_identity(namespace),
            Defined::Service(service) => service_identity(service),
            Defined::Policy(policy) => policy_identity(policy),
            Defined::Admin(policy) | Defined::Baseline(policy) => admin_identity(policy),
        }
    }
}

pub(super) fn namespace_identity(namespace: &model::Namespace) -> Identity<'_> {
    ("Namespace", "", &namespace.name)
}

pub(super) fn service_identity(service: &model::Service) -> Identity<'_> {
    ("Service", &service.namespace, &service.name)
}

pub(super) fn policy_identity(policy: &model::NetworkPolicy) -> Identity<'_> {
    ("NetworkPolicy", &policy.namespace, &policy.name)
}

pub(super) fn admin_identity(policy: &AdminPolicy) -> Identity<'_> {
    let kind = if policy.baseline {
        "BaselineAdminNetworkPolicy"
    } else {
        "AdminNetworkPolicy"
    };
    (kind, "", &policy.name)
}

/// Where a document sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Position {
    pub index: usize,
    pub first_line: usize,
}

impl Document<'_> {
    pub(super) fn position(&self) -> Position {
        Position {
            index: self.index,
            first_line: self.first_line,
        }
    }
}

impl Effect<'_> {
    /// Moves what a document read at `from` yielded to the same text at `to`.
    pub(super) fn relocate(&mut self, from: Position, to: Position) {
        let line = |line: &mut usize| {
            if *line >= from.first_line {
                *line = *line - from.first_line + to.first_line;
            }
        };
        let location = |location: &mut Location| {
            location.document = to.index;
            line(&mut location.line);
        };
        let origin = |origin: &mut Origin| {
            origin.document = to.index;
            line(&mut origin.line);
        };
        match self {
            Effect::Diagnostic(diagnostic) => location(&mut diagnostic.location),
            Effect::Skipped { example, .. } => match example {
                Example::Named(at) | Example::Unnamed { location: at, .. } => location(at),
            },
            Effect::Defined { at, value, .. } => {
                at.document = to.index;
                line(&mut at.line);
                match value {
                    Defined::Workload(workload) => origin(workload.origin_mut()),
                    Defined::Namespace(namespace) => namespace.origin.iter_mut().for_each(origin),
                    Defined::Service(service) => origin(&mut service.origin),
                    Defined::Policy(policy) => origin(&mut policy.origin),
                    Defined::Admin(policy) | Defined::Baseline(policy) => origin(&mut policy.origin),
                }
            }
        }
    }
}
