"""What to check about a token before a ceremony starts, without changing it.

:func:`preflight` loads the module, finds the token, and lists every
problem it can see without a PIN: token not initialised, user PIN locked or
on its final try, token write-protected, SoftHSM in a production ceremony,
and each mechanism, curve or key size the chosen algorithms need that the
token does not offer (always named: ``CKM_ECDSA``, ``CKM_EDDSA``,
``CKM_RSA_PKCS_PSS``, and their key-pair generators). Problems come back as
data, one sentence each, never raised: the engine shows them all at once.
Nothing here logs in, writes, or spends a PIN try.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hsm.errors import KeyBackendError
from hsm.pkcs11.capabilities import missing_mechanisms
from hsm.pkcs11.mechanisms import token_algorithm
from hsm.pkcs11.token import Token
from hsm.pkcs11.tokens import open_token


@dataclass(frozen=True)
class Problem:
    """One thing preflight found; ``blocking`` ones stop the ceremony."""

    what: str
    todo: str
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.what}. {self.todo}" if self.todo else self.what


def preflight(
    module_path: str,
    *,
    label: str | None = None,
    serial: str | None = None,
    algorithms: Iterable[str] = (),
    generate: bool = False,
    store: bool = False,
    production: bool = False,
) -> list[Problem]:
    """Problems with the token named by label/serial for a ceremony that
    signs with (and with ``generate``, makes; with ``store``, imports)
    keys of ``algorithms``. An empty list means the token is ready."""
    try:
        token = open_token(module_path, label=label, serial=serial)
    except KeyBackendError as error:
        return [Problem(error.what, error.todo)]
    return check_token(
        token, algorithms=algorithms, generate=generate, store=store, production=production
    )


def check_token(
    token: Token,
    *,
    algorithms: Iterable[str] = (),
    generate: bool = False,
    store: bool = False,
    production: bool = False,
) -> list[Problem]:
    """The same checks on a token already open."""
    try:
        info = token.refresh()
    except KeyBackendError as error:
        return [Problem(error.what, error.todo)]
    name = info.name
    problems: list[Problem] = []
    if not info.initialized or not info.pin.initialized:
        problems.append(Problem(
            f"{name} is not initialised or has no user PIN",
            "prepare it before the ceremony (docs/reference/hardware.md)",
        ))
    if info.pin.locked:
        problems.append(Problem(
            f"the user PIN of {name} is locked",
            "unlock or reset it with the SO PIN or PUK before the ceremony, or use "
            "another token",
        ))
    elif info.pin.final_try:
        problems.append(Problem(
            f"{name} allows only ONE more PIN try before it locks",
            "check the PIN record with its keyholder before the ceremony",
        ))
    elif info.pin.count_low:
        problems.append(Problem(
            f"a wrong PIN was typed on {name} before: few tries are left",
            "check the PIN record with its keyholder before the ceremony",
            blocking=False,
        ))
    if info.pin.to_be_changed:
        problems.append(Problem(
            f"{name} asks for its PIN to be changed",
            "change the PIN with the token maker's tool before the ceremony",
        ))
    if (generate or store) and info.write_protected:
        problems.append(Problem(
            f"{name} is write-protected and cannot store new keys",
            "use a token that can store keys",
        ))
    if production and info.is_software:
        problems.append(Problem(
            f"{name} is a SoftHSM token: its keys are files on this computer",
            "use SoftHSM only in a rehearsal; a production ceremony needs a hardware token",
        ))
    for algorithm_name in algorithms:
        try:
            spec = token_algorithm(algorithm_name)
            missing = missing_mechanisms(token, spec, generate=generate)
        except KeyBackendError as error:
            problems.append(Problem(error.what, error.todo))
            continue
        problems += [Problem(what, todo) for what, todo in missing]
    return problems
