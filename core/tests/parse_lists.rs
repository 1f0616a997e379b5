//! `kind: List`, typed lists (`PodList`, …) and folding Pods into their controllers.

use netreach_core::model::{Model, WorkloadKind};
use netreach_core::parse::{locate, parse};
use netreach_core::{Options, SourceFile};

fn parse_text(path: &str, text: &str) -> Model {
    parse(&[SourceFile::new(path, text)], &Options::default())
}

fn ids(model: &Model) -> Vec<&str> {
    model.workloads.iter().map(|w| w.id.as_ref()).collect()
}

#[test]
fn typed_pod_list_items_have_no_kind() {
    let yaml = "apiVersion: v1
kind: PodList
items:
- metadata: {name: a, namespace: x, labels: {app: a}}
  spec: {containers: [{name: c}]}
- metadata: {name: b, namespace: x}
";
    let model = parse_text("pods.yaml", yaml);
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(ids(&model), ["x/Pod/a", "x/Pod/b"]);
    let b = &model.workloads[1].origin;
    assert_eq!(
        (b.document, b.line, b.item),
        (0, 6, Some(1)),
        "a list item starts at its own line"
    );
}

#[test]
fn typed_json_lists_of_namespaces_and_policies() {
    let namespaces = r#"{"kind": "NamespaceList", "apiVersion": "v1", "items": [
        {"metadata": {"name": "a", "labels": {"team": "x"}}},
        {"metadata": {"name": "b"}}
    ]}"#;
    let policies = r#"{"kind": "NetworkPolicyList", "apiVersion": "networking.k8s.io/v1", "items": [
        {"metadata": {"name": "p", "namespace": "a"}, "spec": {"podSelector": {}}}
    ]}"#;
    let model = parse(
        &[
            SourceFile::new("ns.json", namespaces),
            SourceFile::new("np.json", policies),
        ],
        &Options::default(),
    );
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(model.namespaces["a"].labels["team"], "x");
    assert!(model.namespaces["b"].origin.is_some());
    assert_eq!(model.policies[0].origin.item, Some(0));
}

#[test]
fn kind_list_mixes_kinds_and_counts_the_rest() {
    let yaml = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
- apiVersion: v1
  kind: Service
  metadata: {name: s}
  spec: {selector: {app: a}}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cm}
  data: {k: v}
- metadata: {name: no-kind}
- just a string
";
    let model = parse_text("list.yaml", yaml);
    assert_eq!(ids(&model), ["default/Pod/a"]);
    assert_eq!(model.services.len(), 1);
    let skipped = &model.skipped["v1/ConfigMap"];
    assert_eq!(skipped.count, 1);
    let example = &skipped.examples[0];
    assert_eq!(example.field.as_deref(), Some("items[2]"));
    assert_eq!(example.line, 11);
    assert_eq!(example.object.as_ref().unwrap().name, "cm");
    let codes: Vec<(&str, Option<&str>, usize)> = model
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.field.as_deref(), d.location.line))
        .collect();
    assert_eq!(
        codes,
        [
            ("not-kubernetes", Some("items[3]"), 15),
            ("not-kubernetes", Some("items[4]"), 16)
        ]
    );
}

#[test]
fn errors_in_list_items_are_located_under_items() {
    let yaml = "apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: good}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: bad, namespace: shop}
  spec:
    ingress:
    - from:
      - ipBlock: {cidr: 10.0.0/8}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: typo}
  spec:
    ingress: {}
";
    let model = parse_text("list.yaml", yaml);
    assert_eq!(model.policies.len(), 1);
    let d = &model.diagnostics[0];
    assert_eq!(d.code, "invalid-cidr");
    assert_eq!(
        d.location.field.as_deref(),
        Some("items[1].spec.ingress[0].from[0].ipBlock.cidr")
    );
    assert_eq!(d.location.line, 13);
    assert!(
        d.message
            .starts_with("NetworkPolicy shop/bad: spec.ingress[0].from[0].ipBlock.cidr: invalid CIDR \"10.0.0/8\""),
        "{}",
        d.message
    );
    let d = &model.diagnostics[1];
    assert_eq!(d.code, "invalid-object");
    assert_eq!(d.location.field.as_deref(), Some("items[2].spec.ingress"));
    assert_eq!(d.location.line, 18);
    assert_eq!(d.location.object.as_ref().unwrap().name, "typo");
}

#[test]
fn locate_finds_fields_of_list_items() {
    let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: b\n    labels: {app: b}\n";
    let files = [SourceFile::new("l.yaml", yaml)];
    let model = parse(&files, &Options::default());
    let b = &model.workloads[1];
    assert_eq!(b.origin.item, Some(1));
    assert_eq!(locate(&files, &b.origin, "metadata.labels"), 11);
    assert_eq!(locate(&files, &b.origin, "items[1].metadata.name"), 10);
    assert_eq!(locate(&files, &b.origin, "spec.nothing"), b.origin.line);
}

const OWNED_PODS: &str = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-7d4b9c-abcde
    namespace: shop
    labels: {app: web, pod-template-hash: 7d4b9c}
    ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9c, uid: u1, controller: true}
  spec:
    containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-7d4b9c-fghij
    namespace: shop
    labels: {app: web, pod-template-hash: 7d4b9c}
    ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9c, uid: u1, controller: true}
- apiVersion: v1
  kind: Pod
  metadata:
    name: static-node1
    namespace: shop
    ownerReferences:
    - {apiVersion: v1, kind: Node, name: node1, uid: u2, controller: true}
- apiVersion: v1
  kind: Pod
  metadata:
    name: helper
    namespace: shop
    ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: not-the-controller, uid: u3}
";

#[test]
fn pods_of_one_replica_set_fold_into_it() {
    let model = parse_text("pods.yaml", OWNED_PODS);
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(
        ids(&model),
        ["shop/Pod/helper", "shop/Pod/static-node1", "shop/ReplicaSet/web-7d4b9c"]
    );
    let web = &model.workloads[2];
    assert_eq!(web.kind, WorkloadKind::ReplicaSet);
    assert_eq!(&*web.name, "web-7d4b9c");
    assert!(web.replicated);
    assert_eq!(web.labels["app"], "web");
    assert_eq!(web.named_ports[0].name, "http", "the first pod represents the owner");
    assert_eq!(web.origin.item, Some(0));
    assert!(!model.workloads[0].replicated, "a bare Pod");
}

#[test]
fn owner_present_in_the_input_wins() {
    let replica_set = "---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-7d4b9c
  namespace: shop
  ownerReferences:
  - {apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, from: replicaset}}
";
    // The ReplicaSet alone: its pods fold into it, and its template wins.
    let model = parse(
        &[
            SourceFile::new("pods.yaml", OWNED_PODS),
            SourceFile::new("rs.yaml", replica_set),
        ],
        &Options::default(),
    );
    let web = model.workloads.iter().find(|w| w.name.starts_with("web")).unwrap();
    assert_eq!(&*web.id, "shop/ReplicaSet/web-7d4b9c");
    assert_eq!(web.labels["from"], "replicaset");
    assert!(web.named_ports.is_empty());
    assert_eq!(&*web.origin.path, "rs.yaml");

    // With its Deployment too, everything folds into the Deployment.
    let deployment = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, from: deployment}}
";
    let model = parse(
        &[
            SourceFile::new("pods.yaml", OWNED_PODS),
            SourceFile::new("rs.yaml", replica_set),
            SourceFile::new("deploy.yaml", deployment),
        ],
        &Options::default(),
    );
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(
        ids(&model),
        ["shop/Deployment/web", "shop/Pod/helper", "shop/Pod/static-node1"]
    );
    assert_eq!(model.workloads[0].labels["from"], "deployment");
    assert!(model.workloads[0].replicated);
}

#[test]
fn a_replica_set_whose_deployment_is_absent_stays() {
    let yaml = "apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-1
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}}
";
    let model = parse_text("rs.yaml", yaml);
    assert_eq!(ids(&model), ["default/ReplicaSet/web-1"]);
}

#[test]
fn jobs_fold_into_their_cron_job() {
    let yaml = "apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: '0 * * * *'
  jobTemplate: {spec: {template: {metadata: {labels: {app: backup}}}}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: backup-28000000
  ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: backup, uid: c1, controller: true}]
spec:
  template: {metadata: {labels: {app: backup, job: x}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: backup-28000000-xyz
  labels: {app: backup}
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: backup-28000000, uid: j1, controller: true}]
";
    let model = parse_text("cron.yaml", yaml);
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(ids(&model), ["default/CronJob/backup"]);
    assert!(!model.workloads[0].labels.contains_key("job"));
}
