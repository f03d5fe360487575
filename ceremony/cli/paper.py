"""A digest as the witness wrote it in the paper log (``verify --head`` and
``--manifest``): 64 hex digits, in groups or not. An empty value (a runbook's
variable never set) or a mistyped one is the operator's to fix, and is said so;
it is never taken for a bundle that differs from its paper, nor skipped."""

from __future__ import annotations

DIGITS = 64
HEX = frozenset("0123456789abcdef")


def paper_problem(text: str) -> str | None:
    """What is wrong with ``text`` as a sha256 copied from the paper log, or None."""
    digits = "".join(text.split()).lower()
    if not digits:
        return ("is empty: give it as written in the CLOSE box of the paper log (64 hex "
                "digits, spaces allowed); following a runbook, set HEAD and MANIFEST first")
    wrong = next((c for c in digits if c not in HEX), None)
    if wrong is not None:
        return (f"{wrong!r} is not a hex digit (0-9, a-f): read that group again from the "
                "paper log")
    if len(digits) != DIGITS:
        return (f"has {len(digits)} hex digits, not {DIGITS}: a group is missing or doubled; "
                "read it again from the paper log, four digits at a time")
    return None


def paper_digest(text: str) -> str:
    """argparse's ``type`` for a digest from the paper log: its 64 digits in lowercase."""
    problem = paper_problem(text)
    if problem is not None:
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return "".join(text.split()).lower()
