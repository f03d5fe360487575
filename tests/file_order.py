"""Test helper (a pytest plugin): the two workers take the longest test files first.

``scripts/test`` hands out whole test files (``--dist loadfile``), and pytest-xdist
hands out first the files with the most tests. Several of the longest files hold one or
two tests (a whole ceremony driven from the forms, in a terminal), so they came
last, where a long file leaves the other worker idle until it ends. The
files in ``tests/longest_files.txt``, longest first, now go out before the others,
which keep xdist's order: the run ends on short files, and both workers stay busy
to the end. Files named on one line go to one worker, one after the other: a
session fixture they share (the TUF rehearsal) is then made once, not once per
worker. The list only orders and groups; a file missing from it, or named there
but gone, changes nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from xdist.scheduler import LoadFileScheduling

LONGEST = Path(__file__).with_name("longest_files.txt")


def longest_files(listing: Path = LONGEST) -> list[list[str]]:
    """The lines of ``listing``, longest first: the test files each names (as pytest
    names them, from the repository's top); ``#`` starts a comment."""
    lines = (line.split("#", 1)[0].split() for line in listing.read_text().splitlines())
    found = ([word for word in words if word.endswith(".py")] for words in lines)
    return [files for files in found if files]


class LongestFirst(LoadFileScheduling):
    """xdist's scheduling by test file, the listed files handed out first, and the
    files named on one line handed out together."""

    def __init__(self, config: pytest.Config, log=None) -> None:
        super().__init__(config, log)
        lines = longest_files()
        self.rank = {files[0]: rank for rank, files in enumerate(lines)}
        self.together = {name: files[0] for files in lines for name in files}
        self.ordered = False

    def _split_scope(self, nodeid: str) -> str:
        """A test's work unit: its file, or the first file named on its file's line."""
        file = super()._split_scope(nodeid)
        return self.together.get(file, file)

    def _assign_work_unit(self, node) -> None:
        if not self.ordered:  # the work queue is whole by the first hand-out
            self.ordered = True
            units = sorted(self.workqueue.items(),
                           key=lambda unit: self.rank.get(unit[0], len(self.rank)))
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> LongestFirst | None:
    return LongestFirst(config, log) if config.getvalue("dist") == "loadfile" else None
