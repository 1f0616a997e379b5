// The Action's inputs: read, split, validated and defaulted in one place.
//
// The runner passes each input as `INPUT_<NAME>` (upper case, spaces to `_`, hyphens kept) and
// fills in the defaults of action.yml. The same defaults are repeated here, in DEFAULTS, so the
// bundle behaves identically when it is run directly (`node action/dist/index.js`, tests,
// other CI systems); tests/action.test.mjs checks that action.yml and DEFAULTS agree.

import path from "node:path";
import * as core from "@actions/core";
import { RENDER_MODES } from "../../npm/lib/cli/render.js";

/** Default of every input, as action.yml declares it (`token` falls back to GITHUB_TOKEN). */
export const DEFAULTS = Object.freeze({
  mode: "analyze",
  paths: ".",
  render: "auto",
  values: "",
  set: "",
  release: "release-name",
  "base-ref": "",
  "head-ref": "",
  "fail-on": "none",
  comment: "update",
  "comment-on-no-change": "false",
  "comment-key": "",
  "comment-from": "netreach-report",
  token: "${{ github.token }}",
  namespace: "",
  "cluster-cidrs": "",
  expectations: "netreach.yaml",
  lock: "netreach.lock.json",
});

export const COMMENT_MODES = ["update", "new", "off"];
export const GATES = [
  "exposure",
  "breakage",
  "lint-error",
  "input-error",
  "expectation",
  "lock",
];
export const MODES = ["analyze", "comment"];

/** What a `comment-key` may be (it becomes part of an HTML comment). */
export const KEY = /^[A-Za-z0-9._-]{1,64}$/;

export class InputError extends Error {}

function raw(name) {
  const value = core.getInput(name);
  return value === "" ? DEFAULTS[name] : value;
}

/** Splits on newlines and commas; trims; drops empty items and `#` comment lines. */
export function splitList(value, { commas = true } = {}) {
  return value
    .split(commas ? /[\n,]/ : /\n/)
    .map((item) => item.trim())
    .filter((item) => item !== "" && !item.startsWith("#"));
}

function oneOf(name, allowed) {
  const value = raw(name).trim().toLowerCase();
  if (!allowed.includes(value)) {
    throw new InputError(
      `input \`${name}\`: "${value}" is not one of ${allowed.join(", ")}`,
    );
  }
  return value;
}

function bool(name) {
  const value = raw(name).trim().toLowerCase();
  if (["true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0", ""].includes(value)) return false;
  throw new InputError(`input \`${name}\`: "${value}" is not true or false`);
}

/**
 * `expectations` / `lock`: `{path, required}` — the default file is used only when head has
 * it; a file named explicitly must exist; `none` turns the check off (null).
 */
function checkFile(name) {
  const value = raw(name).trim();
  if (value === "" || value.toLowerCase() === "none") return null;
  if (path.isAbsolute(value)) {
    throw new InputError(
      `input \`${name}\`: \`${value}\` is absolute; give a path relative to the repository`,
    );
  }
  return { path: value, required: value !== DEFAULTS[name] };
}

/** All inputs, parsed. Throws InputError with the input's name on a bad value. */
export function readInputs() {
  const failOn = splitList(raw("fail-on").toLowerCase()).filter(
    (g) => g !== "none",
  );
  for (const gate of failOn) {
    if (!GATES.includes(gate)) {
      throw new InputError(
        `input \`fail-on\`: "${gate}" is not one of none, ${GATES.join(", ")}`,
      );
    }
  }
  let token = core.getInput("token");
  if (token === "" || token === DEFAULTS.token)
    token = process.env.GITHUB_TOKEN ?? "";
  if (token) core.setSecret(token);
  const key = raw("comment-key").trim();
  if (key && !KEY.test(key)) {
    throw new InputError(
      "input `comment-key`: use 1-64 letters, digits, `.`, `_` or `-`",
    );
  }
  return {
    mode: oneOf("mode", MODES),
    paths: splitList(raw("paths")),
    render: oneOf("render", RENDER_MODES),
    values: splitList(raw("values")),
    set: splitList(raw("set"), { commas: false }),
    release: raw("release").trim() || DEFAULTS.release,
    baseRef: raw("base-ref").trim(),
    headRef: raw("head-ref").trim(),
    failOn: [...new Set(failOn)],
    comment: oneOf("comment", COMMENT_MODES),
    commentOnNoChange: bool("comment-on-no-change"),
    commentKey: key,
    commentFrom: raw("comment-from").trim(),
    token,
    namespace: raw("namespace").trim(),
    clusterCidrs: splitList(raw("cluster-cidrs")),
    expectations: checkFile("expectations"),
    lock: checkFile("lock"),
  };
}
