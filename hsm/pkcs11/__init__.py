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
on its own thread), ``worker`` (that thread), ``tokens`` (finding a token),
``token_info`` (what a token says of itself), ``pin`` (PIN flags and
requests), ``token`` (login, and the calls made on one token), ``keys`` (a
key pair and its protection), ``key_making`` (generate, import),
``key_lookup`` (find, list), ``mechanisms`` (algorithms in PKCS#11 terms),
``capabilities`` (mechanisms a token lacks), ``signer`` (the KeySigner),
``preflight`` (problems found before a ceremony), ``errors`` (operator-grade
errors), ``rehearsal`` (SoftHSM tokens for rehearsals). Nothing here imports
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
    UriError,
    WorkerClosedError,
)
from hsm.pkcs11.key_lookup import KeyListing
from hsm.pkcs11.keys import KeyProtection
from hsm.pkcs11.pin import PinRequest
from hsm.pkcs11.pin_state import PinState
from hsm.pkcs11.preflight import Problem, check_token, preflight
from hsm.pkcs11.signer import Pkcs11Signer
from hsm.pkcs11.token import Token
from hsm.pkcs11.token_info import TokenInfo
from hsm.pkcs11.tokens import list_tokens, open_token
from hsm.pkcs11.uri import Pkcs11Uri
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
    "WorkerClosedError",
    "check_token",
    "list_tokens",
    "open_token",
    "preflight",
]
