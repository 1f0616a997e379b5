//! `parse_pair` reads unchanged head documents once; its models must equal two separate
//! `parse` calls in every detail (objects, origins, diagnostics, skipped kinds). A document
//! repeated within one side is read once too, so those cases also check positions directly.

use netreach_core::generate::{generate, GeneratorConfig};
use netreach_core::model::Model;
use netreach_core::{parse, Options, SourceFile};

fn assert_same_as_separate_parses(base: &[SourceFile], head: &[SourceFile]) -> (Model, Model) {
    let options = Options::default();
    let (paired_base, paired_head) = parse::parse_pair(base, head, &options);
    let (alone_base, alone_head) = (parse::parse(base, &options), parse::parse(head, &options));
    assert_eq!(format!("{paired_base:#?}"), format!("{alone_base:#?}"), "base");
    assert_eq!(format!("{paired_head:#?}"), format!("{alone_head:#?}"), "head");
    (paired_head, alone_head)
}

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile::new(path, text)
}

fn config_maps(namespace: &str, count: usize) -> String {
    (0..count)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}, namespace: {namespace}}}\n"))
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn generated_cluster_with_changed_policies() {
    let cluster = generate(&GeneratorConfig {
        seed: 9,
        workloads: 400,
        policies: 120,
        changed_policies: 15,
    });
    let (head, _) = assert_same_as_separate_parses(&cluster.base, &cluster.head);
    assert_eq!(
        head.policies.len(),
        parse::parse(&cluster.head, &Options::default()).policies.len()
    );
}

#[test]
fn a_duplicate_introduced_elsewhere_is_found_in_an_unchanged_document() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: c, image: i}]}\n";
    let base = [file("a.yaml", "# nothing yet\n"), file("b.yaml", pod)];
    // The head defines the same Pod in an earlier file: the unchanged b.yaml now holds the duplicate.
    let head = [file("a.yaml", pod), file("b.yaml", pod)];
    let (head_model, _) = assert_same_as_separate_parses(&base, &head);
    assert_eq!(head_model.diagnostics.len(), 1);
    assert_eq!(head_model.diagnostics[0].code, "duplicate-object");
    assert_eq!(head_model.diagnostics[0].location.path, "b.yaml");
}

#[test]
fn skipped_examples_are_chosen_against_the_heads_own_counts() {
    // In the base, a.yaml's six ConfigMaps fill the examples, so b.yaml's are counted
    // without one; in the head a.yaml has one, and b.yaml's (unchanged) must supply examples.
    let base = [
        file("a.yaml", &config_maps("one", 6)),
        file("b.yaml", &config_maps("two", 3)),
    ];
    let head = [
        file("a.yaml", &config_maps("one", 1)),
        file("b.yaml", &config_maps("two", 3)),
    ];
    let (head_model, _) = assert_same_as_separate_parses(&base, &head);
    let skipped = &head_model.skipped["v1/ConfigMap"];
    assert_eq!((skipped.count, skipped.examples.len()), (4, 4));
}

#[test]
fn unreadable_documents_and_shifted_lines() {
    let good = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
    let broken = "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n";
    let base = [file("all.yaml", &format!("{good}---\n{broken}---\n{good}"))];
    // One line added at the top: every document moved, none may be replayed with old lines.
    let head = [file("all.yaml", &format!("# moved\n{good}---\n{broken}---\n{good}"))];
    let (head_model, _) = assert_same_as_separate_parses(&base, &head);
    let at = |code: &str| {
        let d = head_model.diagnostics.iter().find(|d| d.code == code).expect(code);
        (d.location.document, d.location.line)
    };
    // Lines: comment 1, namespace 2-4, `---` 5, broken Pod 6-8, `---` 9, namespace again 10-12.
    assert_eq!(at("yaml-syntax").0, 1);
    assert_eq!(at("duplicate-object"), (2, 10));
    assert_eq!(head_model.namespaces["shop"].origin.as_ref().map(|o| o.line), Some(2));
}
