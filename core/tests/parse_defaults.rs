//! Defaulting done by the parser: namespaces, policyTypes, protocols, workload shapes.

use netreach_core::model::{Direction, Model, NamedPort, WorkloadKind};
use netreach_core::parse::parse;
use netreach_core::ports::Protocol;
use netreach_core::{Options, SourceFile};

fn parse_yaml(yaml: &str) -> Model {
    parse(&[SourceFile::new("test.yaml", yaml)], &Options::default())
}

fn assert_clean(model: &Model) {
    assert!(
        model.diagnostics.is_empty(),
        "unexpected diagnostics: {:#?}",
        model.diagnostics
    );
}

#[test]
fn objects_without_namespace_are_in_default() {
    let model = parse_yaml("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n");
    assert_clean(&model);
    assert_eq!(&*model.workloads[0].namespace, "default");
    assert_eq!(&*model.workloads[0].id, "default/Pod/web");
    assert!(model.namespaces.contains_key("default"));
}

#[test]
fn default_namespace_is_an_option() {
    let options = Options {
        namespace: "shop".into(),
        ..Options::default()
    };
    let files = [SourceFile::new(
        "a.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: other}\n",
    )];
    let model = parse(&files, &options);
    assert_clean(&model);
    assert_eq!(model.policies[0].namespace, "shop");
    assert_eq!(&*model.workloads[0].namespace, "other");
    assert_eq!(model.namespaces.keys().collect::<Vec<_>>(), ["other", "shop"]);
}

#[test]
fn every_referenced_namespace_exists_with_its_name_label() {
    let model = parse_yaml(
        "apiVersion: v1
kind: Namespace
metadata:
  name: declared
  labels:
    team: blue
    kubernetes.io/metadata.name: wrong
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: workloads}
spec:
  selector: {matchLabels: {app: api}}
  template: {metadata: {labels: {app: api}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: policies}
spec: {podSelector: {}}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: services}
spec: {selector: {app: api}}
",
    );
    assert_clean(&model);
    let names: Vec<&str> = model.namespaces.keys().map(String::as_str).collect();
    assert_eq!(names, ["declared", "policies", "services", "workloads"]);
    let declared = &model.namespaces["declared"];
    assert_eq!(declared.labels["team"], "blue");
    assert_eq!(
        declared.labels["kubernetes.io/metadata.name"], "declared",
        "the API server sets it"
    );
    assert!(declared.origin.is_some());
    let implicit = &model.namespaces["workloads"];
    assert_eq!(implicit.labels.len(), 1);
    assert_eq!(implicit.labels["kubernetes.io/metadata.name"], "workloads");
    assert!(implicit.origin.is_none());
}

#[test]
fn policy_types_default_to_ingress() {
    let model = parse_yaml(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p}
spec:
  podSelector: {}
  ingress:
  - {}
",
    );
    assert_clean(&model);
    let policy = &model.policies[0];
    assert!(!policy.explicit_policy_types);
    assert_eq!(policy.rules(Direction::Ingress).map(<[_]>::len), Some(1));
    assert!(policy.rules(Direction::Egress).is_none());
}

#[test]
fn policy_types_default_adds_egress_when_egress_rules_exist() {
    let model = parse_yaml(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p}
spec:
  podSelector: {}
  egress:
  - to: [{podSelector: {}}]
",
    );
    assert_clean(&model);
    let policy = &model.policies[0];
    assert_eq!(
        policy.ingress.as_deref(),
        Some(&[][..]),
        "ingress isolation with no rules"
    );
    assert_eq!(policy.egress.as_ref().map(Vec::len), Some(1));
    // An empty egress list does not add Egress.
    let model =
        parse_yaml("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  egress: []\n");
    assert!(model.policies[0].egress.is_none());
}

#[test]
fn explicit_policy_types_ignore_rules_of_other_directions() {
    let model = parse_yaml(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p}
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress: [{}, {}]
",
    );
    assert_clean(&model);
    let policy = &model.policies[0];
    assert!(policy.explicit_policy_types);
    assert!(policy.ingress.is_none());
    assert_eq!(policy.ignored_ingress_rules, 2);
    assert_eq!(policy.egress.as_deref(), Some(&[][..]));
}

#[test]
fn port_protocol_defaults_to_tcp() {
    let model = parse_yaml(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p}
spec:
  ingress:
  - ports: [{port: 80}, {port: 53, protocol: UDP}]
",
    );
    assert_clean(&model);
    let ports = &model.policies[0].ingress.as_ref().unwrap()[0].ports;
    assert_eq!(ports[0].protocol, Protocol::Tcp);
    assert_eq!(ports[1].protocol, Protocol::Udp);
}

#[test]
fn every_workload_kind_becomes_an_endpoint() {
    let template = "template:\n    metadata: {labels: {app: x}}\n    spec:\n      containers:\n      - name: c\n        ports:\n        - {name: web, containerPort: 8080}\n        - {containerPort: 9090}\n        - {name: dns, containerPort: 53, protocol: UDP}";
    let selector = "selector: {matchLabels: {app: x}}";
    let yaml = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  {selector}\n  {template}\n---
apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: s}}\nspec:\n  {selector}\n  {template}\n---
apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: ds}}\nspec:\n  {selector}\n  {template}\n---
apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: rs}}\nspec:\n  {selector}\n  {template}\n---
apiVersion: v1\nkind: ReplicationController\nmetadata: {{name: rc}}\nspec:\n  {template}\n---
apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec:\n  {template}\n---
apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: cj}}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        metadata: {{labels: {{app: x}}}}\n        spec:\n          hostNetwork: true\n          containers: [{{name: c, ports: [{{name: web, containerPort: 8080}}]}}]\n---
apiVersion: v1\nkind: Pod\nmetadata: {{name: p, labels: {{app: x}}}}\nspec:\n  initContainers: [{{name: i, ports: [{{name: init, containerPort: 1}}]}}]\n  containers: [{{name: c, ports: [{{name: web, containerPort: 8080}}]}}]\n"
    );
    let model = parse_yaml(&yaml);
    assert_clean(&model);
    let ids: Vec<&str> = model.workloads.iter().map(|w| w.id.as_ref()).collect();
    assert_eq!(
        ids,
        [
            "default/CronJob/cj",
            "default/DaemonSet/ds",
            "default/Deployment/d",
            "default/Job/j",
            "default/Pod/p",
            "default/ReplicaSet/rs",
            "default/ReplicationController/rc",
            "default/StatefulSet/s",
        ],
        "sorted by id"
    );
    for w in &model.workloads {
        assert_eq!(w.labels["app"], "x", "{}", w.id);
        assert_eq!(w.replicated, w.kind != WorkloadKind::Pod, "{}", w.id);
        assert_eq!(w.host_network, w.kind == WorkloadKind::CronJob, "{}", w.id);
    }
    let deployment = model
        .workloads
        .iter()
        .find(|w| w.kind == WorkloadKind::Deployment)
        .unwrap();
    assert_eq!(
        deployment.named_ports.to_vec(),
        vec![
            NamedPort {
                name: "dns".into(),
                port: 53,
                protocol: Protocol::Udp
            },
            NamedPort {
                name: "web".into(),
                port: 8080,
                protocol: Protocol::Tcp
            },
        ],
        "unnamed ports are left out; sorted"
    );
    let pod = model.workloads.iter().find(|w| w.kind == WorkloadKind::Pod).unwrap();
    assert_eq!(pod.named_ports.len(), 1, "init container ports do not count");
    let pod_line = yaml[..yaml.find("apiVersion: v1\nkind: Pod").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(pod.origin.line, pod_line);
}

#[test]
fn services_keep_their_selector() {
    let model = parse_yaml(
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {selector: {app: a}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {selector: {}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c}\n",
    );
    assert_clean(&model);
    assert_eq!(model.services.len(), 3);
    assert_eq!(model.services[0].selector.as_ref().unwrap()["app"], "a");
    assert!(
        model.services[1].selector.is_none(),
        "an empty selector selects nothing"
    );
    assert!(model.services[2].selector.is_none());
}

#[test]
fn origins_point_at_the_document() {
    let yaml = "# leading comment\n---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n";
    let model = parse_yaml(yaml);
    assert_clean(&model);
    let a = &model.workloads[0].origin;
    assert_eq!((&*a.path, a.document, a.line, a.item), ("test.yaml", 0, 4, None));
    let b = &model.workloads[1].origin;
    assert_eq!((b.document, b.line), (1, 8));
}
