// Glob patterns for the `paths` input, matched against repository-relative paths:
// `*` and `?` stay within one path segment, `**` spans any number of segments, `[abc]` and
// `{yaml,yml}` work as in a shell. No dependency: the Action bundle stays small.

/** Does the text use glob syntax? */
export function isGlob(text) {
  return /[*?[\]{}]/.test(text);
}

/** Compiles a glob to an anchored RegExp. */
export function globToRegExp(glob) {
  let re = "";
  let depth = 0; // inside {…}
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      if (glob[i + 1] === "*") {
        // `**/` matches zero or more whole segments; a trailing `**` matches everything below.
        const slash = glob[i + 2] === "/";
        const atSegmentStart = i === 0 || glob[i - 1] === "/";
        if (atSegmentStart && (slash || i + 2 === glob.length)) {
          re += slash ? "(?:[^/]*(?:/|$))*" : ".*";
          i += slash ? 2 : 1;
          continue;
        }
        i += 1;
      }
      re += "[^/]*";
    } else if (c === "?") {
      re += "[^/]";
    } else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close === -1) {
        re += "\\[";
      } else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else if (c === "{") {
      depth += 1;
      re += "(?:";
    } else if (c === "}" && depth > 0) {
      depth -= 1;
      re += ")";
    } else if (c === "," && depth > 0) {
      re += "|";
    } else {
      re += c.replace(/[.+^$()|\\/]/g, "\\$&");
    }
  }
  return new RegExp(`^${re}$`);
}
