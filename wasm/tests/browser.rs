//! The exports in a headless browser (Chromium via chromedriver; capabilities in
//! `wasm/webdriver.json`), as JS calls them:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p netreach-wasm --target wasm32-unknown-unknown --test browser`
//! (or `scripts/test-wasm.sh`). The test bodies are shared with `node.rs` (`common/`).
#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    common::version_is_the_crate_version();
}

#[wasm_bindgen_test]
fn report_finds_the_shop_changes() {
    common::report_finds_the_shop_changes();
}

#[wasm_bindgen_test]
fn render_report_renders_formats_with_options() {
    common::render_report_renders_formats_with_options();
}

#[wasm_bindgen_test]
fn explain_gives_verdicts() {
    common::explain_gives_verdicts();
}

#[wasm_bindgen_test]
fn errors_carry_kind_field_and_file() {
    common::errors_carry_kind_field_and_file();
}

#[wasm_bindgen_test]
fn malformed_yaml_is_a_diagnostic() {
    common::malformed_yaml_is_a_diagnostic();
}
