// `--fail-on`: which findings turn a successful run into exit code 1.

import { plural } from "./terminal.js";

/**
 * How many findings each gate counts in `report`. Lint gates count findings that are new (all
 * of them without a base), so a pull request is not failed for problems it did not add.
 * `unreadable` is the number of input files the CLI could not decode.
 */
export function gateCounts(report, unreadable) {
  const newLint = (severity) =>
    report.lint.filter((l) => l.severity === severity && l.new).length;
  return {
    exposure: report.summary.exposures,
    breakage: report.summary.breakages,
    "lint-error": newLint("error"),
    "lint-warning": newLint("warning"),
    "input-error": report.summary.inputErrors + unreadable,
  };
}

const NOUNS = {
  exposure: ["exposure", "exposures"],
  breakage: ["breakage", "breakages"],
  "lint-error": ["new lint error", "new lint errors"],
  "lint-warning": ["new lint warning", "new lint warnings"],
  "input-error": ["input error", "input errors"],
};

/** The tripped gates as one sentence, or null when none tripped. */
export function trippedGates(gates, counts) {
  const tripped = [...gates].filter((g) => counts[g] > 0);
  if (tripped.length === 0) return null;
  return tripped.map((g) => plural(counts[g], ...NOUNS[g])).join(", ");
}
