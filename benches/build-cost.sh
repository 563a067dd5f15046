#!/usr/bin/env bash
# Build cost of a consumer of straddle-sdk, with default features and with
# the lean set side by side in the same run: the clean `cargo build` time
# (debug and release, each in an empty target directory, so nothing is
# reused from the workspace's `target/` or from the other configuration),
# the slowest crates of each release build (from `cargo build --timings`),
# and the dependency counts. The two configurations alternate (debug
# default, debug lean, release default, release lean) so both see the
# machine's load of the same minutes.
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
# name and cargo feature flags of each configuration
configs=("default:" "lean:--no-default-features --features rustls-ring")

for profile in debug release; do
    for config in "${configs[@]}"; do
        name=${config%%:*}
        read -r -a features <<<"${config#*:}"
        target="$scratch/$name-$profile"
        rm -rf "$target"
        flags=("${features[@]}")
        [ "$profile" = release ] && flags+=(--release --timings)
        start=$(date +%s.%N)
        CARGO_TARGET_DIR="$target" cargo build -p straddle-sdk --locked "${flags[@]}" "$@" \
            >"$scratch/$name-$profile.log" 2>&1
        end=$(date +%s.%N)
        crates=$(grep -c '^ *Compiling ' "$scratch/$name-$profile.log" || true)
        printf 'clean %-7s build, %-7s: %6.1f s wall (%s crates compiled; load after: %s)\n' \
            "$profile" "$name" "$(echo "$end - $start" | bc)" "$crates" "$(cut -d' ' -f1-3 /proc/loadavg)"
    done
done

for config in "${configs[@]}"; do
    name=${config%%:*}
    read -r -a features <<<"${config#*:}"
    timings=$(ls -t "$scratch/$name-release"/cargo-timings/cargo-timing-*.html 2>/dev/null | head -1 || true)
    if [ -n "$timings" ]; then
        echo "slowest crates of the $name release build (compile time, s):"
        python3 - "$timings" <<'EOF'
import json, re, sys
html = open(sys.argv[1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
for u in sorted(units, key=lambda u: -u["duration"])[:12]:
    print(f"  {u['duration']:6.1f}  {u['name']} {u['version']} {u.get('target', '')}".rstrip())
EOF
    fi

    tree() { cargo tree -p straddle-sdk "${features[@]}" --prefix none "$@" 2>/dev/null; }
    echo "$name: dependency lines, cargo tree -e normal --prefix none | sort -u: $(tree -e normal | sort -u | wc -l)"
    echo "$name: distinct packages (normal, without straddle-sdk): $(tree -e normal | sed 's/ (\*)//' | sort -u | grep -vc '^straddle-sdk ')"
    echo "$name: distinct packages (normal + build + proc-macro, without straddle-sdk): $(tree -e normal,build | sed 's/ (\*)//; s/ (proc-macro)//' | sort -u | grep -vc '^straddle-sdk ')"
done
