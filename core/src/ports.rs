//! Port sets: per protocol, a sorted list of merged inclusive port ranges.
//!
//! Every "which ports are allowed" answer in netreach is a [`PortSet`]. Ranges are kept
//! sorted and merged, so equal sets have equal representations: `80-80,81-90` and `80-90`
//! are the same value, which is what makes rewritten-but-equivalent policies diff to nothing.
//!
//! ```
//! use netreach_core::ports::{PortSet, Protocol};
//! let web = PortSet::range(Protocol::Tcp, 80, 80).union(&PortSet::range(Protocol::Tcp, 81, 90));
//! assert_eq!(web.to_string(), "TCP 80-90");
//! assert!(PortSet::all().intersect(&web) == web);
//! ```

use std::fmt;

use serde::ser::SerializeSeq;
use serde::{Deserialize, Serialize, Serializer};

/// Transport protocols NetworkPolicy knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Parses the API spelling (`TCP`, `UDP`, `SCTP`; case-sensitive like the API server).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sorted, merged, inclusive `u16` ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RangeSet(Vec<(u16, u16)>);

impl RangeSet {
    pub const MIN_PORT: u16 = 1;
    pub const MAX_PORT: u16 = 65535;

    pub fn full() -> Self {
        RangeSet(vec![(Self::MIN_PORT, Self::MAX_PORT)])
    }

    /// The range `lo..=hi`; empty when `lo > hi`.
    pub fn range(lo: u16, hi: u16) -> Self {
        if lo > hi {
            RangeSet(Vec::new())
        } else {
            RangeSet(vec![(lo, hi)])
        }
    }

    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.0 == [(Self::MIN_PORT, Self::MAX_PORT)]
    }

    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= port && port <= hi)
    }

    pub fn union(&self, other: &Self) -> Self {
        if other.0.is_empty() {
            return self.clone();
        }
        if self.0.is_empty() {
            return other.clone();
        }
        let mut all: Vec<(u16, u16)> = self.0.iter().chain(&other.0).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        RangeSet(out)
    }

    pub fn intersect(&self, other: &Self) -> Self {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.0.len() && j < other.0.len() {
            let (a_lo, a_hi) = self.0[i];
            let (b_lo, b_hi) = other.0[j];
            let lo = a_lo.max(b_lo);
            let hi = a_hi.min(b_hi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a_hi < b_hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        RangeSet(out)
    }

    /// `self` minus `other`.
    pub fn difference(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let mut j = 0;
        for &(lo, hi) in &self.0 {
            let mut cur = u32::from(lo);
            let hi = u32::from(hi);
            while j < other.0.len() && u32::from(other.0[j].1) < cur {
                j += 1;
            }
            let mut k = j;
            while cur <= hi {
                match other.0.get(k) {
                    Some(&(b_lo, b_hi)) if u32::from(b_lo) <= hi => {
                        if u32::from(b_lo) > cur {
                            out.push((cur as u16, (u32::from(b_lo) - 1) as u16));
                        }
                        cur = cur.max(u32::from(b_hi) + 1);
                        k += 1;
                    }
                    _ => {
                        out.push((cur as u16, hi as u16));
                        break;
                    }
                }
            }
        }
        RangeSet(out)
    }
}

impl fmt::Display for RangeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// Allowed ports for each protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortSet {
    by_protocol: [RangeSet; 3],
}

impl PortSet {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn all() -> Self {
        PortSet {
            by_protocol: [RangeSet::full(), RangeSet::full(), RangeSet::full()],
        }
    }

    pub fn protocol_all(protocol: Protocol) -> Self {
        Self::of(protocol, RangeSet::full())
    }

    pub fn range(protocol: Protocol, lo: u16, hi: u16) -> Self {
        Self::of(protocol, RangeSet::range(lo, hi))
    }

    pub fn single(protocol: Protocol, port: u16) -> Self {
        Self::range(protocol, port, port)
    }

    pub fn of(protocol: Protocol, ranges: RangeSet) -> Self {
        let mut set = Self::default();
        set.by_protocol[protocol.index()] = ranges;
        set
    }

    pub fn get(&self, protocol: Protocol) -> &RangeSet {
        &self.by_protocol[protocol.index()]
    }

    pub fn is_empty(&self) -> bool {
        self.by_protocol.iter().all(RangeSet::is_empty)
    }

    pub fn is_all(&self) -> bool {
        self.by_protocol.iter().all(RangeSet::is_full)
    }

    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        self.get(protocol).contains(port)
    }

    pub fn union(&self, other: &Self) -> Self {
        self.zip(other, RangeSet::union)
    }

    pub fn intersect(&self, other: &Self) -> Self {
        self.zip(other, RangeSet::intersect)
    }

    pub fn difference(&self, other: &Self) -> Self {
        self.zip(other, RangeSet::difference)
    }

    /// In-place union, the engine's hot path.
    pub fn add(&mut self, other: &Self) {
        for p in Protocol::ALL {
            let i = p.index();
            if !other.by_protocol[i].is_empty() && !self.by_protocol[i].is_full() {
                self.by_protocol[i] = self.by_protocol[i].union(&other.by_protocol[i]);
            }
        }
    }

    fn zip(&self, other: &Self, op: impl Fn(&RangeSet, &RangeSet) -> RangeSet) -> Self {
        PortSet {
            by_protocol: [
                op(&self.by_protocol[0], &other.by_protocol[0]),
                op(&self.by_protocol[1], &other.by_protocol[1]),
                op(&self.by_protocol[2], &other.by_protocol[2]),
            ],
        }
    }

    /// Non-empty protocols with their ranges, in the order TCP, UDP, SCTP.
    pub fn iter(&self) -> impl Iterator<Item = (Protocol, &RangeSet)> {
        Protocol::ALL
            .into_iter()
            .map(|p| (p, self.get(p)))
            .filter(|(_, r)| !r.is_empty())
    }
}

/// `TCP 80,443; UDP 53`, `all ports`, or `no ports`.
impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all ports");
        }
        if self.is_empty() {
            return f.write_str("no ports");
        }
        for (i, (protocol, ranges)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if ranges.is_full() {
                write!(f, "{protocol} all")?;
            } else {
                write!(f, "{protocol} {ranges}")?;
            }
        }
        Ok(())
    }
}

/// The contract form: `[{"protocol": "TCP", "ranges": [[80, 80], [8000, 8100]]}, ...]`,
/// empty protocols omitted.
impl Serialize for PortSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a> {
            protocol: Protocol,
            ranges: &'a [(u16, u16)],
        }
        let entries: Vec<_> = self.iter().collect();
        let mut seq = serializer.serialize_seq(Some(entries.len()))?;
        for (protocol, ranges) in entries {
            seq.serialize_element(&Entry {
                protocol,
                ranges: ranges.ranges(),
            })?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(r: &[(u16, u16)]) -> RangeSet {
        r.iter()
            .fold(RangeSet::default(), |acc, &(a, b)| acc.union(&RangeSet::range(a, b)))
    }

    #[test]
    fn union_merges_adjacent_and_overlapping() {
        assert_eq!(rs(&[(80, 80), (81, 90), (85, 100)]).ranges(), &[(80, 100)]);
        assert_eq!(rs(&[(1, 5), (7, 9)]).ranges(), &[(1, 5), (7, 9)]);
        assert_eq!(rs(&[(65535, 65535), (1, 65534)]), RangeSet::full());
    }

    #[test]
    fn intersect_and_difference() {
        let a = rs(&[(1, 100), (200, 300)]);
        let b = rs(&[(50, 250)]);
        assert_eq!(a.intersect(&b).ranges(), &[(50, 100), (200, 250)]);
        assert_eq!(a.difference(&b).ranges(), &[(1, 49), (251, 300)]);
        assert_eq!(b.difference(&a).ranges(), &[(101, 199)]);
        assert!(a.difference(&a).is_empty());
        assert_eq!(
            RangeSet::full().difference(&rs(&[(1, 1), (65535, 65535)])).ranges(),
            &[(2, 65534)]
        );
        assert_eq!(
            rs(&[(10, 20)])
                .difference(&rs(&[(1, 5), (12, 13), (15, 15), (30, 40)]))
                .ranges(),
            &[(10, 11), (14, 14), (16, 20)]
        );
    }

    #[test]
    fn display_and_json_contract() {
        let set = PortSet::range(Protocol::Tcp, 8000, 8100)
            .union(&PortSet::single(Protocol::Tcp, 80))
            .union(&PortSet::single(Protocol::Udp, 53));
        assert_eq!(set.to_string(), "TCP 80,8000-8100; UDP 53");
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"[{"protocol":"TCP","ranges":[[80,80],[8000,8100]]},{"protocol":"UDP","ranges":[[53,53]]}]"#
        );
        assert_eq!(PortSet::all().to_string(), "all ports");
        assert_eq!(
            serde_json::to_string(&PortSet::all()).unwrap(),
            r#"[{"protocol":"TCP","ranges":[[1,65535]]},{"protocol":"UDP","ranges":[[1,65535]]},{"protocol":"SCTP","ranges":[[1,65535]]}]"#
        );
        assert_eq!(PortSet::protocol_all(Protocol::Udp).to_string(), "UDP all");
    }
}
