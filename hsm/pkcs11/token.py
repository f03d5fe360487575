"""A token: found by label or serial, unlocked once with its PIN, kept open.

:func:`open_token` loads the module, finds exactly one token by label and/or
serial (never by slot number, which changes between boots) and returns a
:class:`Token`. :meth:`Token.login` asks for the PIN once and keeps the
session logged in for the rest of the ceremony, however many signatures are
made. Before asking, it reads the token's PIN flags: a locked PIN is refused
without a try, and "few tries left" or "final try" is handed to whoever asks
the keyholder. After a wrong PIN the flags are read again to say how many
tries may be left. The tool never tries a PIN of its own (no default PIN).

The PIN is used for the login and dropped, unless a key demands the PIN on
every signature (CKA_ALWAYS_AUTHENTICATE, e.g. YubiKey slot 9c): then it is
kept in memory, hidden from repr, until :meth:`Token.close`, so the
keyholder still types it once.

Every PKCS#11 call runs on the module's one worker thread (hsm.pkcs11.worker).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Callable

import pkcs11
import pkcs11.exceptions as p11
from pkcs11 import TokenFlag

from hsm.algorithms import algorithm_of_public_key
from hsm.errors import KeyBackendError, KeyNotFoundError
from hsm.pkcs11 import keys as token_keys
from hsm.pkcs11.capabilities import missing_mechanisms
from hsm.pkcs11.errors import (
    MechanismMissingError,
    NotLoggedInError,
    PinIncorrectError,
    PinLockedError,
    TokenAmbiguousError,
    TokenNotFoundError,
    TokenNotReadyError,
    explain,
)
from hsm.pkcs11.mechanisms import token_algorithm
from hsm.pkcs11.module import Module, load_module
from hsm.pkcs11.signer import Pkcs11Signer
from hsm.pkcs11.uri import Pkcs11Uri

_TO_BE_CHANGED = 0x00080000  # CKF_USER_PIN_TO_BE_CHANGED


@dataclass(frozen=True)
class PinState:
    """What the token says about its user PIN (from CK_TOKEN_INFO flags)."""

    initialized: bool
    count_low: bool
    final_try: bool
    locked: bool
    to_be_changed: bool
    protected_path: bool  # a PIN pad on the reader: the PIN is typed there

    @classmethod
    def from_flags(cls, flags: int) -> "PinState":
        return cls(
            initialized=bool(flags & TokenFlag.USER_PIN_INITIALIZED),
            count_low=bool(flags & TokenFlag.USER_PIN_COUNT_LOW),
            final_try=bool(flags & TokenFlag.USER_PIN_FINAL_TRY),
            locked=bool(flags & TokenFlag.USER_PIN_LOCKED),
            to_be_changed=bool(flags & _TO_BE_CHANGED),
            protected_path=bool(flags & TokenFlag.PROTECTED_AUTHENTICATION_PATH),
        )

    def warning(self) -> str | None:
        """A sentence for the keyholder before typing, or None."""
        if self.locked:
            return "the PIN is locked: do not type it"
        if self.final_try:
            return "this is the FINAL try: a wrong PIN now locks the token"
        if self.count_low:
            return "an earlier PIN was wrong: few tries are left before the token locks"
        return None


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

    def facts(self) -> dict:
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


def _info(module_path: str, p11token) -> TokenInfo:
    flags = int(p11token.flags)
    return TokenInfo(
        label=p11token.label.strip(),
        serial=p11token.serial.decode("ascii", "replace").strip(),
        model=p11token.model.strip(),
        manufacturer=p11token.manufacturer_id.strip(),
        firmware="%d.%d" % p11token.firmware_version,
        hardware="%d.%d" % p11token.hardware_version,
        module_path=module_path,
        flags=flags,
        pin=PinState.from_flags(flags),
    )


@dataclass(frozen=True)
class PinRequest:
    """What a PIN prompt shows: which token, and any warning about tries."""

    token: TokenInfo
    warning: str | None


class _HiddenPin:
    """A PIN kept for keys that ask for it on every signature."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "<PIN hidden>"

    def reveal(self) -> str:
        return self._value


PinSource = str | Callable[[PinRequest], str] | None


@dataclass
class _State:
    session: object | None = None  # python-pkcs11 Session, worker-only
    logged_in: bool = False
    pin_entries: int = 0
    kept_pin: _HiddenPin | None = None
    closed: bool = False
    signers: list = field(default_factory=list)


class Token:
    """One token, its session, and the calls made on it (all on its worker)."""

    def __init__(self, module: Module, slot, p11token) -> None:
        self.module = module
        self._slot = slot
        self._token = p11token
        self.info = _info(module.path, p11token)
        self._state = _State()
        self._lock = threading.RLock()  # guards _state across caller threads
        self._mechanisms: frozenset | None = None

    def __repr__(self) -> str:
        return f"<Token {self.info.name} logged_in={self._state.logged_in}>"

    # running things on the worker ---------------------------------------
    def run(self, doing: str, fn, *args, **kwargs):
        """Run ``fn(*args)`` on the module's worker; errors explained."""
        if self._state.closed:
            raise KeyBackendError(
                f"{self.info.name} was already closed", "open the token again"
            )
        try:
            return self.module.worker.call(fn, *args, **kwargs)
        except p11.PKCS11Error as error:
            raise explain(error, doing, self.info.name) from None

    def submit(self, fn, *args, **kwargs):
        """Queue ``fn`` on the worker; returns a Future (for a UI)."""
        return self.module.worker.submit(fn, *args, **kwargs)

    @property
    def worker(self):
        return self.module.worker

    # state -----------------------------------------------------------------
    def refresh(self) -> TokenInfo:
        """Read the token's information (and PIN flags) again."""
        fresh = self.run("reading the token's state", self._slot.get_token)
        self.info = _info(self.module.path, fresh)
        return self.info

    @property
    def logged_in(self) -> bool:
        return self._state.logged_in

    @property
    def pin_entries(self) -> int:
        """How many times a PIN was asked for or given (one per ceremony)."""
        return self._state.pin_entries

    def mechanisms(self) -> set:
        if self._mechanisms is None:
            self._mechanisms = frozenset(
                self.run("listing the token's mechanisms", self._slot.get_mechanisms)
            )
        return self._mechanisms

    def require_mechanisms(self, spec, *, generate: bool) -> None:
        """Refuse, naming the mechanism, when the token lacks one ``spec`` needs."""
        missing = missing_mechanisms(self, spec, generate=generate)
        if missing:
            what, todo = missing[0]
            raise MechanismMissingError(what, todo)

    def mechanism_info(self, mechanism):
        return self.run(
            f"reading what the token offers for {getattr(mechanism, 'name', mechanism)}",
            self._slot.get_mechanism_info,
            mechanism,
        )

    def session(self):
        """The python-pkcs11 session (logged in once login succeeded).
        Use it only inside functions run on the worker."""
        if self.worker.on_worker_thread:  # never wait on a lock from the worker
            return self._session()
        with self._lock:
            return self._session()

    def _session(self):
        if self._state.session is None:
            self._state.session = self.run("opening a session", self._token.open, rw=True)
        return self._state.session

    # login -------------------------------------------------------------
    def login(self, pin: PinSource, *, keep_pin_for_each_signature: bool = False) -> None:
        """Log in with the user PIN, once for the whole ceremony.

        ``pin`` is the PIN typed by the keyholder, or a callable that asks
        for it given a :class:`PinRequest` (so the prompt can show "final
        try"), or None for a reader with a PIN pad. Already logged in: does
        nothing and asks nothing.
        """
        with self._lock:
            self._login(pin, keep_pin_for_each_signature)

    def _login(self, pin: PinSource, keep_pin_for_each_signature: bool) -> None:
        if self._state.logged_in:
            return
        info = self.refresh()
        if not info.initialized or not info.pin.initialized:
            raise TokenNotReadyError(
                f"{info.name} is not initialised or has no user PIN",
                "prepare it before the ceremony (docs/hardware.md)",
            )
        if info.pin.locked:
            raise PinLockedError(
                f"the user PIN of {info.name} is locked",
                "stop: unlock or reset it on a prepared machine with its SO PIN or "
                "PUK; this tool never tries PINs",
            )
        if callable(pin):
            pin = pin(PinRequest(info, info.pin.warning()))
        self._state.pin_entries += 1
        if pin is None:
            if not info.pin.protected_path:
                raise NotLoggedInError(
                    f"no PIN was given for {info.name}", "type the token's PIN when asked"
                )
            pin_value = pkcs11.PROTECTED_AUTH
        else:
            pin_value = pin
        try:
            session = self.module.worker.call(
                self._token.open, rw=True, user_pin=pin_value
            )
        except p11.PinIncorrect:
            raise self._wrong_pin() from None
        except p11.PKCS11Error as error:
            raise explain(error, "logging in", info.name) from None
        if self._state.session is not None:
            old, self._state.session = self._state.session, None
            self.run("closing the session opened before login", old.close)
        self._state.session = session
        self._state.logged_in = True
        if keep_pin_for_each_signature and isinstance(pin, str):
            self._state.kept_pin = _HiddenPin(pin)
        del pin, pin_value

    def _wrong_pin(self) -> KeyBackendError:
        state = self.refresh().pin
        name = self.info.name
        if state.locked:
            return PinLockedError(
                f"the PIN for {name} was wrong and the token has now locked it",
                "stop: unlock or reset it on a prepared machine with its SO PIN or "
                "PUK, or continue with another keyholder's token",
            )
        if state.final_try:
            return PinIncorrectError(
                f"the PIN for {name} was wrong; ONE try is left before it locks",
                "stop and check the PIN record before typing again",
                pin_state=state,
            )
        if state.count_low:
            return PinIncorrectError(
                f"the PIN for {name} was wrong; few tries are left before it locks",
                "check the PIN record, then type it again slowly",
                pin_state=state,
            )
        return PinIncorrectError(
            f"the PIN for {name} was wrong",
            "ask its keyholder to type it again, slowly; nothing was changed",
            pin_state=state,
        )

    def kept_pin(self) -> str | None:
        kept = self._state.kept_pin
        return kept.reveal() if kept is not None else None

    def require_login(self, doing: str) -> None:
        if not self._state.logged_in:
            raise NotLoggedInError(
                f"{self.info.name} needs its PIN before {doing}",
                "log in to the token first (one PIN entry per token per ceremony)",
            )

    # keys ----------------------------------------------------------------
    def generate_key(self, algorithm, label: str):
        """Generate a key pair on the token and return its signer.

        The label and CKA_ID are checked free first, the CKA_ID comes from the
        token's random generator, and the new private key is read back and
        checked (curve, LOCAL, NEVER_EXTRACTABLE, ALWAYS_SENSITIVE); a key
        that fails is destroyed and the error says why.
        """
        spec = token_algorithm(algorithm)
        doing = f"generating an {spec.name} key labelled {label!r}"
        self.require_login(doing)
        self.require_mechanisms(spec, generate=True)
        key = self.run(doing, token_keys.generate, self.session(), spec, label, self.info.name)
        return self.adopt(Pkcs11Signer(self, key))

    def open_key(self, reference, public_key, *, check: bool = True):
        """The signer for a key on this token, named by a ``pkcs11:`` URI (or
        a :class:`Pkcs11Uri`, or its CKA_ID bytes) and its recorded public key.

        The key is selected by CKA_ID plus public key value, never by label
        alone; a label in the URI must match too. With ``check`` a test
        signature is made and verified before the signer is returned.
        """
        cka_id, label = self._key_reference(reference)
        doing = f"opening the key with CKA_ID {cka_id.hex() if cka_id else '?'}"
        self.require_login(doing)
        key = self.run(
            doing, token_keys.find, self.session(), cka_id, public_key, label, self.info.name
        )
        signer = self.adopt(Pkcs11Signer(self, key))
        if check:
            signer.self_test()
        return signer

    def import_key(self, private_key, label: str):
        """Copy a software key into this (backup) token, then check it.

        ``private_key`` is a ``cryptography`` private key or a
        :class:`hsm.software.SoftwareKey`. The token copy is sensitive and
        non-extractable; a test signature from it is verified against the
        software key's public key before this returns. Its facts say
        "imported", never "generated on the token".
        """
        if hasattr(private_key, "private_key_for_custody"):
            try:
                private_key = private_key.private_key_for_custody()
            except KeyBackendError:
                raise KeyBackendError(
                    "the software key to import was already destroyed",
                    "import backups before the software copy is destroyed",
                ) from None
        doing = f"importing a key labelled {label!r}"
        self.require_login(doing)
        self.require_mechanisms(
            token_algorithm(algorithm_of_public_key(private_key.public_key())), generate=False
        )
        key = self.run(
            doing, token_keys.import_private_key, self.session(), private_key, label,
            self.info.name,
        )
        signer = self.adopt(Pkcs11Signer(self, key))
        try:
            signer.self_test()
        except KeyBackendError:
            self.run("removing the key that failed its test", token_keys.destroy, key)
            raise
        return signer

    def list_keys(self) -> list:
        """Every key pair on the token (see hsm.pkcs11.keys.KeyListing)."""
        return self.run("listing keys", token_keys.list_keys, self.session())

    def _key_reference(self, reference) -> tuple[bytes, str | None]:
        if isinstance(reference, (bytes, bytearray)):
            return bytes(reference), None
        uri = reference if isinstance(reference, Pkcs11Uri) else Pkcs11Uri.parse(reference)
        if uri.token is not None and uri.token != self.info.label:
            raise TokenNotFoundError(
                f"the key URI names token {uri.token!r}, but this is {self.info.name}",
                "insert the token the URI names",
            )
        if uri.serial is not None and uri.serial != self.info.serial:
            raise TokenNotFoundError(
                f"the key URI names serial {uri.serial}, but this is {self.info.name}",
                "insert the token the URI names",
            )
        if uri.type not in (None, "private"):
            raise KeyNotFoundError(
                f"the key URI {uri} names a {uri.type} object, not a private key",
                "use the URI of the private key (type=private or no type)",
            )
        if uri.id is None:
            raise KeyNotFoundError(
                f"the key URI {uri} has no id= (CKA_ID)",
                "a key is selected by its CKA_ID and public key, never by label "
                "alone: add id=%.. to the URI (ceremony tokens lists them)",
            )
        return uri.id, uri.object

    def adopt(self, signer):
        """Close ``signer`` (a key of this token opened elsewhere) with the token."""
        self._state.signers.append(signer)
        return signer

    @property
    def p11_token(self):
        """python-pkcs11's token object, for a backend that opens its own sessions."""
        return self._token

    # closing -------------------------------------------------------------
    def close(self) -> None:
        """Log out, close the session and forget any kept PIN."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._state.closed:
            return
        for signer in self._state.signers:
            signer.forget()
        session, self._state.session = self._state.session, None
        self._state.kept_pin = None
        try:
            if session is not None:
                self.run("closing the session", session.close)
        except KeyBackendError:
            pass  # a removed token has no session left to close
        finally:
            self._state.logged_in = False
            self._state.closed = True
            _forget(self)

    def __enter__(self) -> "Token":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# Finding tokens ----------------------------------------------------------
_open: dict[tuple[str, str, str], Token] = {}
_open_lock = threading.Lock()


def _forget(token: Token) -> None:
    with _open_lock:
        for key, value in list(_open.items()):
            if value is token:
                del _open[key]


def list_tokens(module_path: str) -> list[TokenInfo]:
    """Every token the module sees now (no PIN asked)."""
    module = load_module(module_path)
    return [_info(module.path, t) for _, t in module.slots_with_tokens()]


def open_token(
    module_path: str | None = None,
    *,
    label: str | None = None,
    serial: str | None = None,
    uri: str | Pkcs11Uri | None = None,
) -> Token:
    """The one token matching ``label`` and/or ``serial`` (or the token part
    of ``uri``, whose module-path is used when ``module_path`` is None).

    Opening the same token twice returns the same :class:`Token`, so its
    login (one PIN entry) is shared by every key on it.
    """
    if uri is not None:
        uri = uri if isinstance(uri, Pkcs11Uri) else Pkcs11Uri.parse(uri)
        label = label if label is not None else uri.token
        serial = serial if serial is not None else uri.serial
        module_path = module_path or uri.module_path
    if not module_path:
        raise TokenNotFoundError(
            "no PKCS#11 module path was given for the token",
            "name the module in the ceremony script (module-path=...)",
        )
    if label is None and serial is None:
        raise TokenNotFoundError(
            "the token is named neither by label nor by serial",
            "name it by token label or serial in the ceremony script, never by slot",
        )
    module = load_module(module_path)
    present = module.slots_with_tokens()
    matches = [
        (slot, tok)
        for slot, tok in present
        if (label is None or tok.label.strip() == label)
        and (serial is None or tok.serial.decode("ascii", "replace").strip() == serial)
    ]
    wanted = " and ".join(
        part
        for part in (f"label {label!r}" if label is not None else "",
                     f"serial {serial}" if serial is not None else "")
        if part
    )
    if not matches:
        seen = ", ".join(_info(module.path, t).name for _, t in present) or "none"
        raise TokenNotFoundError(
            f"no token with {wanted} is present in {module.path} (present: {seen})",
            "insert the right token, or correct the label or serial in the ceremony script",
        )
    if len(matches) > 1:
        seen = ", ".join(_info(module.path, t).name for _, t in matches)
        raise TokenAmbiguousError(
            f"{len(matches)} tokens match {wanted}: {seen}",
            "remove the tokens not used in this step, or name the token by serial",
        )
    slot, tok = matches[0]
    info = _info(module.path, tok)
    key = (module.realpath, info.serial, info.label)
    with _open_lock:
        existing = _open.get(key)
        if existing is not None and not existing._state.closed:
            return existing
        token = Token(module, slot, tok)
        _open[key] = token
        return token
