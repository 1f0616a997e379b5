//! The outside world cut into atoms: address ranges that no ipBlock boundary splits.
//!
//! Every ipBlock (cidr minus excepts) is a union of whole atoms, so "does this rule match
//! these addresses" becomes a bit test, and atoms with identical connectivity can be merged
//! back into a few readable ranges for the report.

use crate::ipset::{Family, IpSet};

use super::bitset::BitSet;

/// Disjoint address ranges covering all of IPv4 and IPv6, in order (IPv4 first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atoms {
    ranges: Vec<(Family, u128, u128)>,
}

impl Atoms {
    /// Cuts the address space at every boundary of every given set.
    pub fn build<'a>(sets: impl IntoIterator<Item = &'a IpSet>) -> Self {
        let mut v4: Vec<u128> = vec![0];
        let mut v6: Vec<u128> = vec![0];
        for set in sets {
            v4.extend(set.boundaries(Family::V4));
            v6.extend(set.boundaries(Family::V6));
        }
        let mut ranges = Vec::new();
        for (family, mut cuts, max) in [(Family::V4, v4, u128::from(u32::MAX)), (Family::V6, v6, u128::MAX)] {
            cuts.sort_unstable();
            cuts.dedup();
            for (i, &lo) in cuts.iter().enumerate() {
                let hi = cuts.get(i + 1).map_or(max, |next| next - 1);
                ranges.push((family, lo, hi));
            }
        }
        Atoms { ranges }
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The atoms inside `set`. Exact when `set` was among the sets the atoms were built from.
    pub fn of_set(&self, set: &IpSet) -> BitSet {
        let mut bits = BitSet::new(self.ranges.len());
        for family in [Family::V4, Family::V6] {
            for &(lo, hi) in set.ranges(family) {
                let start = self.ranges.partition_point(|&(f, a_lo, _)| (f, a_lo) < (family, lo));
                for (i, &(f, a_lo, a_hi)) in self.ranges.iter().enumerate().skip(start) {
                    if f != family || a_lo > hi {
                        break;
                    }
                    if a_hi <= hi {
                        bits.insert(i);
                    }
                }
            }
        }
        bits
    }

    /// The addresses of the given atoms.
    pub fn to_set(&self, atoms: impl IntoIterator<Item = usize>) -> IpSet {
        atoms.into_iter().fold(IpSet::empty(), |acc, i| {
            let (family, lo, hi) = self.ranges[i];
            acc.union(&IpSet::from_range(family, lo, hi))
        })
    }

    /// The atom containing an address.
    pub fn containing(&self, addr: std::net::IpAddr) -> usize {
        let (family, value) = match addr {
            std::net::IpAddr::V4(a) => (Family::V4, u128::from(u32::from(a))),
            std::net::IpAddr::V6(a) => (Family::V6, u128::from(a)),
        };
        self.ranges
            .iter()
            .position(|&(f, lo, hi)| f == family && lo <= value && value <= hi)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_every_boundary_and_maps_sets_back() {
        let world_minus = IpSet::parse_cidr("0.0.0.0/0")
            .unwrap()
            .difference(&IpSet::parse_cidr("10.0.0.0/8").unwrap());
        let ten = IpSet::parse_cidr("10.0.0.0/8").unwrap();
        let atoms = Atoms::build([&world_minus, &ten]);
        // 0-9.255.., 10/8, 11.0.0.0-max, and all of IPv6.
        assert_eq!(atoms.len(), 4);
        assert_eq!(atoms.of_set(&ten).iter().collect::<Vec<_>>(), vec![1]);
        assert_eq!(atoms.of_set(&world_minus).iter().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(atoms.to_set([0, 2]), world_minus);
        assert_eq!(atoms.of_set(&IpSet::all()).count(), 4);
        assert_eq!(atoms.containing("10.1.2.3".parse().unwrap()), 1);
        assert_eq!(atoms.containing("::1".parse().unwrap()), 3);
    }
}
