//! One typed deserialisation per object, with errors that name the field.
//!
//! A modelled document is deserialised once, straight from its text (YAML or JSON), into
//! its k8s-openapi type through `serde_path_to_error`, so a type error reads
//! `spec.ingress[0].ports[0].port: invalid type: sequence, expected int or string`. List
//! items are deserialised from the `serde_yaml::Value` the list was read into.
//!
//! `serde_yaml` reports a syntax error only when the deserialiser runs out of events, so a
//! failed deserialisation is re-checked (on the error path only) by skipping through the
//! document: if that fails too, the document is not valid YAML (`yaml-syntax`), otherwise
//! the object has a wrong type somewhere (`invalid-object`).

use serde::de::{DeserializeOwned, IgnoredAny};

use super::documents::{Document, Format};

/// Where an object's fields come from.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    Document(&'a Document<'a>),
    Value(&'a serde_yaml::Value),
}

/// A problem found while reading an object, before it is turned into a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// Stable diagnostic code (`yaml-syntax`, `invalid-object`, `invalid-cidr`, ...).
    pub code: &'static str,
    /// Field path relative to the object (empty for the whole document).
    pub field: String,
    pub message: String,
    /// One-based line within the document text, when the parser knew it.
    pub line: Option<usize>,
}

impl Problem {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            code,
            field: field.into(),
            message: message.into(),
            line: None,
        }
    }
}

/// Deserialises `T` from a document's text or a list item's value.
///
/// The fast path deserialises directly; only when that fails is the object read again
/// through `serde_path_to_error` to learn the field path (tracking the path costs an
/// allocation per key, which is most of a typed read's overhead on valid input).
pub(crate) fn decode<T: DeserializeOwned>(source: Source<'_>) -> Result<T, Problem> {
    match source {
        Source::Document(doc) => match doc.format {
            Format::Yaml => {
                T::deserialize(serde_yaml::Deserializer::from_str(doc.text)).map_err(|_| {
                    // Only on failure: is the document valid YAML at all?
                    if let Err(syntax) = serde_yaml::from_str::<IgnoredAny>(doc.text) {
                        return yaml_problem(&syntax, "");
                    }
                    let de = serde_yaml::Deserializer::from_str(doc.text);
                    match serde_path_to_error::deserialize::<_, T>(de) {
                        Err(e) => {
                            let path = path_string(e.path());
                            let mut problem = yaml_problem(e.inner(), &path);
                            if problem.line.is_none() {
                                // Some reader errors carry no position: find the field instead.
                                problem.line = super::locate::field_line(doc.text, 1, &path);
                            }
                            problem
                        }
                        Ok(_) => Problem::new("invalid-object", "", "could not be read"),
                    }
                })
            }
            Format::Json => {
                let read = |tracked: bool| -> Result<T, Problem> {
                    let mut de = serde_json::Deserializer::from_str(doc.text);
                    let value = if tracked {
                        serde_path_to_error::deserialize(&mut de)
                            .map_err(|e| json_problem(e.inner(), &path_string(e.path())))?
                    } else {
                        T::deserialize(&mut de).map_err(|e| json_problem(&e, ""))?
                    };
                    de.end().map_err(|e| json_problem(&e, ""))?;
                    Ok(value)
                };
                read(false).or_else(|_| read(true))
            }
        },
        Source::Value(value) => T::deserialize(value).or_else(|_| {
            serde_path_to_error::deserialize(value).map_err(|e| {
                let message = e.inner().to_string();
                if limit_code(&message).is_some() {
                    return unreadable("YAML", &message, None);
                }
                Problem::new("invalid-object", path_string(e.path()), message)
            })
        }),
    }
}

/// kubectl notation for a serde path; empty for the root.
fn path_string(path: &serde_path_to_error::Path) -> String {
    if path.iter().next().is_none() {
        String::new()
    } else {
        path.to_string()
    }
}

/// Resource limits of the YAML reader are reported like syntax errors: the document
/// cannot be read, whatever its kind.
fn limit_code(message: &str) -> Option<&'static str> {
    limit_note(message).map(|_| "yaml-syntax")
}

/// What a reader limit means, for the message.
fn limit_note(message: &str) -> Option<&'static str> {
    if message.contains("recursion limit exceeded") {
        Some(" (nested more than 128 levels deep)")
    } else if message.contains("repetition limit exceeded") {
        Some(" (aliases expand to too many nodes: a YAML alias bomb?)")
    } else {
        None
    }
}

/// A document the reader gave up on: the field path is noise, the line says where.
fn unreadable(format: &str, message: &str, line: Option<usize>) -> Problem {
    let note = limit_note(message).unwrap_or_default();
    Problem {
        code: "yaml-syntax",
        field: String::new(),
        message: format!("invalid {format}: {}{note}", drop_positions(message)),
        line,
    }
}

/// A `serde_yaml` error as a problem; `path` is the serde path of a type error (empty for
/// syntax errors), and line numbers are relative to the document text.
pub(crate) fn yaml_problem(error: &serde_yaml::Error, path: &str) -> Problem {
    let line = error.location().map(|l| l.line());
    let full = error.to_string();
    let mut message = strip_position(&full).to_string();
    // Type errors are prefixed with serde_yaml's own path; we give the field separately.
    if let Some(i) = message.find(": ") {
        if !path.is_empty() && path.ends_with(&message[..i]) {
            message = message[i + 2..].to_string();
        }
    }
    if path.is_empty() || limit_code(&message).is_some() {
        // Positions inside libyaml messages ("while parsing a block mapping at line 2
        // column 1") are relative to the document; they are dropped, the location says where.
        return unreadable("YAML", &message, line);
    }
    Problem {
        code: "invalid-object",
        field: path.to_string(),
        message,
        line,
    }
}

/// A `serde_json` error as a problem.
pub(crate) fn json_problem(error: &serde_json::Error, path: &str) -> Problem {
    let full = error.to_string();
    let message = strip_position(&full).to_string();
    let syntax = matches!(
        error.classify(),
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof
    );
    let line = (error.line() > 0).then(|| error.line());
    if syntax || path.is_empty() || limit_code(&message).is_some() {
        return unreadable("JSON", &message, line);
    }
    Problem {
        code: "invalid-object",
        field: path.to_string(),
        message,
        line,
    }
}

/// Removes a trailing ` at line N column M` from a serde message.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) if position_len(&message[i + " at line ".len()..]) == Some(message.len() - i - " at line ".len()) => {
            &message[..i]
        }
        _ => message,
    }
}

/// Removes every ` at line N column M` from a libyaml message.
fn drop_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        if let Some(len) = position_len(after) {
            rest = &after[len..];
        } else {
            out.push_str(" at line ");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Length of `N column M` at the start of `text`, if it is there.
fn position_len(text: &str) -> Option<usize> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits(text);
    let after = text[n..].strip_prefix(" column ")?;
    let m = digits(after);
    (n > 0 && m > 0).then_some(n + " column ".len() + m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::documents;
    use k8s_openapi::api::networking::v1::NetworkPolicy;

    fn decode_text<T: DeserializeOwned>(text: &str) -> Result<T, Problem> {
        let docs = documents::split(text);
        decode(Source::Document(&docs[0]))
    }

    #[test]
    fn type_errors_name_the_field_and_line() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a\nspec:\n  ingress:\n  - ports:\n    - port: [1]\n";
        let problem = decode_text::<NetworkPolicy>(text).unwrap_err();
        assert_eq!(problem.code, "invalid-object");
        assert_eq!(problem.field, "spec.ingress[0].ports[0].port");
        assert_eq!(problem.line, Some(8));
        assert!(!problem.message.contains("line"), "{}", problem.message);
        assert!(!problem.message.starts_with("spec"), "{}", problem.message);
    }

    #[test]
    fn syntax_errors_are_told_apart() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  a: [\n  b: {\n";
        let problem = decode_text::<NetworkPolicy>(text).unwrap_err();
        assert_eq!(problem.code, "yaml-syntax");
        assert_eq!(problem.field, "");
        assert!(problem.line.is_some());
        assert!(!problem.message.contains(" at line "), "{}", problem.message);
    }

    #[test]
    fn json_errors() {
        let problem = decode_text::<NetworkPolicy>("{\"spec\": {\"ingress\": 5}}").unwrap_err();
        assert_eq!(problem.code, "invalid-object");
        assert_eq!(problem.field, "spec.ingress");
        assert_eq!(problem.line, Some(1));
    }

    #[test]
    fn positions_are_dropped_from_messages() {
        assert_eq!(
            drop_positions(
                "did not find expected key at line 5 column 3, while parsing a block mapping at line 2 column 1"
            ),
            "did not find expected key, while parsing a block mapping"
        );
        assert_eq!(
            strip_position("invalid type: map at line 3 column 4"),
            "invalid type: map"
        );
    }
}
