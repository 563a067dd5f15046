#!/usr/bin/env python3
"""After `cargo update -Z direct-minimal-versions`: is every direct dependency
of straddle-sdk at exactly the lower bound its requirement declares?

If the resolver had to pick a higher version (another requirement in the
graph needs it), the declared bound is not what gets built, and so not what
the build after this proves: raise the requirement to the version printed.

Usage: python3 .ci/bounds.py   (in the packaged crate's directory)
"""

import json
import re
import subprocess
import sys


def lower_bound(req):
    """The lowest version a requirement such as `^1.2.3` or `>=0.6.0, <0.8.0` allows."""
    for part in req.split(","):
        m = re.fullmatch(r"\s*(\^|~|>=|=)?\s*(\d+)\.(\d+)\.(\d+)\s*", part)
        if m:
            return ".".join(m.groups()[1:])
    return None


def main():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    root = meta["resolve"]["root"]
    resolved = {}
    for dep in next(n for n in meta["resolve"]["nodes"] if n["id"] == root)["deps"]:
        pkg = packages[dep["pkg"]]
        resolved[pkg["name"]] = pkg["version"]

    bad = 0
    for dep in packages[root]["dependencies"]:
        low = lower_bound(dep["req"])
        got = resolved.get(dep["name"])
        if got is None:
            continue  # a target-specific dependency of another platform
        ok = low == got
        bad += not ok
        print(f"  {'ok ' if ok else 'RAISED'} {dep['name']} {dep['req']} -> {got}")
    if bad:
        print(f"{bad} requirement(s) resolve above their declared lower bound")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
