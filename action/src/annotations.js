// Lint findings and input errors as workflow-command annotations (`::warning file=…,line=…`).
//
// GitHub shows at most 10 annotations of each kind (error, warning, notice) per step and drops
// the rest silently, so the Action picks the 10 that matter most of each kind — head input
// errors, then findings new in this change, then older ones, each in the core's order — and
// ends with one notice counting what was left out. Escaping of `%`, CR, LF (and of `:` and `,`
// in properties) is done by @actions/core's command writer.

import * as core from "@actions/core";

export const PER_KIND = 10;

const KIND = { error: "error", warning: "warning", info: "notice" };

function where(location) {
  const object = location?.object;
  const parts = [];
  if (object) {
    parts.push(
      `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`,
    );
  }
  if (location?.field) parts.push(location.field);
  return parts.join(" ");
}

/**
 * The annotations to emit, in order, plus the count left out per kind.
 * @param {object} report the core's Report
 * @param {Map<string, string>} files reported paths that are real files of the repository
 *   (plain manifests), to their repository-relative path
 */
export function selectAnnotations(report, files) {
  const candidates = [];
  for (const d of report.diagnostics ?? []) {
    if (d.side !== "head") continue;
    candidates.push({ rank: 0, finding: d, label: "input" });
  }
  for (const l of report.lint ?? []) {
    candidates.push({
      rank: l.new ? 1 : 2,
      finding: l,
      label: l.new ? "new" : "existing",
    });
  }
  candidates.sort((a, b) => a.rank - b.rank); // stable: keeps the core's order within a rank

  const byKind = { error: [], warning: [], notice: [] };
  for (const c of candidates)
    byKind[KIND[c.finding.severity] ?? "notice"].push(c);

  const chosen = [];
  const omitted = { error: 0, warning: 0, notice: 0 };
  for (const kind of ["error", "warning", "notice"]) {
    const list = byKind[kind];
    const overflow = Object.values(byKind).some((l) => l.length > PER_KIND);
    // Keep one notice slot for the summary line when anything overflows.
    const room = kind === "notice" && overflow ? PER_KIND - 1 : PER_KIND;
    list
      .slice(0, room)
      .forEach((c) => chosen.push({ kind, ...toAnnotation(c, files) }));
    omitted[kind] = Math.max(0, list.length - room);
  }
  return { annotations: chosen, omitted };
}

function toAnnotation({ finding, label }, files) {
  const location = finding.location ?? {};
  const object = where(location);
  const real = location.path ? files.get(location.path) : undefined;
  let message = finding.message;
  if (object) message += ` (${object})`;
  if (!real && location.path) {
    message = `${location.path}${location.line ? `:${location.line}` : ""}: ${message}`;
  }
  const properties = {
    title: `netreach ${finding.code}${label === "input" ? " (input error)" : label === "existing" ? " (not new)" : ""}`,
  };
  if (real) {
    properties.file = real;
    if (location.line > 0) properties.startLine = location.line;
  }
  return { message, properties };
}

/** Emits the chosen annotations and, if some were left out, one notice that says so. */
export function annotate(report, files, summaryPointer) {
  const { annotations, omitted } = selectAnnotations(report, files);
  for (const a of annotations) core[a.kind](a.message, a.properties);
  const total = omitted.error + omitted.warning + omitted.notice;
  if (total > 0) {
    const parts = Object.entries(omitted)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${n} ${kind}${n === 1 ? "" : "s"}`);
    core.notice(
      `netreach: ${total} more finding${total === 1 ? "" : "s"} not annotated (${parts.join(", ")}; GitHub shows ${PER_KIND} per kind): ${summaryPointer}`,
      { title: "netreach: more findings" },
    );
  }
  return { emitted: annotations.length, omitted };
}
