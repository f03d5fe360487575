"""What a flavor is, and which flavors there are.

TUF, Docker Content Trust and the others are flavors of one ceremony: the
engine, the loader, verify, inspect, custody, the rehearsals and the UI ask
a :class:`Flavor` and never name one. Each flavor is a package under
``ceremony/flavors/<name>/`` whose ``FLAVOR`` object answers this interface;
:data:`BUILT_IN` names those packages, one line each, and
:func:`flavor_named` imports a flavor's package the first time it is asked
for (the way harlequin finds its adapters), so a command that needs no
flavor loads none. A flavor made elsewhere (the test suite's toy) is added
with :func:`register`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ceremony.engine.step import Step
    from ceremony.script.plan import Plan

#: the flavors this tool ships: name -> the package holding its ``FLAVOR``
BUILT_IN: dict[str, str] = {
    "tuf": "ceremony.flavors.tuf",
    "dct": "ceremony.flavors.dct",
}

_registered: dict[str, Flavor] = {}


class Flavor(Protocol):
    """A flavor of ceremony: what differs between TUF, DCT and the others."""

    name: str  # as scripts write it: ``flavor: tuf``
    title: str  # for people: "TUF", "Docker Content Trust"

    def steps(self, plan: Plan) -> list[Step]:
        """The steps of ``plan`` (its kind), in order."""
        ...


class UnknownFlavorError(LookupError):
    """No flavor has this name."""


def flavor_names() -> tuple[str, ...]:
    """Every flavor's name: the built-in ones first, in their order."""
    return tuple(BUILT_IN) + tuple(name for name in _registered if name not in BUILT_IN)


def flavor_named(name: str) -> Flavor:
    """The flavor called ``name``; :class:`UnknownFlavorError` if there is none."""
    if name in _registered:
        return _registered[name]
    if name not in BUILT_IN:
        raise UnknownFlavorError(name)
    flavor: Flavor = importlib.import_module(BUILT_IN[name]).FLAVOR
    _registered[name] = flavor
    return flavor


def register(flavor: Flavor) -> None:
    """Add a flavor made outside this package (or replace one of that name)."""
    _registered[flavor.name] = flavor


def unregister(name: str) -> None:
    """Forget a flavor added with :func:`register` (tests)."""
    _registered.pop(name, None)
