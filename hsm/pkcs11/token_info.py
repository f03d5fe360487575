"""What a token tells people about itself: label, serial, model, PIN flags.

:class:`TokenInfo` holds the public facts of a PKCS#11 token, read from its
CK_TOKEN_INFO by :func:`token_info`, for screens, messages and the
transcript. :class:`TokenDescription` is what any token the engine handles
offers (a YubiKey seen through yubikit too), so that prompts and events name
them all alike.

Public facts only: nothing here logs in, touches keys or sees a PIN.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from pkcs11 import Token as P11Token
from pkcs11 import TokenFlag

from hsm.pkcs11.pin_state import PinState
from hsm.pkcs11.uri import Pkcs11Uri


class TokenDescription(Protocol):
    """The public facts of any token, as prompts and the transcript name it."""

    @property
    def label(self) -> str: ...

    @property
    def serial(self) -> str: ...

    @property
    def name(self) -> str:
        """How messages name the token."""
        ...

    @property
    def model(self) -> str: ...

    @property
    def manufacturer(self) -> str: ...

    @property
    def firmware(self) -> str: ...

    @property
    def module_path(self) -> str: ...

    @property
    def is_software(self) -> bool: ...

    def facts(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class TokenInfo:
    """Public facts about a token, for screens and the transcript."""

    label: str
    serial: str
    model: str
    manufacturer: str
    firmware: str
    hardware: str
    module_path: str
    flags: int
    pin: PinState

    @property
    def name(self) -> str:
        """How messages name the token."""
        if not self.initialized and not self.label:
            return "an uninitialised token"
        return f"token {self.label!r} (serial {self.serial or 'none'})"

    @property
    def initialized(self) -> bool:
        return bool(self.flags & TokenFlag.TOKEN_INITIALIZED)

    @property
    def write_protected(self) -> bool:
        return bool(self.flags & TokenFlag.WRITE_PROTECTED)

    @property
    def has_rng(self) -> bool:
        return bool(self.flags & TokenFlag.RNG)

    @property
    def is_software(self) -> bool:
        """SoftHSM: keys in files on this computer, for rehearsals only."""
        return self.model.startswith("SoftHSM") or self.manufacturer.startswith("SoftHSM")

    def uri(self) -> Pkcs11Uri:
        return Pkcs11Uri(
            token=self.label,
            serial=self.serial or None,
            model=self.model or None,
            manufacturer=self.manufacturer or None,
            module_path=self.module_path,
        )

    def facts(self) -> dict[str, object]:
        return {
            "token_label": self.label,
            "token_serial": self.serial,
            "token_model": self.model,
            "token_manufacturer": self.manufacturer,
            "token_firmware": self.firmware,
            "token_hardware": self.hardware,
            "module_path": self.module_path,
            "module_file": os.path.realpath(self.module_path),
        }


def token_info(module_path: str, p11token: P11Token) -> TokenInfo:
    """The public facts python-pkcs11's token object reports."""
    flags = int(p11token.flags)
    return TokenInfo(
        label=p11token.label.strip(),
        serial=p11token.serial.decode("ascii", "replace").strip(),
        model=p11token.model.strip(),
        manufacturer=p11token.manufacturer_id.strip(),
        firmware=version_text(p11token.firmware_version),
        hardware=version_text(p11token.hardware_version),
        module_path=module_path,
        flags=flags,
        pin=PinState.from_flags(flags),
    )


def version_text(version: tuple[int, int]) -> str:
    """A PKCS#11 version (major, minor) as people write it: ``2.40``."""
    major, minor = version
    return f"{major}.{minor}"
