"""What the machine in the room can see: the air gap, mounted media, tokens.

The air gap and media are read from /sys and /proc without opening a socket,
so the home screen can look again every few seconds. Tokens are looked for
by :func:`find_tokens`, which runs ``ceremony tokens --json`` in a child
process: no PKCS#11 module is ever loaded into the UI process (a module is
loaded once per process, and a loaded SoftHSM does not see tokens made
later). Tests pass a fixed :class:`Room` (with its ``tokens``) instead.
Imports no UI toolkit: it is plain facts for the screens to draw.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ceremony import airgap

MEDIA_ROOTS = ("/media/", "/run/media/", "/mnt/")


TOKEN_LOOKUP_SECONDS = 20.0


@dataclass(frozen=True)
class SeenToken:
    """A token a PKCS#11 module sees, as the home screen names it."""

    label: str
    serial: str
    model: str
    initialized: bool = True


@dataclass(frozen=True)
class TokensSeen:
    """What one look for tokens found: the modules asked and their tokens.

    ``problem`` is a sentence when the look itself failed (timed out, or
    the child process broke); ``module_problems`` the modules that would
    not load or list."""

    modules: tuple[str, ...] = ()
    tokens: tuple[SeenToken, ...] = ()
    module_problems: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class Room:
    """The state of the room as the home screen shows it.

    ``tokens`` is None when the room does not say (the home screen then
    looks for them itself); tests set it to pin what the screen shows.
    ``media`` are the writable media (an output folder is offered on the
    first); ``read_only`` the media mounted read-only, where nothing can
    be written (a bundle to verify may be on one)."""

    interfaces_up: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    tokens: TokensSeen | None = None
    read_only: tuple[str, ...] = ()

    @property
    def air_gapped(self) -> bool:
        return not self.interfaces_up


def look_around(mounts: Path = Path("/proc/mounts")) -> Room:
    found = mounted_media(mounts)
    return Room(
        interfaces_up=tuple(airgap.interfaces_up()),
        media=tuple(path for path, writable in found if writable),
        read_only=tuple(path for path, writable in found if not writable),
    )


def find_tokens(timeout: float = TOKEN_LOOKUP_SECONDS) -> TokensSeen:
    """Run ``ceremony tokens --json`` in a child process and read its answer.

    Blocks for up to ``timeout`` seconds: call it from a thread worker."""
    command = [sys.executable, "-m", "ceremony", "tokens", "--json"]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return TokensSeen(problem=f"the look for tokens took over {timeout:g}s and was stopped")
    except OSError as error:
        return TokensSeen(problem=f"could not look for tokens: {error.strerror or error}")
    if result.returncode != 0:
        said = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        return TokensSeen(problem=f"the look for tokens failed: {said}")
    return tokens_from_json(result.stdout)


def tokens_from_json(text: str) -> TokensSeen:
    """The :class:`TokensSeen` of ``ceremony tokens --json`` output."""
    try:
        listing = json.loads(text)
        modules, tokens, problems = [], [], []
        for entry in listing["modules"]:
            modules.append(str(entry["path"]))
            if entry.get("error"):
                problems.append(f"{entry['path']}: {entry['error']}")
            for token in entry["tokens"]:
                tokens.append(SeenToken(
                    label=str(token["label"]), serial=str(token["serial"]),
                    model=str(token["model"]), initialized=bool(token.get("initialized", True)),
                ))
    except (ValueError, KeyError, TypeError):
        return TokensSeen(problem="the look for tokens gave an answer ceremony cannot read")
    return TokensSeen(tuple(modules), tuple(tokens), tuple(problems))


def mounted_media(mounts: Path = Path("/proc/mounts")) -> list[tuple[str, bool]]:
    """Mount points under /media, /run/media and /mnt (removable media), as
    (path, writable): a medium mounted read-only (``ro``) takes no output."""
    try:
        lines = mounts.read_text(errors="replace").splitlines()
    except OSError:
        return []
    found: dict[str, bool] = {}
    for line in lines:
        fields = line.split()
        if len(fields) < 2:
            continue
        point = _unescape(fields[1])
        writable = len(fields) < 4 or "ro" not in fields[3].split(",")
        if point.startswith(MEDIA_ROOTS):
            found[point] = found.get(point, False) or writable  # mounted twice: either will do
    return sorted(found.items())


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
