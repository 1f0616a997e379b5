//! Reading a document once for both sides of a diff.
//!
//! A pull request changes a handful of documents; the rest of the head is byte-for-byte the
//! base. Reading a document is the expensive part of the whole analysis (YAML, typed decoding,
//! validation), so while the base is parsed every document's outcome is recorded as a list
//! of [`Effect`]s, and a head document with the same text in the same file replays them
//! instead of being read again — moved to its new position when lines were added or removed
//! above it. Replaying is exact: the effects carry the origins and diagnostics the document
//! produced, and everything that depends on the other documents (duplicate detection, which
//! skipped objects are kept as examples) is decided again on replay, against the head's own
//! state. Diagnostic messages never contain positions, so only origins and locations move.

use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::Diagnostic;
use crate::model::{self, AdminPolicy};
use crate::source::{Location, ObjectRef, Origin};

use super::workloads::RawWorkload;

/// What reading a document did to the parser's state, in order.
#[derive(Debug, Clone)]
pub(super) enum Effect {
    /// A finding about the document or one of its objects.
    Diagnostic(Diagnostic),
    /// An object of a kind netreach does not model, with its location when it was kept as
    /// an example (only the first few per kind are).
    Skipped { key: String, example: Option<Location> },
    /// A valid object, kept unless an earlier document defined the same one.
    Defined {
        object: ObjectRef,
        /// Where the object is (also where a duplicate is reported).
        location: Location,
        value: Box<Defined>,
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

/// Where a document sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Position {
    pub index: usize,
    pub first_line: usize,
}

/// The recorded documents of one side, by file path and text (the whole text is the key: a
/// hash alone could collide and silently replay the wrong document). Identical documents in
/// one file are kept in order, one recording each. Borrows the recorded side's files.
#[derive(Debug, Default)]
pub struct Memo<'a> {
    files: HashMap<&'a str, HashMap<&'a str, Recordings>>,
}

/// Each recording of one text in one file: where it was and what it did.
type Recordings = Vec<(Position, Vec<Effect>)>;

impl<'a> Memo<'a> {
    pub(super) fn record(&mut self, path: &'a str, text: &'a str, at: Position, effects: Vec<Effect>) {
        let file = self.files.entry(path).or_default();
        file.entry(text).or_default().push((at, effects));
    }

    /// Takes the effects of a document with the same text in the same file, moved to `at`.
    /// Each recording is replayed at most once, so it is moved rather than copied.
    pub(super) fn take(&mut self, path: &str, text: &str, at: Position) -> Option<Vec<Effect>> {
        let recordings = self.files.get_mut(path)?.get_mut(text)?;
        // Identical documents replay in their original order.
        let (from, mut effects) = (!recordings.is_empty()).then(|| recordings.remove(0))?;
        if from != at {
            for effect in &mut effects {
                effect.relocate(from, at);
            }
        }
        Some(effects)
    }
}

impl Effect {
    fn relocate(&mut self, from: Position, to: Position) {
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
            Effect::Skipped { example, .. } => example.iter_mut().for_each(location),
            Effect::Defined {
                location: at, value, ..
            } => {
                location(at);
                match &mut **value {
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
