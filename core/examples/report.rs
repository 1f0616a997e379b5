//! Prints the report for a base and head directory: `cargo run --example report -- BASE HEAD [format]`.
//! A development aid; the real front-end is the npm CLI.

use std::path::Path;

use netreach_core::report::format::{render, ReportFormat};
use netreach_core::{api, Options, SourceFile};

fn read_dir(dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("readable directory").flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            read_dir(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
            let text = std::fs::read_to_string(&path).expect("UTF-8 file");
            out.push(SourceFile::new(path.display().to_string(), text));
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut base = Vec::new();
    let mut head = Vec::new();
    read_dir(Path::new(&args[0]), &mut base);
    read_dir(Path::new(&args[1]), &mut head);
    let format: ReportFormat = args
        .get(2)
        .map_or("text", String::as_str)
        .parse()
        .expect("known format");
    let report = api::report(Some(&base), &head, &Options::default());
    print!("{}", render(&report, format));
}
