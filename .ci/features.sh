#!/usr/bin/env bash
# Every feature set of straddle-sdk a user can pick, besides the default
# (the main test step): clippy with -D warnings (each set compiles other
# cfg branches) and straddle-sdk's own tests, which build a client for
# https:// and so set up each TLS backend (or, without one, check that
# `build()` says which feature is missing). Sets that only add or drop
# code without changing how the rest behaves (`webhooks`, which the lean
# set drops) are linted, not tested again: the default runs its tests.
set -euo pipefail
cd "$(dirname "$0")/.."

sets=(
  "--no-default-features --features rustls-ring"   # the lean set (no webhooks)
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

lint_only=(
  "--no-default-features --features rustls-ring,webhooks"  # the lean set, webhooks kept
  "--no-default-features --features webhooks"              # webhooks with no TLS
)
for set in "${lint_only[@]}"; do
  echo "-- straddle-sdk $set (clippy only)"
  # shellcheck disable=SC2086
  cargo clippy -p straddle-sdk --all-targets --locked $set -- -D warnings
done
