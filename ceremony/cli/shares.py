"""Custody shares at the terminal, for the headless Operator.

Hand-out: the terminal names the custodian and the sheet, never the words
(the custodian holds the printed sheet), and reads the checksum words back
without echo. Recovery: shares come from ``--share FILE`` (a text file, or
an image holding the sheet's QR code), in order, then from the terminal,
where a custodian types the words without echo or gives a file path. Share
words are never printed. Without a terminal and without files, the
ceremony stops with an error naming what is missing. Once a threshold is
in, every ``--share`` file left is still given (each is checked and
reported, not used); the terminal then asks "more shares?" and asks for
words only when the operator answers yes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ceremony.cli.prompt import ask, ask_hidden
from ceremony.custody.share_input import answer_for_file
from ceremony.errors import CeremonyError
from ceremony.operator import Secret, ShareAnswer, ShareHandout, ShareRequest


def hand_out_at_terminal(request: ShareHandout, *, interactive: bool, yes: bool) -> Secret:
    if not interactive:
        if yes:
            return Secret("")  # recorded by the engine as not read back
        raise CeremonyError(
            f"no one can read back the checksum words of share {request.number}",
            todo="run at a terminal, or pass --yes to hand out without read-back (the "
            "transcript records it)",
        )
    who = f" to {request.custodian}" if request.custodian else ""
    first, last = request.checksum_positions[0], request.checksum_positions[-1]
    if request.problem:
        print(f"  {request.problem}", file=sys.stderr)
    print(
        f"Hand share {request.number} of {request.total}{who}: sheet {request.sheet_pdf}",
        file=sys.stderr,
    )
    return Secret(ask_hidden(f"  Custodian, read words {first}-{last} of your sheet: "))


def share_at_terminal(request: ShareRequest, *, interactive: bool) -> ShareAnswer | None:
    if request.beyond_threshold:
        return _extra_share(request) if interactive else None
    if not interactive:
        raise CeremonyError(
            f"no share {request.number} to collect ({request.progress})",
            todo="give each share with --share FILE (a text file or an image of the sheet's "
            "QR code), or run at a terminal",
        )
    # a share refused before (request.problem) was named by the engine's REFUSED line
    print(f"Share {request.number} ({request.progress}).", file=sys.stderr)
    return _typed_share()


def _extra_share(request: ShareRequest) -> ShareAnswer | None:
    """A share beyond the threshold, only when the operator says there is one."""
    print(f"Threshold reached: {request.progress}.", file=sys.stderr)
    if ask("  More shares? (yes/no, Enter: no) ").strip().lower() not in ("y", "yes"):
        return None
    print(f"Share {request.number} (checked and reported, not used).", file=sys.stderr)
    return _typed_share()


def _typed_share() -> ShareAnswer | None:
    typed = ask_hidden(
        "  Type the share's words (not shown), or a file path, or nothing to stop: "
    ).strip()
    if not typed:
        return None
    if len(typed.split()) == 1 and Path(typed).exists():
        return answer_for_file(Path(typed))
    return ShareAnswer("typed", words=Secret(typed))
