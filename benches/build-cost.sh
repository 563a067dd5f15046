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
# Then the marginal cost, what a consumer pays for adding the SDK to an
# application that already has the usual dependencies: one using reqwest
# (rustls, its default TLS), serde, serde_json, tokio and uuid, built in
# release without and with straddle-sdk (and one call of it), each in an
# empty target directory, in two rounds of alternating order.
#
# Usage: benches/build-cost.sh [SCRATCH_DIR] [extra cargo args, e.g. --offline]
#   PARTS="absolute marginal" (the default), or either one alone;
#   SDK_DIR=<path> measures the marginal cost of another build of the SDK
#   (the whole API's crate from `cargo xtask full-api --write-only`,
#   <target dir>/scratch/full-api/full-api), with the SDK's default features.
# Not a criterion benchmark: run it by hand, on an otherwise idle machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$(mktemp -d /tmp/straddle-build-cost.XXXXXX)}
shift || true
mkdir -p "$scratch"
cd "$root"

echo "rustc: $(rustc --version)"
echo "cores: $(nproc), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
parts=${PARTS:-absolute marginal}
# name and cargo feature flags of each configuration
configs=("default:" "lean:--no-default-features --features rustls-ring")

absolute() {
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
}

# An application with its usual dependencies, in $1, with straddle-sdk (and
# one call of it) when $2 is "with".
application() {
    local dir=$1 with=$2
    mkdir -p "$dir/src"
    cat >"$dir/Cargo.toml" <<EOF
[package]
name = "consumer-app"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
reqwest = { version = "0.13", features = ["json"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
uuid = { version = "1", features = ["v4", "serde"] }
EOF
    if [ "$with" = with ]; then
        # The published SDK's default features, named (read from its
        # manifest): the whole API's scratch crate defaults to `webhooks`
        # alone (its tests need no TLS), and its package is not called
        # straddle-sdk.
        echo "straddle-sdk = { path = \"$sdk_dir\", package = \"$sdk_package\", default-features = false, features = $default_features }" \
            >>"$dir/Cargo.toml"
    fi
    cat >"$dir/src/main.rs" <<'EOF'
#[derive(serde::Serialize, serde::Deserialize, Debug)]
struct Order {
    id: uuid::Uuid,
    amount: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let order = Order { id: uuid::Uuid::new_v4(), amount: 100 };
    let echoed: serde_json::Value = reqwest::Client::new()
        .post("https://example.com/orders")
        .json(&order)
        .send()
        .await?
        .json()
        .await?;
    println!("{echoed}");
    sdk_call().await
}
EOF
    if [ "$with" = with ]; then
        cat >>"$dir/src/main.rs" <<'EOF'

async fn sdk_call() -> Result<(), Box<dyn std::error::Error>> {
    let client = straddle_sdk::Client::from_env()?;
    let customer = client
        .customers()
        .review()
        .refresh_review("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
        .send()
        .await?;
    println!("{:?}", customer.data.id);
    Ok(())
}
EOF
    else
        cat >>"$dir/src/main.rs" <<'EOF'

async fn sdk_call() -> Result<(), Box<dyn std::error::Error>> {
    Ok(())
}
EOF
    fi
    # The versions the workspace builds with, wherever the application shares them.
    cp "$root/Cargo.lock" "$dir/Cargo.lock"
}

marginal() {
    sdk_dir=$(realpath "${SDK_DIR:-$root/straddle-sdk}")
    sdk_package=$(cargo metadata --no-deps --format-version 1 --manifest-path "$sdk_dir/Cargo.toml" |
        python3 -c 'import json, sys; d = sys.argv[1]; print(next(p["name"] for p in json.load(sys.stdin)["packages"] if p["manifest_path"] == d + "/Cargo.toml"))' "$sdk_dir")
    default_features=$(cargo metadata --no-deps --format-version 1 --manifest-path "$root/straddle-sdk/Cargo.toml" |
        python3 -c 'import json, sys; p = next(p for p in json.load(sys.stdin)["packages"] if p["name"] == "straddle-sdk"); print(json.dumps(p["features"]["default"]))')
    echo "marginal cost of $sdk_dir for an application using reqwest (rustls), serde, serde_json, tokio and uuid:"
    # Wall time is what a consumer waits, but on a shared machine it moves by
    # tens of seconds from build to build; CPU time (user + system, every
    # rustc and build script) is the compile work, which the load moves less.
    local -A wall=([without]=0 [with]=0) cpu=([without]=0 [with]=0)
    for round in 1 2; do
        local order=(without with)
        [ "$round" = 2 ] && order=(with without)
        for with in "${order[@]}"; do
            app="$scratch/app-$with"
            rm -rf "$app"
            application "$app" "$with"
            # Downloads are not build time.
            (cd "$app" && cargo fetch "$@" >/dev/null 2>&1)
            (cd "$app" && CARGO_TARGET_DIR="$app/target" /usr/bin/time -f '%e %U %S' -o "$app.time" \
                cargo build --release "$@" >"$app.log" 2>&1)
            read -r took user sys <"$app.time"
            spent=$(echo "$user + $sys" | bc)
            wall[$with]=$(echo "${wall[$with]} + $took" | bc)
            cpu[$with]=$(echo "${cpu[$with]} + $spent" | bc)
            grep '^ *Compiling ' "$app.log" | awk '{ print $2 }' | sort -u >"$app.crates"
            printf 'round %s: clean release build %-7s straddle-sdk: %6.1f s wall, %6.1f s CPU (%s crates compiled; load after: %s)\n' \
                "$round" "$with" "$took" "$spent" "$(wc -l <"$app.crates")" "$(cut -d' ' -f1-3 /proc/loadavg)"
        done
    done
    echo "crates compiled only with straddle-sdk: $(comm -13 "$scratch/app-without.crates" "$scratch/app-with.crates" | tr '\n' ' ')"
    printf 'marginal cost of straddle-sdk (mean of the two rounds): %.1f s wall, %.1f s CPU\n' \
        "$(echo "(${wall[with]} - ${wall[without]}) / 2" | bc -l)" \
        "$(echo "(${cpu[with]} - ${cpu[without]}) / 2" | bc -l)"
}

for part in $parts; do
    case $part in
        absolute) absolute "$@" ;;
        marginal) marginal "$@" ;;
        *) echo "unknown part $part: absolute or marginal" >&2; exit 1 ;;
    esac
done
