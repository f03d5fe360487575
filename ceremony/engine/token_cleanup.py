"""What a stopped attempt put on tokens: destroyed at a typed word, or named.

A ceremony that stops after making keys on tokens (or copying software keys
into backup tokens) seals nothing, so nothing will ever use those keys; left
there, ``ceremony tokens`` flags them "NOT RECORDED" and the next attempt
finds their labels taken. So when an attempt is abandoned, the operator is
offered (typed ``destroy``) to destroy each one; the token's keys are then
listed again to prove it gone, and the attempt's transcript records it.
When nobody can answer (a signal, the app closing) or the answer is no, or
a key cannot be destroyed here (a YubiKey slot through yubikit), each is
named with the command that removes it.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.token_sessions import MadeOnToken
from ceremony.errors import CeremonyError
from ceremony.events import Event, KeyDestroyed
from ceremony.events import Warning as WarningEvent
from ceremony.operator import Confirmation
from hsm.errors import KeyBackendError

QUESTION_ID = "confirm/destroy-token-keys"


def tidy_tokens(ctx: Context, *, ask: bool) -> Iterator[Event]:
    """For an abandoned attempt: destroy (when the operator types ``destroy``)
    or name each key it put on a token. ``ask``: someone can answer."""
    made = list(ctx.tokens.made) if ctx.tokens is not None else []
    if not made:
        return
    destroy = ask and _agreed(ctx, made)
    for key in made:
        if destroy and _destroyable(key):
            try:
                _destroy(key)
            except KeyBackendError as error:
                yield WarningEvent(
                    f"key {key.key} could not be destroyed on {key.token.info.name}: "
                    f"{error}. Remove it with: {removal_command(key)}"
                )
                continue
            yield KeyDestroyed(key=key.key, keyid=key.keyid, token=key.token.info.name)
        else:
            yield WarningEvent(
                f"key {key.key} stays on {key.token.info.name} ({key.location}); nothing "
                f"sealed uses it. Remove it with: {removal_command(key)}"
            )


def _agreed(ctx: Context, made: list[MadeOnToken]) -> bool:
    names = ", ".join(f"{key.key} on {key.token.info.name}" for key in made)
    request = Confirmation(
        id=QUESTION_ID,
        question=f"Destroy the {len(made)} key(s) this attempt put on tokens ({names})?",
        detail="Nothing was sealed, so nothing uses them. Each is destroyed, then the token "
        "is read again to prove it gone. Otherwise they stay, named with the command that "
        "removes them.",
        typed_word="destroy",
    )
    try:
        return ctx.operator.confirm(request)
    except (CeremonyError, KeyBackendError):
        return False  # nobody to answer: they are named instead


def _destroyable(key: MadeOnToken) -> bool:
    from hsm.pkcs11 import Pkcs11Signer, Token  # loaded only if a token was opened

    return isinstance(key.token, Token) and isinstance(key.signer, Pkcs11Signer)


def _destroy(key: MadeOnToken) -> None:
    from hsm.pkcs11 import Pkcs11Signer, Token

    assert isinstance(key.token, Token) and isinstance(key.signer, Pkcs11Signer)
    key.signer.close()
    key.token.destroy_key(key.signer.cka_id, key.signer.crypto_public_key)


def removal_command(key: MadeOnToken) -> str:
    """The command an operator runs to remove ``key`` from its token."""
    from hsm.pkcs11 import Pkcs11Signer

    info = key.token.info
    if not isinstance(key.signer, Pkcs11Signer):  # a YubiKey slot, through yubikit
        slot = getattr(key.signer, "slot", None)
        return (
            f"`ykman --device {info.serial} piv keys delete {slot.name if slot else 'SLOT'}` "
            "(firmware 5.7 and later; on older ones the next key made in that slot replaces it)"
        )
    return pkcs11_removal(info.module_path, info.label, key.signer.cka_id)


def pkcs11_removal(module_path: str, token_label: str, cka_id: bytes) -> str:
    """The pkcs11-tool commands (PIN asked by the tool) that remove one key pair."""
    base = ["pkcs11-tool", "--module", module_path, "--token-label", token_label, "--login",
            "--delete-object", "--id", cka_id.hex(), "--type"]
    return " and ".join(f"`{shlex.join(base + [kind])}`" for kind in ("privkey", "pubkey"))
