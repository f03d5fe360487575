"""A script field's path as messages name it (``keys[2].name``), and the paths
around it: a message about a field that was not written (or a form row that
wrote no such path) is placed at the nearest field that was."""

from __future__ import annotations

import re
from collections.abc import Iterator

_LAST_STEP = re.compile(r"(\.[^.\[]*|\[[0-9]+\])\Z")  # ".name" or "[2]", at the very end


def paths_up(path: str) -> Iterator[str]:
    """``path``, then each path around it: ``keys[2].name``, ``keys[2]``, ``keys``."""
    while path:
        yield path
        parent = _LAST_STEP.sub("", path)
        if parent == path:
            return
        path = parent
