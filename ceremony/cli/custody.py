"""``ceremony custody status|retire``: custody copies, what each still restores, retiring them.

``status MEDIA... [--root FILE]`` lists every custody copy found in the
folders given (copy folders, or media holding ``custody-*`` copies): the
ceremony that sealed it, the root keys it holds, how its shares work, a
rehearsal's mark and a retirement; with ``--root`` (a root.json or a bundle,
read as ``ceremony inspect`` reads it, for any flavor) also what each can
still restore against that root, and which are obsolete. Exit 1 when a copy
is obsolete, cannot sign the root alone, or cannot be read.

``retire COPY --reason TEXT`` records on the medium that a copy must no
longer be used (``RETIRED.json``), after a typed ``retire`` (or ``--yes``).
Heavy modules load inside the commands, so ``ceremony --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import SUMMARIES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ceremony.custody.status import RootFacts

CONFIRM_WORD = "retire"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``custody`` command and its two actions."""
    custody = sub.add_parser("custody", help=SUMMARIES["custody"])
    actions = custody.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="list custody copies and what each restores")
    status.add_argument("media", type=Path, nargs="+",
                        help="custody copy folders, or media folders holding custody-* copies")
    status.add_argument("--root", type=Path, metavar="FILE",
                        help="the current root.json, or the newest bundle, to judge them against")
    retire = actions.add_parser("retire", help="record on the medium that a copy is retired")
    retire.add_argument("copy", type=Path, help="the custody-<id> folder to retire")
    retire.add_argument("--reason", required=True, metavar="TEXT",
                        help="why, in words (e.g. 'root rotated to version 3 on 2027-05-02')")
    retire.add_argument("--yes", action="store_true", help="retire without the typed word")


def custody_command(args: argparse.Namespace) -> int:
    if args.action == "retire":
        return _retire(args)
    return _status(args)


def _status(args: argparse.Namespace) -> int:
    from ceremony.custody.status import describe_copy, find_copies_on, standing

    copies = find_copies_on(args.media)
    if not copies:
        where = ", ".join(str(m) for m in args.media)
        print(f"ceremony: no custody copy was found in {where}", file=sys.stderr)
        return ExitCode.PROBLEMS
    roots = _roots(args.root) if args.root is not None else []
    flagged = 0
    for copy in copies:
        print(describe_copy(copy))
        if copy.retirement is not None:
            print(f"  RETIRED on {copy.retirement.retired_at}: {copy.retirement.reason}")
        flagged += copy.record is None
        for root in roots if copy.record is not None and copy.retirement is None else []:
            judged = standing(copy, root)
            print(f"  {judged.words}")
            flagged += judged.verdict in ("obsolete", "cannot sign", "by name only")
    if args.root is None:
        print("Give --root (the current root.json or bundle) to see what each can still restore.")
    return ExitCode.PROBLEMS if flagged else ExitCode.OK


def _roots(path: Path) -> list[RootFacts]:
    """Every root the metadata at ``path`` shows (one, or one per repository), as
    ``ceremony inspect`` reads it for any flavor."""
    from ceremony.errors import CeremonyError
    from ceremony.inspect import inspect_file

    roots = list(_roots_in(inspect_file(path)))
    if not roots:
        raise CeremonyError(
            f"{path} shows no root role to judge the custody copies against",
            todo="give --root the current root.json, or the newest bundle's folder",
        )
    return roots


def _roots_in(facts: object, where: str = "") -> Iterator[RootFacts]:
    from ceremony.custody.status import RootFacts

    if isinstance(facts, list):
        for item in facts:
            yield from _roots_in(item, where)
        return
    if not isinstance(facts, dict):
        return
    here = str(facts.get("gun") or facts.get("repository") or where)
    root = next((role for role in facts.get("roles", []) if isinstance(role, dict)
                 and role.get("name") == "root"), None)
    if root is not None:
        keyids = frozenset(str(keyid) for keyid in root.get("keyids", []))
        names = frozenset(str(key.get("name")) for key in facts.get("keys", [])
                          if isinstance(key, dict) and key.get("keyid") in keyids
                          and key.get("name"))
        label = f"root version {facts.get('version', '?')}" + (f" of {here}" if here else "")
        yield RootFacts(label, int(root.get("threshold", 1)), keyids, names)
    for name, value in facts.items():
        if name not in ("roles", "keys") and isinstance(value, (dict, list)):
            yield from _roots_in(value, here)


def _retire(args: argparse.Namespace) -> int:
    from ceremony.custody.status import describe_copy, read_copy, retire
    from ceremony.errors import CeremonyError
    from ceremony.script.expiry import utc_now

    reason = args.reason.strip()
    if not reason:
        raise CeremonyError("--reason is empty", todo="say why the copy is retired, in words")
    print(describe_copy(read_copy(args.copy)))
    if not args.yes:
        if not sys.stdin.isatty():
            raise CeremonyError(
                "retiring a custody copy needs the typed word, and no terminal is attached",
                todo=f"run it at a terminal and type {CONFIRM_WORD}, or add --yes",
            )
        from ceremony.cli.prompt import ask  # what was typed ahead is thrown away first

        typed = ask(f"Type {CONFIRM_WORD} to record that {args.copy} must no longer be "
                    "used: ").strip()
        if typed != CONFIRM_WORD:
            print("ceremony: not retired; nothing was written", file=sys.stderr)
            return ExitCode.FAILED
    retirement = retire(args.copy, reason, utc_now(None))
    print(f"{args.copy}: RETIRED on {retirement.retired_at} ({args.copy}/RETIRED.json). "
          "Destroy or wipe the copy as your custody procedure says; the record stays on "
          "the medium until then.")
    return ExitCode.OK
