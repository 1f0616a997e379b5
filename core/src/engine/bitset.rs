//! A fixed-size bit set over class (or atom) indices: the engine's unit of "which ones".

/// Dense bit set of `len` bits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BitSet {
    words: Vec<u64>,
    len: usize,
}

impl BitSet {
    pub fn new(len: usize) -> Self {
        BitSet {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub fn full(len: usize) -> Self {
        let mut words = vec![u64::MAX; len.div_ceil(64)];
        if let Some(last) = words.last_mut() {
            if len % 64 != 0 {
                *last = (1 << (len % 64)) - 1;
            }
        }
        BitSet { words, len }
    }

    pub fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn union_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn intersect_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Indices of set bits, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        Self::bits(self.words.iter().copied())
    }

    /// Indices set in both `self` and `other`, ascending, without building the intersection.
    pub fn iter_and<'a>(&'a self, other: &'a BitSet) -> impl Iterator<Item = usize> + 'a {
        Self::bits(self.words.iter().zip(&other.words).map(|(a, b)| a & b))
    }

    pub(crate) fn bits(words: impl Iterator<Item = u64>) -> impl Iterator<Item = usize> {
        words.enumerate().flat_map(|(wi, word)| {
            let mut w = word;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + bit)
            })
        })
    }
}

/// `rows` bit sets of `len` bits each, in one allocation: a square relation over classes
/// is one block of memory instead of one allocation per class.
#[derive(Debug, Clone)]
pub struct BitMatrix {
    words: Vec<u64>,
    stride: usize,
}

impl BitMatrix {
    pub fn new(rows: usize, len: usize) -> Self {
        let stride = len.div_ceil(64);
        BitMatrix {
            words: vec![0; rows * stride],
            stride,
        }
    }

    fn row(&self, row: usize) -> &[u64] {
        &self.words[row * self.stride..(row + 1) * self.stride]
    }

    pub fn insert(&mut self, row: usize, i: usize) {
        self.words[row * self.stride + i / 64] |= 1 << (i % 64);
    }

    /// Adds `other` (of the matrix's width) to a row.
    pub fn union_row_with(&mut self, row: usize, other: &BitSet) {
        let stride = self.stride;
        for (a, b) in self.words[row * stride..(row + 1) * stride]
            .iter_mut()
            .zip(&other.words)
        {
            *a |= b;
        }
    }

    /// Indices set in a row, ascending.
    pub fn iter_row(&self, row: usize) -> impl Iterator<Item = usize> + '_ {
        BitSet::bits(self.row(row).iter().copied())
    }

    /// Indices set in both a row and `other`, ascending.
    pub fn iter_row_and<'a>(&'a self, row: usize, other: &'a BitSet) -> impl Iterator<Item = usize> + 'a {
        BitSet::bits(self.row(row).iter().zip(&other.words).map(|(a, b)| a & b))
    }
}

#[cfg(test)]
mod tests {
    use super::{BitMatrix, BitSet};

    #[test]
    fn matrix_rows_are_independent_sets() {
        let mut m = BitMatrix::new(3, 130);
        m.insert(0, 129);
        m.insert(1, 0);
        m.insert(1, 64);
        let mut other = BitSet::new(130);
        other.insert(64);
        other.insert(7);
        m.union_row_with(2, &other);
        assert_eq!(m.iter_row(0).collect::<Vec<_>>(), vec![129]);
        assert_eq!(m.iter_row(1).collect::<Vec<_>>(), vec![0, 64]);
        assert_eq!(m.iter_row(2).collect::<Vec<_>>(), vec![7, 64]);
        assert_eq!(m.iter_row_and(1, &other).collect::<Vec<_>>(), vec![64]);
    }

    #[test]
    fn insert_iterate_and_combine() {
        let mut a = BitSet::new(130);
        for i in [0, 63, 64, 129] {
            a.insert(i);
        }
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 63, 64, 129]);
        let mut b = BitSet::new(130);
        b.insert(64);
        b.insert(5);
        let mut u = a.clone();
        u.union_with(&b);
        assert_eq!(u.count(), 5);
        assert_eq!(a.iter_and(&b).collect::<Vec<_>>(), vec![64]);
        a.intersect_with(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![64]);
        assert!(BitSet::new(3).is_empty());
        for len in [0, 1, 63, 64, 65, 70, 128] {
            let full = BitSet::full(len);
            assert_eq!(full.count(), len);
            assert_eq!(full.iter().last(), len.checked_sub(1));
        }
    }
}
