#!/usr/bin/env bash
# Runs every test of the repository, after installing what they need (scripts/setup.sh):
# formatting and lints, the Rust core's tests, the WebAssembly build and its tests in Node and
# headless Chromium, and the JavaScript suites (npm package, CLI, Action, Argo CD plugin,
# playground, examples).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n== %s\n' "$*" >&2; }

step "setup"
bash scripts/setup.sh --browser

step "format and lint"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy -p netreach-wasm --target wasm32-unknown-unknown -- -D warnings
npm run --silent format:check
npm run --silent lint

step "Rust core tests"
cargo test -p netreach-core

step "WebAssembly build (release) and binding tests"
bash scripts/build-wasm.sh
bash scripts/test-wasm.sh

step "JavaScript tests"
node --test --test-concurrency=1 npm/test/ tests/
NETREACH_TARGET=browser node --test npm/test/api.test.mjs
