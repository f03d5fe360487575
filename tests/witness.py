"""Test helper: a scripted production run names its witness.

A production ceremony (not ``rehearsal: true``) run with ``--yes`` or an answers
file must name, in the answers file, the person who compares the script's sha256
and watches each checksum-word read-back (ceremony/cli/operator.py).
:func:`witnessed` adds that line to a ``ceremony run`` command line.
"""

from __future__ import annotations

from pathlib import Path

WITNESS = "Wendy Witness"


def witnessed(argv: list[str], witness: str = WITNESS) -> list[str]:
    """``argv`` (``["run", SCRIPT, ...]``) with ``witness: NAME`` in its answers
    file: added to the file it names, or in a new one."""
    line = f"witness: {witness}\n"
    if "--answers" in argv:
        answers = Path(argv[argv.index("--answers") + 1])
        text = answers.read_text()
        answers.write_text(text + ("\n" if text and not text.endswith("\n") else "") + line)
        return argv
    script = Path(argv[1]).resolve()  # beside the test's folder: listings of it stay as they were
    answers = script.parent.parent / f"witness-{script.parent.name}-{script.stem}.yaml"
    answers.write_text(line)
    return [*argv, "--answers", str(answers)]
