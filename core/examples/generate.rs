//! Writes a generated cluster (base and head) to disk, for timing the CLI and the wasm build:
//! `cargo run --release --example generate -- WORKLOADS POLICIES CHANGED OUTDIR`
//! produces `OUTDIR/base/*.yaml` and `OUTDIR/head/*.yaml`.

use std::path::Path;

use netreach_core::generate::{generate, GeneratorConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| -> usize { args[i].parse().expect("a number") };
    let cluster = generate(&GeneratorConfig {
        seed: 42,
        workloads: number(0),
        policies: number(1),
        changed_policies: number(2),
    });
    let out = Path::new(&args[3]);
    for (side, files) in [("base", &cluster.base), ("head", &cluster.head)] {
        let dir = out.join(side);
        std::fs::create_dir_all(&dir).expect("output directory");
        for file in files {
            std::fs::write(dir.join(&file.path), &file.text).expect("writable file");
        }
    }
}
