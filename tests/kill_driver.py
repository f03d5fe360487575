"""Run ``ceremony`` in a child process and stop it at one chosen write point.

``python tests/kill_driver.py MODE N ARGS...`` runs ``ceremony ARGS...`` with
:data:`ceremony.bundle.files.write_point` set so that, at the N-th point
where something reaches the medium (a file written and synced, a folder
synced, a rename; counted from 1):

- ``kill``: the process sends itself SIGKILL (a power cut, as near as a test
  gets to one);
- ``pause``: it writes the point to the file named by $KILL_DRIVER_READY and
  sleeps, for the test to send it a signal (one the run holds there is left
  pending, and the run goes on: it lands where the run lets it);
- ``count`` (N ignored): nothing stops; every point is printed to stderr
  after the run, one per line, after a line ``write points: COUNT``;
- ``snapshot`` (N ignored): as ``count``, and at every point the whole
  working folder is copied to $KILL_DRIVER_SNAPSHOTS/NN first: what a
  SIGKILL there would leave on the medium, since a killed process runs
  nothing more (the test compares these with real kills at some points).

The tests read what a ``count`` or ``snapshot`` run printed with
:func:`printed_points`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time


def printed_points(child: subprocess.Popen[str], folder: str, timeout: float) -> list[str]:
    """The write points a ``count`` or ``snapshot`` run (``child``, in ``folder``)
    printed, in order, with the folder cut off; the run must end well."""
    _out, err = child.communicate(timeout=timeout)
    assert child.returncode == 0, err
    lines = err.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("write points: ")))
    points = [line.replace(folder, "") for line in lines[start + 1:]]
    assert len(points) == int(lines[start].split(": ")[1])
    return points


def main() -> int:
    mode, wanted, *argv = sys.argv[1:]
    from ceremony.bundle import files

    seen: list[str] = []

    def at(where: str) -> None:
        seen.append(where)
        if mode == "snapshot":
            copy = os.path.join(os.environ["KILL_DRIVER_SNAPSHOTS"], f"{len(seen):02d}")
            shutil.copytree(".", copy, symlinks=True)
        if mode in ("count", "snapshot") or len(seen) != int(wanted):
            return
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        with open(os.environ["KILL_DRIVER_READY"], "w") as ready:
            ready.write(where)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not signal.sigpending():
            time.sleep(0.05)  # a signal held here (signals.stop_signals_held) waits, pending

    files.write_point = at
    from ceremony.cli import main as ceremony

    code = ceremony(argv)
    if mode in ("count", "snapshot"):
        print(f"write points: {len(seen)}", file=sys.stderr)
        for where in seen:
            print(where, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
