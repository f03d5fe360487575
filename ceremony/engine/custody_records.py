"""Custody records in the export bundle: ``custody/custody-<ceremony id>.json``.

A ceremony that seals a custody bundle puts that bundle's public record
(custody.json) into its export bundle too, and every later bundle carries
the records forward, unless a recovery retired them. So the newest bundle
says which custody bundles open its root keys, and a recovery checks the
copies on media against a record that did not travel with them. Records
are public; they are taken from a bundle's verified contents, and a record
that does not parse, or whose name is not its own, is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ceremony.custody.record import CustodyRecord, RecordFormatError
from ceremony.verify.contents import BundleContents

if TYPE_CHECKING:  # types only: a bundle's reader takes its records without the engine
    from ceremony.engine.context import Context
    from ceremony.events import FileWritten

FOLDER = "custody"
MAX_RECORD = 1024 * 1024


def record_path(ceremony_id: str) -> str:
    return f"{FOLDER}/custody-{ceremony_id}.json"


def records_in_contents(contents: BundleContents) -> dict[str, tuple[bytes, CustodyRecord]]:
    """Every readable custody record a verified bundle carries, by ceremony id."""
    found: dict[str, tuple[bytes, CustodyRecord]] = {}
    for path in sorted(contents.files):
        # PurePosixPath's parent and name of a bundle's own path (no empty, . or .. part)
        folder, _, name = path.rpartition("/")
        if folder != FOLDER or not name.startswith("custody-"):
            continue
        data = contents.content(path)
        if data is None or len(data) > MAX_RECORD or not path.endswith(".json"):
            continue
        try:
            record = CustodyRecord.from_json(data)
        except RecordFormatError:
            continue
        if path == record_path(record.ceremony_id):
            found[record.ceremony_id] = (data, record)
    return found


def write_records(ctx: Context) -> Iterator[FileWritten]:
    """Into the bundle being written: this ceremony's new record, and the
    current bundle's records that were not retired today."""
    state = ctx.custody
    retired = set(state.retired) if state is not None else set()
    carried = ctx.current.custody_records if ctx.current is not None else {}
    for ceremony_id, (data, _record) in sorted(carried.items()):
        if ceremony_id not in retired:
            yield ctx.bundle.write(record_path(ceremony_id), data)
    if state is not None and state.record is not None:
        yield ctx.bundle.write(record_path(state.record.ceremony_id), state.record.to_json())
