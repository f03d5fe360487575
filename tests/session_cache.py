"""Test helper: an expensive folder made once for the whole test run, however
many pytest-xdist workers take it.

A session fixture runs once per worker; with two workers a ceremony several
files need would run twice. :func:`made_once` makes the folder in a cache
beside the workers' own temporary folders (the run's ``pytest-N``), under a
file lock, so the first worker to ask makes it and the others wait for it and
take the same one. Without xdist it is an ordinary session folder. Callers
never write into the cached folder: they hand each test (or module) its own
copy with :func:`copy_of`, so no test sees what another wrote.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DONE = ".made"


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name`` that ``make`` fills, made once for the run: the
    first worker makes it, the others wait on the lock and take it."""
    if "PYTEST_XDIST_WORKER" not in os.environ:  # one process: its own session folder
        folder = factory.mktemp(name)
        make(folder)
        return folder
    cache = factory.getbasetemp().parent / "made-once"  # pytest-N: this run's, every worker's
    cache.mkdir(exist_ok=True)
    folder = cache / name
    with open(cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / f"{name}{DONE}").exists():
            if folder.exists():  # a worker that failed making it left this
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            (cache / f"{name}{DONE}").touch()
    return folder


def copy_of(folder: Path, to: Path) -> Path:
    """A copy of ``folder`` at ``to`` (links kept as links), for one test or module."""
    shutil.copytree(folder, to, symlinks=True)
    return to
