// The `--help` texts. Kept next to each other so the commands read alike.

const EXIT_CODES = `Exit codes:
  0  ran, and no --fail-on gate tripped
  1  a --fail-on gate tripped (explain: the verdict differs from --expect)
  2  could not run: bad usage or unknown flag, a missing path, an unknown revision,
     a render failure (kubectl/kustomize/helm missing or failing), an unknown endpoint,
     an unusable expectations or lock file (printed as file:line: problem)`;

const INPUT = `Input:
  PATH may be a file, a directory or - (standard input). Directories are read
  recursively (.yaml, .yml, .json; hidden entries and node_modules skipped; in byte
  order of the paths, which are reported relative to the current directory).
  Files must be UTF-8; a file that is not is reported and skipped.

  --render MODE         auto (default): a directory with kustomization.yaml is built
                        with \`kubectl kustomize\` (or \`kustomize build\`), one with
                        Chart.yaml with \`helm template\`; none: read YAML as is;
                        kustomize | helm: require that renderer
  --values FILE         Helm values file (repeatable)
  --set KEY=VALUE       Helm value (repeatable)
  --release NAME        Helm release name (default: netreach)
  --helm-namespace NS   Helm release namespace (also the default --namespace)
  --kubectl PATH        kubectl (or kustomize) binary; env NETREACH_KUBECTL
  --helm PATH           helm binary; env NETREACH_HELM
  Renderers never run plugins: no Kustomize exec/KRM/alpha plugins, no Helm
  plugins or post-renderers; they get a minimal environment and no kubeconfig.`;

const MODEL = `Model:
  --namespace NS        namespace of objects without one (default: default)
  --cluster-cidr CIDR   a pod or service CIDR of the cluster (repeatable)`;

const OUTPUT = `Output:
  --format, -f FORMAT   see above
  --output, -o FILE     write the report to FILE and print a one-line summary;
                        without --format, FILE's extension (.md, .json, .sarif,
                        .csv, .dot, .txt) chooses the format
  --title TEXT          Markdown heading
  --max-chars N         Markdown size limit (default 65,000; longer reports are
                        cut, with a note)
  --no-color            no colour (also: NO_COLOR set, or stdout not a terminal)
  --verbose, -v         progress and the commands run, on stderr (shown on a
                        terminal anyway)
  --help, -h            this help`;

const GATES = `  --fail-on LIST        exit 1 when any of these occur (comma-separated,
                        repeatable): exposure, breakage (diff only), lint-error,
                        lint-warning (new findings only, when there is a base),
                        input-error (unreadable file, invalid object); none`;

export const HELP = {
  main: `netreach — Kubernetes NetworkPolicy reachability: who can reach whom, and what a
change does to it.

Usage:
  netreach analyze PATH...                 allowed connections
  netreach diff BASE HEAD                  what a change allows and blocks
  netreach diff --git BASE_REV [HEAD_REV]  the same, between git revisions
  netreach explain PATH... --from A --to B [--port N]
                                           why a connection is allowed or blocked
  netreach lint PATH...                    suspicious policies and input problems
  netreach check PATH... [--expect FILE] [--lock FILE]
                                           hold the manifests to netreach.yaml
                                           (expectations) and netreach.lock.json
  netreach snapshot PATH... [-o FILE]      write the lock: the approved reachability

  netreach COMMAND --help                  options of a command
  netreach --version

${EXIT_CODES}

Colour only on a terminal, never with NO_COLOR set or --no-color.
Docs: https://github.com/netreach/netreach`,

  analyze: `Usage: netreach analyze [options] PATH...

Which connections the NetworkPolicies in PATH allow: one line per allowed
(source, destination) pair with its ports.

Formats (--format):
  text      \`from => to : ports\`, one line per connection (default)
  json      the analysis contract {"endpoints": [...], "connections": [...]}
  markdown  the report: counts, who can reach what, lint findings
  csv       one row per connection
  dot       Graphviz graph

${MODEL}

${INPUT}

${OUTPUT}
${GATES}

${EXIT_CODES}

Example:
  netreach analyze deploy/
  netreach analyze --format json deploy/ | jq '.connections | length'`,

  diff: `Usage: netreach diff [options] BASE HEAD
       netreach diff --git [options] BASE_REV [HEAD_REV] [--path P]...

What changes between two versions of the manifests: newly allowed connections
(exposures), newly blocked ones (breakages), workloads added and removed, new
lint findings.

BASE and HEAD are files or directories. With --git they are revisions of the
repository in the current directory, read without touching the working tree;
HEAD_REV may be WORKTREE (the default): the working tree as git would commit it.
  --git                 compare revisions
  --path P              with --git: only this file or directory (repeatable;
                        default: the current directory). Kustomize and Helm
                        directories are rendered at each revision.

Formats (--format):
  text (default), markdown (the PR comment), json (the full report,
  schemaVersion 1), sarif, csv, dot

${MODEL}

${INPUT}

${OUTPUT}
${GATES}

${EXIT_CODES}

Examples:
  netreach diff examples/shop/base examples/shop/head
  netreach diff --git origin/main HEAD --path deploy/ --fail-on exposure
  netreach diff --git main --format markdown -o comment.md`,

  explain: `Usage: netreach explain [options] PATH... --from A --to B [--port N]

Whether A can reach B, and on each side (egress at A, ingress at B) the policy
and rule that decided it, with file:line.

  --from A, --to B      an endpoint: namespace/Kind/name, namespace/name, a
                        unique workload name, or an IP address (outside world)
  --port N              the destination port (default: any port)
  --protocol P          TCP (default), UDP or SCTP
  --expect V            allowed | denied: exit 1 when the verdict differs

Formats (--format): text (default), json

${MODEL}

${INPUT}

Output:
  --format, -f FORMAT   text or json
  --output, -o FILE     write the explanation to FILE and print the verdict
  --no-color, --verbose, --help  as for the other commands

${EXIT_CODES}

Example:
  netreach explain deploy/ --from shop-web/storefront --to shop-data/postgres --port 5432`,

  lint: `Usage: netreach lint [options] PATH...

Suspicious NetworkPolicies (selectors matching nothing, named ports without a
match, ipBlocks covering cluster CIDRs, …) and input problems (invalid objects,
unparsable files).

Formats (--format):
  text      one finding a line: path:line: object: severity: message [code] (default)
  json      {schemaVersion, tool, summary, diagnostics, lint, skipped}
  sarif     SARIF 2.1.0 for code scanning
  markdown  the report

${MODEL}

${INPUT}

${OUTPUT}
${GATES}
                        (default for lint: lint-error,input-error)

${EXIT_CODES}`,

  check: `Usage: netreach check [options] PATH... [--expect FILE] [--lock FILE]

Holds the manifests in PATH to the expectations file (named assertions such as
"the storefront reaches the cart on TCP 50051") and/or the lock file (the
complete approved reachability, written by \`netreach snapshot\`). Broken
expectations come first, with the offending pairs and the policy and rule that
decided them (file:line); then the lock drift, like a diff.

  --expect FILE         the expectations file (default: netreach.yaml in the
                        current directory, if present); format:
                        docs/expectations.md
  --lock FILE           the lock file (default: netreach.lock.json in the
                        current directory, if present)
  At least one of the two must be given or found.

Formats (--format):
  text (default), markdown (for a PR comment), json (the CheckResult,
  schemaVersion 1)

${MODEL}

${INPUT}

Output:
  --format, -f FORMAT   text, markdown or json
  --output, -o FILE     write the result to FILE and print a one-line verdict
  --no-color, --verbose, --help  as for the other commands

Exit codes:
  0  every expectation holds and the reachability matches the lock
  1  an expectation failed, the reachability drifted from the lock, or a
     manifest object was invalid
  2  could not run: bad usage, a missing or unreadable file, an unusable
     expectations or lock file (file:line: problem), a render failure

Examples:
  netreach check deploy/
  netreach check deploy/ --expect netreach.yaml --lock netreach.lock.json -f markdown`,

  snapshot: `Usage: netreach snapshot [options] PATH... [--output netreach.lock.json]

Writes the lock file: the complete reachability of the manifests in PATH, to
the port, sorted and one line per endpoint and connection, so that it diffs
well in review. Commit it next to the manifests; \`netreach check\` then fails
on any change to who can reach whom until the lock is regenerated.

${MODEL}

${INPUT}

Output:
  --output, -o FILE     write the lock to FILE (default: standard output)
  --no-color, --verbose, --help  as for the other commands

Exit codes:
  0  the lock was written
  2  could not run: bad usage, a missing or unreadable file, a render failure

Example:
  netreach snapshot deploy/ -o netreach.lock.json`,
};
