//! Splits one input file into documents.
//!
//! A YAML file is a stream of documents separated by `---` lines (optionally followed by
//! content or a comment on the same line) and optionally ended by `...` lines; directives
//! such as `%YAML 1.2` may precede a document. A JSON file is a single document.
//!
//! We split the stream ourselves instead of using `serde_yaml`'s stream iterator so that a
//! syntax error in one document cannot lose the documents after it: each document is
//! parsed on its own, and every one keeps its index, its line in the file and its text.
//!
//! ```text
//! # comment          <- not a document: only comments before the first `---`
//! ---
//! kind: Pod          <- document 0, first line 3
//! --- # second
//! kind: Service      <- document 1, first line 5
//! ```

/// How a document's text is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Yaml,
    Json,
}

/// One document of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Document<'a> {
    /// Zero-based index of the document within its file.
    pub index: usize,
    /// One-based line in the file where `text` starts.
    pub first_line: usize,
    /// One-based line of the first line that is not blank or a comment (`first_line` when
    /// there is none): what users see as "where the document is".
    pub content_line: usize,
    /// The document's text (without its `---` separator line).
    pub text: &'a str,
    pub format: Format,
}

impl Document<'_> {
    /// True when the document holds nothing but blank lines, comments and directives.
    pub fn is_blank(&self) -> bool {
        first_content_offset(self.text).is_none()
    }
}

/// Splits a file: one JSON document when the text starts like JSON, else a YAML stream.
pub(crate) fn split(text: &str) -> Vec<Document<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if looks_like_json(text) {
        return vec![Document {
            index: 0,
            first_line: 1,
            content_line: content_line(text, 1),
            text,
            format: Format::Json,
        }];
    }
    split_yaml(text)
}

/// True when the first significant character opens a JSON object or array.
pub(crate) fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// Splits a YAML stream at `---` and `...` marker lines.
pub(crate) fn split_yaml(text: &str) -> Vec<Document<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut docs = Vec::new();
    // The current chunk: where it starts, its first line, and whether it follows `---`
    // (an explicit document, counted even when empty) or not (the stream's start or the
    // text after `...`, which is a document only when it has content).
    let mut start = 0;
    let mut start_line = 1;
    let mut explicit = false;
    // Line numbers are counted lazily, from one candidate marker line to the next.
    let mut counted = 0;
    let mut line_no = 1;
    // Chunks as (start, end, first line, explicit).
    let mut chunks: Vec<(usize, usize, usize, bool)> = Vec::new();
    for offset in marker_candidates(text) {
        line_no += count_lines(&text[counted..offset]);
        counted = offset;
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        let line = &text[offset..line_end];
        match marker(line) {
            Some(Marker::Start { rest }) => {
                chunks.push((start, offset, start_line, explicit));
                // Content after `--- ` on the same line belongs to the new document.
                start = line_end - rest;
                start_line = if rest > 0 { line_no } else { line_no + 1 };
                explicit = true;
            }
            Some(Marker::End) => {
                chunks.push((start, offset, start_line, explicit));
                start = line_end;
                start_line = line_no + 1;
                explicit = false;
            }
            None => {}
        }
    }
    chunks.push((start, text.len(), start_line, explicit));
    for (start, end, first_line, explicit) in chunks {
        let body = &text[start..end];
        if !explicit && first_content_offset(body).is_none() {
            continue;
        }
        docs.push(Document {
            index: docs.len(),
            first_line,
            content_line: content_line(body, first_line),
            text: body,
            format: Format::Yaml,
        });
    }
    docs
}

/// How many line breaks `text` holds.
pub(crate) fn count_lines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

/// Offsets of the lines that start with `---` or `...`, in order.
fn marker_candidates(text: &str) -> Vec<usize> {
    let mut offsets: Vec<usize> = ["\n---", "\n..."]
        .iter()
        .flat_map(|pattern| memchr::memmem::find_iter(text.as_bytes(), pattern).map(|i| i + 1))
        .collect();
    if text.starts_with("---") || text.starts_with("...") {
        offsets.push(0);
    }
    offsets.sort_unstable();
    offsets
}

enum Marker {
    /// `---`; `rest` is the length of the content following the marker on its line.
    Start { rest: usize },
    /// `...`
    End,
}

fn marker(line: &str) -> Option<Marker> {
    if !matches!(line.as_bytes().first(), Some(b'-' | b'.')) {
        return None;
    }
    let trimmed = line.trim_end_matches(['\n', '\r']);
    if let Some(after) = trimmed.strip_prefix("---") {
        if after.is_empty() {
            return Some(Marker::Start { rest: 0 });
        }
        if after.starts_with([' ', '\t']) {
            let content = after.trim_start_matches([' ', '\t']);
            if content.is_empty() || content.starts_with('#') {
                return Some(Marker::Start { rest: 0 });
            }
            // Keep the line ending with the content so line arithmetic stays right.
            return Some(Marker::Start {
                rest: line.len() - (trimmed.len() - content.len()),
            });
        }
        return None;
    }
    let after = trimmed.strip_prefix("...")?;
    let comment_only = after.starts_with([' ', '\t']) && {
        let content = after.trim_start_matches([' ', '\t']);
        content.is_empty() || content.starts_with('#')
    };
    (after.is_empty() || comment_only).then_some(Marker::End)
}

/// Byte offset of the first line that is not blank, a comment or a directive.
fn first_content_offset(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if !(t.is_empty() || t.starts_with('#') || line.starts_with('%')) {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    None
}

fn content_line(text: &str, first_line: usize) -> usize {
    first_content_offset(text).map_or(first_line, |offset| first_line + count_lines(&text[..offset]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str) -> Vec<(usize, usize, usize, String)> {
        split(text)
            .into_iter()
            .map(|d| (d.index, d.first_line, d.content_line, d.text.to_string()))
            .collect()
    }

    #[test]
    fn splits_at_separator_lines() {
        let docs = summary("a: 1\n---\nb: 2\n--- # two\n\nc: 3\n");
        assert_eq!(
            docs,
            vec![
                (0, 1, 1, "a: 1\n".to_string()),
                (1, 3, 3, "b: 2\n".to_string()),
                (2, 5, 6, "\nc: 3\n".to_string()),
            ]
        );
    }

    #[test]
    fn leading_comments_and_directives_are_not_a_document() {
        let docs = summary("# header\n%YAML 1.2\n---\nkind: Pod\n");
        assert_eq!(docs, vec![(0, 4, 4, "kind: Pod\n".to_string())]);
    }

    #[test]
    fn empty_documents_between_separators_count() {
        let docs = split("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n");
        assert_eq!(docs.len(), 4);
        assert!(!docs[0].is_blank());
        assert!(docs[1].is_blank());
        assert!(docs[2].is_blank());
        assert_eq!(docs[3].text, "b: 2\n");
        assert_eq!(docs[3].first_line, 7);
    }

    #[test]
    fn end_markers_and_content_on_separator_line() {
        let docs = summary("a: 1\n...\n--- {b: 2}\n...\n");
        assert_eq!(
            docs,
            vec![(0, 1, 1, "a: 1\n".to_string()), (1, 3, 3, "{b: 2}\n".to_string())]
        );
        // `---x` and `....` are content, not markers.
        assert_eq!(split("---x: 1\n").len(), 1);
        assert_eq!(split("a: |\n ---\n").len(), 1);
    }

    #[test]
    fn crlf_and_bom() {
        let docs = summary("\u{feff}a: 1\r\n---\r\nb: 2\r\n");
        assert_eq!(docs[1], (1, 3, 3, "b: 2\r\n".to_string()));
    }

    #[test]
    fn json_is_one_document() {
        let docs = split("\n  {\"kind\": \"Pod\"}\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].format, Format::Json);
        assert_eq!(docs[0].content_line, 2);
    }

    #[test]
    fn empty_input_has_no_documents() {
        assert!(split("").is_empty());
        assert!(split("\n# nothing\n").is_empty());
    }
}
