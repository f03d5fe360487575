"""The exit codes of every ``ceremony`` command, one table (README.md shows it)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Everything held."""
    PROBLEMS = 1
    """``verify`` or ``validate`` found problems (listed one per line)."""
    USAGE = 2
    """The command line was wrong."""
    FAILED = 3
    """A ceremony stopped: nothing was sealed (the message says why)."""
    HANGUP = 129
    """The terminal went away (SIGHUP): stopped as for Ctrl-C; nothing was sealed."""
    INTERRUPTED = 130
    """The operator pressed Ctrl-C; nothing was sealed."""
    TERMINATED = 143
    """Stopped by SIGTERM (``kill``): as for Ctrl-C; nothing was sealed."""
