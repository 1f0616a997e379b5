//! The parser on real inputs: the netpol-analyzer fixtures (see their README.md).

use std::path::{Path, PathBuf};

use netreach_core::model::{AdminAction, Model, WorkloadKind};
use netreach_core::parse::parse;
use netreach_core::ports::Protocol;
use netreach_core::{Options, SourceFile};

/// `shared/fixtures/netpol-analyzer`, beside the repository.
fn fixtures() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/netpol-analyzer");
    assert!(dir.is_dir(), "fixtures not found at {}", dir.display());
    dir
}

/// Every YAML/JSON file under `dir`, in sorted order, with paths relative to the fixtures.
fn read_dir(dir: &str) -> Vec<SourceFile> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                out.push(SourceFile::new(name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let root = fixtures();
    let mut files = Vec::new();
    walk(&root, &root.join(dir), &mut files);
    assert!(!files.is_empty(), "no files in {dir}");
    files
}

fn parse_dir(dir: &str) -> Model {
    parse(&read_dir(dir), &Options::default())
}

/// `(code, path, line)` of every diagnostic.
fn found(model: &Model) -> Vec<(&str, &str, usize)> {
    model
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.path.as_str(), d.location.line))
        .collect()
}

#[test]
fn every_fixture_directory_parses() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir() && e.file_name() != "_expected")
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 30, "{dirs:?}");
    // Directories whose errors are expected (asserted in their own tests below).
    let noisy = [
        "acs-security-demos",
        "acs-security-demos-added-workloads",
        "bad_netpols",
        "document_with_syntax_error",
        "netpol_named_port_test",
    ];
    for dir in &dirs {
        let model = parse_dir(dir);
        if !noisy.contains(&dir.as_str()) {
            assert!(model.diagnostics.is_empty(), "{dir}: {:#?}", model.diagnostics);
        }
        assert!(!model.workloads.is_empty(), "{dir}");
        for w in &model.workloads {
            assert!(model.namespaces.contains_key(&*w.namespace), "{dir}: {}", w.id);
        }
    }
}

fn bad_netpols(subdir: &str) -> Model {
    parse_dir(&format!("bad_netpols/{subdir}"))
}

#[test]
fn bad_netpols_invalid_cidr() {
    let model = bad_netpols("subdir1");
    assert_eq!(
        found(&model),
        [("invalid-cidr", "bad_netpols/subdir1/netpols.yaml", 22)]
    );
    let d = &model.diagnostics[0];
    assert_eq!(
        d.location.field.as_deref(),
        Some("spec.ingress[2].from[0].ipBlock.cidr")
    );
    assert!(
        d.message.starts_with(
            "NetworkPolicy default/shippingservice-netpol: spec.ingress[2].from[0].ipBlock.cidr: invalid CIDR \"A\""
        ),
        "{}",
        d.message
    );
    assert!(model.policies.is_empty());
    assert_eq!(model.workloads.len(), 12, "the rest is still read");
}

#[test]
fn bad_netpols_invalid_label_key() {
    let model = bad_netpols("subdir2");
    assert_eq!(
        found(&model),
        [("invalid-label", "bad_netpols/subdir2/netpols.yaml", 21)]
    );
    assert_eq!(
        model.diagnostics[0].location.field.as_deref(),
        Some("spec.podSelector.matchLabels")
    );
    assert!(
        model.diagnostics[0].message.contains("\"app@b\""),
        "{}",
        model.diagnostics[0].message
    );
}

#[test]
fn bad_netpols_ip_block_with_selector() {
    let model = bad_netpols("subdir3");
    assert_eq!(
        found(&model),
        [("ipblock-with-selector", "bad_netpols/subdir3/netpols.yaml", 9)]
    );
    assert_eq!(
        model.diagnostics[0].location.field.as_deref(),
        Some("spec.ingress[0].from[0]")
    );
}

#[test]
fn bad_netpols_empty_peer() {
    let model = bad_netpols("subdir4");
    assert_eq!(found(&model), [("empty-peer", "bad_netpols/subdir4/netpols.yaml", 9)]);
    assert_eq!(
        model.diagnostics[0].location.field.as_deref(),
        Some("spec.ingress[0].from[0]")
    );
}

#[test]
fn bad_netpols_named_ports_are_valid_for_the_api() {
    // `port: abc` is a valid IANA name; on an ipBlock peer it can never match (lint's job).
    for subdir in ["subdir5", "subdir6"] {
        let model = bad_netpols(subdir);
        assert!(model.diagnostics.is_empty(), "{subdir}: {:#?}", model.diagnostics);
        assert_eq!(model.policies.len(), 1);
    }
}

#[test]
fn bad_netpols_invalid_label_value() {
    let model = bad_netpols("subdir7");
    assert_eq!(
        found(&model),
        [("invalid-label", "bad_netpols/subdir7/resources.yaml", 157)]
    );
    assert_eq!(
        model.diagnostics[0].location.field.as_deref(),
        Some("spec.egress[0].to[0].podSelector.matchLabels")
    );
    let names: Vec<&str> = model.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["backend-netpol", "default-deny-in-namespace"]);
}

#[test]
fn document_with_syntax_error_keeps_the_other_documents() {
    let model = parse_dir("document_with_syntax_error");
    assert_eq!(
        found(&model),
        [(
            "yaml-syntax",
            "document_with_syntax_error/document_with_syntax_error.yaml",
            225
        )]
    );
    assert_eq!(model.diagnostics[0].location.document, 6);
    // Upstream stops at the broken document and sees 3 Deployments; we read all the others.
    assert_eq!(model.workloads.len(), 11);
    assert!(
        model.workloads.iter().any(|w| &*w.name == "shippingservice"),
        "documents after the error"
    );
    assert!(
        !model.workloads.iter().any(|w| &*w.name == "frontend"),
        "the broken document"
    );
}

#[test]
fn json_pod_and_namespace_lists_with_named_ports() {
    let model = parse_dir("test_with_named_ports");
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(model.workloads.len(), 21);
    assert_eq!(model.namespaces.len(), 8);
    assert_eq!(model.namespaces["default"].labels["unique-label"], "defaultNameSpace");
    let dns = model
        .workloads
        .iter()
        .find(|w| &*w.id == "kube-system-dummy-to-ignore/ReplicaSet/kube-dns-amd64-d66bf76db")
        .unwrap();
    let ports: Vec<(&str, u16, Protocol)> = dns
        .named_ports
        .iter()
        .map(|p| (p.name.as_str(), p.port, p.protocol))
        .collect();
    assert_eq!(
        ports,
        [
            ("dns", 53, Protocol::Udp),
            ("dns-local", 10053, Protocol::Udp),
            ("dns-tcp", 53, Protocol::Tcp),
            ("dns-tcp-local", 10053, Protocol::Tcp),
            ("metrics", 10054, Protocol::Tcp),
        ]
    );
    assert!(dns.origin.path.ends_with("pod_list.json"));
    assert!(dns.origin.item.is_some());
    // DaemonSet owners are referenced at extensions/v1beta1: the kind and name still fold.
    assert!(model
        .workloads
        .iter()
        .any(|w| &*w.id == "default/DaemonSet/cog-agents" && w.replicated));
}

#[test]
fn list_of_pods_folds_into_replica_sets() {
    let model = parse_dir("k8s_ingress_test");
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    let ids: Vec<&str> = model.workloads.iter().map(|w| w.id.as_ref()).collect();
    assert_eq!(
        ids,
        [
            "default/ReplicaSet/details-v1-79f774bdb9",
            "default/ReplicaSet/productpage-v1-6b746f74dc",
            "default/ReplicaSet/ratings-v1-b6994bb9",
            "default/ReplicaSet/reviews-v1-545db77b95",
            "default/ReplicaSet/reviews-v2-7bf8c9648f",
            "default/ReplicaSet/reviews-v3-84779c7bbc",
        ]
    );
    assert!(model
        .workloads
        .iter()
        .all(|w| w.kind == WorkloadKind::ReplicaSet && w.replicated));
    assert_eq!(model.skipped["networking.k8s.io/v1/Ingress"].count, 1);
    assert_eq!(model.services.len(), 5);
}

#[test]
fn acs_security_demos_has_a_non_kubernetes_json() {
    let model = parse_dir("acs-security-demos");
    assert_eq!(
        found(&model),
        [("not-kubernetes", "acs-security-demos/connlist_output.json", 1)]
    );
    assert_eq!(model.workloads.len(), 11);
    assert_eq!(model.policies.len(), 14);
    assert_eq!(model.skipped["route.openshift.io/v1/Route"].count, 2);
    assert_eq!(model.skipped["v1/ConfigMap"].count, 4);
    let namespaces: Vec<&str> = model.namespaces.keys().map(String::as_str).collect();
    assert_eq!(namespaces, ["backend", "frontend", "payments"]);
}

#[test]
fn acs_security_demos_added_workloads_defines_a_service_twice() {
    let model = parse_dir("acs-security-demos-added-workloads");
    assert_eq!(
        found(&model),
        [(
            "duplicate-object",
            "acs-security-demos-added-workloads/payments/visa-processor-v2/deployment.yaml",
            62
        )]
    );
    assert!(
        model.diagnostics[0]
            .message
            .contains("payments/visa-processor/deployment.yaml:81"),
        "{}",
        model.diagnostics[0].message
    );
}

#[test]
fn a_typo_in_container_port_rejects_the_deployment() {
    // `containerport: 3535` (lowercase p) leaves `containerPort` unset: the API server
    // rejects the Deployment, so it is skipped (upstream keeps it).
    let model = parse_dir("netpol_named_port_test");
    assert_eq!(
        found(&model),
        [("invalid-port", "netpol_named_port_test/pods.yaml", 31)]
    );
    assert_eq!(
        model.diagnostics[0].location.field.as_deref(),
        Some("spec.template.spec.containers[0].ports[1].containerPort")
    );
    let ids: Vec<&str> = model.workloads.iter().map(|w| w.id.as_ref()).collect();
    assert_eq!(ids, ["helloworld/Deployment/new-pod"]);
}

#[test]
fn admin_network_policies_are_sorted_by_priority() {
    let model = parse_dir("anp_banp_blog_demo");
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    let anps: Vec<(&str, u32)> = model
        .admin_policies
        .iter()
        .map(|p| (p.name.as_str(), p.priority))
        .collect();
    assert_eq!(anps, [("pass-monitoring", 7), ("allow-monitoring", 9)]);
    assert_eq!(model.admin_policies[0].ingress[0].action, AdminAction::Pass);
    let banp = model.baseline_policy.as_ref().unwrap();
    assert_eq!(banp.name, "default");
    assert!(banp.baseline);
    assert_eq!(banp.ingress[0].action, AdminAction::Deny);
    assert_eq!(model.policies.len(), 1);
}

#[test]
fn conformance_style_admin_policies() {
    let model = parse_dir("anp_test_4");
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    let anps: Vec<(&str, u32)> = model
        .admin_policies
        .iter()
        .map(|p| (p.name.as_str(), p.priority))
        .collect();
    assert_eq!(anps, [("priority-50-example", 50), ("old-priority-60", 60)]);
    assert!(model.baseline_policy.is_none(), "the BANP is commented out");
    assert_eq!(
        model
            .workloads
            .iter()
            .filter(|w| w.kind == WorkloadKind::StatefulSet)
            .count(),
        4
    );
}

#[test]
fn big_pod_list_with_many_namespaces() {
    let model = parse_dir("ipblockstest");
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(model.workloads.len(), 22);
    let kinds: std::collections::BTreeSet<WorkloadKind> = model.workloads.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [WorkloadKind::DaemonSet, WorkloadKind::ReplicaSet]
    );
}
