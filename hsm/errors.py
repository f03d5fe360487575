"""Errors a key backend raises for an operator to read.

Each carries what happened and what to do next in plain words. They never
carry a secret (PIN, passphrase, key material), not even a fragment of one.
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
