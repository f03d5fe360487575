"""The errors an operator can meet, in one small tree.

Every error says what happened, where (file, line, field, share number) and
what to do next. The front ends print ``str(error)`` and exit: an operator
never sees a traceback for their own mistake. No error ever carries a secret.
"""

from __future__ import annotations


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


class CeremonyAbandonedError(CeremonyError):
    """An operator declined to go on; the ceremony stopped cleanly."""


class UnknownFlavorError(LookupError):
    """No flavor has this name (``ceremony.flavor.flavor_named``); the
    message is the name asked for."""
