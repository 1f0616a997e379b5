//! Reads an expectations file strictly: YAML syntax, unknown keys, wrong types, bad ports and
//! bad CIDRs are all [`ExpectError`]s naming the file, the line and the field.
//!
//! The YAML is read into a `serde_yaml::Value` and walked by hand (the format has
//! string-or-mapping-or-list values that derive macros describe poorly, and hand-walking
//! gives every message its field path); lines come from the field path via
//! [`crate::parse::field_line`], the same locator the manifest parser uses.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use serde_yaml::{Mapping, Value};

use crate::ipset::IpSet;
use crate::model::{Direction, Labels, WorkloadKind};
use crate::parse::field_line;
use crate::selector::{check_key, check_value};
use crate::source::SourceFile;

use super::file::{Assertion, Exception, Expectation, Expectations, PortSpec, Verdict, EXPECTATIONS_VERSION};
use super::ports::parse_port_set;
use super::subject::{Subject, SubjectItem, WorkloadFilter};

/// What kind of problem an [`ExpectError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectErrorKind {
    /// The file is not valid YAML.
    Syntax,
    /// Valid YAML, but not a valid expectations file: unknown key, wrong type, bad port
    /// specification, bad CIDR, unknown workload kind, missing or duplicate name, …
    Invalid,
}

/// An unusable expectations file. Front-ends stop on it (the CLI exits 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "camelCase")]
#[error("{path}:{line}: {message}")]
pub struct ExpectError {
    pub kind: ExpectErrorKind,
    /// The expectations file's path.
    pub path: String,
    /// One-based line of the problem (of the nearest enclosing field when it is not exact).
    pub line: usize,
    /// Field path, e.g. `expectations[2].allow`; absent for syntax errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong, starting with the field path when there is one.
    pub message: String,
}

const TOP_KEYS: &[&str] = &["version", "expectations"];
const EXPECTATION_KEYS: &[&str] = &[
    "name",
    "description",
    "from",
    "to",
    "allow",
    "deny",
    "isolation",
    "selected-by-ingress-policy",
    "selected-by-egress-policy",
    "no-egress-to-external",
];
const WORKLOAD_KEYS: &[&str] = &["namespace", "namespace-labels", "kind", "name", "labels"];
const CIDR_KEYS: &[&str] = &["cidr", "except"];
const ISOLATION_KEYS: &[&str] = &["ingress-only-from", "egress-only-to"];

/// Which subjects a place accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepts {
    /// Workloads and addresses.
    Anything,
    /// Workloads only (`any` means every workload).
    Workloads,
    /// Addresses outside the cluster only.
    Addresses,
}

/// Parses an expectations file.
pub fn parse(file: &SourceFile) -> Result<Expectations, ExpectError> {
    let reader = Reader::new(file);
    let value: Value = serde_yaml::from_str(&file.text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        let mut message = e.to_string();
        // serde_yaml appends " at line L column C"; the line is a field of its own.
        if let Some(at) = message.find(" at line ") {
            message.truncate(at);
        }
        ExpectError {
            kind: ExpectErrorKind::Syntax,
            path: file.path.clone(),
            line,
            field: None,
            message: format!("invalid YAML: {message}"),
        }
    })?;
    reader.file(&value)
}

struct Reader<'a> {
    path: &'a str,
    /// The document text without a leading `---` line, and the line it starts on.
    body: &'a str,
    first_line: usize,
}

impl<'a> Reader<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let mut offset = 0;
        let mut line = 1;
        for raw in file.text.split_inclusive('\n') {
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                offset += raw.len();
                line += 1;
                continue;
            }
            if content == "---" || content.starts_with("--- #") {
                return Reader {
                    path: &file.path,
                    body: &file.text[offset + raw.len()..],
                    first_line: line + 1,
                };
            }
            break;
        }
        Reader {
            path: &file.path,
            body: &file.text,
            first_line: 1,
        }
    }

    fn line(&self, field: &str) -> usize {
        field_line(self.body, self.first_line, field).unwrap_or(self.first_line)
    }

    fn error(&self, field: &str, message: impl AsRef<str>) -> ExpectError {
        let message = message.as_ref();
        ExpectError {
            kind: ExpectErrorKind::Invalid,
            path: self.path.to_string(),
            line: self.line(field),
            field: (!field.is_empty()).then(|| field.to_string()),
            message: if field.is_empty() {
                message.to_string()
            } else {
                format!("{field}: {message}")
            },
        }
    }

    fn mapping<'v>(&self, value: &'v Value, field: &str, what: &str) -> Result<&'v Mapping, ExpectError> {
        match untag(value) {
            Value::Mapping(map) => Ok(map),
            other => Err(self.error(field, format!("expected {what}, got {}", type_name(other)))),
        }
    }

    /// Every key is a string and one of `allowed`.
    fn check_keys(
        &self,
        map: &Mapping,
        field: &str,
        allowed: &[&str],
        hint: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ExpectError> {
        for key in map.keys() {
            let Some(key) = untag(key).as_str() else {
                let mut message = format!("keys must be strings, got {}", type_name(key));
                if let Value::Number(n) = untag(key) {
                    // `{ports: TCP 80,443}`: in a flow mapping the comma ends the value.
                    message = format!("{message} ({n}): inside `{{…}}` a comma ends the value, so quote values that contain commas, e.g. ports: \"TCP 80,443\"");
                }
                return Err(self.error(field, message));
            };
            if !allowed.contains(&key) {
                let mut message = format!("unknown key `{key}`");
                if let Some(extra) = hint(key) {
                    message = format!("{message}: {extra}");
                } else if let Some(close) = closest(key, allowed) {
                    message = format!("{message}: did you mean `{close}`?");
                } else {
                    message = format!("{message} (expected one of: {})", allowed.join(", "));
                }
                return Err(self.error(&join(field, key), message));
            }
        }
        Ok(())
    }

    fn string(&self, value: &Value, field: &str, what: &str) -> Result<String, ExpectError> {
        match untag(value) {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.error(field, format!("expected {what}, got {}", type_name(other)))),
        }
    }

    fn file(&self, value: &Value) -> Result<Expectations, ExpectError> {
        if matches!(untag(value), Value::Null) {
            return Err(self.error(
                "",
                "the expectations file is empty: expected `version: 1` and an `expectations` list",
            ));
        }
        let map = self.mapping(value, "", "a mapping with `version` and `expectations`")?;
        self.check_keys(map, "", TOP_KEYS, |_| None)?;
        match get(map, "version").map(untag) {
            None => return Err(self.error("", "`version: 1` is missing")),
            Some(Value::Number(n)) if n.as_u64() == Some(u64::from(EXPECTATIONS_VERSION)) => {}
            Some(Value::Number(n)) => {
                return Err(self.error(
                    "version",
                    format!("unsupported version {n}: this netreach reads version {EXPECTATIONS_VERSION}"),
                ))
            }
            Some(other) => {
                return Err(self.error(
                    "version",
                    format!("expected the number {EXPECTATIONS_VERSION}, got {}", type_name(other)),
                ))
            }
        }
        let Some(list) = get(map, "expectations") else {
            return Err(self.error("", "the `expectations` list is missing"));
        };
        let Value::Sequence(items) = untag(list) else {
            return Err(self.error(
                "expectations",
                format!("expected a list of expectations, got {}", type_name(list)),
            ));
        };
        let mut names = HashSet::new();
        let mut expectations = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let field = format!("expectations[{index}]");
            let expectation = self.expectation(item, &field, index)?;
            if !names.insert(expectation.name.clone()) {
                return Err(self.error(
                    &join(&field, "name"),
                    format!(
                        "duplicate name {:?}: names identify expectations in reports",
                        expectation.name
                    ),
                ));
            }
            expectations.push(expectation);
        }
        Ok(Expectations {
            path: self.path.to_string(),
            expectations,
        })
    }

    fn expectation(&self, value: &Value, field: &str, index: usize) -> Result<Expectation, ExpectError> {
        let map = self.mapping(value, field, "an expectation (a mapping with `name` and an assertion)")?;
        self.check_keys(map, field, EXPECTATION_KEYS, |_| None)?;
        let name = match get(map, "name") {
            Some(v) => self.string(v, &join(field, "name"), "a name")?,
            None => return Err(self.error(field, "`name` is missing: every expectation needs a name")),
        };
        if name.trim().is_empty() {
            return Err(self.error(&join(field, "name"), "the name is empty"));
        }
        let description = get(map, "description")
            .map(|v| self.string(v, &join(field, "description"), "a description"))
            .transpose()?;
        let forms: Vec<&str> = [
            "from",
            "isolation",
            "selected-by-ingress-policy",
            "selected-by-egress-policy",
            "no-egress-to-external",
        ]
        .into_iter()
        .filter(|&k| {
            get(map, k).is_some() || (k == "from" && ["to", "allow", "deny"].iter().any(|&r| get(map, r).is_some()))
        })
        .collect();
        let assertion = match forms.as_slice() {
            [] => {
                return Err(self.error(
                    field,
                    format!("expectation {name:?} asserts nothing: add `from`, `to` and `allow` or `deny`, or one of `isolation`, `selected-by-ingress-policy`, `selected-by-egress-policy`, `no-egress-to-external`"),
                ))
            }
            [form] => self.assertion(map, field, form)?,
            [first, second, ..] => {
                let show = |f: &str| if f == "from" { "from/to".to_string() } else { f.to_string() };
                return Err(self.error(
                    &join(field, second),
                    format!("one assertion per expectation: `{}` and `{}` are both given; split them into two expectations", show(first), show(second)),
                ));
            }
        };
        Ok(Expectation {
            name,
            description,
            index,
            line: self.line(field),
            assertion,
        })
    }

    fn assertion(&self, map: &Mapping, field: &str, form: &str) -> Result<Assertion, ExpectError> {
        let at = |key: &str| join(field, key);
        match form {
            "from" => {
                let from = get(map, "from").ok_or_else(|| self.error(field, "`from` is missing (who connects)"))?;
                let to = get(map, "to").ok_or_else(|| self.error(field, "`to` is missing (what is connected to)"))?;
                let from = self.subject(from, &at("from"), Accepts::Anything)?;
                let to = self.subject(to, &at("to"), Accepts::Anything)?;
                if !from.names_workloads() && !to.names_workloads() {
                    return Err(self.error(
                        &at("to"),
                        "both `from` and `to` are outside the cluster: NetworkPolicy only governs traffic to or from pods",
                    ));
                }
                let verdict = match (get(map, "allow"), get(map, "deny")) {
                    (Some(v), None) => Verdict::Allow(self.port_spec(v, &at("allow"))?),
                    (None, Some(v)) => Verdict::Deny(self.port_spec(v, &at("deny"))?),
                    (None, None) => {
                        return Err(self.error(field, "`allow` or `deny` is missing: say which ports must be allowed (`allow: TCP 443`, `allow: any`) or denied (`deny: any`)"))
                    }
                    (Some(_), Some(_)) => return Err(self.error(&at("deny"), "`allow` and `deny` exclude each other: use two expectations")),
                };
                Ok(Assertion::Reach { from, to, verdict })
            }
            "isolation" => {
                let field = at("isolation");
                let map = self.mapping(
                    get(map, "isolation").unwrap_or(&Value::Null),
                    &field,
                    "a mapping like {namespace: X, ingress-only-from: [...]}",
                )?;
                let allowed: Vec<&str> = WORKLOAD_KEYS.iter().chain(ISOLATION_KEYS).copied().collect();
                self.check_keys(map, &field, &allowed, |key| {
                    (key == "cidr" || key == "except").then(|| "isolation is about workloads: name them with namespace, namespace-labels, kind, name or labels".to_string())
                })?;
                let filter = self.workload_filter(map, &field)?;
                let Some(filter) = filter else {
                    return Err(self.error(
                        &field,
                        "say which workloads are isolated: namespace, namespace-labels, kind, name or labels",
                    ));
                };
                let ingress = get(map, "ingress-only-from")
                    .map(|v| self.exceptions(v, &join(&field, "ingress-only-from"), Accepts::Anything))
                    .transpose()?;
                let egress = get(map, "egress-only-to")
                    .map(|v| self.exceptions(v, &join(&field, "egress-only-to"), Accepts::Anything))
                    .transpose()?;
                if ingress.is_none() && egress.is_none() {
                    return Err(self.error(
                        &field,
                        "add `ingress-only-from` and/or `egress-only-to` (an empty list `[]` means nothing at all)",
                    ));
                }
                Ok(Assertion::Isolation {
                    target: Subject {
                        items: vec![SubjectItem::Workloads(filter)],
                    },
                    ingress,
                    egress,
                })
            }
            "selected-by-ingress-policy" | "selected-by-egress-policy" => {
                let direction = if form == "selected-by-ingress-policy" {
                    Direction::Ingress
                } else {
                    Direction::Egress
                };
                let subject = self.subject(get(map, form).unwrap_or(&Value::Null), &at(form), Accepts::Workloads)?;
                Ok(Assertion::SelectedByPolicy { direction, subject })
            }
            _ => {
                let field = at("no-egress-to-external");
                let value = get(map, "no-egress-to-external").unwrap_or(&Value::Null);
                let Value::Mapping(inner) = untag(value) else {
                    let from = self.subject(value, &field, Accepts::Workloads)?;
                    return Ok(Assertion::NoExternalEgress {
                        from,
                        except: Vec::new(),
                    });
                };
                let allowed: Vec<&str> = WORKLOAD_KEYS.iter().chain(&["except"]).copied().collect();
                self.check_keys(inner, &field, &allowed, |_| None)?;
                let Some(filter) = self.workload_filter(inner, &field)? else {
                    return Err(self.error(
                        &field,
                        "say whose egress is checked: namespace, namespace-labels, kind, name or labels",
                    ));
                };
                let except = get(inner, "except")
                    .map(|v| self.exceptions(v, &join(&field, "except"), Accepts::Addresses))
                    .transpose()?
                    .unwrap_or_default();
                Ok(Assertion::NoExternalEgress {
                    from: Subject {
                        items: vec![SubjectItem::Workloads(filter)],
                    },
                    except,
                })
            }
        }
    }

    /// `allow`/`deny`: `any`, `all`, a port specification, or a list of them.
    fn port_spec(&self, value: &Value, field: &str) -> Result<PortSpec, ExpectError> {
        match untag(value) {
            Value::String(s) if s.trim().eq_ignore_ascii_case("any") => Ok(PortSpec::Any),
            Value::String(s) if s.trim().eq_ignore_ascii_case("all") => Ok(PortSpec::All),
            Value::Sequence(items) if items.is_empty() => Err(self.error(field, "the list of ports is empty")),
            Value::Sequence(items) => {
                let mut set = crate::ports::PortSet::none();
                for (i, item) in items.iter().enumerate() {
                    let item_field = format!("{field}[{i}]");
                    match untag(item) {
                        Value::String(s) if ["any", "all"].iter().any(|k| s.trim().eq_ignore_ascii_case(k)) => {
                            return Err(self.error(
                                &item_field,
                                format!(
                                    "`{}` stands alone: write `{field_key}: {}` instead of a list",
                                    s.trim(),
                                    s.trim(),
                                    field_key = last_key(field)
                                ),
                            ));
                        }
                        _ => set = set.union(&self.ports(item, &item_field)?),
                    }
                }
                Ok(PortSpec::Ports(set))
            }
            _ => Ok(PortSpec::Ports(self.ports(value, field)?)),
        }
    }

    /// One port specification string (never empty).
    fn ports(&self, value: &Value, field: &str) -> Result<crate::ports::PortSet, ExpectError> {
        match untag(value) {
            Value::String(s) => {
                let set = parse_port_set(s).map_err(|m| self.error(field, m))?;
                if set.is_empty() {
                    return Err(self.error(field, "no ports: say which ports, e.g. \"TCP 443\""));
                }
                Ok(set)
            }
            Value::Number(n) => Err(self.error(
                field,
                format!("a protocol is required: write \"TCP {n}\" or \"UDP {n}\""),
            )),
            other => Err(self.error(
                field,
                format!(
                    "expected ports like \"TCP 443\", \"UDP 53\", \"TCP 8000-8100\" or `any`, got {}",
                    type_name(other)
                ),
            )),
        }
    }

    /// A list of permitted peers, each a subject, optionally with `ports` (mapping form).
    fn exceptions(&self, value: &Value, field: &str, accepts: Accepts) -> Result<Vec<Exception>, ExpectError> {
        let Value::Sequence(items) = untag(value) else {
            return Err(self.error(field, format!("expected a list of peers, got {}", type_name(value))));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_field = format!("{field}[{i}]");
            let (subject, ports) = match untag(item) {
                Value::Mapping(map) => {
                    let ports = match get(map, "ports") {
                        None => None,
                        Some(v) => match self.port_spec(v, &join(&item_field, "ports"))? {
                            PortSpec::Any | PortSpec::All => None,
                            PortSpec::Ports(set) => Some(set),
                        },
                    };
                    (self.subject_map(map, &item_field, accepts, &["ports"])?, ports)
                }
                Value::Sequence(_) => {
                    return Err(self.error(
                        &item_field,
                        "expected a peer, got a list: list each peer as its own item",
                    ))
                }
                _ => (self.subject(item, &item_field, accepts)?, None),
            };
            out.push(Exception { subject, ports });
        }
        Ok(out)
    }

    /// A subject: a string, a mapping, or a non-empty list of them.
    fn subject(&self, value: &Value, field: &str, accepts: Accepts) -> Result<Subject, ExpectError> {
        match untag(value) {
            Value::Sequence(items) => {
                if items.is_empty() {
                    return Err(self.error(field, "the list is empty: name at least one workload, namespace or address"));
                }
                let mut all = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let item_field = format!("{field}[{i}]");
                    if let Value::Sequence(_) = untag(item) {
                        return Err(self.error(&item_field, "lists of subjects cannot be nested"));
                    }
                    all.extend(self.subject(item, &item_field, accepts)?.items);
                }
                Ok(Subject { items: all })
            }
            Value::Mapping(map) => self.subject_map(map, field, accepts, &[]),
            Value::String(s) => Ok(Subject {
                items: vec![self.subject_string(s, field, accepts)?],
            }),
            other => Err(self.error(
                field,
                format!("expected a subject (namespace/Kind/name, namespace/name, {{namespace: …}}, {{labels: …}}, any, external or a CIDR), got {}", type_name(other)),
            )),
        }
    }

    fn subject_string(&self, text: &str, field: &str, accepts: Accepts) -> Result<SubjectItem, ExpectError> {
        let item = match text {
            "any" => SubjectItem::Any,
            "external" => SubjectItem::External,
            _ if looks_like_address(text) => SubjectItem::Cidr {
                set: IpSet::parse_cidr(text).map_err(|e| self.error(field, e.to_string()))?,
                text: text.to_string(),
            },
            _ => {
                let parts: Vec<&str> = text.split('/').collect();
                if parts.iter().any(|p| p.trim().is_empty() || p.trim() != *p) || !(2..=3).contains(&parts.len()) {
                    return Err(self.error(
                        field,
                        format!("{text:?} is not a subject: use namespace/Kind/name, namespace/name, {{namespace: …}}, {{labels: …}}, any, external or a CIDR"),
                    ));
                }
                let kind = match parts.as_slice() {
                    [_, kind, _] => Some(self.kind(kind, field)?),
                    _ => None,
                };
                SubjectItem::Workloads(WorkloadFilter {
                    namespace: Some(parts[0].to_string()),
                    kind,
                    name: Some(parts[parts.len() - 1].to_string()),
                    ..WorkloadFilter::default()
                })
            }
        };
        self.check_accepts(&item, field, accepts)?;
        Ok(item)
    }

    fn check_accepts(&self, item: &SubjectItem, field: &str, accepts: Accepts) -> Result<(), ExpectError> {
        match (accepts, item) {
            (Accepts::Workloads, SubjectItem::External | SubjectItem::Cidr { .. }) => {
                Err(self.error(field, "expected workloads here; addresses outside the cluster have no policies of their own"))
            }
            (Accepts::Addresses, SubjectItem::Workloads(_) | SubjectItem::Any) => Err(self.error(
                field,
                "expected an address outside the cluster here: a CIDR like \"203.0.113.0/24\", `external`, or {cidr: …, ports: …}",
            )),
            _ => Ok(()),
        }
    }

    fn kind(&self, text: &str, field: &str) -> Result<WorkloadKind, ExpectError> {
        WorkloadKind::parse(text).ok_or_else(|| {
            let kinds: Vec<&str> = WorkloadKind::ALL.iter().map(|k| k.as_str()).collect();
            let hint = WorkloadKind::ALL
                .iter()
                .find(|k| k.as_str().eq_ignore_ascii_case(text))
                .map_or_else(
                    || format!("expected one of {}", kinds.join(", ")),
                    |k| format!("did you mean {}?", k.as_str()),
                );
            self.error(field, format!("unknown workload kind {text:?}: {hint}"))
        })
    }

    /// A mapping subject; `extra` are keys the caller reads itself (e.g. `ports`).
    fn subject_map(
        &self,
        map: &Mapping,
        field: &str,
        accepts: Accepts,
        extra: &[&str],
    ) -> Result<Subject, ExpectError> {
        let mut allowed: Vec<&str> = match accepts {
            Accepts::Anything => WORKLOAD_KEYS.iter().chain(CIDR_KEYS).copied().collect(),
            Accepts::Workloads => WORKLOAD_KEYS.to_vec(),
            Accepts::Addresses => CIDR_KEYS.to_vec(),
        };
        allowed.extend(extra);
        self.check_keys(map, field, &allowed, |key| match key {
            "ports" => Some("`ports` belongs to `ingress-only-from`, `egress-only-to` and `except` entries; between `from` and `to` say `allow` or `deny`".to_string()),
            "cidr" | "except" => Some("expected workloads here; addresses outside the cluster have no policies of their own".to_string()),
            k if WORKLOAD_KEYS.contains(&k) => Some("expected an address outside the cluster here: {cidr: …}".to_string()),
            _ => None,
        })?;
        let filter = self.workload_filter(map, field)?;
        let cidr = self.cidr(map, field)?;
        match (filter, cidr) {
            (Some(_), Some(_)) => Err(self.error(field, "a subject is either workloads (namespace, labels, …) or addresses (cidr), not both: use a list for both")),
            (Some(filter), None) => Ok(Subject {
                items: vec![SubjectItem::Workloads(filter)],
            }),
            (None, Some(item)) => Ok(Subject { items: vec![item] }),
            (None, None) => Err(self.error(field, "empty subject: write `any` for everything")),
        }
    }

    /// The workload keys of a mapping; `None` when it has none of them.
    fn workload_filter(&self, map: &Mapping, field: &str) -> Result<Option<WorkloadFilter>, ExpectError> {
        if !WORKLOAD_KEYS.iter().any(|k| get(map, k).is_some()) {
            return Ok(None);
        }
        let text = |key: &str| -> Result<Option<String>, ExpectError> {
            get(map, key)
                .map(|v| {
                    let s = self.string(v, &join(field, key), &format!("a {key} (a string)"))?;
                    if s.is_empty() {
                        return Err(self.error(&join(field, key), "empty"));
                    }
                    Ok(s)
                })
                .transpose()
        };
        let kind = match get(map, "kind") {
            Some(v) => Some(self.kind(
                &self.string(v, &join(field, "kind"), "a workload kind")?,
                &join(field, "kind"),
            )?),
            None => None,
        };
        Ok(Some(WorkloadFilter {
            namespace: text("namespace")?,
            namespace_labels: self.labels(map, field, "namespace-labels")?,
            kind,
            name: text("name")?,
            labels: self.labels(map, field, "labels")?,
        }))
    }

    fn labels(&self, map: &Mapping, field: &str, key: &str) -> Result<Labels, ExpectError> {
        let Some(value) = get(map, key) else {
            return Ok(Labels::new());
        };
        let field = join(field, key);
        let labels_map = self.mapping(value, &field, "labels (a mapping of label keys to values)")?;
        if labels_map.is_empty() {
            return Err(self.error(&field, "no labels given: leave the key out to match any labels"));
        }
        let mut labels = BTreeMap::new();
        for (k, v) in labels_map {
            let Some(k) = untag(k).as_str() else {
                return Err(self.error(&field, format!("label keys must be strings, got {}", type_name(k))));
            };
            let at = join(&field, k);
            check_key(k).map_err(|m| self.error(&at, m))?;
            let v = match untag(v) {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => return Err(self.error(&at, format!("expected a label value, got {}", type_name(other)))),
            };
            check_value(&v).map_err(|m| self.error(&at, m))?;
            labels.insert(k.to_string(), v);
        }
        Ok(labels)
    }

    /// `cidr` (with optional `except`) of a mapping; `None` when absent.
    fn cidr(&self, map: &Mapping, field: &str) -> Result<Option<SubjectItem>, ExpectError> {
        let Some(value) = get(map, "cidr") else {
            if get(map, "except").is_some() {
                return Err(self.error(&join(field, "except"), "`except` needs a `cidr` to take addresses from"));
            }
            return Ok(None);
        };
        let cidr_field = join(field, "cidr");
        let text = self.string(value, &cidr_field, "a CIDR like 203.0.113.0/24")?;
        let mut set = IpSet::parse_cidr(&text).map_err(|e| self.error(&cidr_field, e.to_string()))?;
        let mut holes = Vec::new();
        if let Some(except) = get(map, "except") {
            let except_field = join(field, "except");
            let Value::Sequence(items) = untag(except) else {
                return Err(self.error(
                    &except_field,
                    format!("expected a list of CIDRs, got {}", type_name(except)),
                ));
            };
            for (i, item) in items.iter().enumerate() {
                let item_field = format!("{except_field}[{i}]");
                let hole_text = self.string(item, &item_field, "a CIDR")?;
                let hole = IpSet::parse_cidr(&hole_text).map_err(|e| self.error(&item_field, e.to_string()))?;
                set = set.difference(&hole);
                holes.push(hole_text);
            }
        }
        let text = if holes.is_empty() {
            text
        } else {
            format!("{text} except {}", holes.join(", "))
        };
        Ok(Some(SubjectItem::Cidr { set, text }))
    }
}

/// A string that can only be meant as an address: starts like an IPv4 or IPv6 address.
fn looks_like_address(text: &str) -> bool {
    let first = text.split('/').next().unwrap_or("");
    first.contains(':') || (first.contains('.') && first.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn untag(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => untag(&tagged.value),
        other => other,
    }
}

fn get<'v>(map: &'v Mapping, key: &str) -> Option<&'v Value> {
    map.get(key)
}

fn join(field: &str, key: &str) -> String {
    if field.is_empty() {
        key.to_string()
    } else {
        format!("{field}.{key}")
    }
}

fn last_key(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

fn type_name(value: &Value) -> &'static str {
    match untag(value) {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// The allowed key closest to a mistyped one, if it is close.
fn closest<'k>(key: &str, allowed: &[&'k str]) -> Option<&'k str> {
    allowed
        .iter()
        .map(|&k| (edit_distance(key, k), k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 4) && d < k.len())
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(closest("alow", EXPECTATION_KEYS), Some("allow"));
        assert_eq!(closest("namespce", WORKLOAD_KEYS), Some("namespace"));
        assert_eq!(closest("zzzzzz", EXPECTATION_KEYS), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn addresses_are_told_from_workloads() {
        assert!(looks_like_address("10.0.0.0/8"));
        assert!(looks_like_address("fd00::/8"));
        assert!(looks_like_address("10.0.0/8"));
        assert!(!looks_like_address("shop/web"));
        assert!(!looks_like_address("shop.io/web"));
    }
}
