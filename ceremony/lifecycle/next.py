"""``ceremony next``: the next ceremony's script, written from the newest bundle.

The flavor of the bundle writes the text (``Flavor.next_script``): the
current keys and thresholds, expiries extended by the periods the last
script used, the ``policy:`` carried, and for a rotation the keys to
replace. It is written whole or not at all (a hidden file renamed into
place, never over an existing one), then reviewed and run like any script.
"""

from __future__ import annotations

import os

from ceremony.errors import CeremonyError
from ceremony.inspect import flavor_at
from ceremony.lifecycle.writing import write_whole
from ceremony.verify.times import as_utc

TYPE_CHECKING = False
if TYPE_CHECKING:  # types only: datetime.py runs its pure-Python twin first, and the
    # command line gives its paths as text (cli/quick.py's path_text), a UI as Path
    from datetime import datetime
    from pathlib import Path

    from ceremony.bundle.files import P

KINDS = ("renew", "rotate-root")


def next_script_text(
    bundle: str | Path, kind: str, script: str | Path, *,
    replace: tuple[str, ...] | None = None,
    at: datetime | None = None, guns: tuple[str, ...] = (),
) -> str:
    """The text of the script of the ceremony after ``bundle``, to be written at ``script``
    (for the GUNs ``guns`` names: a DCT bundle's, whose GUNs may have different roots)."""
    if kind not in KINDS:
        raise CeremonyError(f"no next script for a {kind} ceremony",
                            todo=f"use --kind {' or --kind '.join(KINDS)}")
    flavor = flavor_at(bundle)
    folder = os.path.dirname(script) or "."  # its parent, as pathlib writes it
    return flavor.next_script(bundle, kind, folder, replace=replace, at=as_utc(at),
                              guns=guns)


def write_script(script: P, text: str) -> None:
    """Write ``text`` at ``script`` whole or not at all; never over a file."""
    write_whole(script, text, "-o")
