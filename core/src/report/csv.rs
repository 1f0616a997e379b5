//! CSV (RFC 4180: comma-separated, CRLF line ends, fields with commas, quotes or line breaks
//! quoted and quotes doubled), with a header row.
//!
//! * [`render_connections`]: `from,to,ports` — every allowed connection of the head analysis.
//! * [`render_diff`]: `from,to,before,after,added,removed,kind` — every change, in the diff's
//!   order; `kind` is `exposure`, `breakage` or `mixed`; empty port sets are empty fields.
//!
//! Port sets are written as people read them (`TCP 80,443; UDP 53`, `all ports`), see
//! [`super::format::ports`].
//!
//! ```
//! use netreach_core::report::csv;
//! use netreach_core::{api, Options, SourceFile};
//! let files = [SourceFile::new("app.yaml", "")];
//! let report = api::report(Some(&files), &files, &Options::default());
//! assert_eq!(csv::render_diff(&report), "from,to,before,after,added,removed,kind\r\n");
//! ```

use crate::diff::ChangeKind;
use crate::ports::PortSet;

use super::escape::csv_field;
use super::format::ports;
use super::Report;

fn row(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(field));
    }
    out.push_str("\r\n");
}

fn port_field(set: &PortSet) -> String {
    if set.is_empty() {
        String::new()
    } else {
        ports(set)
    }
}

/// Every allowed connection of the head analysis: `from,to,ports`.
pub fn render_connections(report: &Report) -> String {
    let analysis = &report.analysis;
    let mut out = String::new();
    row(&mut out, &["from", "to", "ports"]);
    for c in &analysis.connections {
        row(
            &mut out,
            &[
                &analysis.endpoints[c.from as usize].id,
                &analysis.endpoints[c.to as usize].id,
                &ports(analysis.ports(c)),
            ],
        );
    }
    out
}

/// Every change of the diff: `from,to,before,after,added,removed,kind` (only the header
/// without a base).
pub fn render_diff(report: &Report) -> String {
    let mut out = String::new();
    row(&mut out, &["from", "to", "before", "after", "added", "removed", "kind"]);
    for c in report.diff.iter().flat_map(|d| &d.changes) {
        let kind = match c.kind {
            ChangeKind::Exposure => "exposure",
            ChangeKind::Breakage => "breakage",
            ChangeKind::Mixed => "mixed",
        };
        row(
            &mut out,
            &[
                &c.from,
                &c.to,
                &port_field(&c.before),
                &port_field(&c.after),
                &port_field(&c.added),
                &port_field(&c.removed),
                kind,
            ],
        );
    }
    out
}
