//! Ids listed per class, stored flat.
//!
//! Compiled policies keep, for every class, the rules and the policies that apply to it per
//! direction. One small vector per class and list is tens of thousands of allocations on a
//! large cluster, written once and then only read. So entries are collected as
//! `(class, ids)` in any order and laid out in one array with an offset per class, keeping
//! the order in which each class's ids were added (rule order matters to evaluation).

use super::bitset::BitSet;

/// For each class: absent, or a (possibly empty) list of ids.
#[derive(Debug, Clone)]
pub struct PerClass {
    /// Class `c`'s ids are `ids[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    ids: Vec<usize>,
    /// Classes something was added for, even an empty list.
    listed: BitSet,
}

impl PerClass {
    /// The class's ids, or `None` when nothing was ever added for it.
    pub fn get(&self, class: usize) -> Option<&[usize]> {
        self.listed.contains(class).then(|| self.list(class))
    }

    /// The class's ids; empty when nothing was added.
    pub fn list(&self, class: usize) -> &[usize] {
        &self.ids[self.starts[class] as usize..self.starts[class + 1] as usize]
    }

    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Collects entries for a [`PerClass`] over `classes` classes.
#[derive(Debug)]
pub struct PerClassBuilder {
    entries: Vec<(u32, usize)>,
    listed: BitSet,
}

impl PerClassBuilder {
    pub fn new(classes: usize) -> Self {
        PerClassBuilder {
            entries: Vec::new(),
            listed: BitSet::new(classes),
        }
    }

    /// Appends `ids` to the class's list (marking it listed even when `ids` is empty).
    pub fn add(&mut self, class: usize, ids: &[usize]) {
        self.listed.insert(class);
        self.entries.extend(ids.iter().map(|&id| (class as u32, id)));
    }

    /// Lays the entries out by class; a stable counting sort, so each class keeps its order.
    pub fn build(self) -> PerClass {
        let classes = self.listed.len();
        let mut starts = vec![0u32; classes + 1];
        for &(class, _) in &self.entries {
            starts[class as usize + 1] += 1;
        }
        for c in 0..classes {
            starts[c + 1] += starts[c];
        }
        let mut next = starts.clone();
        let mut ids = vec![0; self.entries.len()];
        for (class, id) in self.entries {
            let slot = &mut next[class as usize];
            ids[*slot as usize] = id;
            *slot += 1;
        }
        PerClass {
            starts,
            ids,
            listed: self.listed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_each_classes_order_and_tells_empty_from_absent() {
        let mut builder = PerClassBuilder::new(4);
        builder.add(2, &[7, 3]);
        builder.add(0, &[1]);
        builder.add(2, &[5]);
        builder.add(3, &[]);
        let lists = builder.build();
        assert_eq!(lists.len(), 4);
        assert_eq!(lists.get(0), Some(&[1][..]));
        assert_eq!(lists.get(1), None);
        assert_eq!(lists.list(1), &[] as &[usize]);
        assert_eq!(lists.get(2), Some(&[7, 3, 5][..]));
        assert_eq!(lists.get(3), Some(&[] as &[usize]));
    }
}
