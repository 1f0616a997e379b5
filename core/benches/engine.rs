//! Criterion benchmarks at the sizes the product promises: 2,000 workloads / 1,000 policies and
//! 10,000 workloads / 2,000 policies, head with 50 changed policies.
//!
//! Groups, per size: `serde_yaml_bare_both_sides` (the YAML parse of base and head alone, the
//! floor), `parse` (our parser on one side: sniffing, typed decoding, validation, model),
//! `parse_both_sides` (both sides, a document the head has unchanged read once), `analyze`
//! (engine on a parsed model), `engine_and_diff` (both sides analysed with shared cuts, then
//! diffed — the 50 ms target), `engine_and_diff_one_thread` (the same without running the
//! sides concurrently, as in WebAssembly), and `report_end_to_end` (text in, full report with
//! lint out — the 1.2× bare-parse target). Natively, documents are read on every core and the
//! two sides are analysed and linted on two threads (see `netreach_core::parallel`); the bare
//! parse is measured on one.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use netreach_core::generate::{generate, GeneratorConfig};
use netreach_core::{analysis, api, diff, engine, parse, Options, SourceFile};

const SIZES: [(usize, usize); 2] = [(2_000, 1_000), (10_000, 2_000)];

fn bare_parse(files: &[SourceFile]) -> usize {
    let mut documents = 0;
    for file in files {
        for document in serde_yaml::Deserializer::from_str(&file.text) {
            let _: serde::de::IgnoredAny = serde::Deserialize::deserialize(document).expect("valid YAML");
            documents += 1;
        }
    }
    documents
}

fn benches(c: &mut Criterion) {
    let options = Options::default();
    for (workloads, policies) in SIZES {
        let cluster = generate(&GeneratorConfig {
            seed: 42,
            workloads,
            policies,
            changed_policies: 50,
        });
        let label = format!("{workloads}w_{policies}p");
        let mut group = c.benchmark_group("netreach");
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("serde_yaml_bare_both_sides", &label), |b| {
            b.iter(|| bare_parse(&cluster.base) + bare_parse(&cluster.head));
        });
        group.bench_function(BenchmarkId::new("parse", &label), |b| {
            b.iter(|| parse::parse(&cluster.head, &options));
        });
        group.bench_function(BenchmarkId::new("parse_both_sides", &label), |b| {
            b.iter(|| parse::parse_pair(&cluster.base, &cluster.head, &options));
        });
        let base = parse::parse(&cluster.base, &options);
        let head = parse::parse(&cluster.head, &options);
        group.bench_function(BenchmarkId::new("analyze", &label), |b| {
            b.iter(|| analysis::analyze(&head, &[]));
        });
        group.bench_function(BenchmarkId::new("engine_and_diff", &label), |b| {
            b.iter(|| {
                let (b0, h) = analysis::analyze_pair(&base, &head);
                diff::diff(&b0, &h)
            });
        });
        // The same work on one thread, as in WebAssembly.
        group.bench_function(BenchmarkId::new("engine_and_diff_one_thread", &label), |b| {
            b.iter(|| {
                let h = analysis::analyze(&head, &engine::address_sets(&base));
                let b0 = analysis::analyze(&base, &engine::address_sets(&head));
                diff::diff(&b0, &h)
            });
        });
        group.bench_function(BenchmarkId::new("report_end_to_end", &label), |b| {
            b.iter(|| api::report(Some(&cluster.base), &cluster.head, &options));
        });
        group.finish();
    }
}

criterion_group!(engine_benches, benches);
criterion_main!(engine_benches);
