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
    from ceremony.engine.context import Context
    from ceremony.engine.current import CurrentState
    from ceremony.engine.keyring import KeyRecord
    from ceremony.engine.keys import KeyFileFormat
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


class Flavor(Protocol):
    """A flavor of ceremony: what differs between TUF, DCT and the others.

    Grouped as a reader meets them: the flavor's scripts, its keys, preflight
    and running, its bundles (verify and inspect), and its rehearsal.
    docs/design/architecture.md, "Adding a flavor", walks through each.
    """

    name: str  # as scripts write it: ``flavor: tuf``
    title: str  # for people: "TUF", "Docker Content Trust"

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

    def key_roles(self, plan: Plan, name: str) -> set[str]:
        """The roles the script's key ``name`` will have."""
        ...

    # -- keys: their ids and the files they are kept in --------------------------------

    @property
    def key_files(self) -> dict[str, KeyFileFormat]:
        """The key-file formats it opens, by location scheme."""
        ...

    def key_id(self, public_key: Any) -> str:
        """The id its metadata names a public key by."""
        ...

    def check_public_key(self, public_key: Any, name: str) -> None:
        """Refuse (raise a CeremonyError) a public key its metadata cannot name."""
        ...

    def key_file_path(self, name: str, roles: set[str]) -> str:
        """Where in the bundle a software key of ``roles`` is kept (an age file)."""
        ...

    def key_file_where(self, scheme: str) -> str:
        """Words added to a passphrase prompt for a key kept under ``scheme``."""
        ...

    # -- preflight and running ---------------------------------------------------------

    def preflight(
        self, plan: Plan, result: PreflightResult, now: datetime | None
    ) -> CurrentState | None:
        """Its checks, added to ``result``; the verified state the plan builds on."""
        ...

    def check_recovery(
        self, plan: Plan, record: CustodyRecord, current: CurrentState, result: PreflightResult
    ) -> None:
        """Its checks of what a recovery does with the custody bundle's keys."""
        ...

    def start_work(self, ctx: Context) -> Any:
        """Its working state for one ceremony (``ctx.work``)."""
        ...

    def steps(self, plan: Plan) -> list[Step]:
        """The steps of ``plan``'s kind, in order (shared ones from ceremony/steps/)."""
        ...

    def write_bundle(self, ctx: Context) -> Iterator[Event]:
        """Write what the ceremony made into the bundle being sealed."""
        ...

    def custody_roles(self, ctx: Context) -> Callable[[KeyRecord], tuple[str, ...]]:
        """Which roles each key is put into custody for (none: not sealed)."""
        ...

    def custody_root_version(self, ctx: Context) -> int:
        """The root version a custody record made today names."""
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
