#!/usr/bin/env bash
# Instruction counts (callgrind) of the decoding and per-call workloads in
# benches/examples/callgrind.rs, as ratios: figures a shared, noisy machine
# does not move, to read beside the criterion benches' times.
#
# Each workload runs at n and 2n; (I(2n) - I(n)) / n is its cost per
# operation, so setup cancels out. The calls are counted in the client's
# process alone (the loopback server runs in a child process callgrind does
# not follow), on a current-thread runtime. Needs valgrind; takes a few
# minutes.
# Usage: benches/callgrind.sh [calls, default 2048]
#   RUNTIME=multi counts the calls on a two-worker runtime instead (its
#   scheduler's parking and stealing move the counts by a few thousand
#   instructions a call from run to run).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --locked -p straddle-sdk-benches --example callgrind >/dev/null
bin="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")/release/examples/callgrind"
calls=${1:-2048}
runtime=${RUNTIME:-current}

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
"$bin" sizes | tr '\n' ';' | sed 's/;$/\n/; s/;/; /g; s/^/future sizes: /'
for concurrency in 1 256; do
    # A multiple of the burst size, so every burst is full.
    n=$(((calls + concurrency - 1) / concurrency * concurrency))
    sdk=$(per_op "$n" call sdk N "$concurrency" "$runtime")
    timeout=$(per_op "$n" call bare-timeout N "$concurrency" "$runtime")
    bare=$(per_op "$n" call bare N "$concurrency" "$runtime")
    echo "call, $concurrency concurrent ($runtime runtime), instructions per call:" \
        "sdk $sdk, bare with the same timeout $timeout, bare $bare;" \
        "sdk / bare with the same timeout = $(ratio "$sdk" "$timeout"), sdk / bare = $(ratio "$sdk" "$bare")"
done
