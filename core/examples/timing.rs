//! Development aid: each stage on a generated cluster, best of `REPEAT` runs (default 5).
//! `cargo run --release --example timing -- WORKLOADS POLICIES CHANGED`
//!
//! Quicker to read than the criterion benches while working on one stage; the numbers in
//! closing notes come from `cargo bench`.

use std::time::{Duration, Instant};

use netreach_core::generate::{generate, GeneratorConfig};
use netreach_core::{analysis, api, diff, engine, lint, parse, Options, SourceFile};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn bare_parse(files: &[SourceFile]) {
    for file in files {
        for document in serde_yaml::Deserializer::from_str(&file.text) {
            let _: serde::de::IgnoredAny = serde::Deserialize::deserialize(document).expect("valid YAML");
        }
    }
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("number")).collect();
    let runs = std::env::var("REPEAT").map_or(5, |r| r.parse().expect("REPEAT is a number"));
    let config = GeneratorConfig {
        seed: 42,
        workloads: args[0],
        policies: args[1],
        changed_policies: args[2],
    };
    let cluster = generate(&config);
    let bytes: usize = cluster.base.iter().map(|f| f.text.len()).sum();
    println!("base YAML: {} KB, best of {runs} runs", bytes / 1000);
    let options = Options::default();
    let bare = best(runs, || {
        bare_parse(&cluster.base);
        bare_parse(&cluster.head);
    });
    println!("bare serde_yaml parse, both sides: {bare:?}");
    println!(
        "parse one side: {:?}",
        best(runs, || parse::parse(&cluster.head, &options))
    );
    println!(
        "parse both sides: {:?}",
        best(runs, || parse::parse_pair(&cluster.base, &cluster.head, &options))
    );
    let base = parse::parse(&cluster.base, &options);
    let head = parse::parse(&cluster.head, &options);
    let cuts = engine::address_sets(&base);
    println!("analyze one side: {:?}", best(runs, || analysis::analyze(&head, &cuts)));
    let one_thread = best(runs, || {
        let b = analysis::analyze(&base, &engine::address_sets(&head));
        let h = analysis::analyze(&head, &engine::address_sets(&base));
        diff::diff(&b, &h)
    });
    println!("engine+diff, one thread: {one_thread:?}");
    let paired = best(runs, || {
        let (b, h) = analysis::analyze_pair(&base, &head);
        diff::diff(&b, &h)
    });
    println!("engine+diff: {paired:?}");
    let analysis = analysis::analyze(&head, &[]);
    println!(
        "lint one side: {:?}",
        best(runs, || lint::lint(&head, &analysis, &cluster.head, &options))
    );
    let e2e = best(runs, || api::report(Some(&cluster.base), &cluster.head, &options));
    println!(
        "report end to end: {e2e:?} ({:.2}x bare parse)",
        e2e.as_secs_f64() / bare.as_secs_f64()
    );
}
