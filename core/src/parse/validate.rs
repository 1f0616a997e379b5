//! Field checks the API server makes, shared by every kind we read.
//!
//! Each check pushes a [`Problem`] (code, field path, message) and returns `None` on
//! failure, so a converter can keep going and report every problem of an object at once;
//! an object with any problem is skipped, exactly as `kubectl apply` would reject it.
//! Messages follow the API server's wording where it has one.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::decode::Problem;
use crate::ipset::IpSet;
use crate::model::{Labels, Peer};
use crate::ports::Protocol;
use crate::selector::{check_key, check_value, Selector};

/// Problems found in one object.
pub(crate) type Issues = Vec<Problem>;

/// Joins a field path and a child (`spec` + `ingress[0]` → `spec.ingress[0]`).
pub(crate) fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else if child.starts_with('[') {
        format!("{parent}{child}")
    } else {
        format!("{parent}.{child}")
    }
}

/// An IANA service name, as a named port must be: 1-15 characters of lowercase letters,
/// digits and '-', at least one letter, no leading, trailing or doubled '-'.
pub(crate) fn check_port_name(name: &str) -> Result<(), String> {
    let bytes = name.as_bytes();
    let problem = if bytes.is_empty() || bytes.len() > 15 {
        "must be 1-15 characters"
    } else if !bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
    {
        "must contain only lowercase letters, digits and '-'"
    } else if !bytes.iter().any(u8::is_ascii_lowercase) {
        "must contain at least one letter"
    } else if name.starts_with('-') || name.ends_with('-') {
        "must not begin or end with '-'"
    } else if name.contains("--") {
        "must not contain consecutive '-'"
    } else {
        return Ok(());
    };
    Err(format!("invalid port name {name:?}: {problem} (an IANA service name)"))
}

/// A port number 1-65535.
pub(crate) fn port_number(value: i32, field: &str, issues: &mut Issues) -> Option<u16> {
    match u16::try_from(value) {
        Ok(port) if port >= 1 => Some(port),
        _ => {
            issues.push(Problem::new(
                "invalid-port",
                field,
                format!("invalid port {value}: must be between 1 and 65535, inclusive"),
            ));
            None
        }
    }
}

/// `TCP` (the default), `UDP` or `SCTP`.
pub(crate) fn protocol(value: Option<&str>, field: &str, issues: &mut Issues) -> Option<Protocol> {
    let Some(text) = value else {
        return Some(Protocol::Tcp);
    };
    let parsed = Protocol::parse(text);
    if parsed.is_none() {
        issues.push(Problem::new(
            "invalid-protocol",
            field,
            format!("unsupported protocol {text:?}: supported values are \"TCP\", \"UDP\", \"SCTP\""),
        ));
    }
    parsed
}

/// Label keys and values of an object or pod template.
pub(crate) fn labels(labels: Option<&Labels>, field: &str, issues: &mut Issues) {
    for (key, value) in labels.into_iter().flatten() {
        if let Err(message) = check_key(key).and_then(|()| check_value(value)) {
            issues.push(Problem::new("invalid-label", field, message));
        }
    }
}

/// A label selector, parsed; label problems are `invalid-label`, others `invalid-selector`.
pub(crate) fn selector(raw: &LabelSelector, field: &str, issues: &mut Issues) -> Option<Selector> {
    match Selector::try_from(raw) {
        Ok(selector) => Some(selector),
        Err(e) => {
            let code = if e.message.starts_with("invalid label") {
                "invalid-label"
            } else {
                "invalid-selector"
            };
            // Label errors point at the map (`matchLabels.key` is not a path users can find).
            let relative = match e.field.split_once('.') {
                Some(("matchLabels", _)) => "matchLabels".to_string(),
                _ => e.field.clone(),
            };
            issues.push(Problem::new(code, join(field, &relative), e.message));
            None
        }
    }
}

/// An `ipBlock`: `cidr` minus `except`, where every `except` must be a strict subset of
/// `cidr` (same family, longer prefix).
pub(crate) fn ip_block(cidr: &str, except: &[String], field: &str, issues: &mut Issues) -> Option<Peer> {
    let cidr_field = join(field, "cidr");
    let Some(net) = parse_net(cidr, &cidr_field, issues) else {
        // Still check the excepts' syntax so every problem is reported.
        for (i, text) in except.iter().enumerate() {
            let _ = parse_net(text, &join(field, &format!("except[{i}]")), issues);
        }
        return None;
    };
    let mut set = IpSet::from_net(net);
    let mut ok = true;
    for (i, text) in except.iter().enumerate() {
        let except_field = join(field, &format!("except[{i}]"));
        let Some(hole) = parse_net(text, &except_field, issues) else {
            ok = false;
            continue;
        };
        if !(net.contains(&hole.network()) && hole.prefix_len() > net.prefix_len()) {
            issues.push(Problem::new(
                "invalid-except",
                except_field,
                format!("except {text:?} must be a strict subset of cidr {cidr:?}"),
            ));
            ok = false;
            continue;
        }
        set = set.difference(&IpSet::from_net(hole));
    }
    ok.then(|| Peer::IpBlock {
        cidr: cidr.to_string(),
        except: except.to_vec(),
        set,
    })
}

/// A CIDR as the API server reads it (host bits allowed, they are dropped).
pub(crate) fn parse_net(text: &str, field: &str, issues: &mut Issues) -> Option<ipnet::IpNet> {
    if let Ok(net) = text.parse::<ipnet::IpNet>() {
        return Some(net.trunc());
    }
    issues.push(Problem::new(
        "invalid-cidr",
        field,
        format!("invalid CIDR {text:?}: expected an address and prefix length such as 10.0.0.0/8 or fd00::/8"),
    ));
    None
}

pub(crate) use crate::selector::{is_dns_label, is_dns_subdomain};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names() {
        for ok in ["http", "dns-tcp", "a", "h2c", "abcdefghijklmno", "8080-web"] {
            assert!(check_port_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "80",
            "8080",
            "HTTP",
            "-http",
            "http-",
            "dns--tcp",
            "abcdefghijklmnop",
            "my_port",
            "a.b",
        ] {
            assert!(check_port_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ip_block_carving_and_errors() {
        let mut issues = Issues::new();
        let peer = ip_block("10.0.0.0/8", &["10.1.0.0/16".into()], "b", &mut issues).unwrap();
        let Peer::IpBlock { set, .. } = peer else { panic!() };
        assert_eq!(set.to_string(), "10.0.0.0/8 except 10.1.0.0/16");
        assert!(issues.is_empty());

        for (cidr, except, code, field) in [
            ("10.0.0/8", vec![], "invalid-cidr", "b.cidr"),
            (
                "10.0.0.0/8",
                vec!["10.0.0.0/8".to_string()],
                "invalid-except",
                "b.except[0]",
            ),
            (
                "10.0.0.0/8",
                vec!["11.0.0.0/16".to_string()],
                "invalid-except",
                "b.except[0]",
            ),
            (
                "10.0.0.0/8",
                vec!["fd00::/16".to_string()],
                "invalid-except",
                "b.except[0]",
            ),
            ("10.0.0.0/8", vec!["x".to_string()], "invalid-cidr", "b.except[0]"),
        ] {
            let mut issues = Issues::new();
            assert!(ip_block(cidr, &except, "b", &mut issues).is_none());
            assert_eq!(issues[0].code, code);
            assert_eq!(issues[0].field, field);
        }
    }

    #[test]
    fn dns_names() {
        assert!(is_dns_label("shop-1"));
        assert!(!is_dns_label("Shop"));
        assert!(!is_dns_label("a.b"));
        assert!(is_dns_subdomain("a.b-c"));
        assert!(!is_dns_subdomain("a..b"));
    }
}
