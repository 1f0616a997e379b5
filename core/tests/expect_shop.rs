//! Expectations on the example app (`examples/shop`): its base holds, its head (the risky pull
//! request described in `examples/shop/README.md`) breaks carts and opens postgres.

mod expect_support;

use expect_support::{assert_fail, assert_pass, one, pairs, shop, shop_expectations};
use netreach_core::api::{self, CheckRequest};
use netreach_core::expect;
use netreach_core::Options;

const STOREFRONT_REACHES_CART: &str =
    "from: shop-web/Deployment/storefront\nto: shop-core/Deployment/cart\nallow: TCP 50051";

const ONLY_SHOP_CORE_REACHES_SHOP_DATA: &str = "\
isolation:
  namespace: shop-data
  ingress-only-from:
    - {namespace: shop-core}
    - {namespace: monitoring, labels: {app: prometheus}, ports: \"TCP 9121,9187\"}";

#[test]
fn storefront_reaches_cart_on_base_but_not_on_head() {
    assert_pass(&one(&shop("base"), STOREFRONT_REACHES_CART));
    let r = one(&shop("head"), STOREFRONT_REACHES_CART);
    assert_fail(&r);
    let v = &r.violations[0];
    assert!(v.allowed.as_ref().unwrap().is_empty());
    assert_eq!(
        v.message,
        "shop-web/Deployment/storefront cannot reach shop-core/Deployment/cart at all"
    );
    // The pods lost the `app: cart` label: storefront's egress rule no longer matches them.
    let explanation = v.explanation.as_ref().unwrap();
    assert!(!explanation.egress.allowed);
    assert!(
        explanation.egress.policies.contains(&"shop-web/storefront".to_string()),
        "{:?}",
        explanation.egress.policies
    );
}

#[test]
fn only_shop_core_reaches_shop_data_on_base_but_prometheus_reaches_postgres_on_head() {
    assert_pass(&one(&shop("base"), ONLY_SHOP_CORE_REACHES_SHOP_DATA));
    let r = one(&shop("head"), ONLY_SHOP_CORE_REACHES_SHOP_DATA);
    assert_fail(&r);
    assert_eq!(
        pairs(&r),
        vec![(
            "monitoring/Deployment/prometheus".to_string(),
            "shop-data/StatefulSet/postgres".to_string()
        )]
    );
    let v = &r.violations[0];
    assert_eq!(v.unexpected.as_ref().unwrap().to_string(), "TCP 5432");
    // The explanation names the rule that lets it in: the bare `namespaceSelector: {}` peer.
    let explanation = v.explanation.as_ref().unwrap();
    assert_eq!(explanation.port, Some(5432));
    let rule = explanation.ingress.decisions.iter().find(|d| d.matches_query).unwrap();
    assert_eq!(rule.policy.as_deref(), Some("shop-data/postgres"));
    assert_eq!(rule.peer_index, Some(2));
    let location = rule.location.as_ref().unwrap();
    assert_eq!(location.path, "examples/shop/head/policies.yaml");
    assert_eq!(location.field.as_deref(), Some("spec.ingress[0].from[2]"));
}

#[test]
fn the_example_expectations_pass_on_base() {
    let file = shop_expectations();
    let parsed = expect::parse(&file).unwrap_or_else(|e| panic!("{e}"));
    assert!((5..=8).contains(&parsed.expectations.len()));
    let files = shop("base");
    let (model, analysis) = api::analyze(&files, &Options::default());
    let results = expect::evaluate(&parsed, &model, &analysis, &files);
    for r in &results.results {
        assert!(r.passed, "{}: {}", r.name, r.summary);
        assert!(r.warnings.is_empty(), "{}: {:?}", r.name, r.warnings);
    }
}

#[test]
fn the_example_expectations_catch_the_head() {
    let request = CheckRequest {
        files: shop("head"),
        options: Options::default(),
        expectations: Some(shop_expectations()),
        lock: None,
    };
    let result = api::check(&request).unwrap();
    assert!(!result.passed);
    let expectations = result.expectations.unwrap();
    let failed: Vec<&str> = expectations
        .results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "storefront reaches cart",
            "checkout reaches the services it calls",
            "cart keeps carts in redis",
            "only shop-core reaches the data tier",
        ]
    );
    assert_eq!(
        (result.summary.expectations, result.summary.expectations_failed),
        (8, 4)
    );
    let checkout = &expectations.results[1];
    assert_eq!(
        pairs(checkout),
        vec![(
            "shop-core/Deployment/checkout".to_string(),
            "shop-core/Deployment/cart".to_string()
        )]
    );
    assert_eq!(checkout.checked, 3);
}
