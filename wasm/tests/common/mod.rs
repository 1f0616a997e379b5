//! The export tests shared by `node.rs` and `browser.rs`: each calls the exports the way JS
//! does (plain JS objects in, plain JS objects or a thrown `Error` out).

use js_sys::{Array, Object, Reflect};
use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};

const PROMETHEUS: &str = "monitoring/Deployment/prometheus";
const POSTGRES: &str = "shop-data/StatefulSet/postgres";

macro_rules! shop_side {
    ($side:literal) => {
        json!([
            {"path": concat!("examples/shop/", $side, "/namespaces.yaml"), "text": include_str!(concat!("../../../examples/shop/", $side, "/namespaces.yaml"))},
            {"path": concat!("examples/shop/", $side, "/policies.yaml"), "text": include_str!(concat!("../../../examples/shop/", $side, "/policies.yaml"))},
            {"path": concat!("examples/shop/", $side, "/services.yaml"), "text": include_str!(concat!("../../../examples/shop/", $side, "/services.yaml"))},
            {"path": concat!("examples/shop/", $side, "/workloads.yaml"), "text": include_str!(concat!("../../../examples/shop/", $side, "/workloads.yaml"))},
        ])
    };
}

/// A JSON value as the plain JS value a caller would pass.
fn js(value: &Value) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

/// A JS result as JSON, to assert on.
fn json_of(value: &JsValue) -> Value {
    serde_wasm_bindgen::from_value(value.clone()).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn is_plain_object(value: &JsValue) -> bool {
    value.is_object()
        && !value.is_instance_of::<js_sys::Map>()
        && Object::is(
            &Object::get_prototype_of(value),
            &Object::get_prototype_of(&Object::new()),
        )
}

/// The thrown value: a JS `Error` named `NetreachError` with this `kind`; returned for
/// further property checks.
fn thrown(result: Result<impl std::fmt::Debug, JsValue>, kind: &str) -> JsValue {
    let error = result.expect_err("expected a thrown error");
    let as_error = error
        .dyn_ref::<js_sys::Error>()
        .expect("the thrown value is a JS Error");
    assert_eq!(String::from(as_error.name()), "NetreachError");
    assert_eq!(prop(&error, "kind").as_deref(), Some(kind), "{error:?}");
    error
}

/// A string property of a thrown error (`None` when absent).
fn prop(error: &JsValue, key: &str) -> Option<String> {
    let value = get(error, key);
    assert!(value.is_undefined() || value.is_string(), "{key} is a string");
    value.as_string()
}

pub fn version_is_the_crate_version() {
    assert_eq!(netreach_wasm::version(), env!("CARGO_PKG_VERSION"));
}

pub fn report_finds_the_shop_changes() {
    let request = js(&json!({"base": shop_side!("base"), "head": shop_side!("head")}));
    let report = netreach_wasm::report(request).unwrap();
    assert!(is_plain_object(&report), "the report is a plain object");
    let summary = get(&report, "summary");
    assert!(is_plain_object(&summary));
    let labels = get(
        &get(
            &Array::from(&get(&get(&report, "analysis"), "endpoints")).get(0),
            "labels",
        ),
        "app",
    );
    assert!(
        labels.is_string(),
        "labels are a plain object (json_compatible), not a Map"
    );

    let report = json_of(&report);
    assert_eq!(report["schemaVersion"], 1);
    assert!(report["summary"]["exposures"].as_u64().unwrap() > 0);
    assert!(report["summary"]["breakages"].as_u64().unwrap() > 0);
    let changes = report["diff"]["changes"].as_array().unwrap();
    let change = changes
        .iter()
        .find(|c| c["from"] == PROMETHEUS && c["to"] == POSTGRES)
        .expect("prometheus -> postgres changed");
    assert_eq!(change["added"], json!([{"protocol": "TCP", "ranges": [[5432, 5432]]}]));
}

pub fn render_report_renders_formats_with_options() {
    let request = js(&json!({"head": shop_side!("head")}));
    let options = js(&json!({"marker": "<!-- netreach -->", "title": "Reach"}));
    let markdown = netreach_wasm::render_report(request.clone(), "md", options).unwrap();
    assert!(markdown.starts_with("<!-- netreach -->\n"), "{markdown}");
    assert!(markdown.contains("Reach"));

    let analysis =
        netreach_wasm::render_report(request.clone(), "analysis-json", js(&json!({"pretty": false}))).unwrap();
    let analysis: Value = serde_json::from_str(&analysis).unwrap();
    let keys: Vec<&String> = analysis.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["connections", "endpoints"],
        "exactly these (serde_json sorts keys)"
    );

    let connections = netreach_wasm::render_report(request, "connections", JsValue::UNDEFINED).unwrap();
    assert!(
        connections
            .lines()
            .any(|l| l == format!("{PROMETHEUS} => {POSTGRES} : TCP 5432,9187")),
        "{connections}"
    );
}

pub fn explain_gives_verdicts() {
    let query = json!({"from": PROMETHEUS, "to": POSTGRES, "port": 5432});
    let head = json_of(&netreach_wasm::explain(js(&json!({"files": shop_side!("head"), "query": query}))).unwrap());
    assert_eq!(head["allowed"], true);
    assert_eq!(head["ingress"]["isolated"], true);
    let base = json_of(&netreach_wasm::explain(js(&json!({"files": shop_side!("base"), "query": query}))).unwrap());
    assert_eq!(base["allowed"], false);
}

pub fn errors_carry_kind_field_and_file() {
    let no_options = JsValue::UNDEFINED;
    // Missing `head`: the request is wrong, no member or file to point at.
    let error = thrown(netreach_wasm::report(js(&json!({"base": []}))), "invalid-request");
    assert!(prop(&error, "message").unwrap().contains("missing field `head`"));
    assert_eq!(prop(&error, "field"), None);
    assert_eq!(prop(&error, "file"), None);
    assert!(get(&error, "line").is_undefined());

    // A bad member of one file: the member and the file are named; the line is not known.
    let files = json!([{"path": "ok.yaml", "text": ""}, {"path": "broken.yaml", "text": 42}]);
    let error = thrown(netreach_wasm::report(js(&json!({"head": files}))), "invalid-request");
    assert_eq!(prop(&error, "field").as_deref(), Some("head[1].text"));
    assert_eq!(prop(&error, "file").as_deref(), Some("broken.yaml"));
    assert!(get(&error, "line").is_undefined());

    let request = json!({"head": [], "options": {"namespaces": "x"}});
    let error = thrown(netreach_wasm::report(js(&request)), "invalid-option");
    assert_eq!(prop(&error, "field").as_deref(), Some("options.namespaces"));

    let request = js(&json!({"head": []}));
    let result = netreach_wasm::render_report(request.clone(), "html", no_options);
    thrown(result, "unknown-format");
    let bad_options = js(&json!({"maxChars": "x"}));
    let result = netreach_wasm::render_report(request, "md", bad_options);
    let error = thrown(result, "invalid-option");
    assert_eq!(prop(&error, "field").as_deref(), Some("maxChars"));

    let query = json!({"from": "nobody", "to": POSTGRES});
    let request = json!({"files": shop_side!("head"), "query": query});
    thrown(netreach_wasm::explain(js(&request)), "unknown-endpoint");

    thrown(netreach_wasm::report(JsValue::from_str("head")), "invalid-request");
}

pub fn malformed_yaml_is_a_diagnostic() {
    let request = json!({"head": [{"path": "bad.yaml", "text": "kind: [unclosed\n"}]});
    let report = json_of(&netreach_wasm::report(js(&request)).expect("no throw"));
    assert_eq!(report["summary"]["inputErrors"], 1);
    assert_eq!(report["diagnostics"][0]["code"], "yaml-syntax");
    assert_eq!(report["diagnostics"][0]["location"]["path"], "bad.yaml");
    assert!(report["diagnostics"][0]["location"]["line"].as_u64().unwrap() >= 1);
}
