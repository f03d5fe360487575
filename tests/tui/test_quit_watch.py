"""The watch a stop signal starts ends the process only when the event loop stops answering.

A stop that takes long while the loop answers (a key being made on a token
finishes first, and is named in the transcript) is left to finish; a loop
stuck (on a write to a terminal that hung up) is not waited for. Each case runs
in a process of its own, with the grace cut to a second.
"""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import asyncio, time
from ceremony.tui import quit_watch
quit_watch.QUIT_GRACE = 1.0

async def main(stuck):
    quit_watch.QuitWatch(asyncio.get_running_loop(), 129).start()
    if stuck:
        time.sleep(4)          # the loop answers nothing for four graces
    else:
        await asyncio.sleep(4)  # the loop answers all along: a slow stop
    print("finished", flush=True)

asyncio.run(main({stuck}))
"""


def run(stuck: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROGRAM.format(stuck=stuck)],
                          capture_output=True, text=True, timeout=60)


def test_a_loop_that_answers_is_left_to_finish_its_stop():
    done = run(stuck=False)
    assert (done.returncode, done.stdout) == (0, "finished\n"), done.stderr


def test_a_loop_that_stops_answering_ends_the_process_with_the_signals_code():
    done = run(stuck=True)
    assert (done.returncode, done.stdout) == (129, ""), done.stderr
