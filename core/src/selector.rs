//! Label selectors: parsed once, validated like the API server does, matched many times.
//!
//! `matchLabels` and `matchExpressions` are ANDed; `matchLabels: {k: v}` is the requirement
//! `k In (v)`. An empty selector matches everything. `Display` uses kubectl's syntax so users
//! recognise what they wrote.
//!
//! ```
//! use netreach_core::selector::Selector;
//! use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
//! let raw: LabelSelector = serde_json::from_str(
//!     r#"{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"NotIn","values":["db"]}]}"#,
//! ).unwrap();
//! let selector = Selector::try_from(&raw).unwrap();
//! assert_eq!(selector.to_string(), "app=web,tier notin (db)");
//! let labels = [("app".to_string(), "web".to_string())].into_iter().collect();
//! assert!(selector.matches(&labels));
//! ```

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::model::Labels;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    In { key: String, values: Vec<String> },
    NotIn { key: String, values: Vec<String> },
    Exists { key: String },
    DoesNotExist { key: String },
}

impl Requirement {
    pub fn key(&self) -> &str {
        match self {
            Requirement::In { key, .. }
            | Requirement::NotIn { key, .. }
            | Requirement::Exists { key }
            | Requirement::DoesNotExist { key } => key,
        }
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            Requirement::In { key, values } => labels.get(key).is_some_and(|v| values.contains(v)),
            // A pod without the key matches NotIn, as in Kubernetes.
            Requirement::NotIn { key, values } => labels.get(key).is_none_or(|v| !values.contains(v)),
            Requirement::Exists { key } => labels.contains_key(key),
            Requirement::DoesNotExist { key } => !labels.contains_key(key),
        }
    }
}

/// A parsed label selector: the AND of its requirements; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

/// A selector the API server would reject; `field` is relative to the selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SelectorError {
    pub field: String,
    pub message: String,
}

impl Selector {
    /// The selector that matches everything, as a constant.
    pub const EVERYTHING: Selector = Selector {
        requirements: Vec::new(),
    };

    /// The selector that matches everything (`{}`).
    pub fn everything() -> Self {
        Self::default()
    }

    pub fn from_requirements(mut requirements: Vec<Requirement>) -> Self {
        requirements.sort();
        requirements.dedup();
        Selector { requirements }
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    pub fn is_everything(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

impl TryFrom<&LabelSelector> for Selector {
    type Error = SelectorError;

    fn try_from(raw: &LabelSelector) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        for (key, value) in raw.match_labels.iter().flatten() {
            check_key(key).map_err(|m| err(format!("matchLabels.{key}"), m))?;
            check_value(value).map_err(|m| err(format!("matchLabels.{key}"), m))?;
            requirements.push(Requirement::In {
                key: key.clone(),
                values: vec![value.clone()],
            });
        }
        for (i, expr) in raw.match_expressions.iter().flatten().enumerate() {
            let at = |f: &str| format!("matchExpressions[{i}].{f}");
            check_key(&expr.key).map_err(|m| err(at("key"), m))?;
            let values = expr.values.clone().unwrap_or_default();
            for (j, v) in values.iter().enumerate() {
                check_value(v).map_err(|m| err(format!("matchExpressions[{i}].values[{j}]"), m))?;
            }
            let key = expr.key.clone();
            let requirement = match expr.operator.as_str() {
                "In" | "NotIn" if values.is_empty() => {
                    return Err(err(
                        at("values"),
                        format!("must be specified when `operator` is '{}'", expr.operator),
                    ))
                }
                "Exists" | "DoesNotExist" if !values.is_empty() => {
                    return Err(err(
                        at("values"),
                        format!("may not be specified when `operator` is '{}'", expr.operator),
                    ))
                }
                "In" => Requirement::In { key, values },
                "NotIn" => Requirement::NotIn { key, values },
                "Exists" => Requirement::Exists { key },
                "DoesNotExist" => Requirement::DoesNotExist { key },
                other => {
                    return Err(err(
                        at("operator"),
                        format!("not a valid selector operator {other:?} (In, NotIn, Exists, DoesNotExist)"),
                    ))
                }
            };
            requirements.push(requirement);
        }
        Ok(Selector::from_requirements(requirements))
    }
}

fn err(field: String, message: String) -> SelectorError {
    SelectorError { field, message }
}

/// kubectl syntax: `app=web,tier in (api,web),!legacy,team`; `{}` for everything.
impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("{}");
        }
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match r {
                Requirement::In { key, values } if values.len() == 1 => write!(f, "{key}={}", values[0])?,
                Requirement::In { key, values } => write!(f, "{key} in ({})", values.join(","))?,
                Requirement::NotIn { key, values } => write!(f, "{key} notin ({})", values.join(","))?,
                Requirement::Exists { key } => write!(f, "{key}")?,
                Requirement::DoesNotExist { key } => write!(f, "!{key}")?,
            }
        }
        Ok(())
    }
}

fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A DNS-1123 label (namespace names): 1-63 lowercase alphanumerics or '-', alphanumeric
/// at both ends.
pub(crate) fn is_dns_label(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A DNS-1123 subdomain (label key prefixes, most object names): dot-separated labels, at
/// most 253 characters.
pub(crate) fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty() && name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// Validates a label key (`[prefix/]name`) as the API server does.
pub fn check_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if !is_dns_subdomain(prefix) {
            return Err(format!(
                "invalid label key {key:?}: prefix must be a lowercase DNS subdomain of at most 253 characters"
            ));
        }
    }
    if !is_name_part(name) {
        return Err(format!(
            "invalid label key {key:?}: name part must be 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
        ));
    }
    Ok(())
}

/// Validates a label value: empty, or 1-63 characters like a key's name part.
pub fn check_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_name_part(value) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value {value:?}: must be empty or 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(json: &str) -> Result<Selector, SelectorError> {
        let raw: LabelSelector = serde_json::from_str(json).unwrap();
        Selector::try_from(&raw)
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn empty_selector_matches_everything() {
        let s = sel("{}").unwrap();
        assert!(s.is_everything());
        assert!(s.matches(&labels(&[])));
        assert!(s.matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn match_labels_and_expressions_are_anded() {
        let s = sel(
            r#"{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]}"#,
        )
        .unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "b")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c")])));
        assert!(!s.matches(&labels(&[("tier", "a")])));
    }

    #[test]
    fn each_operator() {
        let not_in = sel(r#"{"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]}"#).unwrap();
        assert!(not_in.matches(&labels(&[("env", "dev")])));
        assert!(not_in.matches(&labels(&[])), "missing key matches NotIn");
        assert!(!not_in.matches(&labels(&[("env", "prod")])));
        let exists = sel(r#"{"matchExpressions":[{"key":"env","operator":"Exists"}]}"#).unwrap();
        assert!(exists.matches(&labels(&[("env", "")])));
        assert!(!exists.matches(&labels(&[])));
        let dne = sel(r#"{"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]}"#).unwrap();
        assert!(dne.matches(&labels(&[])));
        assert!(!dne.matches(&labels(&[("env", "x")])));
        assert_eq!(dne.to_string(), "!env");
        assert_eq!(exists.to_string(), "env");
    }

    #[test]
    fn invalid_selectors_are_rejected_with_field() {
        let e = sel(r#"{"matchExpressions":[{"key":"a","operator":"In"}]}"#).unwrap_err();
        assert_eq!(e.field, "matchExpressions[0].values");
        let e = sel(r#"{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}"#).unwrap_err();
        assert_eq!(e.field, "matchExpressions[0].values");
        let e = sel(r#"{"matchExpressions":[{"key":"a","operator":"Equals","values":["x"]}]}"#).unwrap_err();
        assert_eq!(e.field, "matchExpressions[0].operator");
        let e = sel(r#"{"matchLabels":{"app":"not valid!"}}"#).unwrap_err();
        assert!(e.message.contains("invalid label value"), "{e}");
        let e = sel(r#"{"matchLabels":{"-bad":"x"}}"#).unwrap_err();
        assert!(e.message.contains("invalid label key"), "{e}");
    }

    #[test]
    fn label_key_and_value_rules() {
        assert!(check_key("app").is_ok());
        assert!(check_key("kubernetes.io/metadata.name").is_ok());
        assert!(check_key("Example.com/app").is_err());
        assert!(check_key("a/b/c").is_err());
        assert!(check_key(&"x".repeat(64)).is_err());
        assert!(check_value("").is_ok());
        assert!(check_value("v1.2_3-x").is_ok());
        assert!(check_value("-x").is_err());
        assert!(check_value(&"x".repeat(64)).is_err());
    }
}
