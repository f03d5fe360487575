"""Custody records in the export bundle: ``custody/custody-<ceremony id>.json``.

A ceremony that seals a custody bundle puts that bundle's public record
(custody.json) into its export bundle too, and every later bundle carries
the records forward, unless a recovery retired them. So the newest bundle
says which custody bundles open its root keys, and a recovery checks the
copies on media against a record that did not travel with them.
Records are public; this module reads them from media as hostile input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ceremony.custody.record import CustodyRecord, RecordFormatError
from ceremony.events import FileWritten

FOLDER = "custody"
MAX_RECORD = 1024 * 1024


def record_path(ceremony_id: str) -> str:
    return f"{FOLDER}/custody-{ceremony_id}.json"


def records_in_bundle(bundle: Path) -> dict[str, tuple[bytes, CustodyRecord]]:
    """Every readable custody record a bundle carries, by ceremony id."""
    folder = Path(bundle) / FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return {}
    found = {}
    for path in sorted(folder.glob("custody-*.json")):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RECORD:
            continue
        data = path.read_bytes()
        try:
            record = CustodyRecord.from_json(data)
        except RecordFormatError:
            continue
        if path.name == Path(record_path(record.ceremony_id)).name:
            found[record.ceremony_id] = (data, record)
    return found


def write_records(ctx) -> Iterator[FileWritten]:
    """Into the bundle being written: this ceremony's new record, and the
    current bundle's records that were not retired today."""
    state = ctx.custody
    retired = set(state.retired) if state is not None else set()
    current = _current_path(ctx)
    carried = records_in_bundle(current) if current is not None else {}
    for ceremony_id, (data, _record) in sorted(carried.items()):
        if ceremony_id not in retired:
            yield ctx.writer.write(record_path(ceremony_id), data)
    if state is not None and state.record is not None:
        yield ctx.writer.write(record_path(state.record.ceremony_id), state.record.to_json())


def _current_path(ctx) -> Path | None:
    """The bundle this ceremony builds on: tuf, ctx.current; dct, the current
    DCT bundle (not a Docker trust dir, which carries no custody record)."""
    if ctx.current is not None:
        return ctx.current.path
    run = getattr(ctx, "dct", None)
    if run is not None and run.state.source == "bundle":
        return run.state.path
    return None
