//! netreach-wasm: the WebAssembly binding of [`netreach_core`], and nothing more.
//!
//! Every export is "deserialize → call core → serialize": a JS value becomes a core request
//! type ([`api::ReportRequest`], [`api::ExplainRequest`], [`api::RenderOptions`]) by way of
//! `serde_json::Value` and [`api::parse_request`] (so the rules for a valid request live in
//! the core), the core answers, and the answer goes back through one serializer setting
//! ([`Serializer::json_compatible`]: maps become plain objects, as in the JSON report). An
//! unusable request is an [`ApiError`], thrown by [`into_error`] as a JS `Error` whose
//! `message` names the problem and which carries `kind` (`invalid-request`,
//! `invalid-option`, `unknown-format`, `unknown-endpoint`, `ambiguous-endpoint`,
//! `both-external`) and, where known, `field`, `file` and `line`.
//!
//! ```js
//! import init, { report, renderReport, explain, version } from "./pkg/netreach.js";
//! await init({ module_or_path: wasmUrl });
//! const r = report({ base: [{ path: "a.yaml", text }], head: [{ path: "a.yaml", text: text2 }] });
//! const md = renderReport({ head }, "markdown", { maxChars: 60000 });
//! ```
//!
//! The npm package (`npm/`) wraps these exports for Node and browsers; `wasm/tests/`
//! exercises them under Node and headless Chromium.

use netreach_core::api::{self, ApiError, ApiErrorKind, CheckRequest, ExplainRequest, ReportRequest, SnapshotRequest};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::prelude::*;

/// Heap reserved when the module starts (see `start`): enough for a cluster of about 1,500
/// workloads (examples/shop needs 1.4 MiB in all, a generated 1,000-workload cluster 10 MiB).
#[cfg(target_arch = "wasm32")]
const HEAP_RESERVE: usize = 16 << 20;

// Runs once when the module is instantiated: reserves HEAP_RESERVE bytes of heap, so an
// analysis does not grow the memory step by step as the heap fills up.
//
// The Rust allocator on wasm32 (dlmalloc) takes memory from `memory.grow` as it needs it and
// never hands it back. Allocating one large block and freeing it at once makes it grow the
// memory once, to the full size; the freed block stays in its free space and later
// allocations are carved out of it. Growing the memory by hand (`memory_grow`) or a linker
// `--initial-memory` would not help: dlmalloc only uses pages it grew itself, so those pages
// would sit unused. Untouched pages cost no physical memory (Node's RSS is unchanged).
//
// Measured (Node 20, V8): instantiation takes ~1 ms without a reserve, ~1-3 ms with 16 MiB and
// ~7-9 ms with 64 MiB, while the grows it saves are cheap in V8 (256 one-page grows: ~3 ms),
// so the effect on a first report is below measurement noise either way; 16 MiB keeps the
// fixed cost small and bounds the growth of typical inputs to a single step.
// (`//` comments: doc comments on exports end up in the generated JS.)
#[wasm_bindgen(start)]
fn start() {
    #[cfg(target_arch = "wasm32")]
    drop(std::hint::black_box(Vec::<u8>::with_capacity(HEAP_RESERVE)));
}

/// The version of netreach (the core's crate version).
#[wasm_bindgen]
pub fn version() -> String {
    api::VERSION.to_string()
}

/// The full report for `{base?, head, options?}` ([`api::ReportRequest`]), as a plain object
/// (the `schemaVersion` 1 JSON report).
#[wasm_bindgen]
pub fn report(request: JsValue) -> Result<JsValue, JsValue> {
    let request: ReportRequest = from_js(request)?;
    to_js(&request.run())
}

/// The report for `request`, rendered in `format` (`markdown`|`md`, `text`|`txt`, `json`,
/// `sarif`, `csv`, `dot`, `analysis-json`, `connections`) with optional
/// `{maxChars, marker, fullReportHint, title, pretty}` ([`api::RenderOptions`]).
#[wasm_bindgen(js_name = renderReport)]
pub fn render_report(request: JsValue, format: &str, render_options: JsValue) -> Result<String, JsValue> {
    let request: ReportRequest = from_js(request)?;
    let options = api::parse_render_options(to_json(render_options)?).map_err(into_error)?;
    api::render(&request.run(), format, &options).map_err(into_error)
}

/// The report for `request` computed once and rendered in each of `formats` (names as for
/// `renderReport`), in order: front-ends that need a rendering and the JSON data call this
/// instead of analysing twice.
#[wasm_bindgen(js_name = renderReports)]
pub fn render_reports(request: JsValue, formats: Vec<String>, render_options: JsValue) -> Result<Vec<String>, JsValue> {
    let request: ReportRequest = from_js(request)?;
    let options = api::parse_render_options(to_json(render_options)?).map_err(into_error)?;
    let report = request.run();
    formats
        .into_iter()
        .map(|format| api::render(&report, &format, &options).map_err(into_error))
        .collect()
}

/// Explains one connection: `{files, options?, query: {from, to, protocol?, port?}}`
/// ([`api::ExplainRequest`]) in, the `Explanation` out.
#[wasm_bindgen]
pub fn explain(request: JsValue) -> Result<JsValue, JsValue> {
    let request: ExplainRequest = from_js(request)?;
    to_js(&request.run().map_err(into_error)?)
}

/// Holds `{files, options?, expectations?, lock?}` ([`api::CheckRequest`]) to its expectations
/// file and/or lock file; the `CheckResult` out. An unusable expectations or lock file throws
/// an `Error` whose `message` is `file:line: problem` and which carries `kind`
/// (`expectations-syntax`, `invalid-expectations`, `lock-syntax`, `invalid-lock`), `file`,
/// `line` and, when known, `field`.
#[wasm_bindgen]
pub fn check(request: JsValue) -> Result<JsValue, JsValue> {
    let request: CheckRequest = from_js(request)?;
    to_js(&request.run().map_err(into_error)?)
}

/// The check for `request` ([`api::CheckRequest`]), rendered as `markdown`|`md`,
/// `text`|`txt` or `json`: broken expectations first, then the lock drift.
#[wasm_bindgen(js_name = renderCheck)]
pub fn render_check(request: JsValue, format: &str) -> Result<String, JsValue> {
    let request: CheckRequest = from_js(request)?;
    let result = request.run().map_err(into_error)?;
    api::render_check(&result, format).map_err(into_error)
}

/// The lock file text (`netreach.lock.json`) of `{files, options?}` ([`api::SnapshotRequest`]).
#[wasm_bindgen]
pub fn snapshot(request: JsValue) -> Result<String, JsValue> {
    let request: SnapshotRequest = from_js(request)?;
    Ok(request.run())
}

/// A JS value as a core request type; errors name the offending member.
fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    api::parse_request(to_json(value)?).map_err(into_error)
}

/// A JS value as JSON. Fails only on values JSON has no form for (functions, symbols).
fn to_json(value: JsValue) -> Result<serde_json::Value, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|error| {
        into_error(ApiError::new(
            ApiErrorKind::InvalidRequest,
            format!("invalid request: not a JSON-like value: {error}"),
        ))
    })
}

/// The one serializer setting: JSON-compatible plain objects, arrays, strings and numbers.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&Serializer::json_compatible()).map_err(|error| {
        into_error(ApiError::new(
            ApiErrorKind::Internal,
            format!("netreach could not convert its result: {error}"),
        ))
    })
}

/// The JS `Error` thrown for an [`ApiError`] or an [`api::CheckError`]: `message` (the error's
/// `Display`: for a check error `file:line: problem`), `name` `NetreachError`, and the error's
/// other fields (`kind`, `field`, `file`, `line`) as properties (absent when unknown).
#[allow(clippy::needless_pass_by_value)] // by value, so that `.map_err(into_error)` reads well
fn into_error<E: Serialize + std::fmt::Display>(error: E) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("NetreachError");
    if let Ok(serde_json::Value::Object(mut fields)) = serde_json::to_value(&error) {
        fields.remove("message");
        if let Ok(fields) = serde_json::Value::Object(fields).serialize(&Serializer::json_compatible()) {
            js_sys::Object::assign(&js, fields.unchecked_ref());
        }
    }
    js.into()
}
