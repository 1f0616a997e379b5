//! Semantics of endpoints: controllers and bare Pods, ownerReference folding, lists.

mod common;

use common::{allowed, allowed_in, analyze, deployment, pod, policy};

#[test]
fn controllers_have_a_self_pair_bare_pods_do_not() {
    let yaml = deployment("shop", "web", "app: web", "") + &pod("shop", "debug", "app: debug");
    let analysis = analyze(&yaml);
    assert_eq!(
        allowed_in(&analysis, "shop/Deployment/web", "shop/Deployment/web"),
        "all ports"
    );
    assert_eq!(allowed_in(&analysis, "shop/Pod/debug", "shop/Pod/debug"), "no ports");
    let debug = common::endpoint(&analysis, "shop/Pod/debug") as u32;
    assert!(!analysis.connections.iter().any(|c| c.from == debug && c.to == debug));
    assert_eq!(
        allowed_in(&analysis, "shop/Pod/debug", "shop/Deployment/web"),
        "all ports"
    );
}

#[test]
fn the_self_pair_is_subject_to_policy() {
    let yaml = deployment("shop", "web", "app: web", "")
        + &deployment("shop", "api", "app: api", "")
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]",
        );
    assert_eq!(allowed(&yaml, "shop/Deployment/web", "shop/Deployment/web"), "no ports");
    let yaml = deployment("shop", "web", "app: web", "")
        + &policy("shop", "p", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 7000}]}]");
    assert_eq!(allowed(&yaml, "shop/Deployment/web", "shop/Deployment/web"), "TCP 7000");
}

#[test]
fn every_workload_kind_is_an_endpoint_with_its_template_labels() {
    let template = "metadata: {labels: {app: x}}\n    spec: {containers: [{name: c, image: i}]}";
    let yaml = format!(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: ss, namespace: n}}\nspec:\n  selector: {{matchLabels: {{app: x}}}}\n  serviceName: s\n  template:\n    {template}\n---\n\
apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: ds, namespace: n}}\nspec:\n  selector: {{matchLabels: {{app: x}}}}\n  template:\n    {template}\n---\n\
apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: rs, namespace: n}}\nspec:\n  selector: {{matchLabels: {{app: x}}}}\n  template:\n    {template}\n---\n\
apiVersion: v1\nkind: ReplicationController\nmetadata: {{name: rc, namespace: n}}\nspec:\n  selector: {{app: x}}\n  template:\n    {template}\n---\n\
apiVersion: batch/v1\nkind: Job\nmetadata: {{name: job, namespace: n}}\nspec:\n  template:\n    metadata: {{labels: {{app: x}}}}\n    spec: {{restartPolicy: Never, containers: [{{name: c, image: i}}]}}\n---\n\
apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: cron, namespace: n}}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        metadata: {{labels: {{app: x}}}}\n        spec: {{restartPolicy: Never, containers: [{{name: c, image: i}}]}}\n---\n"
    ) + &deployment("n", "target", "app: target", "")
        + &pod("n", "outsider", "app: y")
        + &policy("n", "p", "  podSelector: {matchLabels: {app: target}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: x}}}]}]");
    let analysis = analyze(&yaml);
    for id in [
        "n/StatefulSet/ss",
        "n/DaemonSet/ds",
        "n/ReplicaSet/rs",
        "n/ReplicationController/rc",
        "n/Job/job",
        "n/CronJob/cron",
    ] {
        assert_eq!(allowed_in(&analysis, id, "n/Deployment/target"), "all ports", "{id}");
        assert_eq!(allowed_in(&analysis, id, id), "all ports", "{id} self-pair");
    }
    assert_eq!(
        allowed_in(&analysis, "n/Pod/outsider", "n/Deployment/target"),
        "no ports"
    );
}

fn owned_pod(name: &str, owner_kind: &str, owner: &str, controller: bool, labels: &str) -> String {
    let api = if owner_kind == "Job" { "batch/v1" } else { "apps/v1" };
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: shop\n  labels: {{{labels}}}\n  ownerReferences: [{{apiVersion: {api}, kind: {owner_kind}, name: {owner}, uid: u1, controller: {controller}}}]\nspec: {{containers: [{{name: c, image: i}}]}}\n---\n"
    )
}

#[test]
fn pods_with_a_controller_owner_fold_into_it() {
    let yaml = owned_pod("web-abc-1", "ReplicaSet", "web-abc", true, "app: web")
        + &owned_pod("web-abc-2", "ReplicaSet", "web-abc", true, "app: web")
        + &owned_pod("stray", "ReplicaSet", "web-abc", false, "app: stray")
        + &pod("shop", "client", "app: client");
    let analysis = analyze(&yaml);
    let ids: Vec<&str> = analysis.endpoints[..analysis.workload_count]
        .iter()
        .map(|e| e.id.as_ref())
        .collect();
    assert_eq!(ids, ["shop/Pod/client", "shop/Pod/stray", "shop/ReplicaSet/web-abc"]);
    // The folded owner stands for several pods: it has a self-pair.
    assert_eq!(
        allowed_in(&analysis, "shop/ReplicaSet/web-abc", "shop/ReplicaSet/web-abc"),
        "all ports"
    );
    assert_eq!(allowed_in(&analysis, "shop/Pod/stray", "shop/Pod/stray"), "no ports");
}

#[test]
fn owner_chains_fold_into_the_top_present_controller() {
    let replica_set = "apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-abc
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u0, controller: true}]
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: i}]}
---
";
    let yaml = deployment("shop", "web", "app: web", "")
        + replica_set
        + &owned_pod("web-abc-1", "ReplicaSet", "web-abc", true, "app: web");
    let analysis = analyze(&yaml);
    let ids: Vec<&str> = analysis.endpoints[..analysis.workload_count]
        .iter()
        .map(|e| e.id.as_ref())
        .collect();
    assert_eq!(ids, ["shop/Deployment/web"]);
}

#[test]
fn typed_lists_and_plain_lists() {
    let pod_list = "apiVersion: v1
kind: PodList
items:
- metadata: {name: a, namespace: shop, labels: {app: a}}
  spec: {containers: [{name: c, image: i}]}
- metadata: {name: b, namespace: shop, labels: {app: b}}
  spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
items:
- metadata: {name: p, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: b}}
    ingress: [{from: [{podSelector: {matchLabels: {app: c}}}]}]
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: c, namespace: shop, labels: {app: c}}
  spec: {containers: [{name: c, image: i}]}
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop, labels: {team: shop}}
";
    let analysis = analyze(pod_list);
    assert_eq!(analysis.workload_count, 3);
    assert_eq!(allowed_in(&analysis, "shop/Pod/c", "shop/Pod/b"), "all ports");
    assert_eq!(allowed_in(&analysis, "shop/Pod/a", "shop/Pod/b"), "no ports");
    assert_eq!(allowed_in(&analysis, "shop/Pod/b", "shop/Pod/a"), "all ports");
}

#[test]
fn json_documents_are_read_too() {
    let json = r#"{"apiVersion": "v1", "kind": "PodList", "items": [
        {"metadata": {"name": "a", "namespace": "shop", "labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
        {"metadata": {"name": "b", "namespace": "shop", "labels": {"app": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    ]}"#;
    assert_eq!(allowed(json, "shop/Pod/a", "shop/Pod/b"), "all ports");
}
