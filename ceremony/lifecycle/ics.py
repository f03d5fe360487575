"""``ceremony calendar --ics``: the schedule as an iCalendar file (RFC 5545).

One event per date of calendar.py's schedule (every role's renew-by date,
critical date and expiry), at that moment in UTC, each with alarms before
it: a week and a day before a renew-by date, a day before a critical date,
two weeks and a day before an expiry. An event's UID is made from what it
is (path, GUN, role, version, what, date), so a calendar written again
after nothing changed carries the same events and a calendar program
updates them instead of adding copies; a renewal (a new version) makes new
ones. Text from the media is made safe (no control characters) and escaped
as RFC 5545 asks; lines end in CRLF and are folded at 75 octets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from ceremony.lifecycle.calendar import Entry
from ceremony.verify.problem import safe_path
from ceremony.verify.times import utc_text

NEWLINE = "\\n"  # a newline inside a TEXT value, escaped
PRODID = "-//ceremony//ceremony calendar//EN"
#: how long before each kind of date its alarms ring
ALARMS = {
    "renew by": (timedelta(days=7), timedelta(days=1)),
    "critical from": (timedelta(days=1),),
    "expires": (timedelta(days=14), timedelta(days=1)),
}
SUMMARY = {
    "renew by": "Renew by: {name} (version {version})",
    "critical from": "Critical: {name} (version {version}) expires in {days}",
    "expires": "Expires: {name} (version {version})",
}


def ics_text(entries: Sequence[Entry], *, stamp: datetime) -> str:
    """The iCalendar file of ``entries``; ``stamp`` is its DTSTAMP (when it was made)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:ceremony: renewals and expiries"]
    for entry in entries:
        lines += _event(entry, stamp)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _event(entry: Entry, stamp: datetime) -> list[str]:
    lifetime = entry.status.lifetime
    name = safe_path(lifetime.name)
    critical = entry.status.margin.critical
    summary = SUMMARY[entry.what].format(name=name, version=lifetime.version_text,
                                         days=_duration_words(critical))
    expires = utc_text(lifetime.expires)
    description = [
        f"{name}, version {lifetime.version_text}, expires {expires}.",
        f"Read from {safe_path(lifetime.file)}.",
        f"Check: ceremony status {safe_path(entry.status.path)}",
        lifetime.renewal or "Renew with a ceremony: ceremony next BUNDLE --kind renew -o SCRIPT",
    ]
    identity = "\0".join([entry.status.path, lifetime.scope, lifetime.role,
                          str(lifetime.version), entry.what, _utc(entry.when)])
    lines = [
        "BEGIN:VEVENT",
        f"UID:{hashlib.sha256(identity.encode()).hexdigest()[:32]}@ceremony",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(entry.when)}",
        f"SUMMARY:{_escape(summary)}",
        "DESCRIPTION:" + NEWLINE.join(map(_escape, description)),
        f"CATEGORIES:{_escape(entry.what)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    alarms = [
        line
        for before in ALARMS[entry.what]
        for line in ("BEGIN:VALARM", "ACTION:DISPLAY",
                     f"DESCRIPTION:{_escape(summary)}",
                     f"TRIGGER:-{_duration(before)}", "END:VALARM")
    ]
    return lines[:-1] + alarms + lines[-1:]


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _duration(delta: timedelta) -> str:
    days, seconds = delta.days, delta.seconds
    return f"P{days}D" if not seconds else f"P{days}DT{seconds}S"


def _duration_words(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 24 else f"{hours:g} hours"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n").replace("\r", ""))


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued on lines starting with a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # not inside a character
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)
