"""Running a hostile case in a child Python under a memory limit and a timeout.

A hostile file must be refused cheaply: the child's address space is capped
(``resource.setrlimit(RLIMIT_AS)``), so a file that makes the tool allocate
gigabytes shows up as a MemoryError in the child rather than as a slow test,
and a file that makes it hang (a FIFO) shows up as the timeout. The child
runs ``attempt(action)`` and prints one JSON line: the error's type and
message, and how long the refusal took. ``tree`` snapshots a folder so a
test can check that nothing was written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 1024 * 1024 * 1024  # scrypt at 2^21 alone wants 2 GiB
TIMEOUT = 30  # seconds, Python start-up on a busy machine included

PRELUDE = """\
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))

def attempt(action):
    start = time.monotonic()
    try:
        action()
    except BaseException as error:
        outcome = {{"error": type(error).__name__, "message": str(error)}}
    else:
        outcome = {{"error": None, "message": ""}}
    outcome["seconds"] = time.monotonic() - start
    print(json.dumps(outcome))
"""


@dataclass(frozen=True)
class Outcome:
    error: str | None
    message: str
    seconds: float
    printed: tuple[str, ...] = ()  # what the child printed before its outcome


def run_limited(code: str, *, cwd: Path, env: dict[str, str] | None = None,
                memory: int = MEMORY_LIMIT, timeout: float = TIMEOUT) -> Outcome:
    """Run ``code`` (which calls ``attempt``) in a child under the limits."""
    program = PRELUDE.format(limit=memory) + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    *printed, last = result.stdout.strip().splitlines()
    outcome = json.loads(last)
    return Outcome(outcome["error"], outcome["message"], outcome["seconds"],
                   tuple(printed))


def tree(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry below ``folder``: its mode, size and modification time,
    links not followed, for 'nothing was written' checks."""
    entries = {}
    for top, folders, files in os.walk(folder):  # links are listed, never followed
        for name in folders + files:
            path = Path(top, name)
            status = path.lstat()
            entries[str(path.relative_to(folder))] = (
                status.st_mode, status.st_size, status.st_mtime_ns
            )
    return entries
