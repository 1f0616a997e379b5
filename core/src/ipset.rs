//! Sets of IP addresses (IPv4 and IPv6) as sorted, merged inclusive ranges.
//!
//! ipBlocks are `cidr` minus `except`; the outside world is cut into pieces at every
//! ipBlock boundary. Both need exact set arithmetic, and reports need a short readable name
//! for a set — `0.0.0.0/0 except 10.0.0.0/8` rather than the thirty CIDRs it decomposes to.
//!
//! ```
//! use netreach_core::ipset::IpSet;
//! let world = IpSet::parse_cidr("0.0.0.0/0").unwrap();
//! let private = IpSet::parse_cidr("10.0.0.0/8").unwrap();
//! assert_eq!(world.difference(&private).to_string(), "0.0.0.0/0 except 10.0.0.0/8");
//! ```

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// Address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
    fn max(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }
}

type Ranges = Vec<(u128, u128)>;

/// A set of IPv4 and IPv6 addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpSet {
    v4: Ranges,
    v6: Ranges,
}

/// Why a CIDR string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CIDR {text:?}: expected an address and prefix length such as 10.0.0.0/8 or fd00::/8")]
pub struct CidrError {
    pub text: String,
}

impl IpSet {
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every IPv4 and IPv6 address.
    pub fn all() -> Self {
        IpSet {
            v4: vec![(0, Family::V4.max())],
            v6: vec![(0, Family::V6.max())],
        }
    }

    /// Parses `a.b.c.d/n` or `x::/n`. Host bits are dropped, as the network plugin would.
    pub fn parse_cidr(text: &str) -> Result<Self, CidrError> {
        let net = parse_net(text)?;
        Ok(Self::from_net(net))
    }

    pub fn from_net(net: IpNet) -> Self {
        match net.trunc() {
            IpNet::V4(n) => IpSet {
                v4: vec![(u128::from(u32::from(n.network())), u128::from(u32::from(n.broadcast())))],
                v6: Vec::new(),
            },
            IpNet::V6(n) => IpSet {
                v4: Vec::new(),
                v6: vec![(u128::from(n.network()), u128::from(n.broadcast()))],
            },
        }
    }

    /// A set from raw inclusive ranges of one family (used by the engine's atoms).
    pub fn from_range(family: Family, lo: u128, hi: u128) -> Self {
        let mut set = Self::default();
        *set.ranges_mut(family) = vec![(lo, hi)];
        set
    }

    pub fn ranges(&self, family: Family) -> &[(u128, u128)] {
        match family {
            Family::V4 => &self.v4,
            Family::V6 => &self.v6,
        }
    }

    fn ranges_mut(&mut self, family: Family) -> &mut Ranges {
        match family {
            Family::V4 => &mut self.v4,
            Family::V6 => &mut self.v6,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn union(&self, other: &Self) -> Self {
        IpSet {
            v4: union(&self.v4, &other.v4),
            v6: union(&self.v6, &other.v6),
        }
    }

    pub fn intersect(&self, other: &Self) -> Self {
        IpSet {
            v4: intersect(&self.v4, &other.v4),
            v6: intersect(&self.v6, &other.v6),
        }
    }

    pub fn difference(&self, other: &Self) -> Self {
        IpSet {
            v4: difference(&self.v4, &other.v4),
            v6: difference(&self.v6, &other.v6),
        }
    }

    /// True when every address of `other` is in `self`.
    pub fn contains_set(&self, other: &Self) -> bool {
        other.difference(self).is_empty()
    }

    pub fn contains_addr(&self, addr: std::net::IpAddr) -> bool {
        let (family, value) = match addr {
            std::net::IpAddr::V4(a) => (Family::V4, u128::from(u32::from(a))),
            std::net::IpAddr::V6(a) => (Family::V6, u128::from(a)),
        };
        self.ranges(family).iter().any(|&(lo, hi)| lo <= value && value <= hi)
    }

    /// The set as a minimal list of CIDRs, IPv4 first.
    pub fn to_cidrs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for family in [Family::V4, Family::V6] {
            for &(lo, hi) in self.ranges(family) {
                range_to_cidrs(family, lo, hi, &mut out);
            }
        }
        out
    }

    /// Short human name per family: either the CIDR list, or `cover except holes` when that
    /// is shorter (the common case for `0.0.0.0/0` with `except`).
    fn family_names(&self, family: Family) -> Vec<String> {
        let ranges = self.ranges(family);
        if ranges.is_empty() {
            return Vec::new();
        }
        let mut plain = Vec::new();
        for &(lo, hi) in ranges {
            range_to_cidrs(family, lo, hi, &mut plain);
        }
        if plain.len() == 1 {
            return plain;
        }
        let (cover_lo, cover_hi, cover_prefix) = covering_block(family, ranges[0].0, ranges[ranges.len() - 1].1);
        let holes = difference(&[(cover_lo, cover_hi)], ranges);
        let mut hole_cidrs = Vec::new();
        for (lo, hi) in holes {
            range_to_cidrs(family, lo, hi, &mut hole_cidrs);
        }
        if hole_cidrs.len() + 1 < plain.len() {
            vec![format!(
                "{}/{} except {}",
                addr_string(family, cover_lo),
                cover_prefix,
                hole_cidrs.join(", ")
            )]
        } else {
            plain
        }
    }

    /// Boundaries where the set starts or stops, per family: `lo` and `hi + 1` of every range.
    pub fn boundaries(&self, family: Family) -> impl Iterator<Item = u128> + '_ {
        self.ranges(family).iter().flat_map(move |&(lo, hi)| {
            let end = if hi == family.max() { None } else { Some(hi + 1) };
            std::iter::once(lo).chain(end)
        })
    }
}

impl fmt::Display for IpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = self.family_names(Family::V4);
        names.extend(self.family_names(Family::V6));
        if names.is_empty() {
            return f.write_str("no addresses");
        }
        f.write_str(&names.join(", "))
    }
}

fn parse_net(text: &str) -> Result<IpNet, CidrError> {
    text.trim()
        .parse::<IpNet>()
        .ok()
        .filter(|_| text.trim() == text)
        .ok_or_else(|| CidrError { text: text.to_string() })
}

fn union(a: &[(u128, u128)], b: &[(u128, u128)]) -> Ranges {
    let mut all: Ranges = a.iter().chain(b).copied().collect();
    all.sort_unstable();
    let mut out: Ranges = Vec::with_capacity(all.len());
    for (lo, hi) in all {
        match out.last_mut() {
            Some(last) if last.1 == u128::MAX || lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn intersect(a: &[(u128, u128)], b: &[(u128, u128)]) -> Ranges {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if lo <= hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn difference(a: &[(u128, u128)], b: &[(u128, u128)]) -> Ranges {
    let mut out = Vec::new();
    for &(lo, hi) in a {
        let mut cur = Some(lo);
        for &(b_lo, b_hi) in b {
            let Some(c) = cur else { break };
            if b_hi < c || b_lo > hi {
                continue;
            }
            if b_lo > c {
                out.push((c, b_lo - 1));
            }
            cur = if b_hi >= hi { None } else { Some(b_hi + 1) };
        }
        if let Some(c) = cur {
            if c <= hi {
                out.push((c, hi));
            }
        }
    }
    out
}

fn addr_string(family: Family, value: u128) -> String {
    match family {
        Family::V4 => Ipv4Addr::from(value as u32).to_string(),
        Family::V6 => Ipv6Addr::from(value).to_string(),
    }
}

/// Decomposes `lo..=hi` into aligned CIDR blocks.
fn range_to_cidrs(family: Family, lo: u128, hi: u128, out: &mut Vec<String>) {
    let bits = family.bits();
    let mut cur = lo;
    loop {
        // Largest block aligned at `cur` that does not pass `hi`.
        let align = if cur == 0 { bits } else { cur.trailing_zeros().min(bits) };
        let mut size_bits = align;
        while size_bits > 0 {
            let last = if size_bits >= 128 {
                u128::MAX
            } else {
                cur + ((1u128 << size_bits) - 1)
            };
            if last <= hi {
                break;
            }
            size_bits -= 1;
        }
        out.push(format!("{}/{}", addr_string(family, cur), bits - size_bits));
        let last = if size_bits >= 128 {
            u128::MAX
        } else {
            cur + ((1u128 << size_bits) - 1)
        };
        if last >= hi {
            break;
        }
        cur = last + 1;
    }
}

/// The smallest CIDR block containing `lo..=hi`: `(first, last, prefix)`.
fn covering_block(family: Family, lo: u128, hi: u128) -> (u128, u128, u32) {
    let bits = family.bits();
    let differing = 128 - (lo ^ hi).leading_zeros();
    let host_bits = differing.min(bits);
    let mask = if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    (lo & !mask, (lo & !mask) | mask, bits - host_bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(cidrs: &[&str]) -> IpSet {
        cidrs
            .iter()
            .fold(IpSet::empty(), |acc, c| acc.union(&IpSet::parse_cidr(c).unwrap()))
    }

    #[test]
    fn parse_rejects_garbage_and_truncates_host_bits() {
        assert!(IpSet::parse_cidr("10.0.0/8").is_err());
        assert!(IpSet::parse_cidr("10.0.0.0").is_err());
        assert!(IpSet::parse_cidr("10.0.0.0/33").is_err());
        assert!(IpSet::parse_cidr(" 10.0.0.0/8").is_err());
        assert_eq!(IpSet::parse_cidr("10.1.2.3/8").unwrap(), set(&["10.0.0.0/8"]));
        assert_eq!(set(&["fd00::1/8"]).to_cidrs(), vec!["fd00::/8"]);
    }

    #[test]
    fn except_carving_names_compactly() {
        let world = set(&["0.0.0.0/0"]);
        let carved = world.difference(&set(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]));
        assert_eq!(
            carved.to_string(),
            "0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"
        );
        assert!(carved.contains_addr("8.8.8.8".parse().unwrap()));
        assert!(!carved.contains_addr("10.1.1.1".parse().unwrap()));
        assert_eq!(set(&["10.0.0.0/24", "10.0.1.0/24"]).to_string(), "10.0.0.0/23");
        assert_eq!(
            set(&["10.0.0.0/24", "10.0.2.0/24"]).to_string(),
            "10.0.0.0/24, 10.0.2.0/24"
        );
    }

    #[test]
    fn ipv6_arithmetic() {
        let all6 = set(&["::/0"]);
        let carved = all6.difference(&set(&["fd00::/8"]));
        assert_eq!(carved.to_string(), "::/0 except fd00::/8");
        assert!(carved.contains_addr("2001:db8::1".parse().unwrap()));
        assert!(!carved.contains_addr("fd00::1".parse().unwrap()));
        assert_eq!(IpSet::all().to_string(), "0.0.0.0/0, ::/0");
        assert!(IpSet::all().contains_set(&carved));
        assert!(!carved.contains_set(&IpSet::all()));
    }

    #[test]
    fn boundaries_of_full_range_stop_at_max() {
        let b: Vec<u128> = IpSet::all().boundaries(Family::V4).collect();
        assert_eq!(b, vec![0]);
        let b: Vec<u128> = set(&["10.0.0.0/8"]).boundaries(Family::V4).collect();
        assert_eq!(b, vec![0x0a00_0000, 0x0b00_0000]);
    }
}
