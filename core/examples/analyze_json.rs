//! Prints the analysis JSON of a directory, exactly as `netreach analyze --render none --format
//! json DIR` does: `cargo run -q -p netreach-core --example analyze_json -- DIR...`.
//!
//! It exists so the CLI test suite can check, byte for byte, that the npm CLI (core compiled to
//! WebAssembly, files read by Node) and the native core agree. It therefore reads directories the
//! way the CLI does:
//! - recursively, following symbolic links (each real directory once);
//! - only `.yaml`, `.yml` and `.json` files; a file named on the command line is always read;
//! - skipping hidden entries (names starting with `.`) and `node_modules` directories;
//! - a file's path is its path relative to the current directory, with `/` separators;
//! - the files of one argument are read in the byte order of those path strings;
//! - a leading UTF-8 byte order mark is dropped; a file that is not UTF-8 is skipped with a
//!   message on stderr.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use netreach_core::report::json::render_analysis;
use netreach_core::{api, Options, SourceFile};

/// `path` made absolute and normalised lexically (`.` and `..` removed), like Node's
/// `path.resolve`.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().expect("current directory").join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `target` relative to `base` (both absolute and normalised), like Node's `path.relative`,
/// with `/` separators.
fn relative(base: &Path, target: &Path) -> String {
    let base: Vec<_> = base.components().collect();
    let target: Vec<_> = target.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = Vec::new();
    parts.extend(std::iter::repeat_n("..".to_string(), base.len() - common));
    parts.extend(
        target[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn is_manifest(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
}

fn walk(dir: &Path, seen: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) {
    let Ok(real) = std::fs::canonicalize(dir) else {
        return;
    };
    if !seen.insert(real) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("{}: cannot read directory", dir.display());
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            if name != "node_modules" {
                walk(&path, seen, out);
            }
        } else if path.is_file() && is_manifest(&path) {
            out.push(path);
        }
    }
}

fn main() {
    let cwd = absolute(Path::new("."));
    let mut files = Vec::new();
    let mut read = HashSet::new();
    for arg in std::env::args().skip(1) {
        let arg = absolute(Path::new(&arg));
        let mut paths = Vec::new();
        if arg.is_dir() {
            walk(&arg, &mut HashSet::new(), &mut paths);
        } else {
            paths.push(arg);
        }
        let mut named: Vec<(String, PathBuf)> = paths
            .into_iter()
            .map(|p| {
                let p = absolute(&p);
                (relative(&cwd, &p), p)
            })
            .collect();
        named.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        for (name, path) in named {
            if !read.insert(path.clone()) {
                continue;
            }
            let bytes = std::fs::read(&path).expect("readable file");
            match String::from_utf8(bytes) {
                Ok(text) => {
                    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
                    files.push(SourceFile::new(name, text));
                }
                Err(_) => eprintln!("{name}: not valid UTF-8; skipped"),
            }
        }
    }
    let report = api::report(None, &files, &Options::default());
    println!("{}", render_analysis(&report, false));
}
