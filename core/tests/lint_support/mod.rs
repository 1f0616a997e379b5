//! Shared helpers of the lint tests: YAML in, findings out, readable assertions.

#![allow(dead_code)] // each test crate uses a different subset

use std::fmt::Write;

use netreach_core::{analysis, lint, parse, Diagnostic, Options, Severity, SourceFile};

pub const PATH: &str = "manifests.yaml";

/// Parses, analyses and lints one file; panics if the input itself has errors, so a test
/// can never pass because its YAML was skipped.
pub fn lint_with(yaml: &str, options: &Options) -> Vec<Diagnostic> {
    let files = [SourceFile::new(PATH, yaml)];
    let model = parse::parse(&files, options);
    let errors: Vec<String> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "test input has errors:\n{}", errors.join("\n"));
    let analysis = analysis::analyze(&model, &[]);
    lint::lint(&model, &analysis, &files, options)
}

pub fn lint_yaml(yaml: &str) -> Vec<Diagnostic> {
    lint_with(yaml, &Options::default())
}

/// Findings with `code`.
pub fn with_code<'a>(findings: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    findings.iter().filter(|d| d.code == code).collect()
}

/// The single finding with `code`; panics with every finding listed otherwise.
pub fn single<'a>(findings: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let matching = with_code(findings, code);
    assert_eq!(
        matching.len(),
        1,
        "expected one {code} finding, got:\n{}",
        render(findings)
    );
    matching[0]
}

/// Asserts there is no finding with `code`.
pub fn none(findings: &[Diagnostic], code: &str) {
    assert!(
        with_code(findings, code).is_empty(),
        "expected no {code} finding, got:\n{}",
        render(findings)
    );
}

pub fn render(findings: &[Diagnostic]) -> String {
    findings.iter().fold(String::new(), |mut out, d| {
        let _ = writeln!(out, "  {d}");
        out
    })
}

/// 1-based line of the first line of `text` containing `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the test input"))
        + 1
}

/// Asserts severity, object (`Kind namespace/name`), field and line of a finding.
pub fn assert_at(d: &Diagnostic, severity: Severity, object: &str, field: Option<&str>, line: usize) {
    assert_eq!(d.severity, severity, "{d}");
    let shown = d.location.object.as_ref().map(ToString::to_string);
    assert_eq!(shown.as_deref(), Some(object), "{d}");
    assert_eq!(d.location.field.as_deref(), field, "{d}");
    assert_eq!(d.location.path, PATH, "{d}");
    assert_eq!(d.location.line, line, "{d}");
    assert!(
        !d.message.contains(&format!(":{line}")) && !d.message.contains("line"),
        "messages carry no line numbers: {d}"
    );
}

/// 1-based line of the first line of `text` equal to `line`.
pub fn line_eq(text: &str, line: &str) -> usize {
    text.lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("no line {line:?} in the test input"))
        + 1
}
