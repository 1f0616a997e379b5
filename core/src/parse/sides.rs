//! Reading the documents of one or more sides (base and head of a diff): each distinct
//! document once, on every core there is.
//!
//! A document is identified by its file's path and its text. When the head holds a document
//! the base holds too, possibly at another position, it is read once and its effects are
//! delivered to both sides, moved to each position (see `effects`). The reads themselves are
//! independent, so they are spread over threads (`parallel::map`); what each side receives
//! is in its own input order, ready for `assemble`.

use std::collections::hash_map::Entry;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::documents::{self, Document};
use super::effects::{Effect, Position};
use super::read;
use crate::parallel;
use crate::source::SourceFile;

/// A side's documents in input order, each with the index of its file and its effects.
pub(super) type SideEffects<'a> = Vec<(usize, Vec<Effect<'a>>)>;

/// One distinct document to read, and everywhere it is needed.
struct Job<'a> {
    file: &'a SourceFile,
    path: Arc<str>,
    doc: Document<'a>,
    /// `(side, slot in that side, position)`; the first is where `doc` itself is.
    deliveries: Vec<(usize, usize, Position)>,
}

/// Reads the documents of each side; returns each side's effects in input order.
pub(super) fn read<'a, const N: usize>(sides: [&'a [SourceFile]; N], default_namespace: &str) -> [SideEffects<'a>; N] {
    let files: Vec<(usize, usize, &'a SourceFile)> = sides
        .iter()
        .enumerate()
        .flat_map(|(side, files)| files.iter().enumerate().map(move |(index, file)| (side, index, file)))
        .collect();
    let split = parallel::map(&files, |&(_, _, file)| documents::split(&file.text));
    let mut jobs: Vec<Job<'a>> = Vec::new();
    let mut distinct: HashMap<(&'a str, &'a str), usize> = HashMap::default();
    // Per side, the file index of each slot.
    let mut slots: [Vec<usize>; N] = std::array::from_fn(|_| Vec::new());
    for (&(side, file_index, file), docs) in files.iter().zip(split) {
        let path: Arc<str> = file.path.as_str().into();
        for doc in docs {
            let slot = slots[side].len();
            slots[side].push(file_index);
            let delivery = (side, slot, doc.position());
            match distinct.entry((file.path.as_str(), doc.text)) {
                Entry::Occupied(seen) => jobs[*seen.get()].deliveries.push(delivery),
                Entry::Vacant(new) => {
                    new.insert(jobs.len());
                    jobs.push(Job {
                        file,
                        path: path.clone(),
                        doc,
                        deliveries: vec![delivery],
                    });
                }
            }
        }
    }
    drop(distinct);
    let read_jobs = parallel::map(&jobs, |job| {
        let effects = read::read(default_namespace, job.file, &job.path, &job.doc);
        let from = job.doc.position();
        let copies: Vec<Vec<Effect<'a>>> = job.deliveries[1..]
            .iter()
            .map(|&(_, _, to)| {
                let mut copy = effects.clone();
                if to != from {
                    for effect in &mut copy {
                        effect.relocate(from, to);
                    }
                }
                copy
            })
            .collect();
        std::iter::once(effects).chain(copies).collect::<Vec<_>>()
    });
    let mut delivered: [Vec<Option<Vec<Effect<'a>>>>; N] =
        std::array::from_fn(|side| (0..slots[side].len()).map(|_| None).collect());
    for (job, copies) in jobs.iter().zip(read_jobs) {
        for (&(side, slot, _), effects) in job.deliveries.iter().zip(copies) {
            delivered[side][slot] = Some(effects);
        }
    }
    let mut out: [SideEffects<'a>; N] = std::array::from_fn(|_| Vec::new());
    for (side, effects) in delivered.into_iter().enumerate() {
        out[side] = slots[side]
            .iter()
            .zip(effects)
            .map(|(&file, effects)| {
                debug_assert!(effects.is_some(), "every document is delivered");
                (file, effects.unwrap_or_default())
            })
            .collect();
    }
    out
}
