// Generates a large scenario: `workloads` Deployments across `namespaces` namespaces, each
// namespace default-deny with a few allow policies.
export function bigScenario(workloads = 2000, namespaces = 50) {
  const docs = [];
  const per = Math.ceil(workloads / namespaces);
  for (let n = 0; n < namespaces; n++) {
    const ns = `ns-${String(n).padStart(2, "0")}`;
    docs.push(
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    tier: ${n % 5 === 0 ? "edge" : "inner"}`,
    );
    docs.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]`,
    );
    docs.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-same-ns\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels:\n      role: api\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              role: web\n      ports:\n        - port: 8080`,
    );
    docs.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-egress\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - podSelector: {}\n        - namespaceSelector:\n            matchLabels:\n              tier: edge\n      ports:\n        - port: 8080`,
    );
    docs.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-edge\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels:\n      role: api\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              tier: edge\n      ports:\n        - port: 8080`,
    );
    for (let i = 0; i < per && n * per + i < workloads; i++) {
      const role = i % 3 === 0 ? "web" : i % 3 === 1 ? "api" : "worker";
      docs.push(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w${i}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels:\n      app: w${i}\n  template:\n    metadata:\n      labels:\n        app: w${i}\n        role: ${role}\n    spec:\n      containers:\n        - name: c\n          image: nginx\n          ports:\n            - containerPort: 8080`,
      );
    }
  }
  return docs.join("\n---\n") + "\n";
}
