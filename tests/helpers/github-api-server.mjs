// A tiny stand-in for the GitHub REST API, enough for the Action's PR comment: list, create and
// update issue comments, and read a pull request. It listens on 127.0.0.1 only, keeps its state
// in memory and records every request (method, path, query, headers, parsed body) so tests can
// assert exactly what the Action sent.
//
//   const api = await startGitHubApiServer({ pulls: { 7: { head: { sha } } } });
//   env.GITHUB_API_URL = api.url;
//   ... run the Action ...
//   api.requests.filter((r) => r.method === "POST");
//   await api.close();
//
// Behaviour copied from GitHub where the Action depends on it:
// - `GET /repos/{owner}/{repo}/issues/{n}/comments` pages with `per_page` (default 30, max 100)
//   and `page`, and sends a `Link` header with `rel="next"` while more pages exist;
// - `POST` answers 201 with the comment, `PATCH /repos/{owner}/{repo}/issues/comments/{id}` 200;
// - a body over 65,536 characters is refused with 422, as GitHub does;
// - `forbid` makes chosen methods answer 403 "Resource not accessible by integration" with the
//   `x-accepted-github-permissions` header a read-only GITHUB_TOKEN gets on fork PRs;
// - a request without `Authorization` is answered 401.

import http from "node:http";

const MAX_BODY = 65_536;

/**
 * @param {object} [options]
 * @param {Array<{id?: number, body: string, issue?: number, user?: object}>} [options.comments]
 *   comments that exist before the run (on issue `options.issue` unless given)
 * @param {number} [options.issue] default issue number for seeded comments (7)
 * @param {Record<number, object>} [options.pulls] pull requests served by GET /pulls/{n}
 * @param {Partial<Record<"GET"|"POST"|"PATCH", number>>} [options.forbid] status (403/404) per method
 */
export async function startGitHubApiServer(options = {}) {
  const state = {
    nextId: 1000,
    comments: [],
    pulls: options.pulls ?? {},
    forbid: { ...(options.forbid ?? {}) },
  };
  const requests = [];

  const addComment = (issue, body, user) => {
    const id = state.nextId++;
    const now = new Date(Date.UTC(2025, 0, 1, 0, 0, id - 1000)).toISOString();
    const comment = {
      id,
      issue,
      body,
      user: user ?? { login: "github-actions[bot]", type: "Bot" },
      created_at: now,
      updated_at: now,
    };
    state.comments.push(comment);
    return comment;
  };
  for (const seed of options.comments ?? []) {
    addComment(seed.issue ?? options.issue ?? 7, seed.body, seed.user);
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url, "http://127.0.0.1");
      let body = null;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const record = {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...req.headers },
        body,
      };
      requests.push(record);
      handle(record, url, res);
    });
  });

  const base = () => `http://127.0.0.1:${server.address().port}`;
  const view = (owner, repo, c) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base()}/repos/${owner}/${repo}/issues/comments/${c.id}`,
    html_url: `https://github.test/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${base()}/repos/${owner}/${repo}/issues/${c.issue}`,
    body: c.body,
    user: c.user,
    created_at: c.created_at,
    updated_at: c.updated_at,
  });

  function send(res, status, payload, headers = {}) {
    const text = payload === undefined ? "" : JSON.stringify(payload);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      ...headers,
    });
    res.end(text);
  }

  function handle(record, url, res) {
    if (!record.headers.authorization) {
      send(res, 401, { message: "Requires authentication", status: "401" });
      return;
    }
    const forbidden = state.forbid[record.method];
    if (forbidden) {
      send(
        res,
        forbidden,
        forbidden === 404
          ? { message: "Not Found", status: "404" }
          : {
              message: "Resource not accessible by integration",
              documentation_url:
                "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
              status: String(forbidden),
            },
        {
          "x-accepted-github-permissions": "issues=write; pull_requests=write",
        },
      );
      return;
    }
    let m;
    if (
      (m = record.path.match(
        /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      ))
    ) {
      const [, owner, repo, n] = m;
      const issue = Number(n);
      if (record.method === "GET") {
        const perPage = Math.min(
          Number(url.searchParams.get("per_page") ?? 30),
          100,
        );
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = state.comments.filter((c) => c.issue === issue);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers = {};
        if (page * perPage < all.length) {
          const next = new URL(url.pathname, base());
          next.searchParams.set("per_page", String(perPage));
          next.searchParams.set("page", String(page + 1));
          headers.link = `<${next}>; rel="next"`;
        }
        send(
          res,
          200,
          slice.map((c) => view(owner, repo, c)),
          headers,
        );
        return;
      }
      if (record.method === "POST") {
        const text = record.body?.body;
        if (typeof text !== "string") {
          send(res, 422, { message: "Invalid request: body is missing" });
          return;
        }
        if (text.length > MAX_BODY) {
          send(res, 422, {
            message: "Validation Failed",
            errors: [
              {
                resource: "IssueComment",
                code: "custom",
                field: "body",
                message: "body is too long (maximum is 65536 characters)",
              },
            ],
          });
          return;
        }
        send(res, 201, view(owner, repo, addComment(issue, text)));
        return;
      }
    }
    if (
      (m = record.path.match(
        /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ))
    ) {
      const [, owner, repo, id] = m;
      const comment = state.comments.find((c) => c.id === Number(id));
      if (!comment) {
        send(res, 404, { message: "Not Found" });
        return;
      }
      if (record.method === "PATCH") {
        const text = record.body?.body;
        if (typeof text !== "string" || text.length > MAX_BODY) {
          send(res, 422, { message: "Validation Failed" });
          return;
        }
        comment.body = text;
        comment.updated_at = new Date(Date.UTC(2025, 0, 2)).toISOString();
        send(res, 200, view(owner, repo, comment));
        return;
      }
      if (record.method === "GET") {
        send(res, 200, view(owner, repo, comment));
        return;
      }
    }
    if ((m = record.path.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/))) {
      const pull = state.pulls[Number(m[3])];
      if (record.method === "GET" && pull) {
        send(res, 200, { number: Number(m[3]), state: "open", ...pull });
        return;
      }
      send(res, 404, { message: "Not Found" });
      return;
    }
    send(res, 404, { message: "Not Found" });
  }

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: base(),
    requests,
    /** Comments currently stored (all issues), oldest first. */
    get comments() {
      return state.comments;
    },
    /** Change the answer for a method from now on (`undefined` to allow again). */
    forbid(method, status = 403) {
      state.forbid[method] = status;
    },
    allow(method) {
      delete state.forbid[method];
    },
    /** Drop the request log (state is kept). */
    clearRequests() {
      requests.length = 0;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
