//! The expectations file is read strictly: every mistake is an error naming file, line and
//! field, so the CLI, the Action and the playground can point at it.

mod expect_support;

use expect_support::parse_error;
use netreach_core::expect::{self, Assertion, ExpectErrorKind, PortSpec, SubjectItem, Verdict};
use netreach_core::ports::{PortSet, Protocol};
use netreach_core::SourceFile;

/// Asserts `yaml` fails at `line` with a message containing `needle`.
#[track_caller]
fn fails_at(yaml: &str, line: usize, needle: &str) {
    let error = parse_error(yaml);
    assert_eq!(error.path, "netreach.yaml");
    assert!(error.message.contains(needle), "{needle:?} not in {:?}", error.message);
    assert_eq!(error.line, line, "{error}");
}

fn item(body: &str) -> String {
    let indented: String = body.lines().map(|l| ["    ", l, "\n"].concat()).collect();
    format!("version: 1\nexpectations:\n  - name: it\n{indented}")
}

#[test]
fn a_valid_file_with_every_form() {
    let yaml = "\
# yaml-language-server: $schema=../../schema/netreach.schema.json
version: 1
expectations:
  - name: reach
    description: the web tier calls the API
    from: shop/Deployment/web
    to: {namespace: shop, labels: {app: api}}
    allow: TCP 80,443; UDP 53
  - name: deny
    from: [external, {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]
    to: shop/db
    deny: any
  - name: isolation
    isolation:
      namespace: data
      ingress-only-from: [{namespace: shop}, {namespace: monitoring, labels: {app: prometheus}, ports: TCP 9187}]
      egress-only-to: []
  - name: selected
    selected-by-ingress-policy: {namespace: data}
  - name: selected egress
    selected-by-egress-policy: any
  - name: no external
    no-egress-to-external: {namespace: shop, except: [\"203.0.113.0/24\", {cidr: \"2001:db8::/32\", ports: [\"TCP 443\"]}]}
";
    let parsed = expect::parse(&SourceFile::new("netreach.yaml", yaml)).unwrap();
    let e = &parsed.expectations;
    assert_eq!(e.len(), 6);
    assert_eq!(e[0].line, 4);
    assert_eq!(e[0].description.as_deref(), Some("the web tier calls the API"));
    let Assertion::Reach { from, to, verdict } = &e[0].assertion else {
        panic!()
    };
    assert_eq!(from.to_string(), "shop/Deployment/web");
    assert_eq!(to.to_string(), "{namespace: shop, labels: {app: api}}");
    let Verdict::Allow(PortSpec::Ports(ports)) = verdict else {
        panic!()
    };
    assert_eq!(ports.to_string(), "TCP 80,443; UDP 53");
    let Assertion::Reach { from, verdict, .. } = &e[1].assertion else {
        panic!()
    };
    assert_eq!(from.to_string(), "[external, 10.0.0.0/8 except 10.1.0.0/16]");
    assert_eq!(verdict, &Verdict::Deny(PortSpec::Any));
    let Assertion::Isolation {
        target,
        ingress,
        egress,
    } = &e[2].assertion
    else {
        panic!()
    };
    assert_eq!(target.to_string(), "{namespace: data}");
    let ingress = ingress.as_ref().unwrap();
    assert_eq!(ingress[1].ports, Some(PortSet::single(Protocol::Tcp, 9187)));
    assert_eq!(ingress[0].ports, None);
    assert_eq!(egress.as_deref(), Some(&[][..]));
    assert!(matches!(e[4].assertion, Assertion::SelectedByPolicy { .. }));
    let Assertion::NoExternalEgress { except, .. } = &e[5].assertion else {
        panic!()
    };
    assert_eq!(except.len(), 2);
    assert!(matches!(except[1].subject.items[0], SubjectItem::Cidr { .. }));
}

#[test]
fn yaml_syntax_errors_are_located() {
    let error = parse_error("version: 1\nexpectations:\n  - name: x\n    from: [a/b\n    to: c\n");
    assert_eq!(error.kind, ExpectErrorKind::Syntax);
    assert!(error.line >= 4, "{error}");
    assert!(error.message.starts_with("invalid YAML"), "{error}");
    assert!(
        !error.message.contains(" at line "),
        "the line is its own field: {error}"
    );
    assert_eq!(error.field, None);
}

#[test]
fn unknown_keys_are_located_with_a_suggestion() {
    let error = parse_error(&item("from: a/b\nto: a/c\nalow: any"));
    assert_eq!(error.kind, ExpectErrorKind::Invalid);
    assert_eq!(error.field.as_deref(), Some("expectations[0].alow"));
    assert_eq!(error.line, 6);
    assert!(
        error.message.contains("unknown key `alow`: did you mean `allow`?"),
        "{error}"
    );
    assert_eq!(error.to_string(), format!("netreach.yaml:6: {}", error.message));

    fails_at("version: 1\nexpectation: []\n", 2, "did you mean `expectations`?");
    fails_at(
        &item("from: {namespce: a}\nto: a/c\nallow: any"),
        4,
        "did you mean `namespace`?",
    );
    fails_at(
        &item("isolation:\n  namespace: a\n  ingress-only-form: []"),
        6,
        "did you mean `ingress-only-from`?",
    );
    fails_at(
        &item("from: a/b\nto: a/c\nallow: any\ncolour: blue"),
        7,
        "unknown key `colour`",
    );
    fails_at(
        &item("from: {namespace: a, ports: TCP 80}\nto: a/c\nallow: any"),
        4,
        "`ports` belongs to",
    );
    fails_at(
        &item("no-egress-to-external: {namespace: a, except: [{namespace: b}]}"),
        4,
        "expected an address outside the cluster",
    );
    fails_at(
        &item("isolation: {cidr: 10.0.0.0/8, ingress-only-from: []}"),
        4,
        "isolation is about workloads",
    );
}

#[test]
fn bad_ports_are_located() {
    fails_at(
        &item("from: a/b\nto: a/c\nallow: TCP 80a"),
        6,
        "\"80a\" is not a port number",
    );
    fails_at(
        &item("from: a/b\nto: a/c\nallow: 80"),
        6,
        "a protocol is required: write \"TCP 80\"",
    );
    fails_at(&item("from: a/b\nto: a/c\ndeny: ICMP 1"), 6, "unknown protocol");
    fails_at(&item("from: a/b\nto: a/c\ndeny: TCP 70000"), 6, "outside 1-65535");
    fails_at(
        &item("from: a/b\nto: a/c\nallow: TCP http"),
        6,
        "named ports are not supported",
    );
    fails_at(
        &item("from: a/b\nto: a/c\nallow:\n  - TCP 80\n  - TCP 9-1"),
        8,
        "ends before it starts",
    );
    fails_at(&item("from: a/b\nto: a/c\nallow: [any]"), 6, "`any` stands alone");
    fails_at(&item("from: a/b\nto: a/c\nallow: []"), 6, "the list of ports is empty");
    fails_at(&item("from: a/b\nto: a/c\nallow: {TCP: 80}"), 6, "expected ports like");
    fails_at(
        &item("isolation:\n  namespace: a\n  ingress-only-from:\n    - namespace: b\n      ports: UDP"),
        8,
        "ports are missing after UDP",
    );
    // In a flow mapping an unquoted comma ends the value: say so.
    fails_at(
        &item("isolation: {namespace: a, ingress-only-from: [{namespace: b, ports: TCP 80,443}]}"),
        4,
        "quote values that contain commas",
    );
}

#[test]
fn bad_cidrs_and_subjects_are_located() {
    fails_at(
        &item("from: 10.0.0/8\nto: a/c\nallow: any"),
        4,
        "invalid CIDR \"10.0.0/8\"",
    );
    fails_at(
        &item("from: {cidr: 300.0.0.0/8}\nto: a/c\nallow: any"),
        4,
        "invalid CIDR",
    );
    fails_at(
        &item("from:\n  cidr: 10.0.0.0/8\n  except: [10.1.0.0/33]\nto: a/c\nallow: any"),
        6,
        "invalid CIDR \"10.1.0.0/33\"",
    );
    fails_at(
        &item("from: {except: [10.0.0.0/8]}\nto: a/c\nallow: any"),
        4,
        "`except` needs a `cidr`",
    );
    fails_at(
        &item("from: a/Deploy/web\nto: a/c\nallow: any"),
        4,
        "unknown workload kind \"Deploy\"",
    );
    fails_at(
        &item("from: a/deployment/web\nto: a/c\nallow: any"),
        4,
        "did you mean Deployment?",
    );
    fails_at(&item("from: web\nto: a/c\nallow: any"), 4, "\"web\" is not a subject");
    fails_at(&item("from: a//web\nto: a/c\nallow: any"), 4, "is not a subject");
    fails_at(&item("from: {}\nto: a/c\nallow: any"), 4, "empty subject");
    fails_at(&item("from: []\nto: a/c\nallow: any"), 4, "the list is empty");
    fails_at(&item("from: [[a/b]]\nto: a/c\nallow: any"), 4, "cannot be nested");
    fails_at(&item("from: 42\nto: a/c\nallow: any"), 4, "expected a subject");
    fails_at(
        &item("from: {namespace: a, cidr: 10.0.0.0/8}\nto: a/c\nallow: any"),
        4,
        "not both",
    );
    fails_at(
        &item("from: {labels: {\"-bad\": x}}\nto: a/c\nallow: any"),
        4,
        "invalid label key",
    );
    fails_at(
        &item("from: {labels: {app: \"not ok!\"}}\nto: a/c\nallow: any"),
        4,
        "invalid label value",
    );
    fails_at(&item("from: {labels: {}}\nto: a/c\nallow: any"), 4, "no labels given");
    fails_at(
        &item("from: {kind: Service}\nto: a/c\nallow: any"),
        4,
        "unknown workload kind \"Service\"",
    );
    fails_at(
        &item("from: external\nto: 10.0.0.0/8\ndeny: any"),
        5,
        "both `from` and `to` are outside the cluster",
    );
    fails_at(
        &item("selected-by-ingress-policy: external"),
        4,
        "expected workloads here",
    );
    fails_at(
        &item("selected-by-egress-policy: [a/b, 10.0.0.0/8]"),
        4,
        "expected workloads here",
    );
}

#[test]
fn structure_errors_are_located() {
    fails_at("", 1, "the expectations file is empty");
    fails_at("expectations: []\n", 1, "`version: 1` is missing");
    fails_at("version: 2\nexpectations: []\n", 1, "unsupported version 2");
    fails_at("version: \"1\"\nexpectations: []\n", 1, "expected the number 1");
    fails_at("version: 1\n", 1, "the `expectations` list is missing");
    fails_at("version: 1\nexpectations: {}\n", 2, "expected a list of expectations");
    fails_at("- a\n", 1, "expected a mapping");
    fails_at(
        "version: 1\nexpectations:\n  - from: a/b\n    to: a/c\n    allow: any\n",
        3,
        "`name` is missing",
    );
    fails_at(
        "version: 1\nexpectations:\n  - name: \"\"\n    selected-by-ingress-policy: any\n",
        3,
        "the name is empty",
    );
    fails_at(
        "version: 1\nexpectations:\n  - just a string\n",
        3,
        "expected an expectation",
    );
    fails_at(
        "version: 1\nexpectations:\n  - name: twice\n    selected-by-ingress-policy: any\n  - name: twice\n    selected-by-egress-policy: any\n",
        5,
        "duplicate name \"twice\"",
    );
    fails_at(&item("description: nothing"), 3, "asserts nothing");
    fails_at(&item("from: a/b\nto: a/c"), 3, "`allow` or `deny` is missing");
    fails_at(&item("to: a/c\nallow: any"), 3, "`from` is missing");
    fails_at(&item("from: a/b\nallow: any"), 3, "`to` is missing");
    fails_at(
        &item("from: a/b\nto: a/c\nallow: any\ndeny: any"),
        7,
        "`allow` and `deny` exclude each other",
    );
    fails_at(
        &item("from: a/b\nto: a/c\nallow: any\nisolation: {namespace: a, ingress-only-from: []}"),
        7,
        "one assertion per expectation",
    );
    fails_at(
        &item("isolation: {namespace: a}"),
        4,
        "add `ingress-only-from` and/or `egress-only-to`",
    );
    fails_at(
        &item("isolation: {ingress-only-from: []}"),
        4,
        "say which workloads are isolated",
    );
    fails_at(&item("isolation: a/b"), 4, "expected a mapping like");
    fails_at(
        &item("isolation: {namespace: a, ingress-only-from: a/b}"),
        4,
        "expected a list of peers",
    );
    fails_at(
        &item("no-egress-to-external: {except: []}"),
        4,
        "say whose egress is checked",
    );
    fails_at(&item("name: again"), 3, "duplicate");
}

#[test]
fn lines_survive_comments_document_markers_and_flow_style() {
    let yaml = "# the shop's rules\n---\n# more\nversion: 1\nexpectations:\n  # first\n  - name: x\n\n    from: a/b\n    to: a/c\n    allow: TCP 0\n";
    fails_at(yaml, 11, "outside 1-65535");
    let flow = "{version: 1, expectations: [{name: x, from: a/b, to: a/c, alow: any}]}";
    let error = parse_error(flow);
    assert_eq!(error.line, 1);
    assert_eq!(error.field.as_deref(), Some("expectations[0].alow"));
}

#[test]
fn errors_serialise_for_front_ends() {
    let error = parse_error(&item("from: a/b\nto: a/c\nallow: TCP 80a"));
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json["kind"], "invalid");
    assert_eq!(json["path"], "netreach.yaml");
    assert_eq!(json["line"], 6);
    assert_eq!(json["field"], "expectations[0].allow");
}
