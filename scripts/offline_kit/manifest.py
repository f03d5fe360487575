"""What the kit says about itself: SHA256SUMS, KIT.json and the operator's README.

Everything here is made from the kit's files and the commit alone (no clock,
no host name, no build path), so two builds of one commit write the same
bytes. SHA256SUMS is in ``sha256sum`` format, sorted, and lists every file
but itself; install.sh refuses a kit whose files differ from it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from string import Template

README_TEMPLATE = Path(__file__).with_name("README.kit.txt")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def grouped(hex_text: str) -> str:
    return " ".join(hex_text[i:i + 4] for i in range(0, len(hex_text), 4))


def kit_files(kit: Path) -> list[str]:
    return sorted(
        (path.relative_to(kit).as_posix() for path in kit.rglob("*") if path.is_file()),
        key=str.encode,
    )


def write_sums(kit: Path) -> str:
    """Write SHA256SUMS; return its own sha256."""
    lines = "".join(
        f"{sha256_of(kit / name)}  {name}\n" for name in kit_files(kit) if name != "SHA256SUMS"
    )
    (kit / "SHA256SUMS").write_text(lines, encoding="utf-8")
    return sha256_of(kit / "SHA256SUMS")


def kit_json(facts: dict[str, object], purposes: dict[str, str]) -> str:
    return json.dumps({**facts, "files": dict(sorted(purposes.items()))}, indent=2) + "\n"


def readme(facts: dict[str, object], debs: int, wheels: int) -> str:
    tool = facts["tool"]
    source = facts["source"]
    assert isinstance(tool, dict) and isinstance(source, dict)
    return Template(README_TEMPLATE.read_text(encoding="utf-8")).substitute(
        name=tool["name"],
        version=tool["version"],
        commit=source["commit"],
        commit_time=source["commit_time"],
        python=facts["python"]["version"],  # type: ignore[index]
        debs=debs,
        wheels=wheels,
        built=built_note(facts["built_from_source"]),  # type: ignore[arg-type]
        digest="\n".join("    " + grouped(tool["software_digest"][i:i + 16])
                         for i in range(0, 64, 16)),
    )


def built_note(built: list[dict[str, str]]) -> str:
    """The README's word on the wheels built from source, if any."""
    if not built:
        return ""
    names = ", ".join(f"{entry['name']} {entry['version']}" for entry in built)
    return (f"PyPI publishes {names} only as source for Linux: the kit's builder\n"
            "built its wheel from the sdist requirements.lock pins (KIT.json,\n"
            "built_from_source, names the sdist and its sha256).\n")


def commit_time(epoch: str) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
