//! Lists of ids per index (per class, per label), stored flat.
//!
//! Compiled policies keep, for every class, the rules and the policies that apply to it per
//! direction; the label index keeps the classes carrying each label. One small vector per
//! entry is tens of thousands of allocations on a large cluster, written once and then only
//! read. So entries are collected as `(index, id)` in any order and laid out in one array
//! with an offset per index, keeping the order in which each index's ids were added (rule
//! order matters to evaluation).

use super::bitset::BitSet;

/// For each index: absent, or a (possibly empty) list of ids.
#[derive(Debug, Clone)]
pub struct FlatLists {
    /// Index `i`'s ids are `ids[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    ids: Vec<usize>,
    /// Indices something was added for, even an empty list.
    listed: BitSet,
}

impl FlatLists {
    /// The index's ids, or `None` when nothing was ever added for it.
    pub fn get(&self, index: usize) -> Option<&[usize]> {
        self.listed.contains(index).then(|| self.list(index))
    }

    /// The index's ids; empty when nothing was added.
    pub fn list(&self, index: usize) -> &[usize] {
        &self.ids[self.starts[index] as usize..self.starts[index + 1] as usize]
    }

    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Collects entries for a [`FlatLists`].
#[derive(Debug, Default)]
pub struct FlatListsBuilder {
    entries: Vec<(u32, usize)>,
    listed: Vec<u32>,
}

impl FlatListsBuilder {
    /// Appends `ids` to the index's list (marking it listed even when `ids` is empty).
    pub fn add(&mut self, index: usize, ids: &[usize]) {
        self.listed.push(index as u32);
        self.entries.extend(ids.iter().map(|&id| (index as u32, id)));
    }

    /// Appends one id to the index's list.
    pub fn push(&mut self, index: usize, id: usize) {
        self.entries.push((index as u32, id));
    }

    /// Lays the entries out for indices `0..len`; a stable counting sort, so each index
    /// keeps its order. Entries must be below `len`.
    pub fn build(self, len: usize) -> FlatLists {
        let mut starts = vec![0u32; len + 1];
        let mut listed = BitSet::new(len);
        for &(index, _) in &self.entries {
            starts[index as usize + 1] += 1;
            listed.insert(index as usize);
        }
        for &index in &self.listed {
            listed.insert(index as usize);
        }
        for i in 0..len {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut ids = vec![0; self.entries.len()];
        for (index, id) in self.entries {
            let slot = &mut next[index as usize];
            ids[*slot as usize] = id;
            *slot += 1;
        }
        FlatLists { starts, ids, listed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_each_lists_order_and_tells_empty_from_absent() {
        let mut builder = FlatListsBuilder::default();
        builder.add(2, &[7, 3]);
        builder.add(0, &[1]);
        builder.push(2, 5);
        builder.add(3, &[]);
        let lists = builder.build(5);
        assert_eq!(lists.len(), 5);
        assert_eq!(lists.get(0), Some(&[1][..]));
        assert_eq!(lists.get(1), None);
        assert_eq!(lists.list(1), &[] as &[usize]);
        assert_eq!(lists.get(2), Some(&[7, 3, 5][..]));
        assert_eq!(lists.get(3), Some(&[] as &[usize]));
        assert_eq!(lists.get(4), None);
    }
}
