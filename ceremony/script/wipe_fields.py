"""``wipe:`` (decommission): the files that held the destroyed keys, to take off media.

    wipe:
      key-files: [../media/2027-05-rotation/keys/root/root-carol.age]
      custody-copies: [/media/custody-a/custody-20261126T173000Z-bootstrap-3f2a9c1e]

Paths relative to the script's folder, read as written (a link in them stays
visible for preflight to refuse). Which file held which key, and whether
each can be wiped safely, preflight judges (engine/destroy_preflight.py).
"""

from __future__ import annotations

from pathlib import Path

from ceremony.script.plan import WipeSpec
from ceremony.script.values import read_path
from ceremony.script.yamlload import Located

TODO = ("Write wipe as {key-files: [PATH...], custody-copies: [FOLDER...]} "
        "(docs/reference/scripts.md, decommission)")


def read_wipe(located: Located, base_dir: Path) -> WipeSpec:
    fields = located.fields(("key-files", "custody-copies"), todo=TODO)
    found: dict[str, tuple[Path, ...]] = {}
    for name in ("key-files", "custody-copies"):
        items = fields[name].items(TODO) if name in fields else []
        paths = tuple(read_path(item, base_dir) for item in items)
        for index, path in enumerate(paths):
            if path in paths[:index]:
                raise items[index].error(f"{path} is listed twice", "List each path once")
        found[name] = paths
    return WipeSpec(key_files=found["key-files"], custody_copies=found["custody-copies"])
