"""The Context a sitting works in: the request's plan, no one to ask.

The request and sealing sittings reuse the engine's steps and the flavors'
bundle writers, which work on a :class:`~ceremony.engine.context.Context`.
A sitting asks nothing of an operator through it (its command line asks
what it needs up front), so any question reaching :class:`NoQuestions` is
a fault named as such, never a prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ceremony import operator as op
from ceremony.engine.context import Context
from ceremony.errors import CeremonyError
from ceremony.flavor import flavor_named
from ceremony.script.plan import Plan


class NoQuestions:
    """An operator for sittings: every question is refused."""

    def _refuse(self, what: str) -> CeremonyError:
        return CeremonyError(
            f"a sitting asked for {what}, which signing in several sittings does not ask",
            todo="leave custody, recovery and keys made here out of a script signed in sittings",
        )

    def confirm(self, request: op.Confirmation) -> bool:
        raise self._refuse(f"a confirmation ({request.question})")

    def secret(self, request: op.SecretRequest) -> op.Secret:
        raise self._refuse(f"a secret ({request.prompt})")

    def choose(self, request: op.Choice) -> str:
        raise self._refuse("a choice")

    def text(self, request: op.TextRequest) -> str:
        raise self._refuse(f"a line of text ({request.question})")

    def hand_out(self, request: op.ShareHandout) -> op.Secret:
        raise self._refuse("a share handout")

    def share(self, request: op.ShareRequest) -> op.ShareAnswer | None:
        raise self._refuse("a share")


def sitting_context(
    plan: Plan, clock: Callable[[], datetime], operator: op.Operator | None = None
) -> Context:
    """A Context for ``plan``; ``operator`` (default: one that asks nothing) for a
    sealing sitting whose flavor opens keys there (Sigstore's mirror keys)."""
    return Context(plan, flavor_named(plan.flavor), operator or NoQuestions(), clock)
