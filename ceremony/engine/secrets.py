"""Asking the Operator for a secret: one door, one set of rules, every source alike.

Every passphrase, PIN and management key the engine needs comes through
:func:`ask_secret`, whatever answers it (a prompt, an environment variable,
a secrets file, the UI). A new secret shorter than its kind allows
(``SecretKind.minimum``) is refused here, so the rule holds however the
secret arrived: typed again at a prompt, or the ceremony stops naming where
to set a longer one. Every secret is handed to the transcript's guard. The
secret itself is never in a message.
"""

from __future__ import annotations

from dataclasses import replace

from ceremony.engine.context import Context
from ceremony.errors import CeremonyError
from ceremony.operator import Secret, SecretRequest

PROMPT_TRIES = 3


def ask_secret(ctx: Context, request: SecretRequest, *, remember: bool = True) -> Secret:
    """The secret ``request`` asks for, checked against its kind's minimum when
    new; ``remember``: hand it to the transcript's guard."""
    kind = request.kind
    for attempt in range(1, PROMPT_TRIES + 1):
        secret = ctx.operator.secret(request)
        short = request.new and len(secret.reveal()) < kind.minimum
        if not short:
            if remember:
                ctx.remember_secret(secret)
            return secret
        count = len(secret.reveal())
        secret.forget()
        problem = (
            f"the new {kind.words} for {request.key} has {count} character"
            f"{'s' * (count != 1)}; a {kind.words} needs at least {kind.minimum}"
        )
        if request.env or attempt == PROMPT_TRIES or not getattr(ctx.operator, "can_retry", True):
            where = (
                f"the environment variable {request.env}"
                if request.env
                else "the secrets file, or type one at the prompt"
            )
            raise CeremonyError(
                problem, todo=f"give a longer {kind.words} in {where}; nothing was sealed"
            )
        request = replace(request, attempt=attempt + 1, problem=problem)
    raise AssertionError("unreachable")  # the loop returns or raises
