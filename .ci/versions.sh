#!/usr/bin/env bash
# The published crate's dependency requirements are what a consumer's
# resolver sees; Cargo.lock only pins this workspace. This builds the
# packaged straddle-sdk (from `cargo package`) on its own, twice:
#   lowest: every direct dependency at the lowest version its requirement
#           allows (cargo's unstable -Z direct-minimal-versions, enabled on
#           stable cargo by RUSTC_BOOTSTRAP=1 for that one `cargo update`);
#   newest: every dependency at the newest semver-compatible version, even
#           one that needs a newer Rust than rust-version (as a user on the
#           newest toolchain gets).
# and `cargo check`s the default, lean, lean with webhooks and all-features
# sets with each.
# Then straddle-sdk-mock the same two ways, its tests run (over that
# straddle-sdk). Needs the .crates of `cargo package` (the package step).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# The packaged crates and the build follow CARGO_TARGET_DIR when it is set.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")

# `[0-9]`: not straddle-sdk-mock-*.crate, packaged beside it.
crate=$(ls "$target_dir"/package/straddle-sdk-[0-9]*.crate | sort -V | tail -1)
work="$target_dir/versions"
rm -rf "$work/src"
mkdir -p "$work/src"
tar -xzf "$crate" -C "$work/src"
pkg=$(ls -d "$work"/src/straddle-sdk-[0-9]*)
# Its own workspace, not a stray member of this one.
printf '\n[workspace]\n' >>"$pkg/Cargo.toml"
cd "$pkg"
# Shares the target directory, so dependencies already built are reused.
export CARGO_TARGET_DIR="$target_dir"

# Resolves the package in the current directory at the bound $1 and prints
# what its direct dependencies resolved to.
resolve() {
  rm -f Cargo.lock
  if [ "$1" = lowest ]; then
    RUSTC_BOOTSTRAP=1 cargo update -Z direct-minimal-versions
  else
    CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=allow cargo update
  fi
  echo "-- $1: direct dependencies resolved to"
  if [ "$1" = lowest ]; then
    # Each must be at its declared lower bound, or the bound is not what is built.
    python3 "$root/.ci/bounds.py"
  else
    cargo tree --all-features -e normal,build,dev --depth 1 --prefix none | sed 1d | sort -u | tr '\n' ' '
    echo
  fi
}

for bound in lowest newest; do
  resolve "$bound"
  for set in "" "--no-default-features --features rustls-ring" \
    "--no-default-features --features rustls-ring,webhooks" "--all-features"; do
    echo "-- $bound: cargo check --all-targets ${set:-(default features)}"
    # shellcheck disable=SC2086 # $set is a list of flags
    cargo check --locked --all-targets $set
  done
done

# straddle-sdk-mock, packaged beside it, at the same two bounds. It needs the
# straddle-sdk of this commit, not (yet) on crates.io: patched to the one above.
sdk=$PWD
cd "$root"
mock_crate=$(ls "$target_dir"/package/straddle-sdk-mock-*.crate | sort -V | tail -1)
tar -xzf "$mock_crate" -C "$work/src"
mock=$(ls -d "$work"/src/straddle-sdk-mock-*)
printf '\n[workspace]\n\n[patch.crates-io]\nstraddle-sdk = { path = "%s" }\n' "$sdk" >>"$mock/Cargo.toml"
cd "$mock"
for bound in lowest newest; do
  echo "-- straddle-sdk-mock"
  resolve "$bound"
  echo "-- $bound: straddle-sdk-mock: cargo test"
  cargo test --locked
done
