#!/usr/bin/env python3
"""The part of `rust-version` that tools here can check without that toolchain.

No older toolchain can be installed on CI's machines, so straddle-sdk's
`rust-version` is checked in three parts: clippy's `incompatible_msrv` lint
(in the clippy step) rejects standard-library items newer than it; this
script rejects a dependency that declares a newer `rust-version`; and no
language feature newer than it may be used (review, see the README).

Usage: python3 .ci/msrv.py [MANIFEST_PATH]
Reads `cargo metadata` of the manifest (the workspace by default, with its
Cargo.lock), walks the normal and build dependencies of straddle-sdk and
straddle-sdk-mock (each that the manifest has) with every feature on, and
fails if any of them needs a newer Rust than that crate declares. Prints
what it checked.
"""

import json
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


# The published crates: their normal and build dependencies are what a
# consumer's toolchain has to build.
PUBLISHED = ["straddle-sdk", "straddle-sdk-mock"]


def main():
    cmd = ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"]
    if len(sys.argv) > 1:
        cmd += ["--manifest-path", sys.argv[1]]
    meta = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    failed = 0
    for name in PUBLISHED:
        found = [p for p in meta["packages"] if p["name"] == name]
        if found:
            failed |= check(found[0], packages, nodes)
    return failed


def check(krate, packages, nodes):
    """Fails if a normal or build dependency of `krate` needs a newer Rust."""
    msrv = version(krate["rust_version"])
    seen, todo = set(), [krate["id"]]
    while todo:
        for dep in nodes[todo.pop()]["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            if kinds & {None, "build"} and dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])

    newer = sorted(
        f"{packages[i]['name']} {packages[i]['version']} needs Rust {packages[i]['rust_version']}"
        for i in seen
        if packages[i].get("rust_version") and version(packages[i]["rust_version"]) > msrv
    )
    declared = sum(1 for i in seen if packages[i].get("rust_version"))
    print(
        f"{krate['name']} rust-version {krate['rust_version']}: {len(seen)} dependencies "
        f"(all features, normal and build), {declared} declare a rust-version, "
        f"{len(newer)} newer"
    )
    for line in newer:
        print(f"  {line}")
    return 1 if newer else 0


if __name__ == "__main__":
    sys.exit(main())
