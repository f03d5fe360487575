"""The errors an operator can meet, in one small tree.

Every error says what happened, where (file, line, field, share number) and
what to do next. The front ends print ``str(error)`` and exit: an operator
never sees a traceback for their own mistake. No error ever carries a secret.
"""

from __future__ import annotations

import errno
import os
from typing import Literal


class CeremonyError(Exception):
    """Base of every error meant for an operator."""

    def __init__(self, what: str, *, where: str = "", todo: str = "") -> None:
        self.what = what
        self.where = where
        self.todo = todo
        super().__init__(self.message())

    def message(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.todo:
            text = f"{text}. {self.todo}"
        return text


class ScriptError(CeremonyError):
    """A ceremony script is malformed or does not make sense."""


class PreflightError(CeremonyError):
    """Something the ceremony needs is missing or unsafe; nothing was done."""


class MediaError(CeremonyError):
    """Media could not be read or written (exists, unwritable, damaged)."""


class BundleError(CeremonyError):
    """A bundle read from media is malformed or incomplete."""


# Why the reader of files on media (ceremony.bundle.reading) left a file unread.
Refusal = Literal[
    "linked folder",  # the folder holding it is a symbolic link
    "folder unreadable",  # the folder holding it cannot be opened
    "link",  # it is a symbolic link
    "missing",  # it is not there
    "unreadable",  # it cannot be opened or read
    "not plain",  # a pipe, device or socket
    "too large",  # more than the limit
]


class UnsafeFileError(MediaError):
    """A file on media was not read, and ``reason`` says why.

    ``cause`` is the system's error when there was one, ``limit`` the size
    the file was allowed and ``size`` the size it had (0: not known, a file
    that grew as it was read). The message is a plain default; the caller that
    asked for the file usually words it for its own operator.
    """

    def __init__(
        self,
        path: str,
        reason: Refusal,
        *,
        cause: OSError | None = None,
        limit: int = 0,
        size: int = 0,
        folder: str = "",
    ) -> None:
        self.path = path
        self.reason = reason
        self.cause = cause
        self.limit = limit
        self.size = size
        what = {
            "linked folder": f"is inside {folder}, a symbolic link",
            "link": "is a symbolic link",
            "missing": "does not exist",
            "not plain": "is not a plain file (a pipe, device or socket)",
            "too large": f"is {self.too_large}",
        }.get(reason, f"cannot be read ({self.system_reason})")
        super().__init__(what, where=path)

    @property
    def too_large(self) -> str:
        """How much too large the file is: its size when known, and the limit."""
        if self.size:
            return f"{self.size:,} bytes, more than the {self.limit:,} allowed"
        return f"larger than the {self.limit:,} bytes allowed"

    @property
    def system_reason(self) -> str:
        """The system's words for ``cause``."""
        return system_reason(self.cause)


def system_reason(error: OSError | None) -> str:
    """The system's words for an OSError ("Permission denied"), or for an
    input/output error when it carries no error number."""
    code = error.errno if error is not None else None
    return os.strerror(code or errno.EIO)


class CeremonyAbandonedError(CeremonyError):
    """An operator declined to go on; the ceremony stopped cleanly."""


class UnknownFlavorError(LookupError):
    """No flavor has this name (``ceremony.flavor.flavor_named``); the
    message is the name asked for."""
