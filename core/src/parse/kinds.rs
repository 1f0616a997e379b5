//! Finds out what a document is — its `apiVersion` and `kind` — before reading it.
//!
//! Most documents in real inputs are kinds netreach does not model (`ConfigMaps`, RBAC,
//! CRDs, Routes, …). Reading only `apiVersion` and `kind` first lets us count those and
//! move on without building anything, and lets modelled kinds go straight to one typed
//! deserialisation.
//!
//! For block YAML the two keys are read from the text itself: a top-level mapping has its
//! keys at column 0, so `kind: Pod` at the start of a line is the document's kind. When the
//! text is anything less plain (flow style, JSON, anchors, tags, block scalars, no top-level
//! `kind:` line) we fall back to deserialising a struct-like visitor that keeps only those
//! two fields and ignores everything else (serde skips ignored values without building
//! them, and does not expand aliases while skipping).

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::decode::{self, Problem};
use super::documents::{Document, Format};

/// What a document turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// Nothing but comments, or an explicit null: ignored silently.
    Empty,
    /// A mapping with a `kind` (and maybe an `apiVersion`).
    Object { api_version: Option<String>, kind: String },
    /// A mapping without a string `kind`.
    NoKind,
    /// Not a mapping: a scalar or a sequence (named, e.g. "a sequence").
    NotMapping(&'static str),
}

/// Sniffs a document: from the text when it is plain block YAML, else with serde.
pub(crate) fn sniff(doc: &Document<'_>) -> Result<Sniffed, Problem> {
    if doc.is_blank() {
        return Ok(Sniffed::Empty);
    }
    if doc.format == Format::Yaml {
        if let Some(found) = sniff_block_text(doc.text) {
            return Ok(found);
        }
    }
    let result = match doc.format {
        Format::Yaml => serde_yaml::Deserializer::from_str(doc.text)
            .deserialize_any(RootVisitor)
            .map_err(|e| decode::yaml_problem(&e, "")),
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(doc.text);
            de.deserialize_any(RootVisitor)
                .and_then(|v| de.end().map(|()| v))
                .map_err(|e| decode::json_problem(&e, ""))
        }
    };
    result.map(Sniffed::from)
}

/// Sniffs a list item that is already a value.
pub(crate) fn sniff_value(value: &serde_yaml::Value) -> Sniffed {
    match value {
        serde_yaml::Value::Null => Sniffed::Empty,
        serde_yaml::Value::Mapping(map) => {
            let get = |key: &str| map.get(key).and_then(serde_yaml::Value::as_str).map(str::to_string);
            match get("kind") {
                Some(kind) if !kind.is_empty() => Sniffed::Object {
                    api_version: get("apiVersion"),
                    kind,
                },
                _ => Sniffed::NoKind,
            }
        }
        serde_yaml::Value::Tagged(tagged) => sniff_value(&tagged.value),
        serde_yaml::Value::Sequence(_) => Sniffed::NotMapping("a sequence"),
        _ => Sniffed::NotMapping("a scalar"),
    }
}

/// The result of the serde fallback.
enum Root {
    Null,
    Map {
        api_version: Option<String>,
        kind: Option<String>,
    },
    Other(&'static str),
}

impl From<Root> for Sniffed {
    fn from(root: Root) -> Self {
        match root {
            Root::Null => Sniffed::Empty,
            Root::Map {
                api_version,
                kind: Some(kind),
            } if !kind.is_empty() => Sniffed::Object { api_version, kind },
            Root::Map { .. } => Sniffed::NoKind,
            Root::Other(what) => Sniffed::NotMapping(what),
        }
    }
}

struct RootVisitor;

impl<'de> Visitor<'de> for RootVisitor {
    type Value = Root;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root, A::Error> {
        let mut api_version = None;
        let mut kind = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::ApiVersion => api_version = map.next_value::<Scalar>()?.0,
                Key::Kind => kind = map.next_value::<Scalar>()?.0,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Root::Map { api_version, kind })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Root, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Root::Other("a sequence"))
    }

    fn visit_unit<E>(self) -> Result<Root, E> {
        Ok(Root::Null)
    }

    fn visit_none<E>(self) -> Result<Root, E> {
        Ok(Root::Null)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Root, E> {
        Ok(Root::Other("a scalar"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Root, E> {
        Ok(Root::Other("a scalar"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Root, E> {
        Ok(Root::Other("a scalar"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Root, E> {
        Ok(Root::Other("a scalar"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Root, E> {
        Ok(Root::Other("a scalar"))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Root, A::Error> {
        // A YAML tag on the root (`!Thing {...}`): not a Kubernetes object.
        let (IgnoredAny, variant) = data.variant::<IgnoredAny>()?;
        de::VariantAccess::newtype_variant::<IgnoredAny>(variant)?;
        Ok(Root::Other("a tagged value"))
    }
}

/// A top-level key: only the two we look at are told apart.
enum Key {
    ApiVersion,
    Kind,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "apiVersion" => Key::ApiVersion,
                    "kind" => Key::Kind,
                    _ => Key::Other,
                })
            }
            fn visit_bool<E>(self, _: bool) -> Result<Key, E> {
                Ok(Key::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Key, E> {
                Ok(Key::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Key, E> {
                Ok(Key::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Key, E> {
                Ok(Key::Other)
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key::Other)
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// A value kept only when it is a string (`kind: 5` is as good as no kind).
struct Scalar(Option<String>);

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
            fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Scalar, A::Error> {
                let (IgnoredAny, variant) = data.variant::<IgnoredAny>()?;
                de::VariantAccess::newtype_variant::<IgnoredAny>(variant)?;
                Ok(Scalar(None))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// Reads `apiVersion` and `kind` from column-0 lines of block YAML; `None` when unsure.
fn sniff_block_text(text: &str) -> Option<Sniffed> {
    let mut api_version = None;
    let mut kind = None;
    let mut first = true;
    for line in text.split('\n') {
        // Indented, blank and comment lines are not top-level keys.
        if matches!(line.as_bytes().first(), None | Some(b' ' | b'\t' | b'\r' | b'#')) {
            continue;
        }
        if first {
            first = false;
            // The root must be a plain block mapping: `key:` at column 0.
            if !line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '"' || c == '\'') {
                return None;
            }
        }
        let (slot, rest) = if let Some(rest) = line.strip_prefix("kind:") {
            (&mut kind, rest)
        } else if let Some(rest) = line.strip_prefix("apiVersion:") {
            (&mut api_version, rest)
        } else {
            continue;
        };
        if slot.is_some() {
            return None; // a second `kind:` before `apiVersion:`: let the real parser decide
        }
        *slot = Some(plain_value(rest)?);
        if api_version.is_some() && kind.is_some() {
            break;
        }
    }
    let kind = kind?;
    Some(Sniffed::Object { api_version, kind })
}

/// The value after `key:` when it is a simple plain or quoted scalar; `None` otherwise.
fn plain_value(rest: &str) -> Option<String> {
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let rest = rest.trim_matches([' ', '\t', '\r']);
    let value = match rest.find(" #").or_else(|| rest.find("\t#")) {
        Some(i) => rest[..i].trim_end(),
        None => rest,
    };
    // Plain scalars must start with a letter: `5`, `.5`, `-1` are not strings.
    let simple = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && !matches!(
                s,
                "true" | "false" | "null" | "True" | "False" | "Null" | "TRUE" | "FALSE" | "NULL"
            )
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'-' | b'_'))
    };
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return simple(inner).then(|| inner.to_string());
        }
    }
    simple(value).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::documents;

    fn sniff_text(text: &str) -> Result<Sniffed, Problem> {
        let docs = documents::split(text);
        sniff(&docs[0])
    }

    fn object(api: Option<&str>, kind: &str) -> Sniffed {
        Sniffed::Object {
            api_version: api.map(str::to_string),
            kind: kind.to_string(),
        }
    }

    #[test]
    fn block_yaml_is_read_from_the_text() {
        let text = "# c\napiVersion: apps/v1 # x\nmetadata:\n  kind: nested\nkind: \"Deployment\"\n";
        assert_eq!(sniff_block_text(text), Some(object(Some("apps/v1"), "Deployment")));
        assert_eq!(sniff_text(text).unwrap(), object(Some("apps/v1"), "Deployment"));
    }

    #[test]
    fn unusual_text_falls_back_to_serde() {
        assert_eq!(sniff_block_text("kind: &k Pod\n"), None);
        assert_eq!(sniff_text("kind: &k Pod\n").unwrap(), object(None, "Pod"));
        let flow = documents::split_yaml("{kind: Pod, apiVersion: v1}");
        assert_eq!(sniff(&flow[0]).unwrap(), object(Some("v1"), "Pod"));
        assert_eq!(sniff_text("{kind: Pod}").unwrap_err().code, "yaml-syntax", "not JSON");
        assert_eq!(
            sniff_text(r#"{"apiVersion": "v1", "kind": "List", "items": []}"#).unwrap(),
            object(Some("v1"), "List")
        );
    }

    #[test]
    fn non_objects() {
        assert_eq!(sniff_text("- a\n- b\n").unwrap(), Sniffed::NotMapping("a sequence"));
        assert_eq!(sniff_text("just text\n").unwrap(), Sniffed::NotMapping("a scalar"));
        assert_eq!(sniff_text("a: 1\n").unwrap(), Sniffed::NoKind);
        assert_eq!(sniff_text("kind: 5\n").unwrap(), Sniffed::NoKind);
        assert_eq!(sniff_text("~\n").unwrap(), Sniffed::Empty);
        assert_eq!(sniff_text("---\n# only\n").unwrap(), Sniffed::Empty);
        assert_eq!(sniff_text("[1, 2]").unwrap(), Sniffed::NotMapping("a sequence"));
    }

    #[test]
    fn syntax_errors_are_problems() {
        let problem = sniff_text("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(problem.code, "yaml-syntax");
        let problem = sniff_text("{\"a\": }").unwrap_err();
        assert_eq!(problem.code, "yaml-syntax");
    }
}
