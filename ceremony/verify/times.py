"""Times as verify, inspect and status judge them: aware, in UTC, said one way."""

from __future__ import annotations

from ceremony.c_datetime import UTC, datetime

__all__ = ["UTC", "as_utc", "datetime", "utc_text"]


def utc_text(moment: datetime) -> str:
    """``2027-01-31T12:00:00Z``: the one way expiries are written."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC; now when None; a naive time is taken as UTC."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
