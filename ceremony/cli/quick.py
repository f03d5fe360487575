"""What `ceremony --help` and `ceremony version` answer before argparse is loaded,
and the plain command lines of `ceremony verify`, `status` and `next` read without it.

Start-up is most of what these commands cost, so they are answered
from here with the standard library's already-loaded modules only: the
top-level help is drawn from the same words build_parser() gives argparse
(the command summaries below, one table), in argparse's own layout, and a
test holds the two to the same text. A plain verify or next command line (a
path and each option at most once with its value), or a plain status command
line (paths, and --json first or last), is read here into what argparse
would make of it, and a test holds the two to the same. A terminal too
narrow for the help's lines as they are, or any other command line, goes to
argparse as before.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing would cost `ceremony --help` time (see cli/main.py)
if TYPE_CHECKING:
    import argparse
    from datetime import datetime

DESCRIPTION = """\
Offline key ceremonies and root-key custody for TUF. With no command, the
terminal UI opens."""

#: every command and its one-line summary, in the order --help lists them
SUMMARIES = {
    "run": "run a ceremony script",
    "validate": "check a script and preflight, changing nothing",
    "questions": "list what a script's ceremony will ask, in order, and answer ids",
    "verify": "check a bundle as a strict client would",
    "clean": "remove what a stopped ceremony left (never a sealed bundle)",
    "inspect": "show the roles, keys and expiry of metadata",
    "rehearse": "run a complete rehearsal on embedded defaults",
    "version": "the tool's version (--verbose: its software digest)",
    "tokens": "list PKCS#11 tokens and the keys on them",
    "custody": "custody copies: what each restores; retire one",
    "runsheet": "print a script's run sheet (PDF and text)",
    "record": "print a sealed bundle's record (PDF and text)",
    "evidence": "gather a bundle's evidence pack for an auditor",
    "status": "when each role expires and the next ceremony is due",
    "next": "write the next renew or rotate-root script from a bundle",
    "calendar": "renewal deadlines and expiries: a schedule, or an iCalendar file",
    "certify": "certify a new root key at its keyholder's sitting (DCT: per GUN)",
    "request": "write a signing request for keyholders who sign elsewhere",
    "sign": "sign a request at one sitting: write a signature file",
    "seal": "seal the bundle once signature files meet each threshold",
}

_HELP_OPTION = ("-h, --help", "show this help message and exit")
_MAX_HELP_POSITION = 24  # argparse's HelpFormatter default


def top_help() -> str:
    """The top-level help, laid out as argparse lays it out."""
    rows = [(4, name, summary) for name, summary in SUMMARIES.items()]
    option = (2, *_HELP_OPTION)
    # argparse measures a command at its section's indent (2), then draws it at 4: a
    # name that then overflows its column goes on a line of its own
    widest = max(2 + len(name) for _, name, _ in [*rows, option])
    column = min(widest + 2, _MAX_HELP_POSITION)

    def entry(indent: int, name: str, summary: str) -> str:
        head = " " * indent + name
        if len(head) + 2 <= column:
            return head.ljust(column) + summary
        return head + "\n" + " " * column + summary

    return "\n".join([
        "usage: ceremony [-h] COMMAND ...",
        "",
        DESCRIPTION,
        "",
        "positional arguments:",
        "  COMMAND",
        *(entry(*row) for row in rows),
        "",
        "options:",
        entry(*option),
        "",
    ])


def _columns() -> int:
    """The terminal's width as argparse finds it (shutil.get_terminal_size)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def quick_answer(argv: list[str]) -> int | None:
    """Answer ``--help`` and ``version`` here (returns the exit code), or None."""
    if argv in (["-h"], ["--help"]):
        text = top_help()
        if max(len(line) for line in text.splitlines()) > _columns() - 2:
            return None  # argparse wraps the lines to fit
        sys.stdout.write(text)
        return 0
    if argv == ["version"]:
        from ceremony import __version__

        print(f"ceremony {__version__}")
        return 0
    return None


#: the options of ``ceremony verify``, each taking one value (as build_parser() has them)
_VERIFY_OPTIONS = {"--at": "at", "--head": "head", "--manifest": "manifest"}
#: the options of ``ceremony next``, each taking one value (as build_parser() has them)
_NEXT_OPTIONS = {"--kind": "kind", "--replace": "replace", "--guns": "guns", "--at": "at",
                 "-o": "output", "--output": "output"}
_NEXT_KINDS = ("renew", "rotate-root")


def _plain(
    argv: list[str], command: str, options: dict[str, str]
) -> tuple[str, dict[str, str]] | None:
    """``COMMAND PATH`` and ``options`` each at most once with a value, in any
    order: the path and the values by name; None for anything less plain (an
    abbreviation, ``=``, a value starting with a dash, an option twice)."""
    if not argv or argv[0] != command:
        return None
    found: dict[str, str] = {}
    path = None
    words = iter(argv[1:])
    for word in words:
        name = options.get(word)
        if name is not None and name not in found:
            value = next(words, "-")
            if value.startswith("-"):
                return None
            found[name] = value
        elif path is None and not word.startswith("-"):
            path = word
        else:
            return None
    if path is None:
        return None
    return path, found


def path_text(word: str) -> str:
    """A path on the command line as pathlib writes it, without loading pathlib
    (``str(PurePosixPath(word))``: no empty or ``.`` part, no slash at the end; ``.``
    for nothing; two slashes at the start kept, three or more made one). `ceremony next`
    takes its paths as this text from its command line to the file written."""
    root = ""
    if word.startswith("/"):
        root = "//" if word.startswith("//") and not word.startswith("///") else "/"
    return root + "/".join(part for part in word.split("/") if part not in ("", ".")) or "."


def _date(found: dict[str, str]) -> tuple[bool, datetime | None]:
    """The ``--at`` date, if given: (False, None) when it is none."""
    if "at" not in found:
        return True, None
    from ceremony.cli.dates import read_date

    at = read_date(found["at"])
    return at is not None, at


def quick_verify(argv: list[str]) -> argparse.Namespace | None:
    """``verify PATH [--at DATE] [--head HEX] [--manifest HEX]`` as argparse
    would read it, or None for anything less plain (an abbreviation, ``=``, a
    value starting with a dash, an option twice, a date that is none): argparse
    then reads it, and says what is wrong."""
    read = _plain(argv, "verify", _VERIFY_OPTIONS)
    if read is None:
        return None
    path, found = read
    dated, at = _date(found)
    if not dated:
        return None
    from ceremony.cli.paper import paper_problem

    digests = {name: found[name] for name in ("head", "manifest") if name in found}
    if any(paper_problem(text) for text in digests.values()):
        return None  # argparse says what is wrong with it
    from types import SimpleNamespace

    # the same attributes as the Namespace argparse makes
    given = {name: "".join(text.split()).lower() for name, text in digests.items()}
    return SimpleNamespace(  # type: ignore[return-value]
        command="verify", path=path, at=at, head=given.get("head"),
        manifest=given.get("manifest"),
    )


def quick_next(argv: list[str]) -> argparse.Namespace | None:
    """``next BUNDLE --kind KIND -o SCRIPT [--replace KEYS] [--guns GUNS] [--at DATE]``
    as argparse would read it, or None for anything less plain (as verify's, or a
    kind that is none, or --kind or -o missing): argparse then reads it."""
    read = _plain(argv, "next", _NEXT_OPTIONS)
    if read is None:
        return None
    path, found = read
    dated, at = _date(found)
    if not dated or found.get("kind") not in _NEXT_KINDS or "output" not in found:
        return None
    from types import SimpleNamespace

    # the same attributes as the Namespace argparse makes
    return SimpleNamespace(  # type: ignore[return-value]
        command="next", bundle=path_text(path), kind=found["kind"],
        replace=found.get("replace"), guns=found.get("guns"), at=at,
        output=path_text(found["output"]),
    )


def quick_status(argv: list[str]) -> argparse.Namespace | None:
    """``status PATH... [--json]`` (or ``--json`` before the paths) as argparse
    would read it, or None for anything else (the margins, ``--at``, an
    abbreviation, a word starting with a dash among the paths): argparse then
    reads it. Building argparse's parser loads every command's module, which
    costs a status about a fifth of its time."""
    if not argv or argv[0] != "status":
        return None
    words = argv[1:]
    json = "--json" in words[:1] + words[-1:]
    if json:
        words = words[1:] if words[0] == "--json" else words[:-1]
    if not words or any(word.startswith("-") for word in words):
        return None
    from pathlib import Path
    from types import SimpleNamespace

    # the same attributes as the Namespace argparse makes
    return SimpleNamespace(  # type: ignore[return-value]
        command="status", paths=[Path(word) for word in words], at=None, margin=[],
        critical=[], json=json,
    )
