#!/usr/bin/env bash
# Instruction counts (callgrind) of the decoding and per-call workloads in
# benches/examples/callgrind.rs, as ratios: figures a shared, noisy machine
# does not move, to read beside the criterion benches' times.
#
# Each workload runs at n and 2n; (I(2n) - I(n)) / n is its cost per
# operation, so setup cancels out. Needs valgrind. Takes a few minutes.
# Usage: benches/callgrind.sh [calls, default 1000]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --locked -p straddle-sdk-benches --example callgrind >/dev/null
bin="$root/target/release/examples/callgrind"
calls=${1:-1000}

# Instructions of one run: callgrind's "Collected" line.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
        awk '/Collected/ { print $4 }'
}

# Instructions per operation: run with n and 2n, subtract.
per_op() {
    local n=$1; shift
    local small large
    small=$(instructions "${@/N/$n}")
    large=$(instructions "${@/N/$((2 * n))}")
    echo $(((large - small) / n))
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3fx", a / b }'; }

for payload in example large large-reps-first; do
    n=50; [ "$payload" = example ] && n=1000
    typed=$(per_op "$n" decode typed "$payload" N)
    value=$(per_op "$n" decode value "$payload" N)
    echo "decode $payload: typed $typed / Value $value instructions = $(ratio "$typed" "$value")"
done
for concurrency in 1 256; do
    sdk=$(per_op "$calls" call sdk N "$concurrency")
    bare=$(per_op "$calls" call bare N "$concurrency")
    timeout=$(per_op "$calls" call bare-timeout N "$concurrency")
    echo "call, $concurrency concurrent: sdk $sdk / bare $bare instructions = $(ratio "$sdk" "$bare");" \
        "bare with a timeout $timeout = $(ratio "$timeout" "$bare")"
done
