"""Run ``ceremony`` in a child process and stop it at one chosen write point.

``python tests/kill_driver.py MODE N ARGS...`` runs ``ceremony ARGS...`` with
:data:`ceremony.bundle.files.write_point` set so that, at the N-th point
where something reaches the medium (a file written and synced, a folder
synced, a rename; counted from 1):

- ``kill``: the process sends itself SIGKILL (a power cut, as near as a test
  gets to one);
- ``pause``: it writes the point to the file named by $KILL_DRIVER_READY and
  sleeps, for the test to send it a signal;
- ``count`` (N ignored): nothing stops; every point is printed to stderr
  after the run, one per line, after a line ``write points: COUNT``.
"""

from __future__ import annotations

import os
import signal
import sys
import time


def main() -> int:
    mode, wanted, *argv = sys.argv[1:]
    from ceremony.bundle import files

    seen: list[str] = []

    def at(where: str) -> None:
        seen.append(where)
        if mode == "count" or len(seen) != int(wanted):
            return
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        with open(os.environ["KILL_DRIVER_READY"], "w") as ready:
            ready.write(where)
        time.sleep(60)

    files.write_point = at
    from ceremony.cli import main as ceremony

    code = ceremony(argv)
    if mode == "count":
        print(f"write points: {len(seen)}", file=sys.stderr)
        for where in seen:
            print(where, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
