"""Does a token offer the mechanisms an algorithm needs? Named, always.

For an algorithm on the allow-list, the token must list its signing
mechanism (``CKM_ECDSA``, ``CKM_EDDSA`` or ``CKM_RSA_PKCS_PSS``) and, to make
keys, its key-pair generator, each for the right key size. The answer is a
list of (what happened, what to do) sentences: preflight shows them all,
key generation refuses on the first. Reads the token's mechanism list only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from pkcs11 import Mechanism, MechanismFlag, MechanismInfo

from hsm.errors import KeyBackendError
from hsm.pkcs11.mechanisms import TokenAlgorithm

if TYPE_CHECKING:
    from hsm.pkcs11.token_info import TokenInfo


class TokenMechanisms(Protocol):
    """What the check asks of a token (token.py's Token, which runs it): its facts
    and the mechanisms it offers."""

    @property
    def info(self) -> TokenInfo: ...

    def mechanisms(self) -> frozenset[Mechanism]: ...

    def mechanism_info(self, mechanism: Mechanism) -> MechanismInfo: ...

_TODO = "choose an algorithm this token supports, or use another token"


def missing_mechanisms(
    token: TokenMechanisms, spec: TokenAlgorithm, *, generate: bool
) -> list[tuple[str, str]]:
    """What ``token`` lacks to sign with (and, with ``generate``, make) keys
    of ``spec``; empty when it has everything."""
    needs: list[tuple[Mechanism, MechanismFlag, str]] = [
        (spec.sign_mechanism, MechanismFlag.SIGN, "sign with")
    ]
    if generate:
        needs.append((spec.generate_mechanism, MechanismFlag.GENERATE_KEY_PAIR, "generate"))
    offered = token.mechanisms()
    found = []
    for mechanism, flag, verb in needs:
        name = token.info.name
        mech_name = f"CKM_{mechanism.name}"
        if mechanism not in offered:
            found.append((f"{name} does not offer {mech_name}, needed to {verb} "
                          f"{spec.name} keys", _TODO))
            continue
        try:
            info = token.mechanism_info(mechanism)
        except KeyBackendError:
            continue  # listed but not described: the operation itself will tell
        if info.flags and not info.flags & flag:
            found.append((f"{name} offers {mech_name} but not to {verb} keys", _TODO))
        low, high = info.min_key_length or 0, info.max_key_length or 0
        bits = spec.key_bits
        if high and not (low <= bits <= high or low <= (bits + 7) // 8 <= high):
            found.append((
                f"{name} supports {mech_name} only for key sizes {low} to {high}, "
                f"not the {bits} bits of {spec.name}",
                "choose another key size or algorithm, or use another token",
            ))
    return found
