"""The destruction record beside a decommission's bundle: where it is, and reading it.

A decommission destroys its keys only once its bundle is sealed
(steps/destroy.py), so what it then did cannot be in the bundle: it is
written beside it, ``NAME.destruction.jsonl`` (engine/after_seal.py), whole
or not at all, in lines that go on with the bundle's transcript hash chain
from its head. Read here for ``ceremony inspect`` and the printed record: its
lines when the file is there and every line chains on from the bundle's
transcript, else none and why, in words. Never written here.
"""

from __future__ import annotations

import glob
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceremony.bundle.files import PARTIAL_NAME
from ceremony.bundle.reading import read_plain_file
from ceremony.errors import MediaError

#: the most a destruction record holds (a few lines per key and file wiped)
RECORD_MAX_BYTES = 4 << 20


#: the end of the record's name: ``NAME.destruction.jsonl``, beside the bundle NAME
RECORD_SUFFIX = ".destruction.jsonl"
#: what to do about a part of the record a kill left (leftovers.py names it)
PART_TODO = ("it is not the record: check what was destroyed by hand, as "
             "docs/runbooks/key-destruction.md says (If the destruction did not finish)")


def destruction_record_path(output: Path) -> Path:
    """Where the record of what a decommission destroyed after its seal is written."""
    return output.parent / f"{output.name}{RECORD_SUFFIX}"


def record_parts(output: Path) -> list[Path]:
    """The parts of ``output``'s record that a kill (SIGKILL, a power cut) left while
    it was written, under the hidden name it is written under (``.NAME.partial-X``)."""
    record = destruction_record_path(output)
    if not output.parent.is_dir():
        return []
    return sorted(path for path in output.parent.glob(f".{glob.escape(record.name)}.partial-*")
                  if PARTIAL_NAME.fullmatch(path.name))


@dataclass(frozen=True)
class DestructionRecord:
    path: Path
    lines: list[dict[str, Any]] = field(default_factory=list)  # its events, when read
    data: bytes = b""  # its bytes, when read whole and chained
    problem: str = ""  # why there are none: "" when it was read whole

    @property
    def ended(self) -> dict[str, Any] | None:
        """Its last line, when it is the ``destruction-ended`` line (whole)."""
        last = self.lines[-1] if self.lines else None
        return last if last is not None and last.get("event") == "destruction-ended" else None


def read_destruction_record(bundle: Path, head: str) -> DestructionRecord:
    """The destruction record beside ``bundle``, whose transcript head is ``head``."""
    path = destruction_record_path(bundle)
    if not path.exists() and not path.is_symlink():
        parts = "".join(f"; {part} is a part of it a kill left while it was written: {PART_TODO}"
                        for part in record_parts(bundle))
        return DestructionRecord(path, problem=f"there is no destruction record at {path}: the "
                                 "destruction after the seal did not finish (or its record was "
                                 f"moved){parts}")
    try:
        data = read_plain_file(path, RECORD_MAX_BYTES)
    except MediaError as error:
        return DestructionRecord(path, problem=f"{path} cannot be read: {error}")
    lines = []
    for number, line in enumerate(data.splitlines(), 1):
        try:
            event = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            event = None
        if not isinstance(event, dict) or event.get("prev") != head:
            return DestructionRecord(path, problem=f"{path}, line {number}: does not go on "
                                     "from the line before it (the bundle's transcript for the "
                                     "first): it was changed, or is another bundle's")
        lines.append(event)
        head = hashlib.sha256(line).hexdigest()
    return DestructionRecord(path, lines, data)
