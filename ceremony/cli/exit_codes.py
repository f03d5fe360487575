"""The exit codes of every ``ceremony`` command, one table (README.md shows it).

A command that judges something (``validate`` a script, ``verify`` a bundle,
``inspect`` a file) exits PROBLEMS for whatever it finds wrong, including a
file it refuses to read; a command that does something (``run``,
``rehearse``, ``clean``, ``tokens``, and ``runsheet``, ``record``, ``evidence``,
which print) exits FAILED when it stops.
``status`` exits as a monitoring check (0, 1, 2; FAILED, Nagios' UNKNOWN,
when a path cannot be read): ceremony/lifecycle/status.py's ``CODES``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Everything held."""
    PROBLEMS = 1
    """``validate``, ``verify`` or ``inspect`` found problems (each is named)."""
    USAGE = 2
    """The command line was wrong."""
    FAILED = 3
    """A command stopped (a ceremony: nothing was sealed, unless the stop landed once its bundle
    was: the message says which, and why)."""
    HANGUP = 129
    """The terminal went away (SIGHUP): stopped as for Ctrl-C."""
    INTERRUPTED = 130
    """The operator pressed Ctrl-C: nothing was sealed, or the message names the sealed bundle."""
    BROKEN_PIPE = 141
    """The reader of the output went away (``| head``): stopped quietly, as for SIGPIPE."""
    TERMINATED = 143
    """Stopped by SIGTERM (``kill``): as for Ctrl-C."""


#: the commands that judge a script, a bundle or a file rather than do something
JUDGING = frozenset({"validate", "verify", "inspect"})


def for_error(command: str) -> ExitCode:
    """The exit code of ``command`` stopped by an error meant for the operator."""
    return ExitCode.PROBLEMS if command in JUDGING else ExitCode.FAILED
