// The few GitHub REST calls the Action makes, with fetch (no Octokit): list, create and update
// issue comments (a pull request is an issue for comments), and read a pull request.
//
// Permissions: creating a comment on a pull request needs `pull-requests: write` (or
// `issues: write`); listing needs read access; a `pull_request` run from a fork gets a read-only
// token whatever the workflow asks for, so POST/PATCH answer 403 there.

export class GitHubError extends Error {
  constructor(method, url, status, body, headers) {
    const message = body?.message ? `: ${body.message}` : "";
    super(
      `GitHub API ${method} ${new URL(url).pathname} answered ${status}${message}`,
    );
    this.status = status;
    this.accepted = headers?.get?.("x-accepted-github-permissions") ?? null;
  }

  /** 403/404: the token may not do this (fork PR, missing `permissions:`), not a transient fault. */
  get forbidden() {
    return this.status === 403 || this.status === 404 || this.status === 401;
  }
}

const RETRIES = 2;

export class GitHub {
  /** @param {{apiUrl: string, token: string, owner: string, repo: string}} options */
  constructor({ apiUrl, token, owner, repo }) {
    this.apiUrl = apiUrl;
    this.token = token;
    this.owner = owner;
    this.repo = repo;
  }

  repoPath(rest) {
    return `${this.apiUrl}/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}${rest}`;
  }

  async request(method, url, body) {
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            accept: "application/vnd.github+json",
            authorization: `Bearer ${this.token}`,
            "x-github-api-version": "2022-11-28",
            "user-agent": "netreach-action",
            ...(body ? { "content-type": "application/json" } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
      } catch (error) {
        if (attempt < RETRIES) {
          await sleep(500 * (attempt + 1));
          continue;
        }
        throw new Error(
          `GitHub API ${method} ${new URL(url).pathname} failed: ${error.message}`,
          { cause: error },
        );
      }
      const text = await response.text();
      let json;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      if (response.ok) return { json, headers: response.headers };
      if (response.status >= 500 && attempt < RETRIES) {
        await sleep(500 * (attempt + 1));
        continue;
      }
      throw new GitHubError(
        method,
        url,
        response.status,
        json,
        response.headers,
      );
    }
  }

  /** Every comment of an issue or pull request, following `Link: rel="next"`. */
  async listComments(issue) {
    const comments = [];
    let url = this.repoPath(`/issues/${issue}/comments?per_page=100`);
    for (let page = 0; url && page < 100; page++) {
      const { json, headers } = await this.request("GET", url);
      comments.push(...(json ?? []));
      url = nextLink(headers.get("link"));
    }
    return comments;
  }

  async createComment(issue, body) {
    return (
      await this.request("POST", this.repoPath(`/issues/${issue}/comments`), {
        body,
      })
    ).json;
  }

  async updateComment(id, body) {
    return (
      await this.request("PATCH", this.repoPath(`/issues/comments/${id}`), {
        body,
      })
    ).json;
  }

  async pullRequest(number) {
    return (await this.request("GET", this.repoPath(`/pulls/${number}`))).json;
  }
}

function nextLink(header) {
  if (!header) return null;
  for (const part of header.split(",")) {
    const m = part.match(/<([^>]+)>\s*;\s*rel="?next"?/);
    if (m) return m[1];
  }
  return null;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Posts or updates the sticky comment.
 * @param {GitHub} github
 * @param {object} args
 * @param {number} args.issue
 * @param {string} args.body starts with `marker`
 * @param {string} args.marker
 * @param {"update"|"new"} args.mode
 * @param {boolean} args.post false: only refresh an existing comment, never create one
 * @returns {Promise<{action: "created"|"updated"|"skipped", url: string | null}>}
 */
export async function upsertComment(
  github,
  { issue, body, marker, mode, post },
) {
  if (mode === "update") {
    const existing = (await github.listComments(issue)).filter(
      (c) =>
        typeof c.body === "string" && c.body.trimStart().startsWith(marker),
    );
    // The newest one is the one readers look at (older ones exist only after `comment: new`).
    const sticky = existing.at(-1);
    if (sticky) {
      const updated = await github.updateComment(sticky.id, body);
      return {
        action: "updated",
        url: updated?.html_url ?? sticky.html_url ?? null,
      };
    }
  }
  if (!post) return { action: "skipped", url: null };
  const created = await github.createComment(issue, body);
  return { action: "created", url: created?.html_url ?? null };
}
