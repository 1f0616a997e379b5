// What the workflow run is about: repository, event, pull request and the two commits to
// compare, from the runner's environment and the event payload (GITHUB_EVENT_PATH).

import { readFileSync } from "node:fs";

const ZERO_SHA = /^0+$/;

/** The event payload, or `{}` when the runner gave none (local runs). */
export function readEvent(env = process.env) {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the event payload ${file}: ${error.message}`, {
      cause: error,
    });
  }
}

/**
 * @returns {{
 *   eventName: string, repository: string, owner: string, repo: string,
 *   apiUrl: string, serverUrl: string, runUrl: string | null,
 *   pullRequest: {number: number, baseSha: string, headSha: string, fork: boolean} | null,
 *   defaultBase: string, defaultHead: string, event: object
 * }}
 */
export function readContext(env = process.env) {
  const event = readEvent(env);
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  const repository = env.GITHUB_REPOSITORY || event.repository?.full_name || "";
  const [owner = "", repo = ""] = repository.split("/");
  const serverUrl = (env.GITHUB_SERVER_URL || "https://github.com").replace(
    /\/+$/,
    "",
  );
  const apiUrl = (env.GITHUB_API_URL || "https://api.github.com").replace(
    /\/+$/,
    "",
  );
  let runUrl = null;
  if (repository && env.GITHUB_RUN_ID) {
    runUrl = `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`;
    if (env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== "1") {
      runUrl += `/attempts/${env.GITHUB_RUN_ATTEMPT}`;
    }
  }

  let pullRequest = null;
  const pr = event.pull_request;
  if (pr && typeof pr.number === "number") {
    pullRequest = {
      number: pr.number,
      baseSha: pr.base?.sha ?? "",
      headSha: pr.head?.sha ?? "",
      fork:
        Boolean(pr.head?.repo?.full_name) &&
        pr.head?.repo?.full_name !== pr.base?.repo?.full_name,
    };
  }

  let defaultBase = "";
  let defaultHead = "";
  if (pullRequest) {
    defaultBase = pullRequest.baseSha;
    defaultHead = pullRequest.headSha;
  } else if (typeof event.after === "string" && "before" in event) {
    // push: `before` is all zeros when the branch was just created (nothing to compare with).
    defaultBase = ZERO_SHA.test(event.before ?? "") ? "" : (event.before ?? "");
    defaultHead = ZERO_SHA.test(event.after) ? "" : event.after;
  } else if (event.merge_group) {
    defaultBase = event.merge_group.base_sha ?? "";
    defaultHead = event.merge_group.head_sha ?? "";
  }
  if (!defaultHead) defaultHead = env.GITHUB_SHA || "HEAD";

  return {
    eventName,
    event,
    repository,
    owner,
    repo,
    apiUrl,
    serverUrl,
    runUrl,
    pullRequest,
    defaultBase,
    defaultHead,
  };
}
