"""``ceremony clean PATH``: remove what a stopped ceremony left, after a typed "remove".

Only a leftover the tool names (a staging folder, a bundle whose sealing was
interrupted) is removed, its key files overwritten first; anything else,
a sealed bundle above all, is refused. The confirmation is typed at a
terminal: there is no flag to skip it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ceremony.bundle.leftovers import leftover_kind, remove_leftover
from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.prompt import ask
from ceremony.errors import CeremonyError
from ceremony.verify.problem import safe_path


def clean_command(path: Path, *, interactive: bool | None = None) -> int:
    shown = safe_path(str(path))
    what = leftover_kind(path)
    if what is None:
        raise CeremonyError(
            "is not something a stopped ceremony left (no staging or .partial- name, no "
            "INCOMPLETE mark)",
            where=shown,
            todo="ceremony clean removes only the leftovers validate and run name; a sealed "
            "bundle is never removed by this tool",
        )
    print(f"{shown}: {what}.")
    if not (sys.stdin.isatty() if interactive is None else interactive):
        raise CeremonyError(
            "nobody is at a terminal to confirm the removal",
            where=shown,
            todo="run `ceremony clean` at a terminal and type remove",
        )
    answer = ask("Its key files are overwritten, then it is removed. Type 'remove' to go on: ")
    if answer.strip() != "remove":
        print("Nothing was removed.")
        return ExitCode.OK
    remove_leftover(path)
    print(f"{shown} was removed.")
    return ExitCode.OK
