"""The Operator: everything the engine needs from a person, in one place.

The engine never prompts. When a ceremony needs a confirmation, a choice or
a secret, it asks its Operator. The headless CLI answers from prompts,
environment variables, a secrets file or an answers file; the terminal UI
answers with screens; rehearsals answer by themselves. A secret travels as a
:class:`Secret`, whose repr and str never show the value, so it cannot leak
into a log line or an exception message by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Secret:
    """A passphrase or PIN held in memory; shown as ``<secret>`` everywhere."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def forget(self) -> None:
        self._value = ""


@dataclass(frozen=True)
class Confirmation:
    """A yes/no question. ``typed_word``: the operator must type it to go on
    (irreversible steps)."""

    id: str  # stable, for answers files: "confirm/<step>"
    question: str
    detail: str = ""
    typed_word: str = ""


@dataclass(frozen=True)
class SecretRequest:
    """A passphrase or PIN. ``new``: it is being set, so ask twice."""

    id: str  # stable: "passphrase/<key name>", "pin/<token label>"
    key: str  # the key (or token) it is for, by name
    prompt: str
    new: bool = False
    env: str = ""  # an environment variable the script named, if any
    attempt: int = 1  # 2, 3 ... after a wrong one


@dataclass(frozen=True)
class Choice:
    id: str
    question: str
    options: tuple[str, ...]


class Operator(Protocol):
    """What a front end provides so the engine can reach a person."""

    def confirm(self, request: Confirmation) -> bool: ...

    def secret(self, request: SecretRequest) -> Secret: ...

    def choose(self, request: Choice) -> str: ...
