// What reaches the user's terminal: colour (only where it helps and is wanted), progress
// messages on stderr, and escaping of user-controlled text.

/**
 * Whether to colour output written to `stream`: only on a terminal, never with `--no-color`,
 * a non-empty `NO_COLOR` (https://no-color.org) or `TERM=dumb`.
 */
export function colorEnabled(stream, env, noColorFlag) {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** `paint.red("x")` etc.; identity functions when colour is off. */
export function painter(enabled) {
  const paint = {};
  for (const [name, [on, off]] of Object.entries(CODES)) {
    paint[name] = enabled
      ? (text) => `\u001b[${on}m${text}\u001b[${off}m`
      : (text) => text;
  }
  return paint;
}

// C0/C1 controls (except tab) and the Unicode bidi controls: a workload name or a YAML value
// must not be able to move the cursor, recolour the terminal or reorder what the reader sees.
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** User-controlled text made safe for one terminal line: controls shown as `\u{..}`. */
export function plain(text) {
  return String(text).replace(
    UNSAFE,
    (c) => `\\u{${c.codePointAt(0).toString(16)}}`,
  );
}

/**
 * Colours the plain-text report the core renders: headings (a line underlined with `=` or
 * `-`) bold, the verdict line by its tone. Only lines whose shape the core fixes are touched.
 */
export function colorReportText(text, paint) {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const next = lines[i + 1];
    if (
      next !== undefined &&
      lines[i].length > 0 &&
      /^(=+|-+)$/.test(next) &&
      next.length === [...lines[i]].length
    ) {
      lines[i] = paint.bold(lines[i]);
      i++;
    } else if (lines[i].startsWith("Warning: ")) {
      lines[i] = paint.red(lines[i]);
    } else if (lines[i].startsWith("Note: ")) {
      lines[i] = paint.yellow(lines[i]);
    }
  }
  return lines.join("\n");
}

/**
 * Progress messages on stderr ("rendering base (helm)…"): shown on a terminal or with
 * `--verbose`, never mixed into stdout.
 */
export function progress(stderr, enabled) {
  return (message) => {
    if (enabled) stderr.write(`netreach: ${message}\n`);
  };
}

/** `12345` → `12,345`, as the core writes counts. */
export function thousands(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `1 file`, `2 files`. */
export function plural(n, singular, pluralForm = `${singular}s`) {
  return `${thousands(n)} ${n === 1 ? singular : pluralForm}`;
}
