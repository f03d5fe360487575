"""One thing wrong with a bundle, and text from the media made fit to show.

A :class:`Problem` says where (a path inside the bundle, or a transcript
line) and what is wrong, in words an operator can act on. Text that came
from the media is shown through :func:`shown` or :func:`safe_path`, so a
hostile file name or field cannot put control characters on the operator's
terminal. Nothing here prints.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles a string
# annotation, and a process's first compile() costs `ceremony verify` a millisecond
# (docs/design/performance.md, perfstart).

from typing import NamedTuple

_MAX_SHOWN = 60


def shown(value: object) -> str:
    """A JSON value from the media, fit for a message: strings quoted,
    escaped and cut short; other values named as JSON names them."""
    if isinstance(value, str):
        if len(value) > _MAX_SHOWN:
            value = value[:_MAX_SHOWN] + "..."
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**_MAX_SHOWN else "a huge number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def safe_path(path: str) -> str:
    """A path from the media, fit to stand at the start of a problem line."""
    if path.isprintable() and "\\" not in path:
        return path
    return repr(path)[1:-1]


def short(keyid: str) -> str:
    """A key's short id: the first 8 hex digits of its keyid."""
    return safe_path(keyid[:8])


class Problem(NamedTuple):
    """One thing wrong with a bundle: where it is and what it is."""

    where: str
    what: str
    expiry: bool = False  # only "expired": a renew ceremony may build on it
    # only "expired", and of a file an online signer re-signs (a Sigstore mirror's
    # snapshot or timestamp): any ceremony that signs it again may build on it
    online: bool = False
    # a file larger than verify reads (limits.py): a ceremony that names fewer keys,
    # paths or GUNs writes a smaller one
    too_large: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"
