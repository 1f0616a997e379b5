// YAML manifests → plain objects, read by the real kubectl without a cluster, so tests compare
// what netreach (or a renderer) produced with what Kubernetes' own client parses.
//
// `kubectl annotate --local` removing an annotation that is not there changes nothing but
// creating an empty `metadata.annotations`, which is dropped again; `-o json` prints one
// pretty-printed JSON document per object.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

/** Splits kubectl's stream of pretty-printed JSON documents. */
export function parseJsonStream(text) {
  const out = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}") {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  assert.equal(depth, 0, "unbalanced JSON from kubectl");
  return out;
}

/**
 * A multi-document YAML stream → its objects in stream order.
 * @param {string} kubectl path of the kubectl binary
 * @param {string} yamlText the manifests
 * @param {NodeJS.ProcessEnv} env the environment kubectl runs in
 */
export function yamlToObjects(kubectl, yamlText, env) {
  const args = [
    "annotate",
    "--local",
    "-f",
    "-",
    "netreach.invalid/unused-",
    "-o",
    "json",
  ];
  let json;
  try {
    json = execFileSync(kubectl, args, {
      env,
      input: yamlText,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (err) {
    throw new Error(
      `${path.basename(kubectl)} ${args.join(" ")} failed:\n${err.stderr || err.message}`,
      { cause: err },
    );
  }
  const objects = parseJsonStream(json);
  for (const o of objects) {
    if (
      o.metadata?.annotations &&
      Object.keys(o.metadata.annotations).length === 0
    ) {
      delete o.metadata.annotations;
    }
  }
  return objects;
}
