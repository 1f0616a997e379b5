import { EditorView, basicSetup } from "codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { decompressFromEncodedURIComponent } from "lz-string";
import { examples } from "./examples.js";

performance.mark("netreach:start");

const $ = (id) => document.getElementById(id);
/** Creates an element; text is always set with textContent (never innerHTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children)
    if (c != null)
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const PATHS = { base: "base.yaml", head: "head.yaml" };
const state = {
  view: "diff",
  report: null,
  explainReq: null,
  collapsed: null, // Set of collapsed namespaces (null = choose default on next report)
  analyses: 0,
};

// ---------------------------------------------------------------------------------------
// Worker: latest request wins
// ---------------------------------------------------------------------------------------
const worker = new Worker(new URL("./worker.js", import.meta.url), {
  type: "module",
});
let nextId = 1;
const pending = new Map();
let reportInFlight = null;
let reportQueued = null;
let latestReportId = 0;
worker.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "ready") {
    $("version").textContent = `netreach ${msg.version}`;
    return;
  }
  const p = pending.get(msg.id);
  pending.delete(msg.id);
  if (p) p(msg);
};
worker.onerror = (e) =>
  setStatus(`Worker failed: ${e.message ?? "unknown error"}`, true);
function call(type, request) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, type, request });
  });
}

function currentRequest() {
  return {
    base: [{ path: PATHS.base, text: editors.base.state.doc.toString() }],
    head: [{ path: PATHS.head, text: editors.head.state.doc.toString() }],
  };
}

function analyse() {
  const request = currentRequest();
  const id = ++latestReportId;
  if (reportInFlight) {
    reportQueued = { id, request }; // replaces any older queued request
    return;
  }
  run({ id, request });
}
function run(job) {
  reportInFlight = job;
  setStatus("Analysing…");
  document.body.dataset.busy = "true";
  call("report", job.request).then((msg) => {
    reportInFlight = null;
    if (reportQueued) {
      const next = reportQueued;
      reportQueued = null;
      run(next);
    } else delete document.body.dataset.busy;
    if (job.id !== latestReportId) return; // stale: a newer request is on its way
    if (msg.error) {
      setStatus(`Error: ${msg.error.message}`, true);
      return;
    }
    state.analyses++;
    if (state.analyses === 1) {
      performance.mark("netreach:first-analysis");
      performance.measure("netreach:time-to-first-analysis", {
        start: 0,
        end: "netreach:first-analysis",
      });
    }
    if (state.collapsedAuto) state.collapsed = null; // re-pick the default for the new input
    state.report = msg.result;
    state.request = job.request;
    const s = msg.result.summary;
    setStatus(
      `Analysed ${s.workloads} workloads, ${s.policies} policies in ${Math.round(msg.ms)} ms`,
    );
    document.body.dataset.analyses = String(state.analyses);
    renderAll();
  });
}
function setStatus(text, error = false) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", error);
}

// ---------------------------------------------------------------------------------------
// Editors
// ---------------------------------------------------------------------------------------
let debounce;
function onEdit() {
  clearTimeout(debounce);
  debounce = setTimeout(analyse, 300);
  scheduleShare();
}
function makeEditor(side) {
  return new EditorView({
    parent: $(`${side}-editor`),
    doc: "",
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !settingText) onEdit();
      }),
      EditorView.contentAttributes.of({
        "aria-label":
          side === "base" ? "Base manifests (YAML)" : "PR manifests (YAML)",
      }),
    ],
  });
}
const editors = { base: makeEditor("base"), head: makeEditor("head") };
let settingText = false;
function setText(side, text) {
  const view = editors[side];
  settingText = true;
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: text },
  });
  settingText = false;
}

function pushDiagnostics() {
  const r = state.report;
  if (!r) return;
  const bySide = { base: [], head: [] };
  const add = (side, d, source) => {
    const view = editors[side];
    const doc = view.state.doc;
    let n = Math.min(Math.max(1, d.location?.line ?? 1), doc.lines);
    while (n > 1 && doc.line(n).length === 0) n--; // mark a line with text, so the range is visible
    const line = doc.line(n);
    bySide[side].push({
      from: line.from,
      to: line.to,
      severity:
        d.severity === "error"
          ? "error"
          : d.severity === "warning"
            ? "warning"
            : "info",
      source: `${source} ${d.code}`,
      message: d.message,
    });
  };
  const sideOf = (d) =>
    d.location?.path === PATHS.base
      ? "base"
      : d.location?.path === PATHS.head
        ? "head"
        : d.side;
  for (const d of r.diagnostics) add(sideOf(d) ?? "head", d, "input");
  for (const d of r.lint.slice(0, 2000)) add(sideOf(d) ?? "head", d, "lint");
  for (const side of ["base", "head"]) {
    bySide[side].sort((a, b) => a.from - b.from);
    editors[side].dispatch(setDiagnostics(editors[side].state, bySide[side]));
  }
}

/** Selects a one-based line in an editor and scrolls it into view. */
function jumpTo(side, lineNo) {
  const view = editors[side];
  const n = Math.min(Math.max(1, lineNo), view.state.doc.lines);
  const line = view.state.doc.line(n);
  view.dispatch({
    selection: { anchor: line.from, head: line.to },
    effects: EditorView.scrollIntoView(line.from, { y: "center" }),
  });
  view.focus();
}

// Files: picker, drag and drop, download.
async function loadFiles(side, files) {
  const list = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const texts = await Promise.all(list.map((f) => f.text()));
  if (!texts.length) return;
  setText(side, texts.map((t) => t.replace(/\s+$/, "")).join("\n---\n") + "\n");
  $("example").value = "";
  $("example-description").textContent =
    `${side === "base" ? "Base" : "PR"}: loaded ${list.map((f) => f.name).join(", ")}`;
  onEdit();
}
for (const side of ["base", "head"]) {
  $(`${side}-file`).addEventListener("change", (e) =>
    loadFiles(side, e.target.files),
  );
  const pane = document.querySelector(`.editor-pane[data-side="${side}"]`);
  pane.addEventListener("dragover", (e) => {
    e.preventDefault();
    pane.classList.add("drop");
  });
  pane.addEventListener("dragleave", () => pane.classList.remove("drop"));
  pane.addEventListener("drop", (e) => {
    e.preventDefault();
    pane.classList.remove("drop");
    if (e.dataTransfer?.files?.length) loadFiles(side, e.dataTransfer.files);
  });
  $(`${side}-download`).addEventListener("click", () => {
    const blob = new Blob([editors[side].state.doc.toString()], {
      type: "text/yaml",
    });
    const a = el("a", {
      href: URL.createObjectURL(blob),
      download: PATHS[side],
    });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}

// ---------------------------------------------------------------------------------------
// Share: the scenario in the URL fragment (#v1:<lz-string>)
// ---------------------------------------------------------------------------------------
let shareTimer = null;
let shareSeq = 0;
/** The fragment for the current scenario; compressed in the worker (large inputs take a while). */
async function shareHash() {
  const payload = JSON.stringify({
    base: editors.base.state.doc.toString(),
    head: editors.head.state.doc.toString(),
    view: state.view,
  });
  const msg = await call("compress", payload);
  if (msg.error) throw new Error(msg.error.message);
  return "#v1:" + msg.result;
}
async function writeShare() {
  const seq = ++shareSeq;
  const hash = await shareHash();
  if (seq === shareSeq) history.replaceState(null, "", hash); // a newer write wins
}
function scheduleShare() {
  if (shareTimer) return; // throttled: at most one write per 500 ms
  shareTimer = setTimeout(() => {
    shareTimer = null;
    writeShare();
  }, 500);
}
function readHash() {
  const h = location.hash;
  if (!h.startsWith("#v1:")) return null;
  try {
    const data = JSON.parse(
      decompressFromEncodedURIComponent(h.slice(4)) ?? "null",
    );
    if (data && typeof data.base === "string" && typeof data.head === "string")
      return data;
  } catch {
    /* fall through */
  }
  return null;
}
$("share").addEventListener("click", async () => {
  await writeShare();
  try {
    await navigator.clipboard.writeText(location.href);
    setStatus("Share link copied to the clipboard");
  } catch {
    setStatus("Share link is in the address bar");
  }
});

// ---------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------
for (const [key, ex] of Object.entries(examples))
  $("example").append(el("option", { value: key, text: ex.title }));
function loadExample(key) {
  const ex = examples[key];
  if (!ex) return;
  $("example").value = key;
  $("example-description").textContent = ex.description;
  setText("base", ex.base);
  setText("head", ex.head);
  state.collapsed = null;
  closeExplain();
  analyse();
  scheduleShare();
}
$("example").addEventListener("change", (e) => loadExample(e.target.value));

// ---------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------
function selectView(view) {
  state.view = view;
  for (const b of document.querySelectorAll(".tabs [role=tab]")) {
    const on = b.dataset.view === view;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
  }
  for (const v of ["diff", "matrix", "graph"])
    $(`view-${v}`).hidden = v !== view;
  renderView();
  scheduleShare();
}
const tabs = [...document.querySelectorAll(".tabs [role=tab]")];
for (const [i, b] of tabs.entries()) {
  b.addEventListener("click", () => selectView(b.dataset.view));
  b.addEventListener("keydown", (e) => {
    const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!d) return;
    const t = tabs[(i + d + tabs.length) % tabs.length];
    t.focus();
    selectView(t.dataset.view);
  });
}

const timings = {};
function timed(name, fn) {
  const t = performance.now();
  const out = fn();
  timings[name] = Math.round(performance.now() - t);
  return out;
}
function renderAll() {
  timed("diagnostics", pushDiagnostics);
  timed("summary", renderSummary);
  timed("filter", fillNamespaceFilter);
  timed("view", renderView);
  if (state.explainReq)
    explainPair(
      state.explainReq.from,
      state.explainReq.to,
      state.explainReq.side,
      false,
    );
}
function renderView() {
  if (!state.report) return;
  if (state.view === "diff") renderDiff();
  else if (state.view === "matrix") renderMatrix();
  else renderGraph();
}

const fmtPorts = (ps) =>
  !ps || !ps.length
    ? "nothing"
    : ps
        .map(
          (p) =>
            `${p.protocol} ` +
            (p.ranges.length === 1 &&
            p.ranges[0][0] === 1 &&
            p.ranges[0][1] === 65535
              ? "all ports"
              : p.ranges
                  .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
                  .join(", ")),
        )
        .join("; ");

function renderSummary() {
  const s = state.report.summary;
  const box = $("summary");
  box.replaceChildren(
    ...[
      ["exposures", "newly allowed", s.exposures],
      ["breakages", "newly blocked", s.breakages],
      ["added", "workloads added", s.addedEndpoints],
      ["removed", "workloads removed", s.removedEndpoints],
      ["lint", "lint findings", s.lintErrors + s.lintWarnings],
      ["errors", "input errors", s.inputErrors],
    ].map(([cls, label, n]) =>
      el(
        "span",
        { class: `pill ${cls}${n ? " nz" : ""}` },
        el("strong", { text: String(n) }),
        ` ${label}`,
      ),
    ),
  );
}

// Diff ------------------------------------------------------------------------------------
const LIMIT = 200;
function renderDiff() {
  const r = state.report;
  const box = $("view-diff");
  const parts = [];
  const changes = r.diff?.changes ?? [];
  const group = (title, cls, items, render) => {
    if (!items.length) return;
    const ul = el("ul", { class: `items ${cls}` });
    for (const item of items.slice(0, LIMIT)) ul.append(render(item));
    parts.push(el("h3", { text: `${title} (${items.length})` }), ul);
    if (items.length > LIMIT)
      parts.push(
        el("p", {
          class: "more",
          text: `…and ${items.length - LIMIT} more (see the matrix)`,
        }),
      );
  };
  const changeItem = (c) =>
    el(
      "li",
      {},
      el(
        "button",
        {
          type: "button",
          class: "item",
          onclick: () =>
            explainPair(c.from, c.to, c.added.length ? "head" : "base"),
          "aria-label": `Explain ${c.from} to ${c.to}`,
        },
        el("code", { text: c.from }),
        " → ",
        el("code", { text: c.to }),
        c.endpointChange
          ? el("em", { text: ` (${c.endpointChange} workload)` })
          : null,
        ": ",
        c.added.length
          ? el("span", { class: "tag added", text: `+ ${fmtPorts(c.added)}` })
          : null,
        c.removed.length
          ? el("span", {
              class: "tag removed",
              text: `− ${fmtPorts(c.removed)}`,
            })
          : null,
        el("span", {
          class: "scope",
          text: ` ${c.scope === "crossNamespace" ? "cross-namespace" : c.scope === "sameNamespace" ? "same namespace" : "external"}`,
        }),
      ),
    );
  if (!r.diff)
    parts.push(el("p", { text: "No base: only the head analysis is shown." }));
  group(
    "Newly allowed (exposures)",
    "exposures",
    changes.filter((c) => c.added.length),
    changeItem,
  );
  group(
    "Newly blocked (breakages)",
    "breakages",
    changes.filter((c) => c.removed.length && !c.added.length),
    changeItem,
  );
  const wl = (id) => el("li", {}, el("code", { text: id }));
  group("Workloads added", "added", r.diff?.addedEndpoints ?? [], wl);
  group("Workloads removed", "removed", r.diff?.removedEndpoints ?? [], wl);
  const finding = (d) => {
    const side = d.location?.path === PATHS.base ? "base" : "head";
    return el(
      "li",
      {},
      el(
        "button",
        {
          type: "button",
          class: "item",
          onclick: () => jumpTo(side, d.location?.line ?? 1),
        },
        el("span", { class: `sev ${d.severity}`, text: d.severity }),
        " ",
        el("code", { text: d.code }),
        ` ${d.location?.path ?? ""}:${d.location?.line ?? ""} — ${d.message}`,
        d.new ? el("strong", { text: " · new" }) : null,
      ),
    );
  };
  group("Input problems", "diagnostics", r.diagnostics, finding);
  group("Lint findings", "lint", r.lint, finding);
  if (changes.length === 0 && r.diff)
    parts.unshift(
      el("p", {
        class: "ok",
        text: "No reachability changes between base and PR.",
      }),
    );
  box.replaceChildren(...parts);
}

// Matrix ----------------------------------------------------------------------------------
function portsMatch(ps, proto, port) {
  if (!proto && !port) return ps.length > 0;
  return ps.some(
    (p) =>
      (!proto || p.protocol === proto) &&
      (!port || p.ranges.some(([a, b]) => a <= port && port <= b)),
  );
}
function nsOf(id, endpoints) {
  const e = endpoints.get(id);
  return e?.type === "workload" ? e.namespace : "(external)";
}
function fillNamespaceFilter() {
  const sel = $("f-namespace");
  const keep = sel.value;
  const nss = [
    ...new Set(
      state.report.analysis.endpoints.map((e) =>
        e.type === "workload" ? e.namespace : "(external)",
      ),
    ),
  ].sort();
  sel.replaceChildren(
    el("option", { value: "", text: "all" }),
    ...nss.map((n) => el("option", { value: n, text: n })),
  );
  sel.value = nss.includes(keep) ? keep : "";
}
function matrixModel() {
  const r = state.report;
  const endpoints = new Map(r.analysis.endpoints.map((e) => [e.id, e]));
  for (const c of r.diff?.changes ?? [])
    for (const id of [c.from, c.to])
      if (!endpoints.has(id)) {
        const [ns, kind, name] = id.startsWith("external:")
          ? []
          : id.split("/");
        endpoints.set(
          id,
          id.startsWith("external:")
            ? { id, type: "external" }
            : {
                id,
                type: "workload",
                namespace: ns,
                kind,
                name,
                removed: true,
              },
        );
      }
  const proto = $("f-protocol").value;
  const port = Number($("f-port").value) || 0;
  const cells = new Map(); // "from\0to" → status
  for (const c of r.analysis.connections)
    if (portsMatch(c.ports, proto, port))
      cells.set(c.from + "\0" + c.to, "allowed");
  for (const c of r.diff?.changes ?? []) {
    const add = portsMatch(c.added, proto, port);
    const rem = portsMatch(c.removed, proto, port);
    if (add || rem)
      cells.set(
        c.from + "\0" + c.to,
        add && rem ? "mixed" : add ? "added" : "removed",
      );
  }
  return { endpoints, cells };
}
const STATUS_LABEL = {
  allowed: "allowed",
  denied: "denied",
  added: "newly allowed",
  removed: "newly denied",
  mixed: "changed",
};
function renderMatrix() {
  const { endpoints, cells } = matrixModel();
  const nsFilter = $("f-namespace").value;
  const text = $("f-text").value.trim().toLowerCase();
  const all = [...endpoints.values()].sort((a, b) =>
    a.type === b.type
      ? a.id.localeCompare(b.id)
      : a.type === "workload"
        ? -1
        : 1,
  );
  const groups = new Map();
  for (const e of all) {
    const ns = e.type === "workload" ? e.namespace : "(external)";
    if (nsFilter && ns !== nsFilter) continue;
    if (text && !e.id.toLowerCase().includes(text)) continue;
    if (!groups.has(ns)) groups.set(ns, []);
    groups.get(ns).push(e);
  }
  const workloadCount = all.filter((e) => e.type === "workload").length;
  if (!state.collapsed) {
    state.collapsed = new Set(workloadCount > 60 ? [...groups.keys()] : []);
    state.collapsedAuto = true;
  }
  // Each axis entry: a single endpoint, or an aggregated namespace.
  const axis = [];
  for (const [ns, list] of groups) {
    if (state.collapsed.has(ns))
      axis.push({
        ns,
        ids: list.map((e) => e.id),
        label: `${ns} (${list.length})`,
        group: true,
      });
    else
      for (const e of list)
        axis.push({
          ns,
          ids: [e.id],
          label:
            e.type === "workload"
              ? `${e.kind}/${e.name}`
              : e.id.replace(/^external:/, "ext: "),
          group: false,
          e,
        });
  }
  const box = $("matrix");
  if (!axis.length) {
    box.replaceChildren(el("p", { text: "No workloads match the filters." }));
    return;
  }
  // One pass over the allowed/changed pairs, aggregated per (row, column) of the axis.
  const index = new Map();
  axis.forEach((entry, i) => entry.ids.forEach((id) => index.set(id, i)));
  const N = axis.length;
  const agg = new Map(); // row * N + col → { allowed, flags }
  const FLAG = { allowed: 1, added: 2, removed: 4, mixed: 8 };
  for (const [key, st] of cells) {
    const sep = key.indexOf("\0");
    const ri = index.get(key.slice(0, sep));
    const ci = index.get(key.slice(sep + 1));
    if (ri === undefined || ci === undefined) continue;
    const k = ri * N + ci;
    let a = agg.get(k);
    if (!a) agg.set(k, (a = { allowed: 0, flags: 0 }));
    a.flags |= FLAG[st];
    if (st !== "removed") a.allowed++;
  }
  const statusOf = (ri, ci) => {
    const a = agg.get(ri * N + ci);
    const total = axis[ri].ids.length * axis[ci].ids.length;
    if (!a) return { st: "denied", allowed: 0, total };
    const f = a.flags;
    const st =
      f & FLAG.mixed || (f & FLAG.added && f & FLAG.removed)
        ? "mixed"
        : f & FLAG.added
          ? "added"
          : f & FLAG.removed
            ? "removed"
            : a.allowed
              ? "allowed"
              : "denied";
    return { st, allowed: a.allowed, total };
  };
  const table = el("table", {
    class: "matrix",
    "aria-label":
      "Reachability matrix: rows are sources, columns are destinations",
  });
  const thead = el("thead");
  const hr = el(
    "tr",
    {},
    el("th", { scope: "col", class: "corner", text: "from ↓ / to →" }),
  );
  for (const col of axis) {
    const th = el(
      "th",
      {
        scope: "col",
        class: `col ${col.group ? "grp" : ""}`,
        title: col.group ? col.ns : col.ids[0],
      },
      el("span", { text: col.group ? col.label : col.label }),
    );
    hr.append(th);
  }
  thead.append(hr);
  const tbody = el("tbody");
  let prevNs = null;
  for (const [ri, row] of axis.entries()) {
    if (row.ns !== prevNs) {
      prevNs = row.ns;
      const collapsed = state.collapsed.has(row.ns);
      tbody.append(
        el(
          "tr",
          { class: "ns-row" },
          el(
            "th",
            { scope: "rowgroup", colspan: axis.length + 1 },
            el("button", {
              type: "button",
              class: "ns-toggle",
              "aria-expanded": String(!collapsed),
              text: `${collapsed ? "▸" : "▾"} ${row.ns}`,
              onclick: () => {
                state.collapsedAuto = false;
                if (collapsed) state.collapsed.delete(row.ns);
                else state.collapsed.add(row.ns);
                renderMatrix();
              },
            }),
          ),
        ),
      );
    }
    const tr = el(
      "tr",
      {},
      el("th", {
        scope: "row",
        class: row.group ? "grp" : "",
        title: row.group ? row.ns : row.ids[0],
        text: row.label,
      }),
    );
    for (const [ci, col] of axis.entries()) {
      const s = statusOf(ri, ci);
      const st = s.st;
      const label =
        row.group || col.group
          ? `${row.label} to ${col.label}: ${STATUS_LABEL[st]} (${s.allowed} of ${s.total} pairs allowed)`
          : `${row.ids[0]} to ${col.ids[0]}: ${STATUS_LABEL[st]}`;
      const td = el("td", {
        class: `cell ${st}`,
        tabindex: 0,
        title: label,
        "aria-label": label,
        "data-from": row.group ? null : row.ids[0],
        "data-to": col.group ? null : col.ids[0],
      });
      if (row.group || col.group)
        td.textContent = s.allowed ? String(s.allowed) : "";
      else
        td.textContent =
          st === "allowed"
            ? "✓"
            : st === "added"
              ? "+"
              : st === "removed"
                ? "−"
                : st === "mixed"
                  ? "±"
                  : "";
      td.dataset.ri = ri;
      td.dataset.ci = ci;
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(thead, tbody);
  const act = (td) => {
    const row = axis[Number(td.dataset.ri)];
    const col = axis[Number(td.dataset.ci)];
    if (row.group || col.group) {
      state.collapsedAuto = false;
      state.collapsed.delete(row.ns);
      state.collapsed.delete(col.ns);
      renderMatrix();
    } else
      explainPair(
        row.ids[0],
        col.ids[0],
        td.classList.contains("removed") ? "base" : "head",
      );
  };
  table.addEventListener("click", (e) => {
    const td = e.target.closest("td.cell");
    if (td) act(td);
  });
  table.addEventListener("keydown", (e) => {
    const td = e.target.closest("td.cell");
    if (td && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      act(td);
    }
  });
  box.replaceChildren(table);
}
for (const id of ["f-namespace", "f-protocol"])
  $(id).addEventListener("change", () => state.report && renderMatrix());
for (const id of ["f-text", "f-port"])
  $(id).addEventListener("input", () => state.report && renderMatrix());
$("f-collapse").addEventListener("click", () => {
  state.collapsedAuto = false;
  state.collapsed = new Set(
    state.report.analysis.endpoints.map((e) =>
      e.type === "workload" ? e.namespace : "(external)",
    ),
  );
  renderMatrix();
});
$("f-expand").addEventListener("click", () => {
  const n = state.report.analysis.endpoints.length;
  if (n > 400) {
    setStatus(
      `Too many endpoints (${n}) to expand everything: expand namespaces one by one, or filter`,
    );
    return;
  }
  state.collapsedAuto = false;
  state.collapsed = new Set();
  renderMatrix();
});

// Graph -----------------------------------------------------------------------------------
let cy = null;
let cytoscapeLib = null;
let graphFor = null;
async function renderGraph() {
  const r = state.report;
  if (graphFor === r && cy) return;
  graphFor = r;
  cytoscapeLib ??= (await import("cytoscape")).default;
  if (graphFor !== r) return;
  const { endpoints, cells } = matrixModel();
  const workloads = [...endpoints.values()].filter(
    (e) => e.type === "workload",
  );
  const aggregate = workloads.length > 150; // big inputs: one node per namespace
  const nodeOf = (id) => (aggregate ? "ns:" + nsOf(id, endpoints) : id);
  const elements = [];
  const nss = new Set();
  for (const e of endpoints.values()) {
    const ns = e.type === "workload" ? e.namespace : null;
    if (ns && !nss.has(ns)) {
      nss.add(ns);
      elements.push({
        data: { id: "ns:" + ns, label: ns },
        classes: aggregate ? "nsagg" : "ns",
      });
    }
    if (aggregate && e.type === "workload") continue;
    if (aggregate && !nss.has("(external)")) {
      nss.add("(external)");
      elements.push({
        data: { id: "ns:(external)", label: "external" },
        classes: "nsagg",
      });
    }
    if (aggregate) continue;
    elements.push({
      data: {
        id: e.id,
        label: e.type === "workload" ? e.name : e.id.replace(/^external:/, ""),
        parent: ns ? "ns:" + ns : undefined,
      },
      classes: e.type,
    });
  }
  const edges = new Map();
  for (const [key, st] of cells) {
    const [from, to] = key.split("\0");
    const a = nodeOf(from);
    const b = nodeOf(to);
    const k = a + "\0" + b;
    const prev = edges.get(k);
    const rank = { removed: 3, added: 3, mixed: 4, allowed: 1 };
    if (!prev || rank[st] > rank[prev.st]) edges.set(k, { a, b, st, from, to });
  }
  for (const [k, e] of edges)
    elements.push({
      data: {
        id: "e:" + k,
        source: e.a,
        target: e.b,
        from: e.from,
        to: e.to,
        st: e.st,
      },
      classes: e.st,
    });
  cy?.destroy();
  cy = cytoscapeLib({
    container: $("graph"),
    elements,
    wheelSensitivity: 0.3,
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": 10,
          "background-color": "#3b6ea8",
          color: "#1a1a1a",
          "text-valign": "bottom",
          "text-margin-y": 3,
          width: 18,
          height: 18,
        },
      },
      {
        selector: "node.external",
        style: { shape: "round-rectangle", "background-color": "#8a5a00" },
      },
      {
        selector: "node.ns",
        style: {
          "background-color": "#eef3f8",
          "border-color": "#7a8ea6",
          "border-width": 1,
          "text-valign": "top",
          "font-weight": "bold",
          "font-size": 11,
        },
      },
      {
        selector: "node.nsagg",
        style: { shape: "round-rectangle", width: 30, height: 30 },
      },
      {
        selector: "edge",
        style: {
          width: 1.2,
          "line-color": "#9aa3ad",
          "target-arrow-color": "#9aa3ad",
          "target-arrow-shape": "triangle",
          "curve-style": "bezier",
          "arrow-scale": 0.8,
        },
      },
      {
        selector: "edge.added",
        style: {
          width: 3,
          "line-color": "#1a7f37",
          "target-arrow-color": "#1a7f37",
        },
      },
      {
        selector: "edge.removed",
        style: {
          width: 3,
          "line-color": "#cf222e",
          "target-arrow-color": "#cf222e",
          "line-style": "dashed",
        },
      },
      {
        selector: "edge.mixed",
        style: {
          width: 3,
          "line-color": "#9a6700",
          "target-arrow-color": "#9a6700",
        },
      },
      {
        selector: "edge:selected",
        style: {
          width: 4,
          "line-color": "#0550ae",
          "target-arrow-color": "#0550ae",
        },
      },
    ],
    layout: aggregate
      ? { name: "circle" }
      : {
          name: "cose",
          animate: false,
          nodeDimensionsIncludeLabels: true,
          padding: 20,
          randomize: false,
        },
  });
  cy.on("tap", "edge", (evt) => {
    const d = evt.target.data();
    if (aggregate) {
      setStatus("Aggregated edge: use the matrix to pick a workload pair");
      return;
    }
    explainPair(d.from, d.to, d.st === "removed" ? "base" : "head");
  });
  window.__playground.cy = cy;
}

// Explain ---------------------------------------------------------------------------------
function closeExplain() {
  state.explainReq = null;
  $("explain").replaceChildren();
  $("explain").hidden = true;
}
async function explainPair(from, to, side = "head", focus = true) {
  state.explainReq = { from, to, side };
  const req = currentRequest();
  const box = $("explain");
  box.hidden = false;
  const proto = $("f-protocol").value || undefined;
  const port = Number($("f-port").value) || undefined;
  const query = { from, to, protocol: proto, port };
  const sides = side === "base" ? ["base", "head"] : ["head", "base"];
  const results = [];
  for (const s of sides) {
    if (!state.report?.diff && s === "base") continue;
    const msg = await call("explain", { files: req[s], query });
    results.push({ side: s, msg });
  }
  if (state.explainReq?.from !== from || state.explainReq?.to !== to) return;
  const parts = [
    el(
      "div",
      { class: "explain-head" },
      el("h2", { text: "Why?" }),
      el("button", {
        type: "button",
        class: "close",
        "aria-label": "Close the explanation",
        text: "×",
        onclick: closeExplain,
      }),
    ),
    el(
      "p",
      {},
      el("code", { text: from }),
      " → ",
      el("code", { text: to }),
      port ? ` (${proto ?? "TCP"} ${port})` : "",
    ),
  ];
  for (const { side: s, msg } of results) {
    const title = s === "head" ? "PR (head)" : "Base";
    if (msg.error) {
      parts.push(
        el(
          "section",
          { class: "side" },
          el("h3", { text: title }),
          el("p", { class: "muted", text: msg.error.message }),
        ),
      );
      continue;
    }
    const x = msg.result;
    const sec = el(
      "section",
      {
        class: `side verdict-${x.allowed ? "allowed" : "denied"}`,
        "data-side": s,
      },
      el(
        "h3",
        {},
        `${title}: `,
        el("span", {
          class: `verdict ${x.allowed ? "allowed" : "denied"}`,
          text: x.allowed ? "allowed" : "denied",
        }),
      ),
      el("p", { class: "why", text: x.summary }),
    );
    for (const dir of ["egress", "ingress"]) {
      const d = x[dir];
      const ul = el("ul", { class: "decisions" });
      for (const dec of d.decisions) {
        const where = dec.location;
        const label = `${dec.kind === "networkPolicyRule" ? `${dir} rule ${dec.ruleIndex}${dec.peerIndex !== undefined ? `, peer ${dec.peerIndex}` : ""}` : dec.kind}${dec.policy ? ` of ${dec.policy}` : ""}: ${fmtPorts(dec.ports)}${dec.matchesQuery ? "" : " (not this port)"}`;
        const sideOfLoc = where?.path === PATHS.base ? "base" : "head";
        ul.append(
          el(
            "li",
            {},
            where
              ? el(
                  "button",
                  {
                    type: "button",
                    class: "item decision",
                    "data-line": where.line,
                    "data-side": sideOfLoc,
                    onclick: () => jumpTo(sideOfLoc, where.line),
                    title: `Go to ${where.path}:${where.line}`,
                  },
                  label,
                  el("span", {
                    class: "loc",
                    text: ` ${where.path}:${where.line}`,
                  }),
                )
              : el("span", { text: label }),
          ),
        );
      }
      sec.append(
        el(
          "h4",
          {},
          `${dir === "egress" ? "Egress at the source" : "Ingress at the destination"}: `,
          el("span", {
            class: `verdict ${d.allowed ? "allowed" : "denied"}`,
            text: d.allowed ? "allowed" : "denied",
          }),
        ),
        el("p", {
          class: "reason",
          text:
            d.reason +
            (d.policies.length ? ` — policies: ${d.policies.join(", ")}` : ""),
        }),
        ul,
      );
    }
    parts.push(sec);
  }
  box.replaceChildren(...parts);
  if (focus) box.focus({ preventScroll: true });
  box.scrollIntoView?.({ block: "nearest" });
}

// ---------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------
window.__playground = {
  editors,
  state,
  load(base, head, view) {
    $("example").value = "";
    $("example-description").textContent = "Custom scenario.";
    setText("base", base);
    setText("head", head);
    state.collapsed = null;
    if (view) selectView(view);
    analyse();
    scheduleShare();
  },
  shareHash,
  jumpTo,
  timings,
};
closeExplain();
const shared = readHash();
if (shared) {
  setText("base", shared.base);
  setText("head", shared.head);
  $("example-description").textContent = "Scenario restored from the link.";
  selectView(
    ["diff", "matrix", "graph"].includes(shared.view) ? shared.view : "diff",
  );
  analyse();
} else {
  selectView("diff");
  loadExample("shop");
}
