#!/usr/bin/env bash
# Build cost of a consumer of straddle-sdk with default features: the clean
# `cargo build` time (debug and release, each in an empty target directory,
# so nothing is reused from the workspace's `target/`), the slowest crates of
# the release build (from `cargo build --timings`), and the dependency count.
#
# Usage: benches/build-cost.sh [SCRATCH_DIR] [extra cargo args, e.g. --offline]
# Not a criterion benchmark: run it by hand, on an otherwise idle machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$(mktemp -d /tmp/straddle-build-cost.XXXXXX)}
shift || true
mkdir -p "$scratch"
cd "$root"

echo "rustc: $(rustc --version)"
echo "cores: $(nproc), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for profile in debug release; do
    target="$scratch/$profile"
    rm -rf "$target"
    flags=()
    [ "$profile" = release ] && flags+=(--release --timings)
    start=$(date +%s.%N)
    CARGO_TARGET_DIR="$target" cargo build -p straddle-sdk --locked "${flags[@]}" "$@" \
        >"$scratch/$profile.log" 2>&1
    end=$(date +%s.%N)
    crates=$(grep -c '^ *Compiling ' "$scratch/$profile.log" || true)
    printf 'clean %-7s build: %6.1f s wall (%s crates compiled; load after: %s)\n' \
        "$profile" "$(echo "$end - $start" | bc)" "$crates" "$(cut -d' ' -f1-3 /proc/loadavg)"
done

timings=$(ls -t "$scratch"/release/cargo-timings/cargo-timing-*.html 2>/dev/null | head -1 || true)
if [ -n "$timings" ]; then
    echo "slowest crates of the release build (compile time, s):"
    python3 - "$timings" <<'EOF'
import json, re, sys
html = open(sys.argv[1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
for u in sorted(units, key=lambda u: -u["duration"])[:12]:
    print(f"  {u['duration']:6.1f}  {u['name']} {u['version']} {u.get('target', '')}".rstrip())
EOF
fi

tree() { cargo tree -p straddle-sdk --prefix none "$@" 2>/dev/null; }
echo "dependency lines, cargo tree -e normal --prefix none | sort -u: $(tree -e normal | sort -u | wc -l)"
echo "distinct packages (normal, without straddle-sdk): $(tree -e normal | sed 's/ (\*)//' | sort -u | grep -vc '^straddle-sdk ')"
echo "distinct packages (normal + build + proc-macro, without straddle-sdk): $(tree -e normal,build | sed 's/ (\*)//; s/ (proc-macro)//' | sort -u | grep -vc '^straddle-sdk ')"
