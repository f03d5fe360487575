#!/usr/bin/env python3
"""The lock files: what they pin, and refreshing them from pyproject.toml.

``requirements.lock`` pins every runtime dependency with its sha256 hashes:
the offline kit installs exactly it, and the tool's software digest covers
it. ``requirements-dev.lock`` pins the same versions (same hashes) plus
every extra (the tests' tools) and the build backend; scripts/_venv.sh
makes the development and test venv from it. Each lock carries a stamp, the
sha256 of the dependency lists in pyproject.toml it was made from, so a
test can tell at once that pyproject.toml changed and the lock did not.

``python3 scripts/lockfile.py refresh --uv UV`` (what ./scripts/lock runs)
re-resolves both with uv, keeping existing pins where they still fit.
Reading and checking use the standard library only and never a network.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

REFRESH_COMMAND = "./scripts/lock"
RUNTIME_LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"
STAMP = "# pyproject.toml dependencies sha256: "
#: the oldest Python the locks resolve for (pyproject.toml: requires-python)
PYTHON_VERSION = "3.11"


@dataclass(frozen=True)
class Pin:
    """One locked distribution: ``name==version ; marker`` and its hashes."""

    name: str
    version: str
    marker: str
    hashes: tuple[str, ...]
    via: tuple[str, ...]


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(text: str) -> list[Pin]:
    """Every pin in a lock's text, in the order written."""
    pins: list[Pin] = []
    entry: list[str] = []
    via: list[str] = []

    def close() -> None:
        if entry:
            pins.append(parse_entry(" ".join(entry), tuple(via)))
        entry.clear()
        via.clear()

    continued = False
    for line in text.splitlines():
        stripped = line.strip()
        if continued:
            entry.append(stripped.rstrip("\\").strip())
            continued = stripped.endswith("\\")
        elif stripped.startswith("#"):
            words = stripped.lstrip("#").strip()
            if words.startswith("via "):
                via.append(words[4:])
            elif words != "via" and entry and line.startswith("    #   "):
                via.append(words)
        elif stripped:
            close()
            entry.append(stripped.rstrip("\\").strip())
            continued = stripped.endswith("\\")
    close()
    return pins


def parse_entry(entry: str, via: tuple[str, ...]) -> Pin:
    hashes = tuple(re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
    requirement = re.sub(r"\s*--hash=\S+", "", entry).strip()
    spec, _, marker = requirement.partition(";")
    name, sep, version = spec.strip().partition("==")
    if not sep:
        raise ValueError(f"not a pinned requirement: {entry!r}")
    return Pin(normalized(name), version.strip(), marker.strip(), hashes, via)


def dependency_lists(pyproject: Path) -> dict[str, object]:
    """What the locks are made from: runtime, extras and build requirements."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    return {
        "requires-python": project.get("requires-python", ""),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "build-system": data.get("build-system", {}).get("requires", []),
    }


def inputs_sha256(pyproject: Path) -> str:
    canonical = json.dumps(dependency_lists(pyproject), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def stamp_of(lock_text: str) -> str | None:
    for line in lock_text.splitlines():
        if line.startswith(STAMP):
            return line[len(STAMP):].strip()
    return None


def with_stamp(lock_text: str, stamp: str) -> str:
    """The lock with its stamp line set (after uv's header comment)."""
    lines = [line for line in lock_text.splitlines() if not line.startswith(STAMP)]
    at = 0
    while at < len(lines) and lines[at].startswith("#"):
        at += 1
    lines.insert(at, STAMP + stamp)
    return "\n".join(lines) + "\n"


def refresh(top: Path, uv: str, upgrade: bool) -> None:
    """Re-resolve both locks with uv and stamp them."""
    pyproject = top / "pyproject.toml"
    common = [
        uv, "pip", "compile", "--quiet", "--universal", "--python-version", PYTHON_VERSION,
        "--generate-hashes", "--custom-compile-command", REFRESH_COMMAND,
    ]
    if upgrade:
        common.append("--upgrade")
    subprocess.run(
        [*common, "pyproject.toml", "-o", RUNTIME_LOCK], cwd=top, check=True,
    )
    build = "".join(
        f"{requirement}\n" for requirement in dependency_lists(pyproject)["build-system"]
    )
    subprocess.run(
        [*common, "pyproject.toml", "-", "--all-extras", "-c", RUNTIME_LOCK, "-o", DEV_LOCK],
        cwd=top, check=True, input=build.encode(),
    )
    stamp = inputs_sha256(pyproject)
    for name in (RUNTIME_LOCK, DEV_LOCK):
        path = top / name
        path.write_text(with_stamp(path.read_text(encoding="utf-8"), stamp), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    refreshing = sub.add_parser("refresh", help="re-resolve the locks with uv")
    refreshing.add_argument("--uv", required=True, help="the uv command")
    refreshing.add_argument("--upgrade", action="store_true", help="newest versions of everything")
    sub.add_parser("stamp", help="print the sha256 of pyproject.toml's dependency lists")
    args = parser.parse_args()
    top = Path(__file__).resolve().parent.parent
    if args.command == "stamp":
        print(inputs_sha256(top / "pyproject.toml"))
        return 0
    refresh(top, args.uv, args.upgrade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
