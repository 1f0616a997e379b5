//! Plain text for terminals: the same content as the Markdown comment, without markup, in
//! aligned columns, never truncated.
//!
//! User-controlled text goes through [`escape::plain`](super::escape::plain), so a workload
//! name cannot smuggle ANSI escape sequences or bidi overrides onto the reader's terminal.
//!
//! [`render_connections`] is the `netreach analyze` text output: one line per allowed
//! connection, `from => to : ports`, in the analysis order (workloads by id, then external
//! ranges).
//!
//! ```
//! use netreach_core::report::text;
//! use netreach_core::{api, Options, SourceFile};
//! let files = [SourceFile::new("app.yaml", "")];
//! let report = api::report(Some(&files), &files, &Options::default());
//! assert!(text::render(&report).contains("No reachability changes."));
//! assert_eq!(text::render_connections(&report), "");
//! ```

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;
use crate::diff::{Diff, EndpointChange};
use crate::ports::PortSet;

use super::escape::plain;
use super::format::{
    breakage_groups, counts, diagnostic_order, exposure_groups, is_external, lint_order, place, plural, ports,
    reach_groups, short_name, short_name_capped, status_label, thousands, verdict, Group, Statuses, Tone, Who,
    EXTERNAL_DISPLAY_MAX,
};
use super::{Report, Side};

/// Example workloads named in a namespace summary line.
const EXAMPLES: usize = 3;

/// Renders the whole report as plain text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let title = if report.diff.is_some() {
        "netreach: NetworkPolicy reachability changes"
    } else {
        "netreach: NetworkPolicy reachability"
    };
    heading(&mut out, title, '=');
    let (tone, sentence) = verdict(report);
    let prefix = match tone {
        Tone::Good => "",
        Tone::Notice => "Note: ",
        Tone::Bad => "Warning: ",
    };
    let _ = writeln!(out, "{prefix}{sentence}\n");
    let rows = counts(report);
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    for (label, n) in &rows {
        let _ = writeln!(out, "  {label:<width$}  {:>7}", thousands(*n));
    }
    out.push('\n');
    if let Some(diff) = &report.diff {
        groups_section(&mut out, "Newly allowed (exposure)", &exposure_groups(report, diff));
        groups_section(&mut out, "Newly blocked (breakage)", &breakage_groups(report, diff));
        id_section(&mut out, "Workloads added", &diff.added_endpoints);
        id_section(&mut out, "Workloads removed", &diff.removed_endpoints);
        common_sections(&mut out, report);
        changes_table(&mut out, diff);
    } else {
        common_sections(&mut out, report);
        groups_section(&mut out, "Who can reach what", &reach_groups(report));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// One line per allowed connection of the head analysis: `from => to : ports`.
pub fn render_connections(report: &Report) -> String {
    let analysis = &report.analysis;
    let mut out = String::new();
    for c in &analysis.connections {
        let _ = writeln!(
            out,
            "{} => {} : {}",
            plain(&analysis.endpoints[c.from as usize].id),
            plain(&analysis.endpoints[c.to as usize].id),
            ports(analysis.ports(c))
        );
    }
    out
}

fn heading(out: &mut String, title: &str, underline: char) {
    let _ = writeln!(out, "{title}");
    let _ = writeln!(out, "{}\n", underline.to_string().repeat(title.chars().count()));
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn pad(text: &str, to: usize) -> String {
    let mut out = text.to_string();
    out.extend(std::iter::repeat_n(' ', to.saturating_sub(width(text))));
    out
}

fn endpoint(id: &str) -> String {
    if is_external(id) {
        format!("external {}", plain(short_name(id)))
    } else {
        plain(id)
    }
}

fn status_suffix(status: Option<EndpointChange>) -> String {
    status.map_or_else(String::new, |s| format!(" ({})", status_label(s)))
}

fn list_of(ids: &[&str]) -> String {
    let mut names: Vec<String> = ids
        .iter()
        .take(EXAMPLES)
        .map(|id| plain(&short_name_capped(id, EXTERNAL_DISPLAY_MAX)))
        .collect();
    if ids.len() > EXAMPLES {
        names.push(format!("{} more", thousands(ids.len() - EXAMPLES)));
    }
    match names.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => names.join(""),
    }
}

fn who(who: &Who<'_>) -> String {
    match who {
        Who::Endpoint { id, status } => format!("{}{}", endpoint(id), status_suffix(*status)),
        Who::AllInNamespace { namespace, count } => {
            format!("all {} workloads in ns {}", thousands(*count), plain(namespace))
        }
        Who::SomeInNamespace { namespace, ids } => {
            format!(
                "{} workloads in ns {} ({})",
                thousands(ids.len()),
                plain(namespace),
                list_of(ids)
            )
        }
        Who::AllWorkloads { count } => {
            format!("all {} workloads in the cluster", thousands(*count))
        }
        Who::Externals { ids } => format!("{} external ranges ({})", thousands(ids.len()), list_of(ids)),
    }
}

fn groups_section(out: &mut String, title: &str, groups: &[Group<'_>]) {
    if groups.is_empty() {
        return;
    }
    heading(out, title, '-');
    let whos: Vec<Vec<String>> = groups
        .iter()
        .map(|g| g.lines.iter().map(|l| who(&l.who)).collect())
        .collect();
    let column = whos.iter().flatten().map(|w| width(w)).max().unwrap_or(0);
    for (group, whos) in groups.iter().zip(&whos) {
        let open = if group.open { " (no ingress policy)" } else { "" };
        let _ = writeln!(out, "  {}{}{open}", endpoint(group.anchor), status_suffix(group.status));
        let arrow = if group.outgoing { "->" } else { "<-" };
        for (line, who) in group.lines.iter().zip(whos) {
            let _ = writeln!(out, "    {arrow} {}  {}", pad(who, column), ports(line.ports));
        }
    }
    out.push('\n');
}

fn id_section(out: &mut String, title: &str, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    heading(out, title, '-');
    for id in ids {
        let _ = writeln!(out, "  {}", plain(id));
    }
    out.push('\n');
}

fn common_sections(out: &mut String, report: &Report) {
    if !report.lint.is_empty() {
        heading(out, "Lint findings", '-');
        let tag_new = report.diff.is_some();
        for i in lint_order(report) {
            let finding = &report.lint[i];
            let new = if tag_new && finding.new { " (new)" } else { "" };
            let _ = writeln!(out, "  {}{new}", diagnostic_line(&finding.diagnostic));
        }
        out.push('\n');
    }
    if !report.diagnostics.is_empty() {
        heading(out, "Input problems", '-');
        let sided = report.diff.is_some();
        for i in diagnostic_order(report) {
            let d = &report.diagnostics[i];
            let side = match (sided, d.side) {
                (false, _) => "",
                (true, Side::Base) => "[base] ",
                (true, Side::Head) => "[head] ",
            };
            let _ = writeln!(out, "  {side}{}", diagnostic_line(&d.diagnostic));
        }
        out.push('\n');
    }
    let skipped: Vec<_> = report.skipped.iter().filter(|s| s.side == Side::Head).collect();
    if !skipped.is_empty() {
        let total: usize = skipped.iter().map(|s| s.count).sum();
        heading(
            out,
            &format!("Skipped {} of kinds netreach does not model", plural(total, "document")),
            '-',
        );
        let kinds: Vec<String> = skipped.iter().map(|s| plain(&s.kind)).collect();
        let column = kinds.iter().map(|k| width(k)).max().unwrap_or(0);
        for (kind, s) in kinds.iter().zip(&skipped) {
            let _ = writeln!(out, "  {}  {:>5}", pad(kind, column), thousands(s.count));
        }
        out.push('\n');
    }
    if !report.notes.is_empty() {
        heading(out, "Notes", '-');
        for note in &report.notes {
            let _ = writeln!(out, "  - {}", plain(note));
        }
        out.push('\n');
    }
}

/// `path:line: [object: field: ]severity: message [code]`.
fn diagnostic_line(d: &Diagnostic) -> String {
    let place = place(d);
    let mut out = plain(&place.file);
    for part in [place.object.as_deref(), place.field].into_iter().flatten() {
        out.push_str(": ");
        out.push_str(&plain(part));
    }
    let _ = write!(
        out,
        ": {}: {} [{}]",
        d.severity.as_str(),
        plain(&d.message),
        plain(&d.code)
    );
    out
}

fn changes_table(out: &mut String, diff: &Diff) {
    if diff.changes.is_empty() {
        return;
    }
    heading(out, &format!("All {}", plural(diff.changes.len(), "change")), '-');
    let statuses = Statuses::new(Some(diff));
    let cell = |set: &PortSet| {
        if set.is_empty() {
            "-".to_string()
        } else {
            ports(set)
        }
    };
    let mut rows = vec![[
        "FROM".to_string(),
        "TO".to_string(),
        "BEFORE".to_string(),
        "AFTER".to_string(),
    ]];
    rows.extend(diff.changes.iter().map(|c| {
        [
            format!("{}{}", endpoint(&c.from), status_suffix(statuses.of(&c.from))),
            format!("{}{}", endpoint(&c.to), status_suffix(statuses.of(&c.to))),
            cell(&c.before),
            cell(&c.after),
        ]
    }));
    let mut widths = [0usize; 4];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    for row in &rows {
        let line = format!(
            "  {}  {}  {}  {}",
            pad(&row[0], widths[0]),
            pad(&row[1], widths[1]),
            pad(&row[2], widths[2]),
            row[3]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
}
