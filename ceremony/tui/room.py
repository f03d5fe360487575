"""What the machine in the room can see: the air gap and mounted media.

Read from /sys and /proc without opening a socket, so the home screen can
look again every few seconds. Tests pass a fixed :class:`Room` instead.
Imports no UI toolkit: it is plain facts for the screens to draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ceremony import airgap

MEDIA_ROOTS = ("/media/", "/run/media/", "/mnt/")


@dataclass(frozen=True)
class Room:
    """The state of the room as the home screen shows it."""

    interfaces_up: tuple[str, ...] = ()
    media: tuple[str, ...] = ()

    @property
    def air_gapped(self) -> bool:
        return not self.interfaces_up


def look_around(mounts: Path = Path("/proc/mounts")) -> Room:
    return Room(interfaces_up=tuple(airgap.interfaces_up()), media=tuple(mounted_media(mounts)))


def mounted_media(mounts: Path = Path("/proc/mounts")) -> list[str]:
    """Mount points under /media, /run/media and /mnt (removable media)."""
    try:
        lines = mounts.read_text(errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) < 2:
            continue
        point = _unescape(fields[1])
        if point.startswith(MEDIA_ROOTS) and point not in found:
            found.append(point)
    return sorted(found)


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces and tabs as octal escapes (\\040)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)
