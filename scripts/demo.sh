#!/usr/bin/env bash
# The main job: sets up a fresh machine, builds the WebAssembly core, and prints the PR comment
# netreach would post for the bundled example app (examples/shop: base → head).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
[ -f npm/pkg/netreach_bg.wasm ] || bash scripts/build-wasm.sh
node npm/bin/netreach.js diff examples/shop/base examples/shop/head --format markdown
