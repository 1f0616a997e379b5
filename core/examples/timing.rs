//! Development aid: one timed run of each stage on a generated cluster.
//! `cargo run --release --example timing -- WORKLOADS POLICIES CHANGED`

use std::time::Instant;

use netreach_core::generate::{generate, GeneratorConfig};
use netreach_core::{analysis, diff, engine, parse, Options};

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("number")).collect();
    let config = GeneratorConfig {
        seed: 7,
        workloads: args[0],
        policies: args[1],
        changed_policies: args[2],
    };
    let cluster = generate(&config);
    let bytes: usize = cluster.base.iter().map(|f| f.text.len()).sum();
    println!("base YAML: {} KB", bytes / 1000);
    let t = Instant::now();
    for f in &cluster.base {
        for doc in serde_yaml::Deserializer::from_str(&f.text) {
            let _: serde_yaml::Value = serde::Deserialize::deserialize(doc).unwrap();
        }
    }
    println!("bare serde_yaml parse: {:?}", t.elapsed());
    let opts = Options::default();
    let t = Instant::now();
    let base = parse::parse(&cluster.base, &opts);
    let head = parse::parse(&cluster.head, &opts);
    println!(
        "parse both: {:?} ({} workloads, {} policies, {} diags)",
        t.elapsed(),
        head.workloads.len(),
        head.policies.len(),
        head.diagnostics.len()
    );
    for _ in 0..std::env::var("REPEAT").map_or(0, |r| r.parse().unwrap_or(0)) {
        let a = analysis::analyze(&head, &engine::address_sets(&base));
        let b = analysis::analyze(&base, &engine::address_sets(&head));
        std::hint::black_box(diff::diff(&b, &a));
    }
    let t = Instant::now();
    let a_head = analysis::analyze(&head, &engine::address_sets(&base));
    let t1 = t.elapsed();
    let a_base = analysis::analyze(&base, &engine::address_sets(&head));
    let t2 = t.elapsed();
    let d = diff::diff(&a_base, &a_head);
    let t3 = t.elapsed();
    println!(
        "analyze head {:?}, +base {:?}, +diff {:?}; classes {} connections {} atoms {} changes {}",
        t1,
        t2,
        t3,
        a_head.reach.classes.len(),
        a_head.connections.len(),
        a_head.reach.atoms.len(),
        d.changes.len()
    );
}
