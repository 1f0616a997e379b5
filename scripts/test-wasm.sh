#!/usr/bin/env bash
# Runs the netreach-wasm export tests (wasm/tests/) with wasm-bindgen-test-runner, the runner
# .cargo/config.toml sets for wasm32-unknown-unknown:
#
#   wasm/tests/node.rs      under Node.js
#   wasm/tests/browser.rs   in headless Chromium via chromedriver (capabilities: wasm/webdriver.json;
#                           the runner adds --headless, --no-sandbox and --disable-dev-shm-usage)
#
# Usage: scripts/test-wasm.sh [node|browser]...   (default: both)
# Environment: CHROMEDRIVER (default: chromedriver on PATH, else /usr/bin/chromedriver).
# Installs nothing: needs the wasm32-unknown-unknown target, wasm-bindgen-cli at Cargo.lock's
# wasm-bindgen version (it provides wasm-bindgen-test-runner), Node.js, Chromium + chromedriver.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

die() {
  echo "test-wasm: $*" >&2
  exit 1
}

want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
command -v wasm-bindgen-test-runner > /dev/null 2>&1 ||
  die "wasm-bindgen-test-runner not found on PATH; install it with: cargo install wasm-bindgen-cli --version $want --locked"
have="$(wasm-bindgen-test-runner --version | awk '{ print $2 }')"
[ "$have" = "$want" ] ||
  die "wasm-bindgen-test-runner $have found, but Cargo.lock has wasm-bindgen $want; install the matching CLI with: cargo install wasm-bindgen-cli --version $want --locked --force"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(node browser)

for suite in "${suites[@]}"; do
  case "$suite" in
    node)
      echo "test-wasm: wasm/tests/node.rs under Node.js ($(node --version))"
      cargo test -p netreach-wasm --target wasm32-unknown-unknown --test node
      ;;
    browser)
      driver="${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}"
      [ -x "$driver" ] || die "chromedriver not found (set CHROMEDRIVER=/path/to/chromedriver)"
      echo "test-wasm: wasm/tests/browser.rs in headless Chromium ($("$driver" --version | awk '{ print $1, $2 }'))"
      # The runner reads webdriver.json from the working directory, which cargo sets to the
      # crate's; WASM_BINDGEN_TEST_WEBDRIVER_JSON makes that explicit.
      CHROMEDRIVER="$driver" WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/wasm/webdriver.json" \
        cargo test -p netreach-wasm --target wasm32-unknown-unknown --test browser
      ;;
    *) die "unknown suite '$suite' (node or browser)" ;;
  esac
done
