"""A token: unlocked once with its PIN, kept open, its keys made and opened.

A :class:`Token` is one token found by :func:`hsm.pkcs11.tokens.open_token`.
:meth:`Token.login` asks for the PIN once and keeps the session logged in
for the rest of the ceremony, however many signatures are made. Before
asking, it reads the token's PIN flags: a locked PIN is refused without a
try, and "few tries left" or "final try" is handed to whoever asks the
keyholder. After a wrong PIN the flags are read again to say how many tries
may be left. The tool never tries a PIN of its own (no default PIN).

The PIN is used for the login and dropped, unless a key demands the PIN on
every signature (CKA_ALWAYS_AUTHENTICATE, e.g. YubiKey slot 9c): then it is
kept in memory, hidden from repr, until :meth:`Token.close`, so the
keyholder still types it once.

Every PKCS#11 call runs on the module's one worker thread (hsm.pkcs11.worker).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

import pkcs11
import pkcs11.exceptions as p11
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from pkcs11 import Mechanism, MechanismInfo, Session, Slot
from pkcs11 import Token as P11Token

from hsm.algorithms import Algorithm, algorithm_of_public_key
from hsm.errors import KeyBackendError, KeyNotFoundError
from hsm.pkcs11 import key_lookup, key_making
from hsm.pkcs11.capabilities import missing_mechanisms
from hsm.pkcs11.errors import (
    MechanismMissingError,
    NotLoggedInError,
    PinIncorrectError,
    PinLockedError,
    TokenNotFoundError,
    TokenNotReadyError,
    explain,
)
from hsm.pkcs11.key_lookup import KeyListing
from hsm.pkcs11.keys import destroy
from hsm.pkcs11.mechanisms import TokenAlgorithm, token_algorithm
from hsm.pkcs11.module import Module
from hsm.pkcs11.pin import HiddenPin, PinRequest, PinSource
from hsm.pkcs11.signer import Pkcs11Signer
from hsm.pkcs11.token_info import TokenInfo, token_info
from hsm.pkcs11.uri import Pkcs11Uri
from hsm.pkcs11.worker import TokenWorker
from hsm.software import SoftwareKey

Params = ParamSpec("Params")
Result = TypeVar("Result")
Signer = TypeVar("Signer", bound=Pkcs11Signer)


@dataclass
class _State:
    session: Session | None = None  # worker-only
    logged_in: bool = False
    pin_entries: int = 0
    kept_pin: HiddenPin | None = None
    closed: bool = False
    signers: list[Pkcs11Signer] = field(default_factory=list)


class Token:
    """One token, its session, and the calls made on it (all on its worker).

    ``on_close`` is called with the token once it is closed (the registry
    of open tokens forgets it then).
    """

    def __init__(
        self,
        module: Module,
        slot: Slot,
        p11token: P11Token,
        on_close: Callable[[Token], None] | None = None,
    ) -> None:
        self.module = module
        self._slot = slot
        self._token = p11token
        self.info = token_info(module.path, p11token)
        self._state = _State()
        self._lock = threading.RLock()  # guards _state across caller threads
        self._mechanisms: frozenset[Mechanism] | None = None
        self._on_close = on_close

    def __repr__(self) -> str:
        return f"<Token {self.info.name} logged_in={self._state.logged_in}>"

    # running things on the worker ---------------------------------------
    def run(
        self,
        doing: str,
        fn: Callable[Params, Result],
        *args: Params.args,
        **kwargs: Params.kwargs,
    ) -> Result:
        """Run ``fn(*args)`` on the module's worker; errors explained."""
        if self._state.closed:
            raise KeyBackendError(
                f"{self.info.name} was already closed", "open the token again"
            )
        try:
            return self.module.worker.call(fn, *args, **kwargs)
        except p11.PKCS11Error as error:
            raise explain(error, doing, self.info.name) from None

    def submit(
        self, fn: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
    ) -> Future[Result]:
        """Queue ``fn`` on the worker; returns a Future (for a UI)."""
        return self.module.worker.submit(fn, *args, **kwargs)

    @property
    def worker(self) -> TokenWorker:
        return self.module.worker

    # state -----------------------------------------------------------------
    def refresh(self) -> TokenInfo:
        """Read the token's information (and PIN flags) again."""
        fresh = self.run("reading the token's state", self._slot.get_token)
        self.info = token_info(self.module.path, fresh)
        return self.info

    @property
    def logged_in(self) -> bool:
        return self._state.logged_in

    @property
    def closed(self) -> bool:
        return self._state.closed

    @property
    def pin_entries(self) -> int:
        """How many times a PIN was asked for or given (one per ceremony)."""
        return self._state.pin_entries

    def mechanisms(self) -> frozenset[Mechanism]:
        if self._mechanisms is None:
            self._mechanisms = frozenset(
                self.run("listing the token's mechanisms", self._slot.get_mechanisms)
            )
        return self._mechanisms

    def require_mechanisms(self, spec: TokenAlgorithm, *, generate: bool) -> None:
        """Refuse, naming the mechanism, when the token lacks one ``spec`` needs."""
        missing = missing_mechanisms(self, spec, generate=generate)
        if missing:
            what, todo = missing[0]
            raise MechanismMissingError(what, todo)

    def mechanism_info(self, mechanism: Mechanism) -> MechanismInfo:
        return self.run(
            f"reading what the token offers for {getattr(mechanism, 'name', mechanism)}",
            self._slot.get_mechanism_info,
            mechanism,
        )

    def session(self) -> Session:
        """The python-pkcs11 session (logged in once login succeeded).
        Use it only inside functions run on the worker."""
        if self.worker.on_worker_thread:  # never wait on a lock from the worker
            return self._session()
        with self._lock:
            return self._session()

    def _session(self) -> Session:
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
                "prepare it before the ceremony (docs/reference/hardware.md)",
            )
        if info.pin.locked:
            raise PinLockedError(
                f"the user PIN of {info.name} is locked",
                "stop: unlock or reset it on a prepared machine with its SO PIN or "
                "PUK; this tool never tries PINs",
            )
        typed = pin(PinRequest(info, info.pin.warning())) if callable(pin) else pin
        self._state.pin_entries += 1
        pin_value: str | object
        if typed is None:
            if not info.pin.protected_path:
                raise NotLoggedInError(
                    f"no PIN was given for {info.name}", "type the token's PIN when asked"
                )
            pin_value = pkcs11.PROTECTED_AUTH
        else:
            pin_value = typed
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
        if keep_pin_for_each_signature and isinstance(typed, str):
            self._state.kept_pin = HiddenPin(typed)
        del pin, typed, pin_value

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
    def generate_key(self, algorithm: str | Algorithm, label: str) -> Pkcs11Signer:
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
        key = self.run(doing, key_making.generate, self.session(), spec, label, self.info.name)
        return self.adopt(Pkcs11Signer(self, key))

    def open_key(
        self,
        reference: str | Pkcs11Uri | bytes | bytearray,
        public_key: PublicKeyTypes,
        *,
        check: bool = True,
    ) -> Pkcs11Signer:
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
            doing, key_lookup.find, self.session(), cka_id, public_key, label, self.info.name
        )
        signer = self.adopt(Pkcs11Signer(self, key))
        if check:
            signer.self_test()
        return signer

    def import_key(self, private_key: PrivateKeyTypes | SoftwareKey, label: str) -> Pkcs11Signer:
        """Copy a software key into this (backup) token, then check it.

        ``private_key`` is a ``cryptography`` private key or a
        :class:`hsm.software.SoftwareKey`. The token copy is sensitive and
        non-extractable; a test signature from it is verified against the
        software key's public key before this returns. Its facts say
        "imported", never "generated on the token".
        """
        if isinstance(private_key, SoftwareKey):
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
            doing, key_making.import_private_key, self.session(), private_key, label,
            self.info.name,
        )
        signer = self.adopt(Pkcs11Signer(self, key))
        try:
            signer.self_test()
        except KeyBackendError:
            self.run("removing the key that failed its test", destroy, key)
            raise
        return signer

    def destroy_key(self, cka_id: bytes, public_key: PublicKeyTypes) -> None:
        """Remove the key pair with this CKA_ID and public key from the token,
        then list the token's keys again to prove it gone (raises if not)."""
        doing = f"destroying the key with CKA_ID {cka_id.hex()}"
        self.require_login(doing)
        key = self.run(
            doing, key_lookup.find, self.session(), cka_id, public_key, None, self.info.name
        )
        self.run(doing, destroy, key)
        if any(listing.cka_id == cka_id for listing in self.list_keys()):
            raise KeyBackendError(
                f"the key with CKA_ID {cka_id.hex()} is still on {self.info.name} after it "
                "was destroyed",
                "remove it with the token's own tool, and check with `ceremony tokens --login`",
            )

    def list_keys(self) -> list[KeyListing]:
        """Every key pair on the token (see hsm.pkcs11.key_lookup.KeyListing)."""
        return self.run("listing keys", key_lookup.list_keys, self.session())

    def _key_reference(
        self, reference: str | Pkcs11Uri | bytes | bytearray
    ) -> tuple[bytes, str | None]:
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

    def adopt(self, signer: Signer) -> Signer:
        """Close ``signer`` (a key of this token opened elsewhere) with the token."""
        self._state.signers.append(signer)
        return signer

    @property
    def p11_token(self) -> P11Token:
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
            if self._on_close is not None:
                self._on_close(self)

    def __enter__(self) -> Token:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
