//! Finds the line of a field path (`spec.ingress[0].from[1].ipBlock.cidr`) in a document.
//!
//! serde tells us *which* field is wrong but validation runs on typed values that no longer
//! know their lines, so we look the path up in the text afterwards. Block-style YAML is
//! walked by indentation: mapping keys at one indentation level, `- ` sequence items
//! (including compact `- key: value` items and sequences at their parent key's
//! indentation), block scalars skipped. Flow collections and JSON are walked by a small
//! bracket scanner. When the full path cannot be found, the line of the deepest ancestor
//! that was found is returned — close enough for a reader to spot the problem.
//!
//! ```
//! use netreach_core::parse::field_line;
//! let doc = "spec:\n  ingress:\n  - from:\n    - podSelector: {}\n    - ipBlock:\n        cidr: 10.0.0/8\n";
//! assert_eq!(field_line(doc, 10, "spec.ingress[0].from[1].ipBlock.cidr"), Some(15));
//! assert_eq!(field_line(doc, 10, "spec.ingress[0].from[7]"), Some(12));
//! ```

/// The 1-based file line of `field` in a document whose text starts on `doc_first_line`;
/// the nearest ancestor's line when the field itself is not found; `None` when not even
/// the first path segment is found (or `field` is empty).
pub fn field_line(doc_text: &str, doc_first_line: usize, field: &str) -> Option<usize> {
    let offset = find_offset(doc_text, field)?;
    Some(doc_first_line + line_of(doc_text, offset))
}

/// Byte offset of the deepest found segment of `field`.
pub(crate) fn find_offset(text: &str, field: &str) -> Option<usize> {
    if field.is_empty() {
        return None;
    }
    let toks = tokenize(text);
    let first = toks.first()?;
    if let Tok::Other = first.kind {
        return flow_find(text, first.offset, field).1;
    }
    block_find(text, &toks, field)
}

fn line_of(text: &str, offset: usize) -> usize {
    super::documents::count_lines(text.get(..offset).unwrap_or(text))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A `- ` sequence item marker.
    Dash,
    /// `key:` with the text after the colon (trimmed, comment included).
    Entry {
        key: &'a str,
        value: &'a str,
        value_offset: usize,
    },
    /// Anything else: a scalar, a flow collection, a continuation line.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    indent: usize,
    offset: usize,
    kind: Tok<'a>,
}

/// Splits block YAML into tokens, one per key and per `- ` marker.
fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut toks = Vec::new();
    // Lines more indented than this belong to a block scalar.
    let mut scalar_indent: Option<usize> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_offset = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.trim_start_matches(' ');
        let mut col = line.len() - content.len();
        if let Some(limit) = scalar_indent {
            if content.trim().is_empty() || col > limit {
                continue;
            }
            scalar_indent = None;
        }
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        let mut rest = content;
        let mut owner_indent = col;
        loop {
            if rest == "-" || rest.starts_with("- ") || rest.starts_with("-\t") {
                toks.push(Token {
                    indent: col,
                    offset: line_offset + col,
                    kind: Tok::Dash,
                });
                owner_indent = col;
                let after = rest[1..].trim_start_matches([' ', '\t']);
                col += rest.len() - after.len();
                rest = after;
                if rest.is_empty() {
                    break;
                }
                continue;
            }
            let kind = match split_key(rest) {
                Some((key, value, value_start)) => {
                    owner_indent = col;
                    Tok::Entry {
                        key,
                        value,
                        value_offset: line_offset + col + value_start,
                    }
                }
                None => Tok::Other,
            };
            let value = match kind {
                Tok::Entry { value, .. } => value,
                _ => rest,
            };
            if value.starts_with(['|', '>']) {
                scalar_indent = Some(owner_indent);
            }
            toks.push(Token {
                indent: col,
                offset: line_offset + col,
                kind,
            });
            break;
        }
    }
    toks
}

/// `key: value` → `(key, value, value's byte offset in rest)`.
fn split_key(rest: &str) -> Option<(&str, &str, usize)> {
    let (key, after_key) = match rest.as_bytes().first()? {
        b'"' => {
            let end = closing_quote(rest, b'"')?;
            (&rest[1..end], &rest[end + 1..])
        }
        b'\'' => {
            let end = closing_quote(rest, b'\'')?;
            (&rest[1..end], &rest[end + 1..])
        }
        b'{' | b'[' | b'?' | b'&' | b'*' | b'!' | b'|' | b'>' => return None,
        _ => {
            let colon = rest
                .match_indices(':')
                .map(|(i, _)| i)
                .find(|&i| rest[i + 1..].is_empty() || rest[i + 1..].starts_with([' ', '\t']))?;
            (rest[..colon].trim_end(), &rest[colon..])
        }
    };
    let after_colon = after_key.trim_start_matches([' ', '\t']).strip_prefix(':')?;
    if !(after_colon.is_empty() || after_colon.starts_with([' ', '\t'])) {
        return None;
    }
    let value = after_colon.trim_start_matches([' ', '\t']);
    let value_start = rest.len() - value.len();
    // Anchors and tags before a block value are not inline values.
    let value = if value.starts_with(['&', '!']) && !value.contains(' ') {
        ""
    } else {
        value
    };
    let value = if value.starts_with('#') { "" } else { value };
    Some((key, value, value_start))
}

fn closing_quote(text: &str, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// If `rest` starts with `key` as a whole path segment, the remainder after it.
fn strip_key<'p>(rest: &'p str, key: &str) -> Option<&'p str> {
    let after = rest.strip_prefix(key)?;
    if after.is_empty() || after.starts_with('[') {
        Some(after)
    } else {
        after.strip_prefix('.')
    }
}

/// `[N]` at the start of `rest` → `(N, remainder)`.
fn strip_index(rest: &str) -> Option<(usize, &str)> {
    let inner = rest.strip_prefix('[')?;
    let close = inner.find(']')?;
    let n = inner[..close].parse().ok()?;
    let after = &inner[close + 1..];
    Some((n, after.strip_prefix('.').unwrap_or(after)))
}

fn block_find(text: &str, toks: &[Token<'_>], field: &str) -> Option<usize> {
    let mut best = None;
    let (mut lo, mut hi) = (0, toks.len());
    let mut rest = field;
    while !rest.is_empty() && lo < hi {
        let level = toks[lo].indent;
        if let Tok::Other = toks[lo].kind {
            return flow_find(text, toks[lo].offset, rest).1.or(best);
        }
        if let Some((n, after)) = strip_index(rest) {
            let mut count = 0;
            let mut found = None;
            for (t, tok) in toks.iter().enumerate().take(hi).skip(lo) {
                if tok.indent == level && tok.kind == Tok::Dash {
                    if count == n {
                        found = Some(t);
                        break;
                    }
                    count += 1;
                }
            }
            let Some(t) = found else { break };
            best = Some(toks[t].offset);
            rest = after;
            lo = t + 1;
            hi = (lo..hi).find(|&i| toks[i].indent <= level).unwrap_or(hi);
            continue;
        }
        // The longest key at this level that starts the remaining path.
        let mut found: Option<(usize, &str)> = None;
        for (t, tok) in toks.iter().enumerate().take(hi).skip(lo) {
            if tok.indent != level {
                continue;
            }
            if let Tok::Entry { key, .. } = tok.kind {
                if let Some(after) = strip_key(rest, key) {
                    if found.is_none_or(|(_, prev)| after.len() < prev.len()) {
                        found = Some((t, after));
                    }
                }
            }
        }
        let Some((t, after)) = found else { break };
        best = Some(toks[t].offset);
        rest = after;
        let Tok::Entry {
            value, value_offset, ..
        } = toks[t].kind
        else {
            break;
        };
        if !value.is_empty() {
            if !rest.is_empty() && value.starts_with(['{', '[']) {
                return flow_find(text, value_offset, rest).1.or(best);
            }
            break;
        }
        lo = t + 1;
        hi = (lo..hi)
            .find(|&i| toks[i].indent < level || (toks[i].indent == level && toks[i].kind != Tok::Dash))
            .unwrap_or(hi);
    }
    best
}

/// Walks a flow collection (or JSON) from `pos` along `rest`.
/// Returns `(position after the value, deepest found offset)`.
fn flow_find(text: &str, pos: usize, rest: &str) -> (usize, Option<usize>) {
    let bytes = text.as_bytes();
    let mut pos = skip_space(bytes, pos);
    if rest.is_empty() {
        return (pos, Some(pos));
    }
    match bytes.get(pos) {
        Some(b'{') => {
            pos += 1;
            loop {
                pos = skip_space(bytes, pos);
                match bytes.get(pos) {
                    None | Some(b'}') => return (pos, None),
                    Some(b',') => {
                        pos += 1;
                        continue;
                    }
                    _ => {}
                }
                let key_start = pos;
                let (key, after_key) = read_key(text, pos);
                pos = skip_space(bytes, after_key);
                if bytes.get(pos) == Some(&b':') {
                    pos += 1;
                }
                if let Some(after) = key.and_then(|k| strip_key(rest, k)) {
                    let value_pos = skip_space(bytes, pos);
                    if after.is_empty() {
                        return (value_pos, Some(key_start));
                    }
                    let (_, deeper) = flow_find(text, value_pos, after);
                    return (value_pos, deeper.or(Some(key_start)));
                }
                pos = skip_value(bytes, pos);
            }
        }
        Some(b'[') => {
            let Some((n, after)) = strip_index(rest) else {
                return (pos, None);
            };
            pos += 1;
            let mut index = 0;
            loop {
                pos = skip_space(bytes, pos);
                match bytes.get(pos) {
                    None | Some(b']') => return (pos, None),
                    Some(b',') => {
                        pos += 1;
                        continue;
                    }
                    _ => {}
                }
                if index == n {
                    if after.is_empty() {
                        return (pos, Some(pos));
                    }
                    let (_, deeper) = flow_find(text, pos, after);
                    return (pos, deeper.or(Some(pos)));
                }
                pos = skip_value(bytes, pos);
                index += 1;
            }
        }
        _ => (pos, None),
    }
}

fn skip_space(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => pos += 1,
            b'#' if pos == 0 || matches!(bytes[pos - 1], b' ' | b'\t' | b'\n') => {
                while bytes.get(pos).is_some_and(|&b| b != b'\n') {
                    pos += 1;
                }
            }
            _ => break,
        }
    }
    pos
}

/// Reads a flow mapping key: quoted, or plain up to `:`.
fn read_key(text: &str, pos: usize) -> (Option<&str>, usize) {
    let bytes = text.as_bytes();
    if let Some(&q @ (b'"' | b'\'')) = bytes.get(pos) {
        return closing_quote(&text[pos..], q).map_or((None, text.len()), |end| {
            (Some(&text[pos + 1..pos + end]), pos + end + 1)
        });
    }
    let mut end = pos;
    while let Some(&b) = bytes.get(end) {
        if matches!(b, b':' | b',' | b'}' | b']' | b'\n') {
            break;
        }
        end += 1;
    }
    (Some(text[pos..end].trim_end()), end)
}

/// Skips one flow value (collection, quoted or plain scalar); stops at `,` `}` `]`.
fn skip_value(bytes: &[u8], mut pos: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'"' | b'\'' => {
                pos += 1;
                while let Some(&c) = bytes.get(pos) {
                    if c == b'\\' && b == b'"' {
                        pos += 2;
                        continue;
                    }
                    pos += 1;
                    if c == b {
                        break;
                    }
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    return pos;
                }
                depth -= 1;
            }
            b',' if depth == 0 => return pos,
            _ => {}
        }
        pos += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: x
  labels:
    app.kubernetes.io/name: y
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector:
        matchLabels: {app: a}
    - ipBlock:
        cidr: 10.0.0/8   # bad
        except:
        - 10.1.0.0/16
    ports:
      - port: 80
      - {port: http, protocol: TCP}
  egress:
    - to: [{ipBlock: {cidr: 1.2.3.4/32}}, {namespaceSelector: {}}]
      ports:
      - port: 53
";

    #[test]
    fn block_paths() {
        let at = |f: &str| field_line(POLICY, 1, f);
        assert_eq!(at("kind"), Some(2));
        assert_eq!(at("metadata.name"), Some(4));
        assert_eq!(at("metadata.labels.app.kubernetes.io/name"), Some(6));
        assert_eq!(at("spec.podSelector"), Some(8));
        assert_eq!(at("spec.ingress[0]"), Some(10));
        assert_eq!(at("spec.ingress[0].from[0].podSelector.matchLabels"), Some(12));
        assert_eq!(at("spec.ingress[0].from[1].ipBlock.cidr"), Some(14));
        assert_eq!(at("spec.ingress[0].from[1].ipBlock.except[0]"), Some(16));
        assert_eq!(at("spec.ingress[0].ports[1].port"), Some(19));
        assert_eq!(at("spec.ingress[0].ports[0]"), Some(18));
        assert_eq!(at("spec.egress[0].to[1].namespaceSelector"), Some(21));
        assert_eq!(at("spec.egress[0].to[0].ipBlock.cidr"), Some(21));
        assert_eq!(at("spec.egress[0].ports[0].port"), Some(23));
    }

    #[test]
    fn missing_fields_give_the_nearest_ancestor() {
        let at = |f: &str| field_line(POLICY, 1, f);
        assert_eq!(at("spec.ingress[0].from[5].ipBlock"), Some(10));
        assert_eq!(at("spec.policyTypes"), Some(7));
        assert_eq!(at("spec.ingress[0].from[1].ipBlock.cidr.deeper"), Some(14));
        assert_eq!(at("nothing"), None);
        assert_eq!(at(""), None);
    }

    #[test]
    fn json_paths() {
        let json = "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"Pod\"},\n    {\n      \"kind\": \"Pod\",\n      \"spec\": {\"containers\": [{\"name\": \"a\"}]}\n    }\n  ]\n}\n";
        assert_eq!(field_line(json, 1, "kind"), Some(2));
        assert_eq!(field_line(json, 1, "items[0]"), Some(4));
        assert_eq!(field_line(json, 1, "items[1].kind"), Some(6));
        assert_eq!(field_line(json, 1, "items[1].spec.containers[0].name"), Some(7));
        assert_eq!(field_line(json, 1, "items[1].metadata"), Some(5));
    }

    #[test]
    fn block_scalars_and_compact_sequences() {
        let doc = "data:\n  script: |\n    spec:\n      x: 1\nspec:\n  list:\n  - a\n  - b: 1\n    c: 2\n";
        assert_eq!(field_line(doc, 1, "spec"), Some(5));
        assert_eq!(field_line(doc, 1, "spec.list[1].c"), Some(9));
        assert_eq!(field_line(doc, 1, "spec.list[0]"), Some(7));
    }

    #[test]
    fn list_items() {
        let doc = "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata:\n    name: a\n- kind: Pod\n  metadata:\n    name: b\n";
        assert_eq!(field_line(doc, 3, "items[1].metadata.name"), Some(11));
    }
}
