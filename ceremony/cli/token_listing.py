"""The pieces ``ceremony tokens`` lists with, shared by its two halves.

The PKCS#11 half (ceremony.cli.tokens) and the YubiKey half
(ceremony.cli.yubikeys) both write into one :class:`Listing` (lines, and a
count of flags) and compare what they find with the keys bundles record on
tokens (:class:`RecordedKey`, read by :func:`recorded_keys`). Living here,
neither half imports the other for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ceremony.errors import BundleError
from hsm.errors import KeyBackendError


class NamedToken(Protocol):
    """What names a token, a PKCS#11 one or a YubiKey: its label and serial."""

    @property
    def label(self) -> str: ...

    @property
    def serial(self) -> str: ...


@dataclass(frozen=True)
class RecordedKey:
    """A key a bundle's keys/index.json places on a token."""

    name: str
    bundle: str
    token_label: str | None
    token_serial: str | None
    cka_id: bytes | None
    backup: bool = False

    def on(self, info: NamedToken) -> bool:
        if self.token_serial is not None:
            return self.token_serial == info.serial
        return self.token_label == info.label


@dataclass
class Listing:
    lines: list[str] = field(default_factory=list)
    flags: int = 0

    def say(self, text: str) -> None:
        self.lines.append(text)

    def flag(self, text: str) -> None:
        self.lines.append(text)
        self.flags += 1


def recorded_keys(bundle: Path) -> list[RecordedKey]:
    """The token keys (and backup copies) a bundle's key index records."""
    from ceremony.bundle.reading import read_plain_file
    from ceremony.errors import UnsafeFileError
    from ceremony.verify.errors import MalformedJSONError
    from ceremony.verify.key_index import read_key_index
    from ceremony.verify.limits import KEY_INDEX_MAX_BYTES
    from hsm.pkcs11 import Pkcs11Uri

    path = Path(bundle) / "keys" / "index.json"
    try:
        entries = read_key_index(read_plain_file(path, KEY_INDEX_MAX_BYTES))
    except UnsafeFileError as error:
        raise BundleError(error.what, where=str(path),
                          todo="name a bundle folder written by ceremony") from None
    except MalformedJSONError as error:
        raise BundleError(f"{path} is not a key index: {error}",
                          todo="name a bundle folder written by ceremony") from None
    found: list[RecordedKey] = []
    for name, entry in sorted(entries.items()):
        locations: list[tuple[object, bool]] = [(entry.get("location"), False)]
        locations += [(uri, True) for uri in entry.get("backups") or [] if isinstance(uri, str)]
        for location, backup in locations:
            if not isinstance(location, str) or not location.startswith("pkcs11:"):
                continue
            try:
                uri = Pkcs11Uri.parse(location)
            except KeyBackendError:
                continue
            found.append(RecordedKey(name, str(bundle), uri.token, uri.serial, uri.id, backup))
    return found
