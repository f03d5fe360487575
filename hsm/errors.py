"""Errors a key backend raises: for an operator to read, or for a caller to word.

``KeyBackendError`` and its kind carry what happened and what to do next in
plain words. The ``Age…Error`` kinds come from reading and writing age files
(``hsm.age``): they say what is wrong with the file, and the caller (a key
file, a custody bundle) says where and what to do. None of them ever carries
a secret (PIN, passphrase, identity, key material), not even a fragment.
"""

from __future__ import annotations


class KeyBackendError(Exception):
    """A key could not be made, found, unlocked or used."""

    def __init__(self, what: str, todo: str = "") -> None:
        self.what = what
        self.todo = todo
        super().__init__(what if not todo else f"{what}. {todo}")


class WrongPassphraseError(KeyBackendError):
    """The passphrase (or PIN) given does not unlock the key."""


class KeyNotFoundError(KeyBackendError):
    """No key matches the reference, or more than one does."""


class UnsupportedAlgorithmError(KeyBackendError):
    """The algorithm is not on the allow-list, or the backend lacks it."""


class SignatureCheckError(KeyBackendError):
    """A signature a backend produced did not verify: it is never used."""


class SuspiciousKeyFileError(KeyBackendError):
    """A key file asks for more work than any file this tool writes: it was
    not made by ceremony, and may be made to stall the machine. Nothing was
    tried with the passphrase, so asking again would not help."""


class AgeError(Exception):
    """An age file could not be made or opened (``hsm.age``)."""


class AgeFormatError(AgeError):
    """Not an age file this tool reads, or a damaged one."""


class AgeArmoredError(AgeFormatError):
    """An ASCII-armored age file (``age -a``): only the binary form is read."""


class Bech32Error(AgeFormatError):
    """Text that is not the Bech32 an age key is written in."""


class AgeWrongSecretError(AgeError):
    """The passphrase or identity given does not open this file."""


class AgeWorkFactorError(AgeError):
    """The file's scrypt work factor is above what this tool opens.

    Checked before scrypt runs: such a file costs gigabytes and minutes per
    try, and no file this tool writes asks for it, so it is suspicious, not a
    wrong passphrase. ``work_factor`` is what the file asks, ``limit`` the
    most this tool opens.
    """

    def __init__(self, what: str, *, work_factor: int, limit: int) -> None:
        self.work_factor = work_factor
        self.limit = limit
        super().__init__(what)


class AgeMemoryError(AgeError):
    """This machine has too little memory free to open the file."""
