//! Human renderings of a [`CheckResult`]: Markdown (PR comments, job summaries) and plain
//! text (terminals).
//!
//! Broken expectations come first — name, summary, where the expectation is, the offending
//! pairs (at most [`SHOWN_VIOLATIONS`] each) and, for the first of them, the policy and rule
//! that decided it with `file:line` — then the lock drift, shown like a diff (`-` what the lock
//! allows and the current manifests no longer do, `+` what they allow beyond it), then input
//! errors. A passing check is one line.
//!
//! Everything from the input goes through [`super::escape`]: names, ids, messages and paths
//! are hostile until escaped.

use std::fmt::Write as _;

use super::escape::{code, escape_markdown_inline, plain};
use crate::api::CheckResult;
use crate::diff::{Change, Diff};
use crate::expect::result::{ExpectationResult, Violation};
use crate::explain::{Explanation, SideExplanation};
use crate::Severity;

/// Offending pairs listed per broken expectation (the result holds up to 20).
pub const SHOWN_VIOLATIONS: usize = 5;

/// Lines of the lock drift listed before "… and N more".
pub const SHOWN_DRIFT_LINES: usize = 40;

/// Input errors listed before "… and N more".
const SHOWN_DIAGNOSTICS: usize = 10;

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One line: the verdict and its counts.
fn headline(result: &CheckResult) -> String {
    let s = &result.summary;
    let mut parts = Vec::new();
    if result.expectations.is_some() {
        if s.expectations_failed > 0 {
            parts.push(format!(
                "{} of {} failed",
                s.expectations_failed,
                plural(s.expectations, "expectation")
            ));
        } else {
            parts.push(format!("{} passed", plural(s.expectations, "expectation")));
        }
    }
    if let Some(lock) = &result.lock {
        if lock.clean {
            parts.push("matches the lock".to_string());
        } else {
            parts.push(format!(
                "lock drift: {} ({} exposing, {} breaking), {} added, {} removed",
                plural(s.lock_changes, "change"),
                s.lock_exposures,
                s.lock_breakages,
                plural(s.lock_added_endpoints, "workload"),
                plural(s.lock_removed_endpoints, "workload")
            ));
        }
    }
    if s.input_errors > 0 {
        parts.push(plural(s.input_errors, "input error"));
    }
    if parts.is_empty() {
        parts.push("nothing to check".to_string());
    }
    parts.join("; ")
}

fn failed(result: &CheckResult) -> Vec<&ExpectationResult> {
    result
        .expectations
        .iter()
        .flat_map(|e| e.results.iter())
        .filter(|r| !r.passed)
        .collect()
}

fn violation_ends(v: &Violation) -> String {
    match (&v.from, &v.to, &v.endpoint) {
        (Some(from), Some(to), _) => format!("{from} → {to}"),
        (_, _, Some(endpoint)) => endpoint.clone(),
        (Some(from), None, None) => from.clone(),
        (None, Some(to), None) => to.clone(),
        (None, None, None) => String::new(),
    }
}

/// The lines naming what decided one side of an explained connection (raw, unescaped):
/// `(label, location)` pairs.
fn side_lines(name: &str, side: &SideExplanation) -> Vec<(String, Option<String>)> {
    if !side.applies {
        return Vec::new();
    }
    let mut lines: Vec<(String, Option<String>)> = side
        .decisions
        .iter()
        .filter(|d| d.matches_query)
        .take(3)
        .map(|d| {
            let mut label = format!("{name}: ");
            match &d.policy {
                Some(policy) => {
                    let _ = write!(label, "{} {policy}", kind_label(d.kind));
                    if let Some(rule) = d.rule_index {
                        let _ = write!(label, " rule {rule}");
                    }
                }
                None => label.push_str(kind_label(d.kind)),
            }
            let _ = write!(label, " ({})", d.ports);
            let location = d.location.as_ref().map(|l| format!("{}:{}", l.path, l.line));
            (label, location)
        })
        .collect();
    if lines.is_empty() {
        lines.push((format!("{name}: {}", side.reason), None));
    }
    lines
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "networkPolicyRule" => "NetworkPolicy",
        "adminRule" => "AdminNetworkPolicy",
        "baselineRule" => "BaselineAdminNetworkPolicy",
        "notIsolated" => "not isolated",
        "hostNetwork" => "host network",
        _ => "default allow",
    }
}

fn explanation_lines(x: &Explanation) -> Vec<(String, Option<String>)> {
    let mut lines = side_lines("egress", &x.egress);
    lines.extend(side_lines("ingress", &x.ingress));
    lines
}

/// Drift lines: `(sign, text)`, removed before added for each pair.
fn drift_lines(diff: &Diff) -> Vec<(char, String)> {
    let mut lines = Vec::new();
    for id in &diff.removed_endpoints {
        lines.push(('-', format!("workload {id}")));
    }
    for id in &diff.added_endpoints {
        lines.push(('+', format!("workload {id}")));
    }
    for c in &diff.changes {
        lines.extend(change_lines(c));
    }
    lines
}

fn change_lines(c: &Change) -> Vec<(char, String)> {
    let mut lines = Vec::new();
    if !c.removed.is_empty() {
        lines.push(('-', format!("{} → {}: {}", c.from, c.to, c.removed)));
    }
    if !c.added.is_empty() {
        lines.push(('+', format!("{} → {}: {}", c.from, c.to, c.added)));
    }
    lines
}

/// A fenced code block for `body` whose fence no line of it can close.
fn fence_for(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// The check as GitHub-flavoured Markdown: broken expectations, then the lock drift.
pub fn markdown(result: &CheckResult) -> String {
    let mut out = String::new();
    let icon = if result.passed { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "### {icon} netreach check: {}\n",
        escape_markdown_inline(&headline(result))
    );
    let broken = failed(result);
    if !broken.is_empty() {
        let path = result.expectations.as_ref().map_or("", |e| e.path.as_str());
        let _ = writeln!(out, "#### Broken expectations ({})\n", code(path));
        for r in broken {
            let _ = writeln!(
                out,
                "- **{}** — {} ({})",
                escape_markdown_inline(&r.name),
                escape_markdown_inline(&r.summary),
                code(&format!("{}:{}", r.location.path, r.location.line))
            );
            for u in &r.unmatched {
                let _ = writeln!(
                    out,
                    "  - {} {} matches nothing",
                    escape_markdown_inline(&u.role),
                    code(&u.subject)
                );
            }
            for v in r.violations.iter().take(SHOWN_VIOLATIONS) {
                let _ = writeln!(
                    out,
                    "  - {}: {}",
                    code(&violation_ends(v)),
                    escape_markdown_inline(&v.message)
                );
                if let Some(x) = &v.explanation {
                    for (label, location) in explanation_lines(x) {
                        let at = location.map(|l| format!(" at {}", code(&l))).unwrap_or_default();
                        let _ = writeln!(out, "    - {}{at}", escape_markdown_inline(&label));
                    }
                }
            }
            let shown = r.violations.len().min(SHOWN_VIOLATIONS);
            if r.violation_count > shown {
                let _ = writeln!(out, "  - … and {} more", r.violation_count - shown);
            }
        }
        out.push('\n');
    }
    if let Some(lock) = result.lock.as_ref().filter(|l| !l.clean) {
        let _ = writeln!(
            out,
            "#### Lock drift: {}, {}\n",
            plural(lock.exposures, "exposure"),
            plural(lock.breakages, "breakage")
        );
        out.push_str(
            "`-` the lock allows it and the manifests no longer do · `+` the manifests allow it beyond the lock\n\n",
        );
        let lines = drift_lines(&lock.diff);
        let mut body = String::new();
        for (sign, text) in lines.iter().take(SHOWN_DRIFT_LINES) {
            let _ = writeln!(body, "{sign} {}", plain(text));
        }
        if lines.len() > SHOWN_DRIFT_LINES {
            let _ = writeln!(body, "# … and {} more lines", lines.len() - SHOWN_DRIFT_LINES);
        }
        let fence = fence_for(&body);
        let _ = writeln!(out, "{fence}diff\n{body}{fence}\n");
        out.push_str("Approve the new reachability with `netreach snapshot`.\n\n");
    }
    let errors: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        out.push_str("#### Input errors\n\n");
        for d in errors.iter().take(SHOWN_DIAGNOSTICS) {
            let _ = writeln!(
                out,
                "- {}: {}",
                code(&format!("{}:{}", d.location.path, d.location.line)),
                escape_markdown_inline(&d.message)
            );
        }
        if errors.len() > SHOWN_DIAGNOSTICS {
            let _ = writeln!(out, "- … and {} more", errors.len() - SHOWN_DIAGNOSTICS);
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The check as plain text for terminals.
pub fn text(result: &CheckResult) -> String {
    let mut out = String::new();
    let verdict = if result.passed { "PASS" } else { "FAIL" };
    let _ = writeln!(out, "netreach check: {verdict}: {}", plain(&headline(result)));
    let broken = failed(result);
    if !broken.is_empty() {
        let path = result.expectations.as_ref().map_or("", |e| e.path.as_str());
        let _ = writeln!(out, "\nBroken expectations ({}):", plain(path));
        for r in broken {
            let _ = writeln!(
                out,
                "\n  ✗ {}  ({}:{})\n    {}",
                plain(&r.name),
                plain(&r.location.path),
                r.location.line,
                plain(&r.summary)
            );
            for u in &r.unmatched {
                let _ = writeln!(out, "    - {} {} matches nothing", plain(&u.role), plain(&u.subject));
            }
            for v in r.violations.iter().take(SHOWN_VIOLATIONS) {
                let _ = writeln!(out, "    - {}: {}", plain(&violation_ends(v)), plain(&v.message));
                if let Some(x) = &v.explanation {
                    for (label, location) in explanation_lines(x) {
                        let at = location.map(|l| format!(" at {}", plain(&l))).unwrap_or_default();
                        let _ = writeln!(out, "        {}{at}", plain(&label));
                    }
                }
            }
            let shown = r.violations.len().min(SHOWN_VIOLATIONS);
            if r.violation_count > shown {
                let _ = writeln!(out, "    … and {} more", r.violation_count - shown);
            }
        }
    }
    if let Some(lock) = result.lock.as_ref().filter(|l| !l.clean) {
        let _ = writeln!(
            out,
            "\nLock drift ({}, {}; - in the lock only, + beyond the lock):",
            plural(lock.exposures, "exposure"),
            plural(lock.breakages, "breakage")
        );
        let lines = drift_lines(&lock.diff);
        for (sign, text) in lines.iter().take(SHOWN_DRIFT_LINES) {
            let _ = writeln!(out, "  {sign} {}", plain(text));
        }
        if lines.len() > SHOWN_DRIFT_LINES {
            let _ = writeln!(out, "  … and {} more lines", lines.len() - SHOWN_DRIFT_LINES);
        }
        out.push_str("  (approve the new reachability with `netreach snapshot`)\n");
    }
    let errors: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        out.push_str("\nInput errors:\n");
        for d in errors.iter().take(SHOWN_DIAGNOSTICS) {
            let _ = writeln!(
                out,
                "  {}:{}: {}",
                plain(&d.location.path),
                d.location.line,
                plain(&d.message)
            );
        }
        if errors.len() > SHOWN_DIAGNOSTICS {
            let _ = writeln!(out, "  … and {} more", errors.len() - SHOWN_DIAGNOSTICS);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{check, snapshot, CheckRequest};
    use crate::{Options, SourceFile};

    fn read_dir(dir: &str) -> Vec<SourceFile> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/shop/");
        let mut files: Vec<SourceFile> = std::fs::read_dir(format!("{root}{dir}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| SourceFile::new(p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    #[test]
    fn renders_broken_expectations_and_drift() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/shop/netreach.yaml");
        let expectations = SourceFile::new("netreach.yaml", std::fs::read_to_string(root).unwrap());
        let base = read_dir("base");
        let lock = SourceFile::new("netreach.lock.json", snapshot(&base, &Options::default()));
        let request = CheckRequest {
            files: base,
            options: Options::default(),
            expectations: Some(expectations.clone()),
            lock: Some(lock.clone()),
        };
        let result = check(&request).unwrap();
        assert!(result.passed, "{}", text(&result));
        assert!(markdown(&result).starts_with("### ✅ netreach check"));
        assert!(text(&result).starts_with("netreach check: PASS"));

        let request = CheckRequest {
            files: read_dir("head"),
            options: Options::default(),
            expectations: Some(expectations),
            lock: Some(lock),
        };
        let result = check(&request).unwrap();
        assert!(!result.passed);
        let md = markdown(&result);
        assert!(md.contains("#### Broken expectations"), "{md}");
        assert!(md.contains("```diff\n"), "{md}");
        let txt = text(&result);
        assert!(txt.contains("Broken expectations"), "{txt}");
        assert!(txt.contains("Lock drift"), "{txt}");
    }
}
