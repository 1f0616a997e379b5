//! The GitHub PR comment: what a reviewer reads in thirty seconds.
//!
//! Layout, in priority order (the comment is cut at the first thing that does not fit):
//!
//! 1. the hidden marker (so the Action can find and update its comment), a heading, a one-line
//!    verdict and the counts table;
//! 2. **Newly allowed (exposure)**, grouped by destination, most significant first (outside
//!    the cluster, then across namespaces, as [`crate::diff`] ranks them), sources that change
//!    alike summarised by namespace;
//! 3. **Newly blocked (breakage)**, likewise; then workloads added and removed;
//! 4. lint findings (new ones first), input problems, skipped kinds, modelling notes;
//! 5. collapsed `<details>`: every change as a table (from, to, before, after), and the full
//!    lists that were capped above.
//!
//! Without a base there is no diff: the comment shows the counts and, collapsed, who can reach
//! each endpoint.
//!
//! The comment never exceeds [`MarkdownOptions::max_chars`] (measured in UTF-8 bytes, which
//! is never less than the characters or UTF-16 units GitHub counts). When the budget runs out
//! the text is cut between two list items or table rows, open `<details>` are closed and a
//! last line says how much is missing, followed by [`MarkdownOptions::full_report_hint`].
//!
//! Everything from the input is escaped with [`super::escape`]: ids and paths as code spans,
//! messages as escaped text, so a manifest cannot inject HTML, links or @-mentions.
//!
//! ```
//! use netreach_core::report::markdown::{render, MarkdownOptions};
//! use netreach_core::{api, Options, SourceFile};
//! let files = [SourceFile::new("app.yaml", "")];
//! let report = api::report(Some(&files), &files, &Options::default());
//! let options = MarkdownOptions { marker: Some("<!-- netreach -->".into()), ..MarkdownOptions::default() };
//! let comment = render(&report, &options);
//! assert!(comment.starts_with("<!-- netreach -->\n"));
//! assert!(comment.contains("No reachability changes."));
//! ```

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;
use crate::diff::{Diff, EndpointChange};
use crate::ports::PortSet;

use super::escape::{code, escape_markdown_inline, table_code};
use super::format::{
    breakage_groups, counts, diagnostic_order, exposure_groups, is_external, join_and, lint_order, place, plural,
    ports_capped, reach_groups, short_name_capped, status_label, thousands, verdict, Group, Line, Tone, Who,
    EXTERNAL_DISPLAY_MAX,
};
use super::Report;

/// GitHub rejects comments over 65,536 characters; stay safely below.
pub const DEFAULT_MAX_CHARS: usize = 65_000;

/// Destinations listed per section before pointing at the full table.
const TOP_GROUPS: usize = 10;
/// Source lines listed per destination.
const TOP_LINES: usize = 8;
/// Workloads, lint findings and input problems listed before the rest is collapsed.
const TOP_LIST: usize = 20;
/// Port ranges listed per protocol.
const PORT_RANGES: usize = 12;
/// Example workloads named in a namespace summary line.
const EXAMPLES: usize = 3;

/// How to render the comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// Upper bound on the output length in bytes (default [`DEFAULT_MAX_CHARS`]).
    pub max_chars: usize,
    /// Appended, verbatim Markdown, when the comment had to be cut, e.g.
    /// `See the [job summary](https://…) for the full report.` Written by the workflow author,
    /// so it is not escaped (it usually carries a link).
    pub full_report_hint: Option<String>,
    /// Heading text (plain text, escaped); default `netreach: NetworkPolicy reachability changes`.
    pub title: Option<String>,
    /// Hidden marker put first, e.g. `<!-- netreach:comment -->`; text that is not an HTML
    /// comment is wrapped in one.
    pub marker: Option<String>,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            max_chars: DEFAULT_MAX_CHARS,
            full_report_hint: None,
            title: None,
            marker: None,
        }
    }
}

/// Renders the PR comment (see the module docs for the layout and guarantees).
pub fn render(report: &Report, options: &MarkdownOptions) -> String {
    let totals = Totals::of(report);
    let mut doc = Doc::new(options.max_chars, footer_reserve(&totals, options), &totals);
    header(&mut doc, report, options);
    match &report.diff {
        Some(diff) => diff_body(&mut doc, report, diff),
        None => connectivity_body(&mut doc, report),
    }
    doc.finish(options)
}

// ---------------------------------------------------------------------------------------
// The budgeted document.
// ---------------------------------------------------------------------------------------

/// What a chunk of text shows, so the footer can count what was left out.
#[derive(Debug, Clone)]
enum Shows {
    Nothing,
    /// Changes (with a diff) or connections (without), by index.
    Items(Vec<usize>),
    Lint(usize),
    Diagnostic(usize),
    /// Index into added endpoints followed by removed endpoints.
    Workload(usize),
}

/// A piece of output that is shown whole or not at all.
struct Chunk {
    text: String,
    shows: Shows,
}

impl Chunk {
    fn new(text: String, shows: Shows) -> Self {
        Chunk { text, shows }
    }
}

/// How many things of each kind the report holds / the comment left out.
struct Totals {
    /// Changes (diff) or connections (no diff).
    items: usize,
    items_noun: &'static str,
    lint: usize,
    diagnostics: usize,
    workloads: usize,
}

impl Totals {
    fn of(report: &Report) -> Self {
        let (items, items_noun, workloads) = match &report.diff {
            Some(diff) => (
                diff.changes.len(),
                "change",
                diff.added_endpoints.len() + diff.removed_endpoints.len(),
            ),
            None => (report.analysis.connections.len(), "connection", 0),
        };
        Totals {
            items,
            items_noun,
            lint: report.lint.len(),
            diagnostics: report.diagnostics.len(),
            workloads,
        }
    }
}

/// The output under construction: refuses text that would break the budget, remembers what
/// was shown and which blocks must be closed.
struct Doc {
    out: String,
    max: usize,
    /// Room kept for the truncation line.
    reserve: usize,
    closers: Vec<&'static str>,
    closers_len: usize,
    truncated: bool,
    items_noun: &'static str,
    items: Vec<bool>,
    lint: Vec<bool>,
    diagnostics: Vec<bool>,
    workloads: Vec<bool>,
}

impl Doc {
    fn new(max: usize, reserve: usize, totals: &Totals) -> Self {
        Doc {
            items_noun: totals.items_noun,
            out: String::new(),
            max,
            reserve,
            closers: Vec::new(),
            closers_len: 0,
            truncated: false,
            items: vec![false; totals.items],
            lint: vec![false; totals.lint],
            diagnostics: vec![false; totals.diagnostics],
            workloads: vec![false; totals.workloads],
        }
    }

    fn fits(&self, extra: usize) -> bool {
        self.out.len() + extra + self.closers_len + self.reserve <= self.max
    }

    fn mark(&mut self, shows: &Shows) {
        match shows {
            Shows::Nothing => {}
            Shows::Items(items) => {
                for &i in items {
                    self.items[i] = true;
                }
            }
            Shows::Lint(i) => self.lint[*i] = true,
            Shows::Diagnostic(i) => self.diagnostics[*i] = true,
            Shows::Workload(i) => self.workloads[*i] = true,
        }
    }

    /// Appends the chunk if it fits; once something did not fit, nothing more is added.
    fn push(&mut self, chunk: &Chunk) -> bool {
        if self.truncated || !self.fits(chunk.text.len()) {
            self.truncated = true;
            return false;
        }
        self.out.push_str(&chunk.text);
        self.mark(&chunk.shows);
        true
    }

    fn push_text(&mut self, text: &str) -> bool {
        self.push(&Chunk::new(text.to_string(), Shows::Nothing))
    }

    /// Appends `opening` + the first chunk and promises `closer`; false if it did not fit.
    fn open(&mut self, opening: &str, first: &Chunk, closer: &'static str) -> bool {
        let len = opening.len() + first.text.len() + closer.len();
        if self.truncated || !self.fits(len) {
            self.truncated = true;
            return false;
        }
        self.out.push_str(opening);
        self.out.push_str(&first.text);
        self.mark(&first.shows);
        self.closers.push(closer);
        self.closers_len += closer.len();
        true
    }

    fn close(&mut self) {
        if let Some(closer) = self.closers.pop() {
            self.closers_len -= closer.len();
            self.out.push_str(closer);
        }
    }

    /// A section: `heading` is only written together with its first chunk.
    fn section(&mut self, heading: &str, chunks: &[Chunk]) {
        let Some((first, rest)) = chunks.split_first() else {
            return;
        };
        if self.open(heading, first, "\n") {
            for chunk in rest {
                if !self.push(chunk) {
                    break;
                }
            }
            self.close();
        }
    }

    /// A collapsed block: `<details><summary>…</summary>` + `preamble` + chunks.
    fn details(&mut self, summary: &str, preamble: &str, chunks: &[Chunk]) {
        let Some((first, rest)) = chunks.split_first() else {
            return;
        };
        let opening = format!("<details><summary>{summary}</summary>\n\n{preamble}");
        if self.open(&opening, first, "\n</details>\n\n") {
            for chunk in rest {
                if !self.push(chunk) {
                    break;
                }
            }
            self.close();
        }
    }

    fn finish(mut self, options: &MarkdownOptions) -> String {
        while !self.closers.is_empty() {
            self.close();
        }
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        if self.truncated {
            let count = |shown: &[bool]| shown.iter().filter(|s| !**s).count();
            let omitted = Totals {
                items: count(&self.items),
                items_noun: self.items_noun,
                lint: count(&self.lint),
                diagnostics: count(&self.diagnostics),
                workloads: count(&self.workloads),
            };
            self.out.push_str(&footer(&omitted, options));
        }
        if self.out.len() > self.max {
            // Only when max_chars is smaller than the footer itself: cut hard.
            let mut end = self.max;
            while !self.out.is_char_boundary(end) {
                end -= 1;
            }
            self.out.truncate(end);
        }
        self.out
    }
}

/// The truncation line: what was left out (numbers from `omitted`), then the hint.
fn footer(omitted: &Totals, options: &MarkdownOptions) -> String {
    let mut parts = Vec::new();
    if omitted.items > 0 {
        parts.push(plural(omitted.items, &format!("more {}", omitted.items_noun)));
    }
    if omitted.lint > 0 {
        parts.push(plural(omitted.lint, "lint finding"));
    }
    if omitted.diagnostics > 0 {
        parts.push(plural(omitted.diagnostics, "input problem"));
    }
    if omitted.workloads > 0 {
        parts.push(plural(omitted.workloads, "added or removed workload"));
    }
    let what = if parts.is_empty() {
        "… Some details were cut to fit the comment size limit.".to_string()
    } else {
        format!("… {} not shown.", join_and(&parts))
    };
    let mut line = format!("\n**{what}**");
    if let Some(hint) = &options.full_report_hint {
        line.push(' ');
        line.push_str(&hint.replace(['\r', '\n'], " "));
    }
    line.push('\n');
    line
}

/// Room to keep for the footer: its longest possible form (every count at its total, or
/// the form without counts).
fn footer_reserve(totals: &Totals, options: &MarkdownOptions) -> usize {
    let nothing = Totals {
        items: 0,
        items_noun: totals.items_noun,
        lint: 0,
        diagnostics: 0,
        workloads: 0,
    };
    footer(totals, options).len().max(footer(&nothing, options).len())
}

// ---------------------------------------------------------------------------------------
// Pieces.
// ---------------------------------------------------------------------------------------

fn marker(text: &str) -> String {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("<!--").and_then(|t| t.strip_suffix("-->")) {
        if !inner.contains("--") && !inner.contains(['\n', '\r']) {
            return text.to_string();
        }
    }
    let inner = text.trim_start_matches("<!--").trim_end_matches("-->");
    let mut clean: String = inner
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r'))
        .collect();
    while clean.contains("--") {
        clean = clean.replace("--", "-");
    }
    format!("<!-- {} -->", clean.trim())
}

fn header(doc: &mut Doc, report: &Report, options: &MarkdownOptions) {
    // The marker goes first and on its own, so even a tiny budget keeps the comment findable.
    if let Some(text) = &options.marker {
        doc.push_text(&format!("{}\n", marker(text)));
    }
    let mut out = String::new();
    let title = match (&options.title, &report.diff) {
        (Some(title), _) => escape_markdown_inline(title),
        (None, Some(_)) => "netreach: NetworkPolicy reachability changes".to_string(),
        (None, None) => "netreach: NetworkPolicy reachability".to_string(),
    };
    let _ = write!(out, "## {title}\n\n");
    let (tone, sentence) = verdict(report);
    let icon = match tone {
        Tone::Good => "✅",
        Tone::Notice => "ℹ️",
        Tone::Bad => "⚠️",
    };
    let _ = write!(out, "{icon} **{sentence}**\n\n");
    let rows = counts(report);
    let cells = |f: &dyn Fn(&(&str, usize)) -> String| rows.iter().map(f).collect::<Vec<_>>().join(" | ");
    let _ = writeln!(out, "| {} |", cells(&|(label, _)| (*label).to_string()));
    let _ = writeln!(out, "|{}", " ---: |".repeat(rows.len()));
    let _ = write!(out, "| {} |\n\n", cells(&|(_, n)| thousands(*n)));
    doc.push_text(&out);
}

/// A workload id as code; an external range as `external` + code.
fn endpoint(id: &str) -> String {
    if is_external(id) {
        format!("external {}", code(&short_name_capped(id, EXTERNAL_DISPLAY_MAX)))
    } else {
        code(id)
    }
}

fn endpoint_cell(id: &str, status: Option<EndpointChange>) -> String {
    let mut out = if is_external(id) {
        format!("external {}", table_code(&short_name_capped(id, EXTERNAL_DISPLAY_MAX)))
    } else {
        table_code(id)
    };
    if let Some(status) = status {
        let _ = write!(out, " _({})_", status_label(status));
    }
    out
}

fn status_suffix(status: Option<EndpointChange>) -> String {
    status.map_or_else(String::new, |s| format!(" _({})_", status_label(s)))
}

fn list_of(ids: &[&str], total: usize) -> String {
    let mut out: Vec<String> = ids
        .iter()
        .take(EXAMPLES)
        .map(|id| code(&short_name_capped(id, EXTERNAL_DISPLAY_MAX)))
        .collect();
    if total > EXAMPLES {
        out.push(format!("{} more", thousands(total - EXAMPLES)));
    }
    match out.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => out.join(""),
    }
}

fn who(who: &Who<'_>) -> String {
    match who {
        Who::Endpoint { id, status } => format!("{}{}", endpoint(id), status_suffix(*status)),
        Who::AllInNamespace { namespace, count } => {
            format!("all {} workloads in ns {}", thousands(*count), code(namespace))
        }
        Who::SomeInNamespace { namespace, ids } => format!(
            "{} workloads in ns {} ({})",
            thousands(ids.len()),
            code(namespace),
            list_of(ids, ids.len())
        ),
        Who::AllWorkloads { count } => {
            format!("all {} workloads in the cluster", thousands(*count))
        }
        Who::Externals { ids } => format!("{} external ranges ({})", thousands(ids.len()), list_of(ids, ids.len())),
    }
}

fn port_text(set: &PortSet) -> String {
    ports_capped(set, PORT_RANGES)
}

fn line_text(line: &Line<'_>) -> String {
    format!("{}: {}", who(&line.who), port_text(line.ports))
}

/// One destination as list chunks: a single line when it has one source, else a nested list
/// capped at `max_lines` sources. (An outgoing group lists destinations instead.)
fn group_chunks(group: &Group<'_>, max_lines: usize, pointer: &str) -> Vec<Chunk> {
    let (arrow, noun) = if group.outgoing {
        ("→", "destination")
    } else {
        ("←", "source")
    };
    let mut head = format!("- **{}**{}", endpoint(group.anchor), status_suffix(group.status));
    if group.open {
        head.push_str(" _(no ingress policy)_");
    }
    if let [line] = group.lines.as_slice() {
        return vec![Chunk::new(
            format!("{head} {arrow} {}\n", line_text(line)),
            Shows::Items(line.covers.clone()),
        )];
    }
    let mut chunks = vec![Chunk::new(
        format!("{head} {arrow} {}:\n", plural(group.size(), noun)),
        Shows::Nothing,
    )];
    for line in group.lines.iter().take(max_lines) {
        chunks.push(Chunk::new(
            format!("  - {}\n", line_text(line)),
            Shows::Items(line.covers.clone()),
        ));
    }
    if group.lines.len() > max_lines {
        let rest: usize = group.lines[max_lines..].iter().map(|l| l.covers.len()).sum();
        chunks.push(Chunk::new(
            format!("  - … and {}{pointer}\n", plural(rest, &format!("more {noun}"))),
            Shows::Nothing,
        ));
    }
    // The destination line goes out together with its first source.
    let first = chunks.remove(0);
    if let Some(next) = chunks.first_mut() {
        next.text.insert_str(0, &first.text);
    }
    chunks
}

fn group_section(doc: &mut Doc, heading: &str, groups: &[Group<'_>]) {
    const POINTER: &str = " (see *All changes* below)";
    let mut chunks = Vec::new();
    for group in groups.iter().take(TOP_GROUPS) {
        chunks.extend(group_chunks(group, TOP_LINES, POINTER));
    }
    if groups.len() > TOP_GROUPS {
        let rest = &groups[TOP_GROUPS..];
        let changes: usize = rest.iter().map(Group::size).sum();
        chunks.push(Chunk::new(
            format!(
                "- … and {} ({}){POINTER}\n",
                plural(rest.len(), "more destination"),
                plural(changes, "change")
            ),
            Shows::Nothing,
        ));
    }
    doc.section(heading, &chunks);
}

fn location(d: &Diagnostic) -> String {
    let place = place(d);
    let mut out = code(&place.file);
    if let Some(object) = &place.object {
        out.push(' ');
        out.push_str(&code(object));
    }
    if let Some(field) = place.field {
        out.push(' ');
        out.push_str(&code(field));
    }
    out
}

fn lint_chunks(report: &Report, order: &[usize]) -> Vec<Chunk> {
    let tag_new = report.diff.is_some();
    order
        .iter()
        .map(|&i| {
            let finding = &report.lint[i];
            let d = &finding.diagnostic;
            let new = if tag_new && finding.new { " · **new**" } else { "" };
            Chunk::new(
                format!(
                    "- **{}** {} {}: {}{new}\n",
                    d.severity.as_str(),
                    code(&d.code),
                    location(d),
                    escape_markdown_inline(&d.message)
                ),
                Shows::Lint(i),
            )
        })
        .collect()
}

fn diagnostic_chunks(report: &Report, order: &[usize]) -> Vec<Chunk> {
    let sided = report.diff.is_some();
    order
        .iter()
        .map(|&i| {
            let sd = &report.diagnostics[i];
            let d = &sd.diagnostic;
            let side = if sided {
                format!(" ({})", if sd.side == super::Side::Base { "base" } else { "head" })
            } else {
                String::new()
            };
            Chunk::new(
                format!(
                    "- **{}**{side} {} {}: {}\n",
                    d.severity.as_str(),
                    code(&d.code),
                    location(d),
                    escape_markdown_inline(&d.message)
                ),
                Shows::Diagnostic(i),
            )
        })
        .collect()
}

fn workload_chunks(diff: &Diff) -> (Vec<Chunk>, Vec<Chunk>) {
    let added = diff
        .added_endpoints
        .iter()
        .enumerate()
        .map(|(i, id)| Chunk::new(format!("- {}\n", code(id)), Shows::Workload(i)))
        .collect();
    let offset = diff.added_endpoints.len();
    let removed = diff
        .removed_endpoints
        .iter()
        .enumerate()
        .map(|(i, id)| Chunk::new(format!("- {}\n", code(id)), Shows::Workload(offset + i)))
        .collect();
    (added, removed)
}

/// A capped list in the body; the full list goes into `later` as a collapsed block.
fn capped_section(doc: &mut Doc, heading: &str, chunks: Vec<Chunk>, noun: &str, later: &mut Vec<(String, Vec<Chunk>)>) {
    if chunks.is_empty() {
        return;
    }
    let total = chunks.len();
    let mut chunks = chunks;
    if total > TOP_LIST {
        let rest = chunks.split_off(TOP_LIST);
        let mut shown = chunks;
        shown.push(Chunk::new(
            format!("- … and {} more (see below)\n", thousands(total - TOP_LIST)),
            Shows::Nothing,
        ));
        doc.section(heading, &shown);
        later.push((format!("{} more {noun}", thousands(total - TOP_LIST)), rest));
    } else {
        doc.section(heading, &chunks);
    }
}

fn skipped_and_notes(doc: &mut Doc, report: &Report) {
    let head: Vec<_> = report.skipped.iter().filter(|s| s.side == super::Side::Head).collect();
    if !head.is_empty() {
        let total: usize = head.iter().map(|s| s.count).sum();
        let kinds: Vec<String> = head
            .iter()
            .map(|s| format!("{} ({})", code(&s.kind), thousands(s.count)))
            .collect();
        doc.push_text(&format!(
            "**Skipped** {} of {} netreach does not model: {}.\n\n",
            plural(total, "document"),
            plural(head.len(), "kind"),
            kinds.join(", ")
        ));
    }
    for note in &report.notes {
        doc.push_text(&format!("_Note: {}_\n\n", escape_markdown_inline(note)));
    }
}

fn change_rows(diff: &Diff) -> Vec<Chunk> {
    let statuses = super::format::Statuses::new(Some(diff));
    let cell = |set: &PortSet| {
        if set.is_empty() {
            "—".to_string()
        } else {
            port_text(set)
        }
    };
    diff.changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Chunk::new(
                format!(
                    "| {} | {} | {} | {} |\n",
                    endpoint_cell(&c.from, statuses.of(&c.from)),
                    endpoint_cell(&c.to, statuses.of(&c.to)),
                    cell(&c.before),
                    cell(&c.after)
                ),
                Shows::Items(vec![i]),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Bodies.
// ---------------------------------------------------------------------------------------

fn diff_body(doc: &mut Doc, report: &Report, diff: &Diff) {
    group_section(doc, "### Newly allowed (exposure)\n\n", &exposure_groups(report, diff));
    group_section(doc, "### Newly blocked (breakage)\n\n", &breakage_groups(report, diff));
    let mut later = Vec::new();
    let (added, removed) = workload_chunks(diff);
    capped_section(doc, "### Workloads added\n\n", added, "added workloads", &mut later);
    capped_section(
        doc,
        "### Workloads removed\n\n",
        removed,
        "removed workloads",
        &mut later,
    );
    common_sections(doc, report, &mut later);
    if !diff.changes.is_empty() {
        let summary = format!("All {}", plural(diff.changes.len(), "change"));
        doc.details(
            &summary,
            "| From | To | Before | After |\n| --- | --- | --- | --- |\n",
            &change_rows(diff),
        );
    }
    for (summary, chunks) in later {
        doc.details(&summary, "", &chunks);
    }
}

fn common_sections(doc: &mut Doc, report: &Report, later: &mut Vec<(String, Vec<Chunk>)>) {
    let lint = lint_chunks(report, &lint_order(report));
    capped_section(doc, "### Lint findings\n\n", lint, "lint findings", later);
    let problems = diagnostic_chunks(report, &diagnostic_order(report));
    capped_section(doc, "### Input problems\n\n", problems, "input problems", later);
    skipped_and_notes(doc, report);
}

fn connectivity_body(doc: &mut Doc, report: &Report) {
    let mut later = Vec::new();
    common_sections(doc, report, &mut later);
    let groups = reach_groups(report);
    if !groups.is_empty() {
        let chunks: Vec<Chunk> = groups.iter().flat_map(|g| group_chunks(g, usize::MAX, "")).collect();
        let summary = format!(
            "Who can reach what ({}, {})",
            plural(groups.len(), "destination"),
            plural(report.analysis.connections.len(), "connection")
        );
        doc.details(&summary, "", &chunks);
    }
    for (summary, chunks) in later {
        doc.details(&summary, "", &chunks);
    }
}
