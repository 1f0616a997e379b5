// Errors the CLI reports to the user, and the exit codes it documents.

/** Exit codes: documented in `netreach --help` and the README. */
export const EXIT = Object.freeze({
  /** Ran, and no `--fail-on` gate tripped. */
  OK: 0,
  /** Ran, and a `--fail-on` gate tripped (or `explain --expect` did not hold). */
  GATE: 1,
  /** Could not run: bad usage, a missing path, an unknown revision, a render failure. */
  ERROR: 2,
});

/**
 * A problem that stops the command: printed as `netreach: error: MESSAGE` (plus an optional
 * hint line), exit code 2.
 */
export class CliError extends Error {
  /**
   * @param {string} message one sentence naming what is wrong and where
   * @param {{hint?: string, detail?: string}} [extra] a hint on how to fix it; tool output
   */
  constructor(message, extra = {}) {
    super(message);
    this.name = "CliError";
    this.hint = extra.hint;
    this.detail = extra.detail;
  }
}

/** A usage mistake: like CliError, with a pointer to the command's `--help`. */
export class UsageError extends CliError {
  constructor(message, command) {
    super(message, {
      hint: `see \`netreach ${command ? `${command} ` : ""}--help\``,
    });
    this.name = "UsageError";
  }
}
