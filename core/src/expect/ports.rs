//! Port specifications as people write them: `TCP 80`, `UDP 53`, `TCP 8000-8100`,
//! `TCP 80,443; UDP 53`, `TCP all`.
//!
//! The same text form is what [`PortSet`]'s `Display` prints, so the lock file stores port sets
//! in it and reads them back with [`parse_port_set`]. A protocol is always required (there is
//! no default: `53` alone would silently mean TCP, and DNS is mostly UDP); protocol names are
//! matched ignoring ASCII case.
//!
//! ```
//! use netreach_core::expect::ports::parse_port_set;
//! use netreach_core::ports::{PortSet, Protocol};
//! let set = parse_port_set("TCP 80, 8000-8100; udp 53").unwrap();
//! assert_eq!(set.to_string(), "TCP 80,8000-8100; UDP 53");
//! assert_eq!(parse_port_set(&set.to_string()).unwrap(), set);
//! assert_eq!(parse_port_set("all ports").unwrap(), PortSet::all());
//! assert!(parse_port_set("80").is_err());
//! ```

use crate::ports::{PortSet, Protocol, RangeSet};

/// Parses `PROTOCOL ports[; PROTOCOL ports…]` where `ports` is `all` or a comma-separated list
/// of ports and `lo-hi` ranges; also `all ports` (every port of every protocol) and `no ports`.
/// The message of an error says what is wrong, without the text's location.
pub fn parse_port_set(text: &str) -> Result<PortSet, String> {
    let trimmed = text.trim();
    match trimmed.to_ascii_lowercase().as_str() {
        "all ports" => return Ok(PortSet::all()),
        "no ports" => return Ok(PortSet::none()),
        "" => return Err("empty port specification: write e.g. \"TCP 80\"".to_string()),
        _ => {}
    }
    let mut set = PortSet::none();
    for clause in trimmed.split(';') {
        set = set.union(&parse_clause(clause.trim(), text)?);
    }
    Ok(set)
}

fn parse_clause(clause: &str, whole: &str) -> Result<PortSet, String> {
    if clause.is_empty() {
        return Err(format!(
            "invalid port specification {whole:?}: empty clause between ';'"
        ));
    }
    let (name, rest) = clause.split_once([' ', '\t']).unwrap_or((clause, ""));
    let Some(protocol) = Protocol::ALL
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(name))
    else {
        if name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return Err(format!(
                "invalid port specification {whole:?}: a protocol is required, e.g. \"TCP {clause}\" or \"UDP {clause}\""
            ));
        }
        return Err(format!(
            "invalid port specification {whole:?}: unknown protocol {name:?} (TCP, UDP or SCTP)"
        ));
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(format!(
            "invalid port specification {whole:?}: ports are missing after {protocol}; write e.g. \"{protocol} 80\", or \"{protocol} all\" for every {protocol} port"
        ));
    }
    if rest.eq_ignore_ascii_case("all") {
        return Ok(PortSet::protocol_all(protocol));
    }
    let mut ranges = RangeSet::default();
    for item in rest.split(',') {
        let item = item.trim();
        let (lo, hi) = if let Some((lo, hi)) = item.split_once('-') {
            (port_number(lo.trim(), whole)?, port_number(hi.trim(), whole)?)
        } else {
            let port = port_number(item, whole)?;
            (port, port)
        };
        if lo > hi {
            return Err(format!(
                "invalid port specification {whole:?}: range {item:?} ends before it starts"
            ));
        }
        ranges = ranges.union(&RangeSet::range(lo, hi));
    }
    Ok(PortSet::of(protocol, ranges))
}

fn port_number(text: &str, whole: &str) -> Result<u16, String> {
    match text.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(n as u16),
        Ok(_) => Err(format!("invalid port specification {whole:?}: port {text} is outside 1-65535")),
        Err(_) if text.is_empty() => Err(format!("invalid port specification {whole:?}: a port number is missing")),
        Err(_) if text.chars().next().is_some_and(char::is_alphabetic) => Err(format!(
            "invalid port specification {whole:?}: {text:?} is not a port number (named ports are not supported: use the number)"
        )),
        Err(_) => Err(format!("invalid port specification {whole:?}: {text:?} is not a port number (1-65535)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse_port_set("TCP 80").unwrap(), PortSet::single(Protocol::Tcp, 80));
        assert_eq!(parse_port_set("UDP 53").unwrap(), PortSet::single(Protocol::Udp, 53));
        assert_eq!(
            parse_port_set("SCTP 8000-8100").unwrap(),
            PortSet::range(Protocol::Sctp, 8000, 8100)
        );
        assert_eq!(parse_port_set("tcp all").unwrap(), PortSet::protocol_all(Protocol::Tcp));
        assert_eq!(parse_port_set("TCP 80,443").unwrap().to_string(), "TCP 80,443");
        assert_eq!(
            parse_port_set(" TCP 80 , 81-90 ;UDP 53 ").unwrap().to_string(),
            "TCP 80-90; UDP 53"
        );
        assert_eq!(parse_port_set("no ports").unwrap(), PortSet::none());
        assert_eq!(
            parse_port_set("TCP 1-65535; UDP all; SCTP all").unwrap(),
            PortSet::all()
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        for (text, needle) in [
            ("80", "a protocol is required"),
            ("ICMP 1", "unknown protocol"),
            ("TCP", "ports are missing"),
            ("TCP 0", "outside 1-65535"),
            ("TCP 70000", "outside 1-65535"),
            ("TCP 90-80", "ends before it starts"),
            ("TCP http", "named ports are not supported"),
            ("TCP 80,", "missing"),
            ("TCP 80;", "empty clause"),
            ("", "empty port specification"),
            ("TCP 8x", "not a port number"),
        ] {
            let error = parse_port_set(text).unwrap_err();
            assert!(error.contains(needle), "{text:?}: {error}");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "TCP 80",
            "TCP 80,443; UDP 53",
            "TCP all",
            "UDP 1-1023,2000; SCTP all",
            "all ports",
        ] {
            let set = parse_port_set(text).unwrap();
            assert_eq!(parse_port_set(&set.to_string()).unwrap(), set, "{text}");
        }
    }
}
