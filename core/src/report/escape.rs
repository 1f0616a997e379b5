//! Escaping of user-controlled text for every output format.
//!
//! Anything that comes from the input — workload ids, names, namespaces, labels, paths,
//! messages that quote them — is hostile until escaped. A PR author controls the manifests,
//! so a workload named `<img src=x onerror=…>` or a label value `@org/team` must show up as
//! text in the PR comment: no live HTML, no links, no mentions that ping people.
//!
//! * [`escape_markdown_inline`] — plain text inside GitHub-flavoured Markdown (paragraphs,
//!   list items, table cells): every ASCII character that can start markup is backslash-escaped
//!   (`` \ ` * _ { } [ ] < > ( ) # + - . ! | ~ & : $ ``…), `@` is followed by a zero-width space so
//!   GitHub never turns it into a mention (nor `#12` into an issue link), and line breaks become
//!   spaces so a value cannot start a new block.
//! * [`code`] — an inline code span whose backtick fence is longer than any backtick run in the
//!   text. Inside code GitHub renders no HTML, links or mentions. [`table_code`] additionally
//!   escapes `|`, which GFM tables split on even inside code spans.
//! * [`escape_html`] — text inside raw HTML (`<summary>`), where Markdown escapes do not apply.
//! * [`plain`] — text for terminals: control characters (ANSI escape sequences!) and Unicode
//!   bidirectional overrides are replaced by `U+FFFD`, so a name cannot repaint the screen or
//!   reorder what the reader sees.
//! * [`dot_string`] and [`csv_field`] — quoting for Graphviz and RFC 4180.
//!
//! ```
//! use netreach_core::report::escape::{code, escape_markdown_inline};
//! assert_eq!(escape_markdown_inline("[x](y) @me"), r"\[x\]\(y\) @&#8203;me");
//! assert_eq!(code("a`b"), "``a`b``");
//! ```

/// Inserted after `@` (and before digits after `#`) to break GitHub mentions and issue links.
const ZERO_WIDTH_SPACE: &str = "&#8203;";

/// ASCII characters that can start Markdown or HTML syntax on GitHub (`@` and `#` are
/// handled separately).
const MARKDOWN_ACTIVE: &str = "\\`*_{}[]<>()+-.!|~&:$=^";

/// Replacement for characters that must never reach the reader's screen.
const REPLACEMENT: char = '\u{FFFD}';

/// Characters that would let text reorder itself (Trojan Source) or hide.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text safe to print on a terminal: line breaks and tabs become spaces, other control
/// characters and bidi overrides become `U+FFFD`.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_plain(&mut out, text);
    out
}

fn push_plain(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                // `\r\n` is one line break.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
}

/// Plain text inside GitHub Markdown: no emphasis, links, HTML, mentions or line breaks.
///
/// Safe in paragraphs, list items and table cells (`|` is escaped too).
pub fn escape_markdown_inline(text: &str) -> String {
    let clean = plain(text);
    let mut out = String::with_capacity(clean.len() + clean.len() / 4);
    let mut chars = clean.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '@' => {
                out.push('@');
                out.push_str(ZERO_WIDTH_SPACE);
            }
            '#' => {
                out.push_str("\\#");
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push_str(ZERO_WIDTH_SPACE);
                }
            }
            // Backslash escapes work for every ASCII punctuation character in CommonMark; these
            // are the ones that can start markup in GitHub Markdown: emphasis, code, links,
            // HTML and entities (`&`), tables, strikethrough, math (`$`), list and heading
            // markers, and `:` which GFM autolinks (`https://…`) are detected by.
            c if MARKDOWN_ACTIVE.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside raw HTML on GitHub (e.g. `<summary>`): entities for HTML-special characters,
/// and the same mention/issue-link breaking as [`escape_markdown_inline`].
pub fn escape_html(text: &str) -> String {
    let clean = plain(text);
    let mut out = String::with_capacity(clean.len() + clean.len() / 4);
    let mut chars = clean.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '@' => {
                out.push('@');
                out.push_str(ZERO_WIDTH_SPACE);
            }
            '#' => {
                out.push('#');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push_str(ZERO_WIDTH_SPACE);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// An inline code span showing `text` literally, whatever backticks it contains.
///
/// The fence is one backtick longer than the longest run inside; a space pads the content
/// when it starts or ends with a backtick or a space (`CommonMark` strips exactly one).
/// Line breaks become spaces: a code span cannot hold them anyway, and they would end a
/// list item or table row.
pub fn code(text: &str) -> String {
    code_span(&plain(text))
}

/// [`code`] for a GFM table cell: `|` is escaped as `\|`, which GFM un-escapes inside code
/// spans in tables (a bare `|` would split the cell even inside backticks).
pub fn table_code(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// [`escape_markdown_inline`] for a GFM table cell (already escapes `|` and line breaks).
pub fn table_cell(text: &str) -> String {
    escape_markdown_inline(text)
}

fn code_span(text: &str) -> String {
    if text.is_empty() {
        // An empty code span is not a code span; show an empty pair of quotes instead.
        return "`\"\"`".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let all_spaces = text.chars().all(|c| c == ' ');
    let pad = !all_spaces && (text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']));
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{text}{space}{fence}")
}

/// A double-quoted Graphviz DOT string (for ids and labels): `"` and `\` are escaped and line
/// breaks become `\n`, so the text is shown literally.
pub fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() || is_bidi_control(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One RFC 4180 field: quoted (with `"` doubled) when it contains a comma, quote or line break,
/// or starts or ends with a space; verbatim otherwise.
pub fn csv_field(text: &str) -> String {
    let needs_quotes = text.contains([',', '"', '\r', '\n']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_inline_escapes_everything_active() {
        assert_eq!(escape_markdown_inline("<script>"), r"\<script\>");
        assert_eq!(escape_markdown_inline("a|b"), r"a\|b");
        assert_eq!(escape_markdown_inline("*_~`"), r"\*\_\~\`");
        assert_eq!(escape_markdown_inline("line\nbreak"), "line break");
        assert_eq!(escape_markdown_inline("#12 #x"), r"\#&#8203;12 \#x");
        assert_eq!(escape_markdown_inline("https://x.y"), r"https\://x\.y");
    }

    #[test]
    fn code_spans_fence_backticks() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a``b"), "```a``b```");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" "), "` `");
        assert_eq!(code(""), "`\"\"`");
        assert_eq!(table_code("a|b"), r"`a\|b`");
    }

    #[test]
    fn plain_removes_terminal_controls() {
        assert_eq!(plain("a\u{1b}[31mb"), "a\u{FFFD}[31mb");
        assert_eq!(plain("x\u{202E}y"), "x\u{FFFD}y");
        assert_eq!(plain("a\r\nb\tc"), "a b c");
    }

    #[test]
    fn html_and_dot_and_csv() {
        assert_eq!(
            escape_html("<a href='x'>&</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(dot_string("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
