// Terminal presentation the core does not render itself: lint findings one per line (like a
// compiler), explanations, and the one-line summary printed with --output. User-controlled
// text always goes through `plain`.

import { plain, plural, thousands } from "./terminal.js";

/** `path:line: Kind ns/name` (or `path:line: document N`), as the core's Location prints. */
export function locationText(location) {
  if (!location) return "";
  let out = `${location.path}:${location.line}`;
  const object = location.object;
  if (object) {
    out += `: ${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
  } else {
    out += `: document ${location.document}`;
  }
  if (location.field) out += `: ${location.field}`;
  return plain(out);
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

function severityText(severity, paint) {
  if (severity === "error") return paint.red(paint.bold("error"));
  if (severity === "warning") return paint.yellow("warning");
  return paint.cyan(severity);
}

/** One finding: `path:line: object: severity: message [code]`. */
export function findingLine(finding, paint, side) {
  const prefix = side ? `${side}: ` : "";
  return `${prefix}${locationText(finding.location)}: ${severityText(finding.severity, paint)}: ${plain(finding.message)} ${paint.dim(`[${plain(finding.code)}]`)}`;
}

/**
 * The `lint` text output: input problems, then lint findings, each sorted by severity (stable
 * otherwise), then a count line.
 */
export function lintText(report, fileCount, paint, unreadable = 0) {
  const bySeverity = (a, b) =>
    (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3);
  const lines = [];
  for (const d of [...report.diagnostics].sort(bySeverity)) {
    lines.push(findingLine(d, paint, d.side === "base" ? "base" : ""));
  }
  for (const l of [...report.lint].sort(bySeverity))
    lines.push(findingLine(l, paint));
  for (const s of report.skipped ?? []) {
    lines.push(
      paint.dim(
        `note: ${plural(s.count, "document")} of kind ${plain(s.kind)} not modelled (e.g. ${locationText(s.examples?.[0])})`,
      ),
    );
  }
  const s = report.summary;
  const lintInfos = report.lint.filter((l) => l.severity === "info").length;
  const inputErrors = s.inputErrors + unreadable;
  const total = s.lintErrors + s.lintWarnings + lintInfos + inputErrors;
  if (lines.length) lines.push("");
  lines.push(
    total === 0
      ? paint.green(`No problems found in ${plural(fileCount, "file")}.`)
      : `${plural(s.lintErrors, "lint error")}, ${plural(s.lintWarnings, "lint warning")}, ${plural(inputErrors, "input error")} in ${plural(fileCount, "file")}.`,
  );
  return `${lines.join("\n")}\n`;
}

/** A port set (`[{protocol, ranges: [[lo, hi]]}]`) as people read it. */
export function portsText(set) {
  if (!set || set.length === 0) return "no ports";
  const full = (ranges) =>
    ranges.length === 1 && ranges[0][0] === 1 && ranges[0][1] === 65535;
  if (set.length === 3 && set.every((e) => full(e.ranges))) return "all ports";
  return set
    .map((e) =>
      full(e.ranges)
        ? `all ${e.protocol} ports`
        : `${e.protocol} ${e.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",")}`,
    )
    .join("; ");
}

function decisionText(decision, direction) {
  const peers = direction === "egress" ? "to" : "from";
  const rule = `${direction}[${decision.ruleIndex}]`;
  switch (decision.kind) {
    case "networkPolicyRule": {
      const peer =
        decision.peerIndex === undefined
          ? "any peer"
          : `${peers}[${decision.peerIndex}]`;
      const port =
        decision.portIndex === undefined
          ? "any port"
          : `ports[${decision.portIndex}]`;
      return `NetworkPolicy ${plain(decision.policy)} ${rule} (${peer}, ${port}) allows ${portsText(decision.ports)}`;
    }
    case "adminRule":
    case "baselineRule": {
      const kind =
        decision.kind === "adminRule"
          ? "AdminNetworkPolicy"
          : "BaselineAdminNetworkPolicy";
      return `${kind} ${plain(decision.policy ?? "")} ${rule}: ${decision.action} ${portsText(decision.ports)}`;
    }
    case "notIsolated":
      return `no policy selects it for ${direction}: not isolated`;
    case "hostNetwork":
      return "hostNetwork: not subject to NetworkPolicy";
    case "defaultAllow":
      return `no admin or network policy decides: allowed (${portsText(decision.ports)})`;
    default:
      return `${plain(decision.kind)} ${portsText(decision.ports)}`;
  }
}

function sideText(side, direction, endpoint, query, paint) {
  const title =
    direction === "egress"
      ? `Egress from ${endpoint}`
      : `Ingress to ${endpoint}`;
  const verdict = side.allowed ? paint.green("allows") : paint.red("blocks");
  const lines = [`${paint.bold(title)} ${verdict}: ${plain(side.reason)}`];
  if (side.isolated && side.policies.length) {
    lines.push(`  isolated by: ${side.policies.map(plain).join(", ")}`);
  }
  for (const d of side.decisions) {
    let line = `  - ${decisionText(d, direction)}`;
    if (
      !d.matchesQuery &&
      query.port !== undefined &&
      d.kind !== "notIsolated"
    ) {
      line += paint.dim(` (not ${query.protocol} ${query.port})`);
    }
    if (d.location) line += `\n      at ${locationText(d.location)}`;
    lines.push(line);
  }
  return lines.join("\n");
}

/** The `explain` text output. */
export function explainText(e, paint) {
  const what = e.port === undefined ? "any port" : `${e.protocol} ${e.port}`;
  const verdict = e.allowed
    ? paint.green(paint.bold("ALLOWED"))
    : paint.red(paint.bold("DENIED"));
  const from = plain(e.from);
  const to = plain(e.to);
  const query = { port: e.port, protocol: e.protocol };
  return `${[
    `${verdict}: ${from} -> ${to} on ${what}`,
    plain(e.summary),
    "",
    sideText(e.egress, "egress", from, query, paint),
    "",
    sideText(e.ingress, "ingress", to, query, paint),
    "",
    `Allowed between them: ${portsText(e.allowedPorts)}`,
  ].join("\n")}\n`;
}

/** The one line printed to stdout when the report went to a file. */
export function summaryLine(command, report, file, format, unreadable = 0) {
  const s = report.summary;
  const parts = [];
  if (command === "diff") {
    parts.push(
      `${plural(s.exposures, "exposure")}, ${plural(s.breakages, "breakage")}, ${thousands(s.addedEndpoints)} added / ${thousands(s.removedEndpoints)} removed workloads`,
    );
  } else if (command === "analyze") {
    parts.push(
      `${plural(s.workloads, "workload")}, ${plural(s.connections, "connection")}`,
    );
  }
  parts.push(
    `${plural(s.lintErrors, "lint error")}, ${plural(s.lintWarnings, "lint warning")}`,
  );
  parts.push(plural(s.inputErrors + unreadable, "input error"));
  return `netreach: wrote ${plain(file)} (${format}): ${parts.join("; ")}\n`;
}
