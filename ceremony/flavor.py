"""What a flavor is, and which flavors there are.

TUF, Docker Content Trust and the others are flavors of one ceremony: the
engine, the loader, verify, inspect, custody, the rehearsals and the UI ask
a :class:`Flavor` and never name one. Each flavor is a package under
``ceremony/flavors/<name>/`` whose ``flavor.py`` makes a ``FLAVOR`` answering
this interface;
:data:`BUILT_IN` names those packages, one line each, and
:func:`flavor_named` imports a flavor's package the first time it is asked
for (the way harlequin finds its adapters), so a command that needs no
flavor loads none. A flavor made elsewhere (the test suite's toy) is added
with :func:`register`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from ceremony.errors import UnknownFlavorError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from datetime import datetime
    from pathlib import Path
    from typing import Any

    from ceremony.custody.record import CustodyRecord
    from ceremony.engine.context import FlavorAtWork
    from ceremony.engine.current import CurrentState
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.engine.step import Step
    from ceremony.events import Event
    from ceremony.lifecycle.lifetime import Lifetime
    from ceremony.script.flavor_fields import FlavorScript, ScriptReading
    from ceremony.script.kind_fields import ScriptRules
    from ceremony.script.plan import Plan
    from ceremony.script.rules import Problem
    from ceremony.signed_repository import SignedRepository
    from ceremony.sittings.adapter import SittingsAdapter
    from ceremony.verify.contents import BundleContents
    from ceremony.verify.report import VerificationReport

#: the flavors this tool ships: name -> the module holding its ``FLAVOR``
BUILT_IN: dict[str, str] = {
    "tuf": "ceremony.flavors.tuf.flavor",
    "dct": "ceremony.flavors.dct.flavor",
    "sigstore": "ceremony.flavors.sigstore.flavor",
}

_registered: dict[str, Flavor] = {}

if not TYPE_CHECKING:
    class FlavorAtWork(Protocol):
        """At run time only a name: what the engine asks of a flavor is
        engine/context.py's ``FlavorAtWork``, which the registry does not load
        (a command that runs no ceremony loads no engine)."""


class Flavor(FlavorAtWork, Protocol):
    """A flavor of ceremony: what differs between TUF, DCT and the others.

    Grouped as a reader meets them: the flavor's scripts, preflight and running,
    its bundles (verify and inspect), and its rehearsal. What a running ceremony
    asks of it (its title, its keys' ids and files, preflight, its working state,
    writing the bundle, custody) is engine/context.py's ``FlavorAtWork``, which it
    extends. docs/design/architecture.md, "Adding a flavor", walks through each.
    """

    name: str  # as scripts write it: ``flavor: tuf``

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of ceremony it runs, as scripts write them."""
        ...

    kind_prefix: str  # how messages name its kinds: "" (TUF) or "dct " ("a dct bootstrap")

    # -- scripts: its fields and rules (ceremony/script/) ---------------------------

    def script_rules(self, kind: str) -> ScriptRules:
        """The fields a script of ``kind`` takes beyond the common ones."""
        ...

    def read_script(self, reading: ScriptReading) -> FlavorScript:
        """Its roles and own fields, read from a script (Plan.details)."""
        ...

    def script_checks(self, kind: str) -> tuple[Callable[[Plan], Iterable[Problem]], ...]:
        """The rules a plan of ``kind`` must meet (script/rules.py has the shared ones)."""
        ...

    def plan_lines(self, plan: Plan) -> list[str]:
        """Its part of a plan in words (describe_plan.py)."""
        ...

    # -- preflight and running ---------------------------------------------------------

    def check_recovery(
        self, plan: Plan, record: CustodyRecord, current: CurrentState, result: PreflightResult,
        now: datetime | None,
    ) -> None:
        """Its checks of what a recovery does with the custody bundle's keys, as of the
        ceremony's time ``now`` (None: the clock's), as :meth:`preflight` is."""
        ...

    def steps(self, plan: Plan) -> list[Step]:
        """The steps of ``plan``'s kind, in order (shared ones from ceremony/steps/)."""
        ...

    def sittings(self) -> SittingsAdapter:
        """Its part of signing in several sittings (ceremony/sittings/); a
        CeremonyError when it has none yet."""
        ...

    # -- bundles: verify and inspect -------------------------------------------------------

    def check_bundle(
        self, contents: BundleContents, at: datetime, report: VerificationReport
    ) -> None:
        """Judge what it wrote into a bundle already read (problems into ``report``)."""
        ...

    def inspects(self, path: str | Path) -> bool:
        """Whether ``ceremony inspect`` of ``path`` is this flavor's to answer (``ceremony
        next`` gives its paths as text, as pathlib writes them)."""
        ...

    def inspect(self, path: Path, *, at: datetime | None = None) -> dict[str, Any]:
        """What the metadata at ``path`` says, as plain data (ceremony/inspect.py)."""
        ...

    def inspect_lines(self, facts: Mapping[str, Any]) -> list[str]:
        """Those facts as lines of text, escaped with ceremony/inspect.py's helpers."""
        ...

    def signed_repositories(
        self, bundle: Path, *, at: datetime | None = None
    ) -> tuple[SignedRepository, ...]:
        """The repositories a verified bundle of this flavor signs by name, each with
        its root (a BundleError if it does not verify, or names none)."""
        ...

    def lifetimes(self, path: Path) -> list[Lifetime]:
        """Each role's version and expiry at ``path`` (``ceremony status``)."""
        ...

    def next_script(
        self, bundle: str | Path, kind: str, folder: str | Path, *,
        replace: tuple[str, ...] | None, at: datetime, guns: tuple[str, ...] = (),
    ) -> str:
        """The script of the ``kind`` ceremony after ``bundle`` (``ceremony next``),
        with paths relative to ``folder``, for the repositories ``guns`` names (none:
        all); a CeremonyError if it has none. Paths as text or Path (as ``inspects``)."""
        ...

    # -- rehearsal ------------------------------------------------------------------------

    @property
    def rehearsal_backends(self) -> tuple[str, ...]:
        """Where its rehearsal keys may live ("software", "softhsm"), and "sittings"
        when it rehearses a rotation signed in several sittings."""
        ...

    def rehearsal_scripts(self, backend: str = "software") -> tuple[tuple[str, str], ...]:
        """Its embedded rehearsal scripts: (file name, text), in order."""
        ...

    def rehearsal_words(self, backend: str = "software") -> str:
        """What its rehearsal includes, in words."""
        ...

    def rehearse(
        self,
        folder: Path | None,
        *,
        backend: str = "software",
        clock: Callable[[], datetime] | None = None,
    ) -> Iterator[Event]:
        """Run its rehearsal into a new folder and verify every bundle."""
        ...


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
