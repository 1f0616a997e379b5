// The Action: read both sides from git, ask the core for the report, then publish it — PR
// comment, step summary, annotations, outputs — and apply the `fail-on` gate.
//
// `mode: comment` is the second half of the two-workflow pattern for fork PRs: it only posts
// a comment that an earlier `mode: analyze` run saved (see action/README.md).

import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import * as netreach from "netreach";
import { annotate } from "./annotations.js";
import { expandPaths, realFiles, SideError, sideReader } from "./collect.js";
import { readContext } from "./context.js";
import { Git } from "./git.js";
import { GitHub, upsertComment } from "./github.js";
import { InputError, KEY, readInputs } from "./inputs.js";

/** GitHub refuses comments over 65,536 characters; the core counts UTF-8 bytes, so this is safe. */
export const COMMENT_LIMIT = 65_000;
/** A step summary may hold 1 MiB (1,048,576 bytes); leave room for the lines the Action adds. */
export const SUMMARY_LIMIT = 1_000_000;
export const MARKER = "<!-- netreach:comment -->";
const SUMMARY_HINT =
  "The complete report is the JSON file named by this step's `report-json` output; upload the `report-dir` output with actions/upload-artifact to keep it.";

/** Names of the files a `mode: analyze` run leaves in the `report-dir` output. */
export const FILES = Object.freeze({
  report: "report.json",
  comment: "comment.md",
  context: "context.json",
});

export function markerFor(key) {
  return key ? `<!-- netreach:comment:${key} -->` : MARKER;
}

/** Whether the report shows anything a reviewer must see: a reachability change, a workload
 * added or removed, a new lint finding, or an input error in head. */
export function hasChanges(report) {
  const s = report.summary;
  return (
    s.exposures + s.breakages + s.addedEndpoints + s.removedEndpoints > 0 ||
    report.lint.some((l) => l.new && l.severity !== "info") ||
    headInputErrors(report) > 0
  );
}

function headInputErrors(report) {
  return report.diagnostics.filter(
    (d) => d.side === "head" && d.severity === "error",
  ).length;
}

/** The one-line reasons the gate trips for, or []. `check` is the CheckResult, or null. */
export function gateReasons(report, failOn, check = null) {
  const s = report.summary;
  const counts = {
    exposure: [s.exposures, "newly allowed connection"],
    breakage: [s.breakages, "newly blocked connection"],
    "lint-error": [s.lintErrors, "lint error"],
    "input-error": [headInputErrors(report), "input error"],
    expectation: [check?.summary.expectationsFailed ?? 0, "failed expectation"],
    lock: [lockDrift(check), "change from the lock file"],
  };
  const reasons = [];
  for (const gate of failOn) {
    const [n, what] = counts[gate];
    // Pluralise the noun (the first word after any adjectives): "change from the lock file".
    const noun = what.replace(/^(\S+(?: \S+)*?)(?= from |$)/, (m) =>
      n === 1 ? m : `${m}s`,
    );
    if (n > 0) reasons.push(`${n} ${noun}`);
  }
  return reasons;
}

/** Changes against the lock (connections and workloads), 0 without a lock. */
function lockDrift(check) {
  if (!check?.lock || check.lock.clean) return 0;
  const s = check.summary;
  return (
    s.lockChanges + s.lockAddedEndpoints + s.lockRemovedEndpoints || 1 // not clean, whatever the counts say
  );
}

/**
 * The expectations and lock files at the head commit, as `{expectations?, lock?}` for the
 * check request: a default file absent from head is skipped, a named one must exist.
 */
async function readCheckFiles(git, head, tree, prefix, inputs) {
  const out = {};
  for (const name of ["expectations", "lock"]) {
    const spec = inputs[name];
    if (!spec) continue;
    const key = path.posix.normalize(path.posix.join(prefix, spec.path));
    const entry = tree.get(key);
    if (entry?.type !== "blob") {
      if (spec.required) {
        throw new Error(
          `${name}: \`${spec.path}\` does not exist in the head commit ${head.slice(0, 12)}`,
        );
      }
      continue;
    }
    const text = await git.out(["cat-file", "blob", entry.oid]);
    out[name] = { path: spec.path, text };
    core.info(`${name}: ${spec.path}`);
  }
  return out;
}

/**
 * The check's Markdown, at most `limit` bytes (cut at a line, with a note), followed by a
 * blank line; "" without a check.
 */
function checkMarkdown(request, limit) {
  if (!request) return "";
  let md = netreach.renderCheck(request, "markdown").trimEnd();
  if (Buffer.byteLength(md) > limit) {
    const note = "\n\n…(cut: the job summary has the whole check)";
    while (Buffer.byteLength(md) + Buffer.byteLength(note) > limit) {
      const cut = md.lastIndexOf("\n");
      if (cut <= 0) {
        md = "";
        break;
      }
      md = md.slice(0, cut);
    }
    // A cut inside a fenced block would swallow the rest of the comment.
    if ((md.match(/^```/gm) ?? []).length % 2 === 1) md += "\n```";
    md += note;
  }
  return `${md}\n\n`;
}

/** Puts `top` right after the marker line of `comment` (or first, without a marker). */
function prepend(comment, top, marker) {
  if (!top) return comment;
  if (marker && comment.startsWith(`${marker}\n`)) {
    return `${marker}\n${top}${comment.slice(marker.length + 1)}`;
  }
  return `${top}${comment}`;
}

export async function run() {
  try {
    const inputs = readInputs();
    const ctx = readContext();
    if (inputs.mode === "comment") await postSaved(inputs, ctx);
    else await analyze(inputs, ctx);
  } catch (error) {
    if (!(error instanceof InputError))
      core.debug(error.stack ?? String(error));
    if (error instanceof WebAssembly.RuntimeError) {
      core.setFailed(
        `netreach: the core crashed (${error.message}); this is a bug in netreach — please report it with the manifests that trigger it`,
      );
    } else {
      core.setFailed(`netreach: ${error.message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// mode: analyze

async function analyze(inputs, ctx) {
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const tmpRoot = process.env.RUNNER_TEMP || os.tmpdir();
  mkdirSync(tmpRoot, { recursive: true });
  const scratch = mkdtempSync(path.join(tmpRoot, "netreach-work-"));
  try {
    const git = new Git(cwd);
    const { prefix } = await git.locate();

    const headRev = inputs.headRef || ctx.defaultHead;
    const baseRev = inputs.baseRef || ctx.defaultBase;
    const revs = baseRev ? [headRev, baseRev] : [headRev];
    const [head, givenBase] = await git.ensureCommits(revs, (m) =>
      core.info(m),
    );
    let base = givenBase ?? null;
    if (base && !inputs.baseRef && ctx.pullRequest) {
      // Compare with the fork point, as GitHub's "Files changed" does: commits that reached the
      // base branch after the PR branched off are not this PR's changes.
      const forkPoint = await git.mergeBase(base, head, (m) => core.info(m));
      if (!forkPoint) {
        core.warning(
          `no common ancestor of the base ${base.slice(0, 12)} and head ${head.slice(0, 12)} in the fetched history; comparing with the base branch tip. Use actions/checkout with \`fetch-depth: 0\`.`,
        );
      } else if (forkPoint !== base) {
        core.info(
          `comparing with the merge base ${forkPoint.slice(0, 12)} of ${base.slice(0, 12)} and ${head.slice(0, 12)}`,
        );
        base = forkPoint;
      }
    }
    core.info(
      `netreach ${netreach.version()}: ${base ? `${base.slice(0, 12)} → ` : ""}${head.slice(0, 12)}`,
    );

    const reader = sideReader({
      cwd,
      inputs,
      scratch,
      log: (m) => core.info(m),
    });
    const headTree = await git.tree(head);
    const headArgs = expandPaths(inputs.paths, prefix, headTree);
    const headSide = reader.read("head", head, headArgs);
    if (headSide.missing.length > 0) {
      throw new Error(
        `paths: ${headSide.missing.map((p) => `\`${p}\``).join(", ")} ${headSide.missing.length > 1 ? "match" : "matches"} nothing in the head commit ${head.slice(0, 12)}`,
      );
    }
    let baseSide = null;
    if (base) {
      try {
        baseSide = reader.read(
          "base",
          base,
          expandPaths(inputs.paths, prefix, await git.tree(base)),
        );
        for (const m of baseSide.missing)
          core.info(
            `\`${m}\` does not exist in the base commit: that side is empty there`,
          );
      } catch (error) {
        if (!(error instanceof SideError)) throw error;
        core.warning(
          `${error.message}\nThe base could not be read, so this report has no diff: it shows the head alone.`,
        );
      }
    }
    for (const side of [baseSide, headSide]) {
      for (const p of side?.problems ?? [])
        core.warning(
          `${side === headSide ? "head" : "base"}: ${p.path}: ${p.message}`,
        );
    }

    const options = {};
    if (inputs.namespace) options.namespace = inputs.namespace;
    if (inputs.clusterCidrs.length > 0)
      options.clusterCidrs = inputs.clusterCidrs;
    const request = { head: headSide.files, options };
    if (baseSide) request.base = baseSide.files;

    // Expectations and the lock, evaluated on head.
    const checkFiles = await readCheckFiles(
      git,
      head,
      headTree,
      prefix,
      inputs,
    );
    let checkRequest = null;
    let check = null;
    if (checkFiles.expectations || checkFiles.lock) {
      checkRequest = { files: headSide.files, options, ...checkFiles };
      try {
        check = netreach.check(checkRequest);
      } catch (error) {
        if (error?.file) throw new Error(error.message, { cause: error });
        throw error;
      }
    }
    const checkFailed = Boolean(check && !check.passed);
    const marker = markerFor(inputs.commentKey);
    const title = inputs.commentKey
      ? `netreach: NetworkPolicy reachability changes (${inputs.commentKey})`
      : undefined;
    const summaryHint = ctx.runUrl
      ? `The full report is in the [job summary](${ctx.runUrl}) of this run.`
      : "The full report is in the job summary of this run.";
    // Each render call analyses both sides again, so the JSON report and the comment come
    // from one call, and the summary is the comment without its marker unless the comment
    // had to be cut. Broken expectations and lock drift go first, in the comment and in the
    // summary; the report gets the room they leave.
    const commentCheck = checkMarkdown(checkRequest, COMMENT_LIMIT / 2);
    const [reportJson, commentReport] = netreach.renderReports(
      request,
      ["json", "markdown"],
      {
        maxChars: COMMENT_LIMIT - Buffer.byteLength(commentCheck),
        marker,
        fullReportHint: summaryHint,
        title,
      },
    );
    const report = JSON.parse(reportJson);
    const changed = hasChanges(report) || checkFailed;
    const comment = prepend(commentReport, commentCheck, marker);
    const cut = comment.trimEnd().endsWith(summaryHint);
    let summary = comment.slice(comment.indexOf("\n") + 1);
    if (cut) {
      const summaryCheck = checkMarkdown(checkRequest, SUMMARY_LIMIT / 2);
      summary = prepend(
        netreach.renderReport(request, "markdown", {
          maxChars: SUMMARY_LIMIT - Buffer.byteLength(summaryCheck),
          fullReportHint: SUMMARY_HINT,
          title,
        }),
        summaryCheck,
        null,
      );
    }
    const json = `${JSON.stringify(report, null, 2)}\n`;

    // report-dir: everything a later job or workflow needs (the fork-PR comment workflow).
    const reportDir = path.join(
      tmpRoot,
      `netreach-${process.env.GITHUB_ACTION || "report"}`.replace(
        /[^\w.-]/g,
        "_",
      ),
    );
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(path.join(reportDir, FILES.report), json);
    writeFileSync(path.join(reportDir, FILES.comment), comment);
    writeFileSync(
      path.join(reportDir, FILES.context),
      JSON.stringify(
        {
          schemaVersion: 1,
          repository: ctx.repository,
          pullRequest: ctx.pullRequest?.number ?? null,
          headSha: ctx.pullRequest?.headSha || head,
          base,
          head,
          changed,
          commentKey: inputs.commentKey,
        },
        null,
        2,
      ) + "\n",
    );

    if (process.env.GITHUB_STEP_SUMMARY) {
      appendFileSync(
        process.env.GITHUB_STEP_SUMMARY,
        summary.endsWith("\n") ? summary : `${summary}\n`,
      );
    } else {
      core.info(summary);
    }

    const realHead = realFiles(headSide.files, prefix, headTree);
    annotate(report, realHead, "see the job summary for all of them");

    const s = report.summary;
    core.setOutput("exposures", s.exposures);
    core.setOutput("breakages", s.breakages);
    core.setOutput("lint-errors", s.lintErrors);
    core.setOutput("input-errors", headInputErrors(report));
    core.setOutput("added-workloads", s.addedEndpoints);
    core.setOutput("removed-workloads", s.removedEndpoints);
    core.setOutput("changed", changed);
    const failedExpectations = check?.summary.expectationsFailed ?? 0;
    core.setOutput("expectations-failed", failedExpectations);
    core.setOutput("lock-drift", Boolean(check?.lock && !check.lock.clean));
    core.setOutput("report-json", path.join(reportDir, FILES.report));
    core.setOutput("report-dir", reportDir);

    let commentUrl = "";
    if (inputs.comment !== "off") {
      if (!ctx.pullRequest) {
        core.info(
          `no pull request in this ${ctx.eventName || "run"}'s event: no comment`,
        );
      } else {
        commentUrl = await publish(
          inputs,
          ctx,
          ctx.pullRequest.number,
          comment,
          marker,
          changed,
          false,
        );
      }
    }
    core.setOutput("comment-url", commentUrl);

    core.info(
      `netreach: ${s.exposures} newly allowed, ${s.breakages} newly blocked, ${s.addedEndpoints} added and ${s.removedEndpoints} removed workloads, ${s.lintErrors} lint errors, ${headInputErrors(report)} input errors`,
    );
    if (check) {
      const cs = check.summary;
      core.info(
        `netreach check: ${check.expectations ? `${cs.expectationsFailed} of ${cs.expectations} expectations failed` : "no expectations"}, ${check.lock ? (check.lock.clean ? "matches the lock" : `${lockDrift(check)} changes against the lock`) : "no lock"}`,
      );
    }
    const reasons = gateReasons(report, inputs.failOn, check);
    if (reasons.length > 0) {
      core.setFailed(
        `netreach: ${reasons.join(", ")} (fail-on: ${inputs.failOn.join(", ")})`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Posts or refreshes the sticky comment; returns its URL or "".
 * @param {boolean} strict fail (instead of warn) when GitHub refuses
 */
async function publish(inputs, ctx, issue, body, marker, changed, strict) {
  if (!inputs.token) {
    const message = "no GitHub token (input `token`), so no PR comment";
    if (strict) throw new Error(message);
    core.warning(message);
    return "";
  }
  const github = new GitHub({
    apiUrl: ctx.apiUrl,
    token: inputs.token,
    owner: ctx.owner,
    repo: ctx.repo,
  });
  // Without changes, don't add a comment — but refresh an existing one so it is not stale.
  const post = changed || inputs.commentOnNoChange;
  if (!post && inputs.comment === "new") {
    core.info(
      "no reachability changes: no new comment (comment-on-no-change: false)",
    );
    return "";
  }
  try {
    const result = await upsertComment(github, {
      issue,
      body,
      marker,
      mode: inputs.comment,
      post,
    });
    if (result.action === "skipped") {
      core.info(
        "no reachability changes: no comment (comment-on-no-change: false)",
      );
    } else {
      core.info(`${result.action} the PR comment ${result.url ?? ""}`.trim());
    }
    return result.url ?? "";
  } catch (error) {
    if (strict || !error.forbidden) throw error;
    const fork = ctx.pullRequest?.fork
      ? " This pull request comes from a fork, whose token is read-only."
      : "";
    core.warning(
      `could not write the PR comment (${error.message}).${fork} Give the job \`permissions: pull-requests: write\`, or for fork PRs post the comment from a \`workflow_run\` workflow (\`mode: comment\`, see the README). The job summary has the report.`,
    );
    return "";
  }
}

// ---------------------------------------------------------------------------------------------
// mode: comment

async function postSaved(inputs, ctx) {
  if (inputs.comment === "off") {
    core.info("comment: off — nothing to do in mode: comment");
    core.setOutput("comment-url", "");
    return;
  }
  const dir = path.resolve(
    process.env.GITHUB_WORKSPACE || process.cwd(),
    inputs.commentFrom,
  );
  const read = (name) => {
    try {
      return readFileSync(path.join(dir, name), "utf8");
    } catch (error) {
      throw new Error(
        `comment-from: cannot read ${path.join(inputs.commentFrom, name)} (${error.code ?? error.message}); download the artifact that the \`mode: analyze\` run uploaded from its \`report-dir\` output`,
        { cause: error },
      );
    }
  };
  let saved;
  try {
    saved = JSON.parse(read(FILES.context));
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new Error(`comment-from: ${FILES.context} is not JSON`, {
        cause: error,
      });
    throw error;
  }
  const issue = saved.pullRequest;
  if (!Number.isSafeInteger(issue) || issue <= 0) {
    core.info("the saved analysis is not about a pull request: no comment");
    core.setOutput("comment-url", "");
    return;
  }
  // The artifact was written by the pull request's own workflow run, which a fork can change:
  // trust it only for a PR whose head is the commit that run tested.
  const run = ctx.event.workflow_run;
  const github = new GitHub({
    apiUrl: ctx.apiUrl,
    token: inputs.token,
    owner: ctx.owner,
    repo: ctx.repo,
  });
  if (run) {
    const pr = await github.pullRequest(issue);
    if (pr?.head?.sha !== run.head_sha) {
      throw new Error(
        `the saved analysis names PR #${issue}, whose head ${String(pr?.head?.sha).slice(0, 12)} is not the commit ${String(run.head_sha).slice(0, 12)} that workflow run ${run.id} analysed; not commenting`,
      );
    }
  }
  // The key goes into the marker (an HTML comment): take it from the artifact only if it is
  // as plain as the `comment-key` input must be.
  const savedKey =
    typeof saved.commentKey === "string" && KEY.test(saved.commentKey)
      ? saved.commentKey
      : "";
  const marker = markerFor(inputs.commentKey || savedKey);
  let body = read(FILES.comment);
  // The marker is ours: put it first whatever the file says, and keep under GitHub's limit.
  body = body.replace(/^\s*<!--\s*netreach:comment[^>]*-->\s*\n?/, "");
  body = `${marker}\n${body}`;
  if (body.length > COMMENT_LIMIT) {
    body = `${body.slice(0, COMMENT_LIMIT - 200)}\n\n…(cut: the saved comment was longer than GitHub allows)\n`;
  }
  const url = await publish(
    inputs,
    ctx,
    issue,
    body,
    marker,
    Boolean(saved.changed),
    true,
  );
  core.setOutput("comment-url", url);
}
