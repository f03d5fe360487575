"""Finding YubiKeys over PC/SC and opening one, by serial, for yubikit.

yubikit talks to a YubiKey's smart-card interface through PC/SC: on Debian
that needs the ``pcscd`` service running (package ``pcscd``; pyscard, which
yubikey-manager brings, is the client). :func:`list_yubikeys` says which
YubiKeys are plugged in (serial, firmware, form factor, FIPS series);
:func:`open_yubikey` opens the one with a given serial and keeps its
connection for the whole ceremony. A :class:`YubiKeyDevice` offers the few
things the engine reads of any token: ``info`` (label, serial, model,
firmware, ...), ``logged_in``, ``pin_entries`` and ``close()``.

Where readers come from is one function, :data:`READERS`, so tests put a
card that answers APDUs there. Nothing here prompts, prints or keeps a PIN
(that is hsm.yubikey.applet's, in memory only).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from hsm.errors import KeyBackendError
from hsm.pkcs11.pin import HiddenPin
from hsm.yubikey.errors import SmartCardServiceError, YubiKeyNotFoundError
from hsm.yubikey.extensions import FORM_FACTORS

if TYPE_CHECKING:
    from yubikit.core.smartcard import SmartCardConnection

DRIVER = "yubikit"
MODULE_PATH = "yubikit over PC/SC (pcscd)"
PCSCD_TODO = (
    "install and start Debian's PC/SC service: apt-get install pcscd, then "
    "systemctl start pcscd.socket (docs/reference/hardware.md); or choose driver: ykcs11"
)


class Reader(Protocol):
    """A smart-card reader that may hold a YubiKey."""

    name: str

    def connect(self) -> SmartCardConnection:
        """A yubikit connection to the card in the reader."""


@dataclass(frozen=True)
class YubiKeyInfo:
    """Public facts about a YubiKey, named as the engine names a token's."""

    serial: str
    firmware: str
    form_factor: str
    fips: bool
    reader: str

    @property
    def label(self) -> str:
        """What ykcs11 calls the same YubiKey, so ``pins:`` entries work either way."""
        return f"YubiKey PIV #{self.serial}"

    @property
    def name(self) -> str:
        return f"YubiKey {self.serial}"

    @property
    def model(self) -> str:
        return f"YubiKey{' FIPS' if self.fips else ''} ({self.form_factor})"

    @property
    def manufacturer(self) -> str:
        return "Yubico"

    @property
    def module_path(self) -> str:
        return MODULE_PATH

    @property
    def is_software(self) -> bool:
        return False

    def facts(self) -> dict[str, object]:
        return {
            "token_label": self.label,
            "token_serial": self.serial,
            "token_model": self.model,
            "token_manufacturer": self.manufacturer,
            "token_firmware": self.firmware,
            "form_factor": self.form_factor,
            "fips_series": self.fips,
            "piv_driver": DRIVER,
        }


class _PcscReader:
    def __init__(self, device: Any) -> None:  # ykman's device: list_devices is unannotated
        self._device = device
        self.name = str(getattr(device, "fingerprint", "") or device)

    def connect(self) -> SmartCardConnection:
        from yubikit.core.smartcard import SmartCardConnection

        connection: SmartCardConnection = self._device.open_connection(SmartCardConnection)
        return connection


def pcsc_readers() -> list[Reader]:
    """The readers pcscd sees with a YubiKey in them."""
    try:
        from ykman.pcsc import list_devices
    except ImportError as error:
        raise SmartCardServiceError(
            f"the PC/SC client library is missing ({error.name})",
            "reinstall the tool (it depends on yubikey-manager, which brings pyscard)",
        ) from None
    try:
        # ykman leaves list_devices unannotated
        return [_PcscReader(device) for device in list_devices()]  # type: ignore[no-untyped-call]
    except Exception as error:  # pyscard raises its own types, not exported
        raise SmartCardServiceError(
            f"the PC/SC service does not answer ({type(error).__name__})", PCSCD_TODO
        ) from None


READERS: Callable[[], list[Reader]] = pcsc_readers


def _read_info(connection: SmartCardConnection, reader: str) -> YubiKeyInfo:
    from yubikit.core import NotSupportedError
    from yubikit.core.smartcard import ApduError
    from yubikit.management import ManagementSession
    from yubikit.piv import PivSession

    try:
        info = ManagementSession(connection).read_device_info()
        version, serial = info.version, info.serial
        code = int(info.form_factor)
        fips = bool(info.is_fips)
    except (ApduError, NotSupportedError, ValueError):
        piv = PivSession(connection)
        version, serial, code, fips = piv.version, piv.get_serial(), 0, False
    return YubiKeyInfo(
        serial=str(serial or ""),
        firmware=".".join(str(part) for part in tuple(version)[:3]),
        form_factor=FORM_FACTORS.get(code & 0x0F, "unspecified"),
        fips=fips,
        reader=reader,
    )


def _each_yubikey() -> list[tuple[YubiKeyInfo, SmartCardConnection]]:
    found = []
    for reader in READERS():
        try:
            connection = reader.connect()
        except Exception:  # a reader with no card, or one in use elsewhere
            continue
        try:
            found.append((_read_info(connection, reader.name), connection))
        except Exception:
            connection.close()
    return found


def list_yubikeys() -> list[YubiKeyInfo]:
    """Every YubiKey plugged in, with its public facts (nothing kept open)."""
    found = _each_yubikey()
    for _, connection in found:
        connection.close()
    return [info for info, _ in found]


class YubiKeyDevice:
    """One YubiKey, opened for the ceremony: its facts and its PIV session."""

    def __init__(self, info: YubiKeyInfo, connection: SmartCardConnection) -> None:
        from yubikit.piv import PivSession

        self.info = info
        self.connection = connection
        self.piv = PivSession(connection)
        self.logged_in = False
        self.pin_entries = 0
        self.closed = False
        self.kept_pin: HiddenPin | None = None  # memory only, for hsm.yubikey.applet
        self.prepared: list[str] = []  # credentials replaced in this ceremony

    def __repr__(self) -> str:
        return f"<YubiKeyDevice {self.info.serial}>"

    def close(self) -> None:
        """Forget the PIN and release the card (once; later calls do nothing)."""
        if self.closed:
            return
        self.closed = True
        self.logged_in = False
        self.kept_pin = None
        with contextlib.suppress(Exception):  # a YubiKey pulled out has nothing to close
            self.connection.close()


def open_yubikey(serial: str | int | None = None) -> YubiKeyDevice:
    """The YubiKey with ``serial`` (or the only one plugged in), opened."""
    found = _each_yubikey()
    wanted = [f for f in found if serial is None or f[0].serial == str(serial)]
    for info, connection in found:
        if len(wanted) != 1 or (info, connection) != wanted[0]:
            connection.close()
    if len(wanted) == 1:
        return YubiKeyDevice(*wanted[0])
    present = ", ".join(info.serial for info, _ in found) or "none"
    if serial is None:
        raise YubiKeyNotFoundError(
            f"{len(found)} YubiKeys are plugged in (serials: {present})",
            "plug in exactly one, or name it by serial in the ceremony script",
        )
    raise YubiKeyNotFoundError(
        f"no YubiKey with serial {serial} is plugged in (YubiKeys seen: {present})",
        "plug it in (the serial is printed on it, and shown by `ceremony tokens`), and "
        "check that pcscd is running",
    )


def require_open(device: YubiKeyDevice, doing: str) -> None:
    if device.closed:
        raise KeyBackendError(f"{device.info.name} was closed before {doing}",
                              "open it again")
