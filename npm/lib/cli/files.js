// Reading manifests from disk: which files a directory contributes, in which order, under which
// name, and how their bytes become text.
//
// The rules (core/examples/analyze_json.rs follows the same ones, and the CLI tests check the
// two agree byte for byte):
// - a directory is read recursively, following symbolic links (each real directory once);
// - only `.yaml`, `.yml` and `.json` files are read from a directory; a file named on the
//   command line is always read;
// - hidden entries (names starting with `.`) and `node_modules` directories are skipped;
// - a file is named by its path relative to the current directory, with `/` separators;
// - the files of one argument are read in the byte order of those names;
// - text must be UTF-8 (a leading byte order mark is dropped); a file that is not is reported
//   and skipped.

import fs from "node:fs";
import path from "node:path";

export const MANIFEST_EXTENSIONS = Object.freeze([".yaml", ".yml", ".json"]);

/** Whether a file found in a directory is read as a manifest. */
export function isManifestName(name) {
  return MANIFEST_EXTENSIONS.includes(path.extname(name));
}

/** Whether a directory walk skips this entry. */
export function isSkippedName(name, isDirectory) {
  return name.startsWith(".") || (isDirectory && name === "node_modules");
}

/** `abs` as the user reads it: relative to `cwd`, with `/` separators. */
export function displayPath(cwd, abs) {
  const rel = path.relative(cwd, abs);
  return (rel === "" ? "." : rel).split(path.sep).join("/");
}

/** Compares strings by their UTF-8 bytes (what Rust's `str` ordering does). */
export function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Bytes → text. Returns `{text}`, or `{problem}` (a sentence) when the bytes are not UTF-8.
 * A leading byte order mark is dropped.
 */
export function decodeUtf8(bytes) {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const nul = bytes.indexOf(0) !== -1;
    return {
      problem: `not valid UTF-8${nul ? " (a binary file?)" : ""}; skipped`,
    };
  }
}

/**
 * Every manifest file under `dir` (absolute), unsorted. Unreadable subdirectories are
 * reported through `onProblem(absPath, message)`.
 */
export function walkManifests(dir, onProblem, seen = new Set()) {
  let real;
  try {
    real = fs.realpathSync(dir);
  } catch (error) {
    onProblem(dir, `cannot read: ${error.code ?? error.message}`);
    return [];
  }
  if (seen.has(real)) return [];
  seen.add(real);
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    onProblem(dir, `cannot read directory: ${error.code ?? error.message}`);
    return [];
  }
  const out = [];
  for (const entry of entries) {
    const abs = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const st = fs.statSync(abs);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue; // a dangling link: nothing to read
      }
    }
    if (isSkippedName(entry.name, isDir)) continue;
    if (isDir) out.push(...walkManifests(abs, onProblem, seen));
    else if (isFile && isManifestName(entry.name)) out.push(abs);
  }
  return out;
}

/**
 * Reads `absPaths` (files) as SourceFiles named relative to `cwd`, in byte order of those
 * names, skipping any in `alreadyRead` (absolute paths, updated).
 * @returns {{files: {path: string, text: string}[], problems: {path: string, message: string}[]}}
 */
export function readFiles(absPaths, cwd, alreadyRead) {
  const named = absPaths
    .map((abs) => ({ abs, name: displayPath(cwd, abs) }))
    .sort((a, b) => byteOrder(a.name, b.name));
  const files = [];
  const problems = [];
  for (const { abs, name } of named) {
    if (alreadyRead.has(abs)) continue;
    alreadyRead.add(abs);
    let bytes;
    try {
      bytes = fs.readFileSync(abs);
    } catch (error) {
      problems.push({
        path: name,
        message: `cannot read: ${error.code ?? error.message}`,
      });
      continue;
    }
    const decoded = decodeUtf8(bytes);
    if (decoded.problem)
      problems.push({ path: name, message: decoded.problem });
    else files.push({ path: name, text: decoded.text });
  }
  return { files, problems };
}
