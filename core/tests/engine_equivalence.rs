//! The engine's shortcuts against the plain definitions they stand in for.
//!
//! The bulk analysis takes shortcuts for speed: selectors are matched through a label index,
//! and in NetworkPolicy-only clusters rule ports are combined as interned ids, accumulated
//! per destination instead of evaluated pair by pair, and per group of outside addresses. Explain uses the plain per-pair evaluator. These tests
//! hold the two together on generated clusters (dense and sparse in policies) and on a
//! hand-written one that uses every selector operator, so a shortcut can never make the
//! matrix disagree with an explanation.

use netreach_core::engine::evaluate::{NoTrace, PeerRef};
use netreach_core::engine::{self, Reachability};
use netreach_core::generate::{generate, GeneratorConfig};
use netreach_core::model::{Direction, Model, NamespaceScope, Peer};
use netreach_core::ports::PortSet;
use netreach_core::{parse, Options, SourceFile};

/// Every class pair evaluated one by one with the explain evaluator.
fn assert_pairs_match_the_evaluator(reach: &Reachability) {
    let eval = reach.evaluator();
    let mut expected = Vec::new();
    for d in 0..reach.classes.len() {
        for s in 0..reach.classes.len() {
            let inbound = eval.side(Direction::Ingress, d, PeerRef::Class(s), &mut NoTrace);
            let outbound = eval.side(Direction::Egress, s, PeerRef::Class(d), &mut NoTrace);
            let allowed = inbound.intersect(&outbound);
            if !allowed.is_empty() {
                expected.push((s, d, allowed));
            }
        }
    }
    let mut actual: Vec<_> = reach
        .pairs
        .iter()
        .map(|&(s, d, ports)| (s as usize, d as usize, reach.port_sets.get(ports).clone()))
        .collect();
    actual.sort_by_key(|&(s, d, _)| (d, s));
    assert_eq!(actual.len(), expected.len(), "number of allowed class pairs");
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(a, e, "class pair {} -> {}", e.0, e.1);
    }
}

/// Every external group against every class, both ways, evaluated atom by atom: each atom
/// of a group must get what the group got.
fn assert_external_matches_the_evaluator(reach: &Reachability) {
    let eval = reach.evaluator();
    let lookup = |list: &[(u32, u32, u32)], a: usize, b: usize| {
        list.iter()
            .find(|&&(x, y, _)| (x as usize, y as usize) == (a, b))
            .map_or_else(PortSet::none, |&(_, _, ports)| reach.port_sets.get(ports).clone())
    };
    for (g, atoms) in reach.groups.iter().enumerate() {
        for &atom in atoms {
            for c in 0..reach.classes.len() {
                let inbound = eval.side(Direction::Ingress, c, PeerRef::Atom(atom), &mut NoTrace);
                assert_eq!(
                    lookup(&reach.ext_in, g, c),
                    inbound,
                    "group {g} (atom {atom}) -> class {c}"
                );
                let outbound = eval.side(Direction::Egress, c, PeerRef::Atom(atom), &mut NoTrace);
                assert_eq!(
                    lookup(&reach.ext_out, c, g),
                    outbound,
                    "class {c} -> group {g} (atom {atom})"
                );
            }
        }
    }
}

/// Every policy's selection and every rule's pod peers, matched class by class.
fn assert_selectors_match_by_definition(model: &Model, reach: &Reachability) {
    let classes = &reach.classes;
    let ns_of = |name: &str| classes.namespace_index(name);
    let matches_pods = |c: usize, namespaces: &dyn Fn(usize) -> bool, pods: &netreach_core::selector::Selector| {
        let class = &classes.classes[c];
        namespaces(class.namespace) && !class.host_network && pods.matches(&class.labels)
    };
    let mut rule = 0;
    for (p, policy) in model.policies.iter().enumerate() {
        let own = ns_of(&policy.namespace);
        let selected: Vec<usize> = (0..classes.len())
            .filter(|&c| matches_pods(c, &|n| Some(n) == own, &policy.pod_selector))
            .collect();
        let compiled: Vec<usize> = reach.compiled.policy_selects[p].iter().collect();
        assert_eq!(compiled, selected, "classes selected by policy {}", policy.name);
        for direction in [Direction::Ingress, Direction::Egress] {
            for r in policy.rules(direction).unwrap_or_default() {
                let compiled_rule = &reach.compiled.rules[rule];
                rule += 1;
                let Some(peers) = &r.peers else { continue };
                let expected: Vec<usize> = (0..classes.len())
                    .filter(|&c| {
                        peers.iter().any(|peer| match peer {
                            Peer::Pods {
                                namespaces: NamespaceScope::Own(_),
                                pods,
                            } => matches_pods(c, &|n| Some(n) == own, pods),
                            Peer::Pods {
                                namespaces: NamespaceScope::Matching(sel),
                                pods,
                            } => matches_pods(c, &|n| sel.matches(&classes.namespace_labels[n]), pods),
                            Peer::IpBlock { .. } => false,
                        })
                    })
                    .collect();
                let actual: Vec<usize> = compiled_rule.peers.classes.iter().collect();
                assert_eq!(actual, expected, "peers of a rule of policy {}", policy.name);
            }
        }
    }
}

fn check(model: &Model) {
    let reach = engine::analyze(model, &[]);
    assert_selectors_match_by_definition(model, &reach);
    assert_pairs_match_the_evaluator(&reach);
    assert_external_matches_the_evaluator(&reach);
}

#[test]
fn generated_clusters_dense_and_sparse_in_policies() {
    for (seed, workloads, policies) in [(1, 240, 160), (2, 300, 40), (3, 200, 400), (4, 150, 0)] {
        let cluster = generate(&GeneratorConfig {
            seed,
            workloads,
            policies,
            changed_policies: 10,
        });
        for side in [&cluster.base, &cluster.head] {
            let model = parse::parse(side, &Options::default());
            assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics.first());
            check(&model);
        }
    }
}

#[test]
fn every_selector_operator_and_scope() {
    let yaml = r"
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: x, env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: y}}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: a, labels: {app: web, tier: front}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}, {name: admin, containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: a, labels: {app: api}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p3, namespace: b, labels: {app: web, tier: back}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p4, namespace: b}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: host, namespace: b, labels: {app: web}}
spec: {hostNetwork: true, containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: a}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}
  ingress:
  - from:
    - podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}
      namespaceSelector: {}
    ports: [{port: http}]
  - from:
    - podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}
  - from:
    - namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}
      podSelector: {matchExpressions: [{key: tier, operator: Exists}]}
    ports: [{port: 81, endPort: 90}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: b}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {team: x}}
      podSelector: {matchExpressions: [{key: app, operator: In, values: [api, nothing]}]}
    ports: [{port: http}, {protocol: UDP, port: 53}]
  - to:
    - podSelector: {}
  - to:
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
    ports: [{port: 443}, {port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-outside, namespace: a}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
    - ipBlock: {cidr: '2001:db8::/32'}
    ports: [{port: 80}, {protocol: UDP, port: 5000, endPort: 5010}]
  - from:
    - ipBlock: {cidr: 192.0.2.0/24}
    ports: [{port: admin}]
";
    let model = parse::parse(&[SourceFile::new("all.yaml", yaml)], &Options::default());
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    check(&model);
}
