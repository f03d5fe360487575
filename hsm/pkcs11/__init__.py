"""Keys on PKCS#11 tokens (HSMs, smart cards, Nitrokeys, YubiHSMs, SoftHSM).

The whole surface the engine needs::

    from hsm.pkcs11 import open_token, preflight

    problems = preflight(module, label="root-a", algorithms=["ecdsa-p256"], generate=True)
    token = open_token(module, label="root-a")     # or serial=..., or uri=...
    token.login(ask_pin)                           # once per token per ceremony
    signer = token.generate_key("ecdsa-p256", label="root-2025-a")
    signer = token.open_key("pkcs11:token=root-a;id=%..", recorded_public_key)
    backup = other_token.import_key(software_key, label="root-2025-a")
    metadata.sign(signer); signer.facts()          # KeyFacts, backend "pkcs11"
    token.close()

Files, one job each: ``uri`` (RFC 7512 URIs), ``module`` (loading a module
on its own thread), ``worker`` (that thread), ``token`` (finding a token,
PIN flags, login), ``keys`` (generate, find, import, list), ``mechanisms``
(algorithms in PKCS#11 terms), ``capabilities`` (mechanisms a token lacks),
``signer`` (the KeySigner), ``preflight`` (problems found before a
ceremony), ``errors`` (operator-grade errors), ``rehearsal`` (SoftHSM tokens
for rehearsals). Nothing here imports
``ceremony``, prompts, or prints.
"""

from hsm.pkcs11.errors import (
    KeyAmbiguousError,
    KeyProtectionError,
    LabelTakenError,
    MechanismMissingError,
    ModuleLoadError,
    NoReaderError,
    NotLoggedInError,
    PinIncorrectError,
    PinLockedError,
    TokenAmbiguousError,
    TokenError,
    TokenNotFoundError,
    TokenNotReadyError,
    TokenRemovedError,
)
from hsm.pkcs11.keys import KeyListing, KeyProtection
from hsm.pkcs11.preflight import Problem, check_token, preflight
from hsm.pkcs11.signer import Pkcs11Signer
from hsm.pkcs11.token import PinRequest, PinState, Token, TokenInfo, list_tokens, open_token
from hsm.pkcs11.uri import Pkcs11Uri, UriError
from hsm.pkcs11.worker import TokenWorker

__all__ = [
    "KeyAmbiguousError",
    "KeyListing",
    "KeyProtection",
    "KeyProtectionError",
    "LabelTakenError",
    "MechanismMissingError",
    "ModuleLoadError",
    "NoReaderError",
    "NotLoggedInError",
    "PinIncorrectError",
    "PinLockedError",
    "PinRequest",
    "PinState",
    "Pkcs11Signer",
    "Pkcs11Uri",
    "Problem",
    "Token",
    "TokenAmbiguousError",
    "TokenError",
    "TokenInfo",
    "TokenNotFoundError",
    "TokenNotReadyError",
    "TokenRemovedError",
    "TokenWorker",
    "UriError",
    "check_token",
    "list_tokens",
    "open_token",
    "preflight",
]
