"""The datetime module's classes, from its C module.

Python 3.11's datetime.py first runs the whole pure-Python twin it then
replaces with the C module's classes: over a millisecond of a command's
start-up. These are the very classes it gives out (``datetime.datetime is
_datetime.datetime``), for the commands that read bundles (verify, status,
next); datetime.py where there is no C module (not CPython).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import UTC, date, datetime, timedelta
else:
    try:
        from _datetime import UTC, date, datetime, timedelta
    except ImportError:  # no C module (not CPython)
        from datetime import UTC, date, datetime, timedelta

__all__ = ["UTC", "date", "datetime", "timedelta"]
