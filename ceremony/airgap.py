"""The air gap: which network interfaces other than loopback are up.

Read from /sys/class/net without opening a socket. A production ceremony
stops when any is up, unless its script says ``network: allowed``; a
rehearsal reports them and goes on. Either way the transcript says so.
"""

from __future__ import annotations

from pathlib import Path

IFF_UP = 0x1
IFF_LOOPBACK = 0x8


def interfaces_up(sysfs: Path = Path("/sys/class/net")) -> list[str]:
    """Names of the interfaces other than loopback whose link is up."""
    up = []
    try:
        entries = sorted(sysfs.iterdir())
    except OSError:
        return []
    for entry in entries:
        try:
            flags = int((entry / "flags").read_text().strip(), 16)
        except (OSError, ValueError):
            continue
        if flags & IFF_LOOPBACK or not flags & IFF_UP:
            continue
        up.append(entry.name)
    return up
