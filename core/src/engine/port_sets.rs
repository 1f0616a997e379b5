//! Interned port sets, and union/intersection on their ids.
//!
//! A cluster has few distinct port sets (tens to hundreds) but the engine combines them for
//! every candidate pair. Working on ids, with each distinct combination computed once and
//! remembered, turns the hot path into hash lookups instead of range-list allocations.

use rustc_hash::FxHashMap as HashMap;

use crate::ports::PortSet;

/// Interns port sets so equal sets share one id; [`PortSets::NONE`] and [`PortSets::ALL`]
/// are always present.
#[derive(Debug, Clone)]
pub struct PortSets {
    sets: Vec<PortSet>,
    ids: HashMap<PortSet, u32>,
    /// Results by operation and operand ids.
    combined: HashMap<(Op, u32, u32), u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    Union,
    Intersect,
}

impl Default for PortSets {
    fn default() -> Self {
        let mut sets = PortSets {
            sets: Vec::new(),
            ids: HashMap::default(),
            combined: HashMap::default(),
        };
        sets.intern(PortSet::none());
        sets.intern(PortSet::all());
        sets
    }
}

impl PortSets {
    /// The id of the empty set.
    pub const NONE: u32 = 0;
    /// The id of every port of every protocol.
    pub const ALL: u32 = 1;

    pub fn intern(&mut self, set: PortSet) -> u32 {
        if let Some(&id) = self.ids.get(&set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set.clone());
        self.ids.insert(set, id);
        id
    }

    pub fn get(&self, id: u32) -> &PortSet {
        &self.sets[id as usize]
    }

    /// The id of `get(a) ∪ get(b)`.
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        if a == b || b == Self::NONE || a == Self::ALL {
            return a;
        }
        if a == Self::NONE || b == Self::ALL {
            return b;
        }
        self.memoised(Op::Union, a, b)
    }

    /// The id of `get(a) ∩ get(b)`.
    pub fn intersect(&mut self, a: u32, b: u32) -> u32 {
        if a == b || b == Self::ALL || a == Self::NONE {
            return a;
        }
        if a == Self::ALL || b == Self::NONE {
            return b;
        }
        self.memoised(Op::Intersect, a, b)
    }

    /// `op` (commutative) on two ids, computed once per pair of ids.
    fn memoised(&mut self, op: Op, a: u32, b: u32) -> u32 {
        let key = (op, a.min(b), a.max(b));
        if let Some(&id) = self.combined.get(&key) {
            return id;
        }
        let (x, y) = (self.get(a), self.get(b));
        let id = self.intern(match op {
            Op::Union => x.union(y),
            Op::Intersect => x.intersect(y),
        });
        self.combined.insert(key, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::PortSets;
    use crate::ports::{PortSet, Protocol};

    #[test]
    fn algebra_on_ids_matches_algebra_on_sets() {
        let mut sets = PortSets::default();
        let samples = [
            PortSet::none(),
            PortSet::all(),
            PortSet::range(Protocol::Tcp, 80, 90),
            PortSet::range(Protocol::Tcp, 85, 100),
            PortSet::single(Protocol::Udp, 53),
            PortSet::protocol_all(Protocol::Sctp),
        ];
        let ids: Vec<u32> = samples.iter().map(|s| sets.intern(s.clone())).collect();
        assert_eq!((ids[0], ids[1]), (PortSets::NONE, PortSets::ALL));
        for (a, sa) in ids.iter().zip(&samples) {
            for (b, sb) in ids.iter().zip(&samples) {
                let union = sets.union(*a, *b);
                assert_eq!(sets.get(union), &sa.union(sb), "{sa} ∪ {sb}");
                let intersection = sets.intersect(*a, *b);
                assert_eq!(sets.get(intersection), &sa.intersect(sb), "{sa} ∩ {sb}");
            }
        }
        assert_eq!(
            sets.intern(PortSet::range(Protocol::Tcp, 80, 90)),
            ids[2],
            "interned once"
        );
    }
}
