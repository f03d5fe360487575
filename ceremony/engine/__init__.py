"""The engine: a validated Plan in, a stream of events out.

``run_ceremony`` (engine/run.py) runs a ceremony's steps and yields every
event. The package itself loads nothing: the modules a reader of bundles
needs (keyring, current, custody_records...) are imported without the
engine that runs ceremonies, its tokens, signers and events, so that
`ceremony next` and the other lifecycle commands load what they use.
``from ceremony.engine import run_ceremony`` (or ``utc_now``)
loads engine/run.py at that moment.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ceremony.engine.run import run_ceremony, utc_now

__all__ = ["run_ceremony", "utc_now"]


def __getattr__(name: str) -> object:
    """``run_ceremony`` and ``utc_now``, from engine/run.py when first asked for."""
    if name in __all__:
        return getattr(import_module("ceremony.engine.run"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
