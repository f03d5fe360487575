"""Times as verify, inspect and status judge them: aware, in UTC, said one way."""

from __future__ import annotations

from ceremony.c_datetime import UTC, datetime

__all__ = ["UTC", "as_utc", "datetime", "day_text", "utc_text", "zulu_text"]


def utc_text(moment: datetime) -> str:
    """``2027-01-31T12:00:00Z``: the one way expiries are written."""
    return zulu_text(moment.astimezone(UTC))


# Written from the moment's fields, as strftime writes them on this platform (glibc's
# %Y leaves a year below 1000 unpadded, as %d does): datetime's strftime goes through
# the time module and the C library's locale-aware strftime, twice as dear warm and
# dearer still where it runs cold, right after OpenSSL's work (a Sigstore step). A
# %-format is quicker than an f-string's format specs here, for the same text.


def zulu_text(moment: datetime) -> str:
    """``moment``'s own fields as ``2027-01-31T12:00:00Z``, the text of
    ``strftime("%Y-%m-%dT%H:%M:%SZ")`` (``moment`` is in UTC already)."""
    return "%d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 (see above)
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )


def day_text(moment: datetime) -> str:
    """``moment``'s date as ``2027-01-31``, the text of ``strftime("%Y-%m-%d")``."""
    return "%d-%02d-%02d" % (moment.year, moment.month, moment.day)  # noqa: UP031


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC; now when None; a naive time is taken as UTC."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
