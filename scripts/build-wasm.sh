#!/usr/bin/env bash
# Builds the WebAssembly core into npm/pkg/ (git-ignored build output):
#
#   npm/pkg/netreach.js        ES module from `wasm-bindgen --target web`: the bindings and
#                              `init`/`initSync`; ONE output used by Node (npm/node.js) and
#                              browsers (npm/browser.js)
#   npm/pkg/netreach_bg.wasm   the module, optimised for speed with wasm-opt -O3 (unless --dev)
#
# Usage: scripts/build-wasm.sh [--dev]
#   --dev   fast unoptimised build (dev profile, no wasm-opt) for local iteration and PR
#           checks; releases never use it.
#
# Installs nothing. Needs: the wasm32-unknown-unknown target
# (`rustup target add wasm32-unknown-unknown`), wasm-bindgen-cli at exactly the version of
# the `wasm-bindgen` crate in Cargo.lock (`cargo install wasm-bindgen-cli --version X --locked`),
# and, without --dev, binaryen's wasm-opt from the root `npm ci`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

dev=false
for arg in "$@"; do
  case "$arg" in
    --dev) dev=true ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "build-wasm: unknown argument '$arg' (usage: scripts/build-wasm.sh [--dev])" >&2
      exit 2
      ;;
  esac
done

die() {
  echo "build-wasm: $*" >&2
  exit 1
}

# wasm-bindgen must match the crate exactly: the CLI and the macro share an unstable ABI.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$want" ] || die "no wasm-bindgen package in Cargo.lock (is netreach-wasm a workspace member?)"
command -v wasm-bindgen > /dev/null 2>&1 ||
  die "wasm-bindgen not found on PATH; install it with: cargo install wasm-bindgen-cli --version $want --locked"
have="$(wasm-bindgen --version | awk '{ print $2 }')"
[ "$have" = "$want" ] ||
  die "wasm-bindgen $have found, but Cargo.lock has wasm-bindgen $want; install the matching CLI with: cargo install wasm-bindgen-cli --version $want --locked --force"

wasm_opt="$root/node_modules/.bin/wasm-opt"
if ! $dev && [ ! -x "$wasm_opt" ]; then
  die "wasm-opt not found at node_modules/.bin/wasm-opt; run 'npm ci' at the repository root (it installs binaryen), or build with --dev"
fi

target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
if $dev; then
  profile_dir=debug
  cargo build -p netreach-wasm --target wasm32-unknown-unknown
else
  profile_dir=wasm-release
  cargo build -p netreach-wasm --target wasm32-unknown-unknown --profile wasm-release
fi
input="$target_dir/wasm32-unknown-unknown/$profile_dir/netreach_wasm.wasm"

out="$root/npm/pkg"
rm -rf "$out"
# --no-typescript: npm/index.d.ts is the hand-written, tested type contract.
# --omit-default-module-path: npm/browser.js names the .wasm itself (one `new URL(...,
# import.meta.url)` for bundlers to find), and npm/node.js reads it from disk.
wasm-bindgen "$input" \
  --target web \
  --out-dir "$out" \
  --out-name netreach \
  --no-typescript \
  --omit-default-module-path

if ! $dev; then
  # Exactly the features rustc emits for wasm32-unknown-unknown by default (1.95:
  # `rustc --print cfg --target wasm32-unknown-unknown | grep target_feature`): enabling
  # more (e.g. -all) would let wasm-opt introduce instructions older engines lack.
  "$wasm_opt" -O3 \
    --enable-bulk-memory \
    --enable-bulk-memory-opt \
    --enable-call-indirect-overlong \
    --enable-multivalue \
    --enable-mutable-globals \
    --enable-nontrapping-float-to-int \
    --enable-reference-types \
    --enable-sign-ext \
    --strip-debug --strip-producers \
    "$out/netreach_bg.wasm" -o "$out/netreach_bg.wasm"
fi

size=$(wc -c < "$out/netreach_bg.wasm")
gz=$(gzip -9c "$out/netreach_bg.wasm" | wc -c)
echo "build-wasm: npm/pkg/netreach_bg.wasm: $size bytes ($gz gzipped)$($dev && echo ', dev build')"
