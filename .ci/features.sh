#!/usr/bin/env bash
# Every feature set of straddle-sdk a user can pick, besides the default
# (the main test step): clippy with -D warnings (each set compiles other
# cfg branches) and straddle-sdk's own tests, which build a client for
# https:// and so set up each TLS backend (or, without one, check that
# `build()` says which feature is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

sets=(
  "--no-default-features --features rustls-ring"   # the lean set
  "--no-default-features --features native-tls"
  "--features http2"
  "--no-default-features"
  "--all-features"
)
for set in "${sets[@]}"; do
  echo "-- straddle-sdk $set"
  # shellcheck disable=SC2086 # $set is a list of flags
  cargo clippy -p straddle-sdk --all-targets --locked $set -- -D warnings
  # shellcheck disable=SC2086
  cargo test -p straddle-sdk --locked $set
done
