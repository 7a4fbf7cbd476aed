#!/usr/bin/env bash
# Fuzzes request parsing (fuzz_targets/requests.rs) for a set time: fuzz/run.sh [seconds]
# (default 300). Needs a nightly toolchain and cargo-fuzz; both are installed if missing.
# Findings are written to fuzz/artifacts/requests/; the corpus grows in fuzz/corpus/requests/.
# Not run in CI: it is open-ended by nature. Replay a finding with
#   cargo +nightly fuzz run requests fuzz/artifacts/requests/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
case "$seconds" in ''|*[!0-9]*) echo "usage: fuzz/run.sh [seconds]" >&2; exit 2;; esac

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install --locked cargo-fuzz

mkdir -p fuzz/corpus/requests
# Safe Rust needs no address sanitizer; the C in SQLite is not instrumented by it anyway.
# Set SANITIZER=address to use it.
exec cargo +nightly fuzz run --sanitizer "${SANITIZER:-none}" requests fuzz/corpus/requests -- \
  -max_total_time="$seconds" -dict=fuzz/requests.dict -max_len=4096 -timeout=10
