"""The one way a date is given on the command line (``--at``): ISO 8601, a bare
date or a time, UTC unless the text says otherwise. Shared by verify, status,
calendar and next."""

from __future__ import annotations

TYPE_CHECKING = False  # typing would cost `ceremony --help` time (see cli/main.py)
if TYPE_CHECKING:
    from datetime import datetime


def parse_date(text: str) -> datetime:
    moment = read_date(text)
    if moment is None:
        import argparse

        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write 2027-01-31 or 2027-01-31T12:00:00Z"
        )
    return moment


def read_date(text: str) -> datetime | None:
    """The moment ``text`` names, or None when it is not a date."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
