mod report_support;
use netreach_core::report::markdown::{render, MarkdownOptions};
use netreach_core::SourceFile;
#[test]
fn peek() {
    let r = report_support::hostile_report();
    println!("{}", render(&r, &MarkdownOptions::default()));
    let path = format!("k8s/{}.yaml", report_support::HOSTILE);
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: \"<img src=x onerror=alert(1)>@octocat\", namespace: shop}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: \"[x](https://evil.example)\"}}\n    spec: {containers: [{name: c, image: i}]}\n---\napiVersion: \"evil.example/v1\"\nkind: \"Img<img src=x>@all\"\nmetadata: {name: x}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{ipBlock: {cidr: \"<b>@here</b>|10.0.0.0/8\"}}]\n";
    let head = vec![SourceFile::new(path, text)];
    let r = report_support::head_report(&head);
    println!("{}", render(&r, &MarkdownOptions::default()));
    println!("{}", netreach_core::report::text::render(&r));
}
