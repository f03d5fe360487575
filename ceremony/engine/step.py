"""A step of a ceremony: what people see, say and check, and what it does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ceremony.events import Event


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    action: Callable[..., Iterator[Event]]
    say_aloud: str = ""
    check_by_eye: str = ""
