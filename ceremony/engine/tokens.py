"""Keys on PKCS#11 tokens and YubiKeys during a ceremony.

Each token a ceremony uses is opened once and unlocked once: its PIN is
asked of the Operator (``SecretRequest`` id ``pin/<token label>``; from the
environment variable ``pins:`` names, the secrets file, or a prompt) the
first time a key on it is needed, and the token stays logged in until
``Context.close_keys`` logs out of every token at the end, however the
ceremony ends. Keys are generated on the token (or, for a YubiKey, in a PIV
slot, then attested), opened by their ``pkcs11:`` URI plus recorded public
key for a later ceremony's ``sign-with``, and software keys are imported
into backup tokens and test-signed there before their software copy is
destroyed.

The PIN lives only in memory, for the one login: never in an event, a
message, the transcript or a file. The PKCS#11 calls themselves run on each
module's own thread (hsm.pkcs11); the calls here block the engine's thread,
which a front end runs apart from its screen.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.secrets import ask_secret
from ceremony.engine.token_sessions import MadeOnToken, TokenSessions
from ceremony.errors import CeremonyError, PreflightError
from ceremony.events import (
    Event,
    KeyBackedUp,
    KeyGenerated,
    KeyLoaded,
    TokenLoggedIn,
    TouchRequested,
)
from ceremony.operator import Secret, SecretKind, SecretRequest
from ceremony.script.plan import HardwareSpec, KeySpec, PassphraseSource, Plan, TokenSpec
from hsm.signer import KeySigner
from hsm.software import SoftwareKey

if TYPE_CHECKING:
    from ceremony.engine.token_sessions import OpenToken
    from hsm.pkcs11 import PinRequest, TokenInfo
    from hsm.yubikey import YubiKeyInfo

HARDWARE_BACKENDS = ("pkcs11", "yubikey")
PROMPT_TRIES = 3
# A PIN this long or longer is also handed to the transcript's last guard
# (it refuses any line holding it); a shorter one would match hex digits in
# hashes by chance and stop a sound ceremony. Events never hold a PIN anyway.
GUARD_MIN_LENGTH = 8


def sessions(ctx: Context) -> TokenSessions:
    if ctx.tokens is None:
        ctx.tokens = TokenSessions()
    return ctx.tokens


def tokens_closed(ctx: Context) -> Iterator[Event]:
    """The TokenClosed events of tokens closed since the last call."""
    if ctx.tokens is not None:
        yield from ctx.tokens.unreported()


# -- PINs -----------------------------------------------------------------------


def pin_source(plan: Plan, info: TokenInfo | YubiKeyInfo) -> PassphraseSource:
    """Where the PIN of the token ``info`` comes from: ``pins:`` by label or serial."""
    for name, source in plan.pins:
        if name in (info.label, info.serial):
            return source
    return PassphraseSource()


def unlock(ctx: Context, token: OpenToken, *, yubikey: bool = False) -> Iterator[Event]:
    """Log in to ``token`` with a PIN from the Operator, unless already in.

    A wrong PIN typed at a prompt may be typed again (the prompt then says
    how many tries the token has left); from an environment variable or a
    secrets file it stops the ceremony with the token's own plain message.
    """
    from hsm.pkcs11 import PinIncorrectError

    if token.logged_in:
        return
    source = pin_source(ctx.plan, token.info)
    for attempt in range(1, PROMPT_TRIES + 1):
        try:
            _login(ctx, token, source, attempt, yubikey)
            break
        except PinIncorrectError:
            if (
                source.kind == "env"
                or attempt == PROMPT_TRIES
                or not getattr(ctx.operator, "can_retry", True)
            ):
                raise
    info = token.info
    yield TokenLoggedIn(
        token=info.label,
        serial=info.serial,
        model=info.model,
        manufacturer=info.manufacturer,
        firmware=info.firmware,
        module=info.module_path,
        pin_entries=token.pin_entries,
    )


def _login(
    ctx: Context, token: OpenToken, source: PassphraseSource, attempt: int, yubikey: bool
) -> None:
    def ask(request: PinRequest) -> str:
        info = request.token
        warning = f" - {request.warning.upper()}" if request.warning else ""
        secret = ask_secret(
            ctx,
            SecretRequest(
                id=f"pin/{info.label}",
                key=f"pin/{info.label}",
                prompt=f"PIN for {info.name}{warning}",
                env=source.name if source.kind == "env" else "",
                attempt=attempt,
                kind=SecretKind.PIN,
            ),
            remember=False,
        )
        if len(secret.reveal()) >= GUARD_MIN_LENGTH:
            ctx.remember_secret(secret)
        pin = secret.reveal()
        secret.forget()
        return pin

    if yubikey:
        from hsm.yubikey import yubikey_for

        yubikey_for(token, production=not ctx.plan.rehearsal).login(ask)
    else:
        from hsm.yubikey import YubiKeyDevice

        # yubikit opens YubiKeys only, and they log in through yubikey_for
        assert not isinstance(token, YubiKeyDevice)
        token.login(ask)


# -- generating -----------------------------------------------------------------


def generate_on_token(
    ctx: Context, spec: KeySpec, hardware: HardwareSpec, roles: set[str]
) -> Generator[Event, None, KeyRecord]:
    """Make ``spec``'s key on its token (or YubiKey slot), ``hardware``, and
    record it. Returns its record (``record = yield from generate_on_token(...)``)."""
    signer: KeySigner
    if hardware.token.yubikey:
        token = sessions(ctx).open(hardware.token)
        signer = yield from _generate_on_yubikey(ctx, spec, hardware, token, roles)
    else:
        token = sessions(ctx).open_pkcs11(hardware.token)
        yield from unlock(ctx, token)
        signer = token.generate_key(spec.algorithm, label=hardware.object_label)
    keyid = ctx.flavor.key_id(signer.crypto_public_key)
    sessions(ctx).made.append(MadeOnToken(spec.name, keyid, token, signer.location, signer))
    sessions(ctx).holds(token, spec.name)
    facts = signer.facts()
    record = KeyRecord(
        name=spec.name,
        keyid=keyid,
        algorithm=facts.algorithm,
        backend=spec.backend,
        location=signer.location,
        public_pem=facts.public_pem,
        holder=spec.holder,
        roles=set(roles),
        signer=signer,
    )
    ctx.add_key(record)
    yield KeyGenerated(
        key=spec.name,
        keyid=record.keyid,
        algorithm=record.algorithm,
        backend=spec.backend,
        location=record.location,
        holder=spec.holder,
        facts=dict(facts.extra),
    )
    return record


def _generate_on_yubikey(
    ctx: Context, spec: KeySpec, hardware: HardwareSpec, token: OpenToken, roles: set[str]
) -> Generator[Event, None, KeySigner]:
    """Generate in the slot with the management key (replacing the factory
    credentials first when the script prepares the YubiKey), attest, log in."""
    from ceremony.script.hardware_checks import yubikey_touch_policy
    from hsm.yubikey import load_certificates, yubikey_for

    extra = hardware.attestation_intermediates
    yubikey = yubikey_for(
        token, production=not ctx.plan.rehearsal, prepare=hardware.prepare,
        intermediates=load_certificates(extra, "attestation intermediates") if extra else (),
    )
    serial = str(hardware.token.serial)  # the loader reads one for every YubiKey
    new = "New management key (48 hex digits) replacing the factory one" if \
        hardware.prepare else "Management key"
    management = ask_secret(
        ctx,
        SecretRequest(
            id=f"management-key/{serial}",
            key=f"management-key/{serial}",
            prompt=f"{new} of YubiKey {serial}, to make key {spec.name}",
            new=hardware.prepare,
            kind=SecretKind.MANAGEMENT_KEY,
        ),
    )
    try:
        if hardware.prepare:
            _prepare_yubikey(ctx, yubikey, serial, management.reveal())
        made = yubikey.generate(
            hardware.slot,
            spec.algorithm,
            management_key=management.reveal(),
            pin_policy=hardware.pin_policy,
            touch_policy=yubikey_touch_policy(hardware, roles),
        )
    finally:
        management.forget()
    attestation = yubikey.attest(hardware.slot, made.public_key)
    yield from unlock(ctx, token, yubikey=True)
    signer: KeySigner = yubikey.open_slot_key(
        hardware.slot, made.public_key, attestation=attestation
    )
    return signer


def _prepare_yubikey(ctx: Context, yubikey: Any, serial: str, management_key: str) -> None:
    """Replace a YubiKey's factory PIN, PUK and management key (yubikit only;
    ``yubikey``: hsm.yubikey's PivApplet)."""
    asked: dict[str, Secret] = {}
    for what in ("PIN", "PUK"):
        secret = ask_secret(ctx, SecretRequest(
            id=f"new-{what.lower()}/{serial}", key=f"new-{what.lower()}/{serial}",
            prompt=f"New {what} for YubiKey {serial} (6 to 8 characters), replacing the "
            "factory one",
            new=True, kind=SecretKind.PIN if what == "PIN" else SecretKind.PUK,
        ), remember=False)
        if len(secret.reveal()) >= GUARD_MIN_LENGTH:
            ctx.remember_secret(secret)
        asked[what] = secret
    try:
        yubikey.prepare(new_pin=asked["PIN"].reveal(), new_puk=asked["PUK"].reveal(),
                        new_management_key=management_key)
    finally:
        for secret in asked.values():
            secret.forget()


# -- backup tokens ---------------------------------------------------------------


def back_up(ctx: Context, spec: KeySpec, record: KeyRecord) -> Iterator[Event]:
    """Import the software key of ``record`` into each of ``spec``'s backup tokens.

    Each copy signs a test payload that is verified against the key's public
    key before the next step; the software key is still in memory, and is
    destroyed only when the ceremony closes its keys.
    """
    for token_spec, label in spec.backup_tokens:
        token = sessions(ctx).open_pkcs11(token_spec)  # backup tokens are PKCS#11 ones
        yield from unlock(ctx, token)
        assert isinstance(record.signer, SoftwareKey)  # made in software just now
        copy = token.import_key(record.signer, label=label)
        sessions(ctx).made.append(
            MadeOnToken(f"{record.name} (backup)", record.keyid, token, copy.location, copy)
        )
        if ctx.flavor.key_id(copy.crypto_public_key) != record.keyid:
            raise CeremonyError(
                f"the copy of key {record.name} on {token.info.name} is a different key",
                todo="stop: this is a fault in the token or the tool; nothing was sealed",
            )
        facts = copy.facts()
        copy.close()
        record.backups.append(copy.location)
        sessions(ctx).holds(token, f"{record.name} (backup)")
        yield KeyBackedUp(
            key=record.name,
            keyid=record.keyid,
            token=token.info.label,
            serial=token.info.serial,
            location=copy.location,
            facts=dict(facts.extra),
        )


# -- keys of the current bundle ---------------------------------------------------


def token_of_location(location: str, backend: str) -> TokenSpec:
    """The token a recorded ``pkcs11:`` URI names (module path included)."""
    from hsm.pkcs11 import Pkcs11Uri

    uri = Pkcs11Uri.parse(location)
    if not uri.module_path:
        raise PreflightError(
            f"the key URI {location} names no module-path",
            todo="a bundle written by ceremony always records it: check the bundle",
        )
    return TokenSpec(
        module=uri.module_path,
        label=uri.token,
        serial=uri.serial,
        yubikey=backend == "yubikey",
        driver=uri.vendor.get("x-piv-driver", "ykcs11") if backend == "yubikey" else "",
    )


def open_token_key(ctx: Context, record: KeyRecord) -> Iterator[Event]:
    """Open a current key on its token, by its URI and recorded public key."""
    from hsm.pkcs11 import Pkcs11Uri

    uri = Pkcs11Uri.parse(record.location)
    spec = token_of_location(record.location, record.backend)
    public_key = record.public_key
    signer: KeySigner
    if record.backend == "yubikey":
        from hsm.yubikey import yubikey_for

        token = sessions(ctx).open(spec)
        yield from unlock(ctx, token, yubikey=True)
        yubikey = yubikey_for(token, production=not ctx.plan.rehearsal)
        signer = yubikey.open_slot_key(_slot_of(uri.id), public_key)
    else:
        token = sessions(ctx).open_pkcs11(spec)  # backend pkcs11: the URI's module
        yield from unlock(ctx, token)
        signer = token.open_key(uri, public_key)  # signs and verifies a test payload
    if ctx.flavor.key_id(signer.crypto_public_key) != record.keyid:
        signer.close()
        raise CeremonyError(
            f"the key at {record.location} is not key {record.name} ({record.short_id})",
            where=str(ctx.current.path) if ctx.current else "",
            todo="check that the right token is inserted",
        )
    record.signer = signer
    sessions(ctx).holds(token, record.name)
    yield KeyLoaded(key=record.name, keyid=record.keyid, location=record.location)


def _slot_of(cka_id: bytes | None) -> str:
    from hsm.yubikey import SLOTS

    for slot in SLOTS.values():
        if slot.id_bytes == cka_id:
            return slot.name
    raise PreflightError(
        f"the recorded YubiKey key has CKA_ID {cka_id.hex() if cka_id else 'none'}, "
        "which is no PIV key slot",
        todo="check the bundle: ceremony records YubiKey keys by their slot",
    )


# -- signing --------------------------------------------------------------------


def before_signing(record: KeyRecord) -> Iterator[Event]:
    """A "touch your YubiKey now" event before a signature that needs one.

    The engine's generator yields it before it calls ``sign``, so a front
    end shows it before the signature blocks waiting for the touch."""
    signer = record.signer
    if not _needs_touch(signer):
        return
    info = signer.token.info
    yield TouchRequested(
        key=record.name,
        token=info.label,
        serial=info.serial,
        message=f"touch the YubiKey {info.label!r} (serial {info.serial}) now: key "
        f"{record.name} is signing",
    )


class _TouchSigner(Protocol):
    """A YubiKey signer that may wait for a touch (hsm.yubikey's signers)."""

    @property
    def needs_touch(self) -> bool: ...

    @property
    def token(self) -> OpenToken: ...


def _needs_touch(signer: KeySigner | None) -> TypeGuard[_TouchSigner]:
    """Whether ``signer`` waits for a touch: only YubiKey signers may, and they
    say so (``needs_touch``), the others have no such attribute."""
    return bool(getattr(signer, "needs_touch", False))
