// Reading the two sides of the change straight from git objects: the work tree is never
// touched (no checkout, no stash), so the Action can run after any other step.
//
// A shallow checkout (actions/checkout's default `fetch-depth: 1`) lacks the base commit; the
// Action then fetches exactly the commits it needs from `origin` and, if that is impossible,
// stops with the fix (`fetch-depth: 0`).

import { run as runCommand } from "./process.js";

/** git never waits for a password prompt in CI: a fetch that needs credentials just fails. */
const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: "0" };
const run = (command, args, options) =>
  runCommand(command, args, { env: GIT_ENV, ...options });

/** Commits fetched at once when deepening a shallow clone to find a merge base. */
const DEEPEN_STEPS = [50, 500];

export const FETCH_DEPTH_FIX =
  "Check out the full history: in the workflow, give actions/checkout `with: fetch-depth: 0`.";

export class Git {
  /** @param {string} cwd any directory inside the work tree */
  constructor(cwd) {
    this.cwd = cwd;
  }

  async out(args, options = {}) {
    const { stdout } = await run("git", args, { cwd: this.cwd, ...options });
    return stdout.toString("utf8");
  }

  async ok(args) {
    const { code } = await run("git", args, {
      cwd: this.cwd,
      allowFailure: true,
    });
    return code === 0;
  }

  /** Repository root and the path of `cwd` inside it (`""` or `"sub/dir/"`). */
  async locate() {
    try {
      const top = (await this.out(["rev-parse", "--show-toplevel"])).trim();
      const prefix = (await this.out(["rev-parse", "--show-prefix"])).trim();
      return { top, prefix };
    } catch (error) {
      throw new Error(
        `${this.cwd} is not inside a git repository (${error.message.split("\n")[0]}). ` +
          "Run actions/checkout before netreach.",
        { cause: error },
      );
    }
  }

  async isShallow() {
    return (
      (await this.out(["rev-parse", "--is-shallow-repository"])).trim() ===
      "true"
    );
  }

  /** The full commit id of `rev`, or null when it is not in the local object store. */
  async commit(rev) {
    if (!rev || rev.startsWith("-")) return null; // never let a ref become an option
    const { code, stdout } = await run(
      "git",
      ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`],
      { cwd: this.cwd, allowFailure: true },
    );
    return code === 0 ? stdout.toString("utf8").trim() : null;
  }

  async hasOrigin() {
    return this.ok(["remote", "get-url", "origin"]);
  }

  /**
   * Makes sure every rev is a local commit, fetching missing full SHAs from origin.
   * @param {string[]} revs
   * @param {(message: string) => void} log
   * @returns {Promise<string[]>} the full commit ids, in order
   */
  async ensureCommits(revs, log) {
    const missing = [];
    for (const rev of revs) if (!(await this.commit(rev))) missing.push(rev);
    if (missing.length > 0) {
      const shallow = await this.isShallow();
      const fetchable = missing.every((rev) =>
        /^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(rev),
      );
      const why = `commit${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${
        missing.length > 1 ? "are" : "is"
      } not in the local repository${shallow ? " (the checkout is shallow)" : ""}`;
      if (!fetchable || !(await this.hasOrigin())) {
        throw new Error(
          `${why}, and ${fetchable ? "there is no `origin` remote to fetch from" : "only full commit SHAs can be fetched"}. ${FETCH_DEPTH_FIX}`,
        );
      }
      log(`${why}; fetching from origin`);
      const depth = shallow ? [`--depth=${DEEPEN_STEPS[0]}`] : [];
      try {
        await this.out([
          "fetch",
          "--no-tags",
          "--quiet",
          ...depth,
          "origin",
          ...missing,
        ]);
      } catch (error) {
        throw new Error(
          `${why}, and fetching ${missing.length > 1 ? "them" : "it"} failed: ${error.message}\n${FETCH_DEPTH_FIX}`,
          { cause: error },
        );
      }
    }
    const ids = [];
    for (const rev of revs) {
      const id = await this.commit(rev);
      if (!id)
        throw new Error(`\`${rev}\` is not a commit. ${FETCH_DEPTH_FIX}`);
      ids.push(id);
    }
    return ids;
  }

  /**
   * The best common ancestor of two commits, deepening a shallow clone a little when needed.
   * @returns {Promise<string | null>} null when history is too shallow or unrelated
   */
  async mergeBase(a, b, log) {
    const find = async () => {
      const { code, stdout } = await run("git", ["merge-base", a, b], {
        cwd: this.cwd,
        allowFailure: true,
      });
      return code === 0 ? stdout.toString("utf8").trim() : null;
    };
    let found = await find();
    for (const step of DEEPEN_STEPS) {
      if (found || !(await this.isShallow()) || !(await this.hasOrigin()))
        break;
      log(
        `no merge base of ${a.slice(0, 12)} and ${b.slice(0, 12)} in the shallow history; deepening by ${step} commits`,
      );
      try {
        await this.out([
          "fetch",
          "--no-tags",
          "--quiet",
          `--deepen=${step}`,
          "origin",
          a,
          b,
        ]);
      } catch {
        break;
      }
      found = await find();
    }
    return found;
  }

  /**
   * Every entry of a commit's tree.
   * @returns {Promise<Map<string, {type: "blob"|"tree"|"commit", mode: string, oid: string}>>}
   */
  async tree(commit) {
    const text = await this.out([
      "ls-tree",
      "-r",
      "-t",
      "-z",
      "--full-tree",
      commit,
    ]);
    const entries = new Map();
    for (const record of text.split("\0")) {
      if (!record) continue;
      const tab = record.indexOf("\t");
      const [mode, type, oid] = record.slice(0, tab).split(" ");
      entries.set(record.slice(tab + 1), { mode, type, oid });
    }
    return entries;
  }
}
