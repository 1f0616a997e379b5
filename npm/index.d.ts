// Types of the `netreach` package (Node entry `node.js`, browser entry `browser.js`).
//
// Hand-written to match the Rust core's serde output exactly (camelCase keys; optional `?`
// members are the ones the core omits when empty or unknown). npm/test/api.test.mjs checks
// real results against the interfaces in this file, key by key, so keep the two in step.

// ---------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------

/**
 * Loads the WebAssembly core. Browsers and bundlers (the `browser` entry) must `await init()`
 * once before any other call; later calls return the same promise. `input` says where the
 * `.wasm` comes from (default: `pkg/netreach_bg.wasm` next to the entry, found by bundlers via
 * `new URL(..., import.meta.url)`). In Node it does nothing: the core is loaded on import.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Browser entry only: initialises synchronously from the `.wasm` bytes or a compiled module. */
export function initSync(
  module: ArrayBuffer | ArrayBufferView | WebAssembly.Module,
): void;

export type InitInput =
  | string
  | URL
  | Request
  | Response
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module;

/** The netreach version, e.g. `"0.1.0"`. */
export function version(): string;

/**
 * The full report: the head analysis, lint findings, input problems and — with `base` — the
 * diff base → head. Manifest problems never throw: they are `diagnostics` in the report.
 * @throws {NetreachError} when the request itself is unusable (`invalid-request`, `invalid-option`)
 */
export function report(request: ReportRequest): Report;

/**
 * The report for `request`, rendered as text in `format`.
 * @throws {NetreachError} `unknown-format`, `invalid-option` (bad `renderOptions`), or as `report`
 */
export function renderReport(
  request: ReportRequest,
  format: ReportFormat,
  renderOptions?: RenderOptions,
): string;

/**
 * The report for `request` computed once, rendered in each of `formats` (same order).
 * @throws {NetreachError} as `renderReport`
 */
export function renderReports(
  request: ReportRequest,
  formats: ReportFormat[],
  renderOptions?: RenderOptions,
): string[];

/**
 * Explains one connection of one side: the verdict, and on each side the policy and rule that
 * decided it — or that nothing matched.
 * @throws {NetreachError} `unknown-endpoint`, `ambiguous-endpoint`, `both-external`, or as `report`
 */
export function explain(request: ExplainRequest): Explanation;

/**
 * Holds the manifests to an expectations file (`netreach.yaml`) and/or a lock file
 * (`netreach.lock.json`). Failed expectations and lock drift are data (`passed: false`).
 * @throws {NetreachError} `expectations-syntax`, `invalid-expectations`, `lock-syntax`,
 * `invalid-lock` (with `file`, `line`, maybe `field`; `message` is `file:line: problem`), or
 * as `report`
 */
export function check(request: CheckRequest): CheckResult;

/**
 * The check for `request`, rendered: broken expectations first, then the lock drift.
 * @throws {NetreachError} `unknown-format`, or as `check`
 */
export function renderCheck(request: CheckRequest, format: CheckFormat): string;

/** The lock file text (`netreach.lock.json`) of the manifests' current reachability. */
export function snapshot(request: SnapshotRequest): string;

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/** One input file: the path is only used to point at problems; the text is YAML or JSON. */
export interface SourceFile {
  path: string;
  text: string;
}

/** How to read and judge the input. A member that is `undefined` or `null` takes its default. */
export interface Options {
  /** Namespace of objects without `metadata.namespace` (default `"default"`). */
  namespace?: string;
  /** The cluster's pod and service CIDRs, if known: ipBlocks covering them are linted. */
  clusterCidrs?: string[];
}

export interface ReportRequest {
  /** The base side (e.g. the main branch); without it the report has no `diff`. */
  base?: SourceFile[];
  head: SourceFile[];
  options?: Options;
}

export interface ExplainRequest {
  files: SourceFile[];
  options?: Options;
  query: ExplainQuery;
}

/**
 * `from`/`to`: an endpoint id (`shop/Deployment/web`), `namespace/name`, a unique workload
 * name, an external id (`external:…`) or an IP address.
 */
export interface ExplainQuery {
  from: string;
  to: string;
  /** Default `"TCP"`. */
  protocol?: Protocol;
  /** Without a port the explanation covers every port. */
  port?: number;
}

export interface CheckRequest {
  files: SourceFile[];
  options?: Options;
  /** The expectations file (`netreach.yaml`): its path and YAML text. */
  expectations?: SourceFile;
  /** The lock file (`netreach.lock.json`): its path and JSON text. */
  lock?: SourceFile;
}

export interface SnapshotRequest {
  files: SourceFile[];
  options?: Options;
}

/** Format names of `renderCheck`, ASCII case ignored. */
export type CheckFormat = "markdown" | "md" | "text" | "txt" | "json";

/** Format names, ASCII case ignored. `analysis-json`: only `{endpoints, connections}`; `connections`: one line per allowed connection. */
export type ReportFormat =
  | "markdown"
  | "md"
  | "text"
  | "txt"
  | "json"
  | "sarif"
  | "csv"
  | "dot"
  | "analysis-json"
  | "connections";

/** Every member is optional; members that do not apply to the chosen format are ignored. */
export interface RenderOptions {
  /** Markdown: upper bound on the comment's length in bytes (default 65000). */
  maxChars?: number;
  /** Markdown: hidden marker put first, e.g. `<!-- netreach -->`. */
  marker?: string;
  /** Markdown: appended (verbatim Markdown) when the comment had to be cut. */
  fullReportHint?: string;
  /** Markdown: heading text. */
  title?: string;
  /** `json`, `analysis-json`: indent with two spaces (default true). */
  pretty?: boolean;
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

export type NetreachErrorKind =
  | "invalid-request"
  | "invalid-option"
  | "unknown-format"
  | "unknown-endpoint"
  | "ambiguous-endpoint"
  | "both-external"
  | "not-initialized"
  | "internal"
  | "expectations-syntax"
  | "invalid-expectations"
  | "lock-syntax"
  | "invalid-lock";

/** What the API throws: a JS `Error` (name `"NetreachError"`) with these extra properties. */
export interface NetreachError extends Error {
  kind: NetreachErrorKind;
  /** Where in the request, e.g. `head[1].text` or `options.clusterCidrs`. */
  field?: string;
  /** The input file (`SourceFile.path`) the problem is in, when it is in one. */
  file?: string;
  /** One-based line in `file`, when known. */
  line?: number;
}

// ---------------------------------------------------------------------------------------
// Results: the report (JSON `schemaVersion` 1)
// ---------------------------------------------------------------------------------------

export type Protocol = "TCP" | "UDP" | "SCTP";

/** Sorted, merged, inclusive port ranges per protocol; protocols with no ports are omitted. "All ports" is `[[1, 65535]]` for each protocol. */
export type PortSet = PortEntry[];

export interface PortEntry {
  protocol: Protocol;
  ranges: [number, number][];
}

export interface Report {
  schemaVersion: 1;
  tool: Tool;
  summary: Summary;
  analysis: Analysis;
  /** Present only when the request had a `base`. */
  diff?: Diff;
  /** Input problems of both sides (objects with errors were skipped). */
  diagnostics: SidedDiagnostic[];
  lint: LintFinding[];
  /** Documents of kinds netreach does not model, counted per kind. */
  skipped: Skipped[];
  /** Modelling assumptions worth stating next to the results. */
  notes: string[];
}

export interface Tool {
  name: "netreach";
  version: string;
}

export interface Summary {
  workloads: number;
  namespaces: number;
  policies: number;
  connections: number;
  exposures: number;
  breakages: number;
  addedEndpoints: number;
  removedEndpoints: number;
  inputErrors: number;
  lintErrors: number;
  lintWarnings: number;
  skippedDocuments: number;
}

/** Endpoints and the allowed connections between them (the `analysis-json` contract). */
export interface Analysis {
  /** Workloads sorted by id, then external address ranges. */
  endpoints: Endpoint[];
  /** Only pairs with something allowed, in endpoint order. */
  connections: Connection[];
}

export interface Endpoint {
  /** `namespace/Kind/name` for workloads, `external:<ranges>` for the outside world. */
  id: string;
  type: "workload" | "external";
  namespace?: string;
  kind?: string;
  name?: string;
  labels?: Record<string, string>;
  /** Present (true) only for hostNetwork workloads, which NetworkPolicy does not govern. */
  hostNetwork?: true;
  /** Workloads: whether some policy isolates it for ingress. */
  ingressIsolated?: boolean;
  egressIsolated?: boolean;
  /** External endpoints: the addresses as CIDRs. */
  cidrs?: string[];
  /** Workloads: where they were declared. */
  origin?: Origin;
}

export interface Connection {
  from: string;
  to: string;
  ports: PortSet;
}

export interface Origin {
  path: string;
  /** Zero-based index of the YAML document in the file. */
  document: number;
  /** One-based line of the document's first line. */
  line: number;
  /** Index in a `List`'s `items`, when the object came from one. */
  item?: number;
}

export interface Diff {
  /** Most significant first. */
  changes: Change[];
  /** Workload ids present only in head. */
  addedEndpoints: string[];
  /** Workload ids present only in base. */
  removedEndpoints: string[];
}

export interface Change {
  from: string;
  to: string;
  before: PortSet;
  after: PortSet;
  /** Newly allowed ports (exposure). */
  added: PortSet;
  /** Newly denied ports (breakage). */
  removed: PortSet;
  kind: "exposure" | "breakage" | "mixed";
  scope: "external" | "crossNamespace" | "sameNamespace";
  /** Set when the pair changed because an endpoint is new or gone. */
  endpointChange?: "added" | "removed";
}

export type Severity = "info" | "warning" | "error";

export interface Diagnostic {
  /** Stable machine-readable code, e.g. `yaml-syntax`, `invalid-cidr`. */
  code: string;
  severity: Severity;
  message: string;
  location: Location;
}

export interface SidedDiagnostic extends Diagnostic {
  side: "base" | "head";
}

export interface LintFinding extends Diagnostic {
  /** False when base had the same finding. */
  new: boolean;
}

/** A place in the input: file, document, line, and the object and field where known. */
export interface Location {
  path: string;
  document: number;
  /** One-based: of the field when it could be found, else of the document. */
  line: number;
  object?: ObjectRef;
  /** Field path in kubectl notation, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  field?: string;
}

export interface ObjectRef {
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

export interface Skipped {
  side: "base" | "head";
  /** `apiVersion/kind`, e.g. `v1/ConfigMap`. */
  kind: string;
  count: number;
  examples: Location[];
}

// ---------------------------------------------------------------------------------------
// Results: explain
// ---------------------------------------------------------------------------------------

export interface Explanation {
  /** The resolved endpoint ids. */
  from: string;
  to: string;
  protocol: Protocol;
  port?: number;
  allowed: boolean;
  /** Everything allowed between the two ends (both sides combined). */
  allowedPorts: PortSet;
  /** Egress at the source. */
  egress: SideExplanation;
  /** Ingress at the destination. */
  ingress: SideExplanation;
  summary: string;
}

export interface SideExplanation {
  /** False when this end is outside the cluster (no policy applies there). */
  applies: boolean;
  isolated: boolean;
  hostNetwork: boolean;
  /** `namespace/name` of the policies selecting the endpoint in this direction. */
  policies: string[];
  allowedPorts: PortSet;
  allowed: boolean;
  decisions: Decision[];
  /** One sentence for humans. */
  reason: string;
}

export interface Decision {
  kind:
    | "networkPolicyRule"
    | "adminRule"
    | "baselineRule"
    | "notIsolated"
    | "hostNetwork"
    | "defaultAllow";
  /** `namespace/name` of the NetworkPolicy, or the admin policy's name. */
  policy?: string;
  ruleIndex?: number;
  /** Which `from`/`to` entry matched; absent when the rule has no peers (matches all). */
  peerIndex?: number;
  /** Which `ports` entry matched the queried port; absent when the rule has no ports. */
  portIndex?: number;
  action?: "Allow" | "Deny" | "Pass";
  /** Ports this decision covers. */
  ports: PortSet;
  /** Whether it covers the queried port (always true without a port). */
  matchesQuery: boolean;
  location?: Location;
}

// ---------------------------------------------------------------------------------------
// Results: the check (expectations and the lock; JSON `schemaVersion` 1)
// ---------------------------------------------------------------------------------------

export interface CheckResult {
  schemaVersion: 1;
  /** Every expectation holds, the reachability matches the lock, and no manifest object was invalid. */
  passed: boolean;
  summary: CheckSummary;
  /** `null` when the request had no expectations file. */
  expectations: ExpectationResults | null;
  /** `null` when the request had no lock file. */
  lock: LockDrift | null;
  /** Problems found while reading the manifests (errors mean an object was skipped). */
  diagnostics: Diagnostic[];
}

export interface CheckSummary {
  expectations: number;
  expectationsPassed: number;
  expectationsFailed: number;
  /** Connections whose ports differ from the lock. */
  lockChanges: number;
  lockExposures: number;
  lockBreakages: number;
  /** Workloads present now but not in the lock, and the reverse. */
  lockAddedEndpoints: number;
  lockRemovedEndpoints: number;
  inputErrors: number;
}

export interface ExpectationResults {
  /** The expectations file's path. */
  path: string;
  total: number;
  passed: number;
  failed: number;
  /** In file order. */
  results: ExpectationResult[];
}

export type AssertionKind =
  | "allow"
  | "deny"
  | "isolation"
  | "selectedByIngressPolicy"
  | "selectedByEgressPolicy"
  | "noEgressToExternal";

export interface ExpectationResult {
  name: string;
  description?: string;
  kind: AssertionKind;
  /** The expectation in the expectations file. */
  location: Location;
  passed: boolean;
  /** One sentence: what holds, or what fails and how often. */
  summary: string;
  /** Pairs (or workloads, for `selected-by-*`) checked. */
  checked: number;
  violationCount: number;
  /** The first 20 violations, in endpoint order. */
  violations: Violation[];
  /** Subjects that match nothing (the expectation fails). */
  unmatched: Unmatched[];
  /** Worth knowing, but not failing the expectation. */
  warnings: string[];
}

export interface Unmatched {
  /** `from`, `to`, `isolation`, `selected-by-ingress-policy`, … */
  role: string;
  subject: string;
}

/** One pair (or workload) that breaks an expectation. */
export interface Violation {
  from?: string;
  to?: string;
  /** The workload, for `selected-by-*` expectations. */
  endpoint?: string;
  /** Everything allowed from `from` to `to`. */
  allowed?: PortSet;
  /** `allow`: required ports that are not allowed. */
  missing?: PortSet;
  /** `deny`, isolation, external egress: allowed ports that must not be. */
  unexpected?: PortSet;
  message: string;
  /** Which policy and rule decided it (first 3 violations only). */
  explanation?: Explanation;
}

/** The current reachability against the lock: lock = before, current = after. */
export interface LockDrift {
  clean: boolean;
  exposures: number;
  breakages: number;
  diff: Diff;
}
