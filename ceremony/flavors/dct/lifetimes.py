"""``ceremony status`` for Docker Content Trust: each GUN's root version and expiry.

A DCT bundle holds one root history per GUN; a notary root.json is one
root. Both are read as ``ceremony inspect`` reads them (flavors/dct/inspect.py,
strict and bounded, signatures not checked), and each GUN's newest root
becomes one :class:`~ceremony.lifecycle.lifetime.Lifetime` scoped by its GUN.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ceremony.errors import BundleError
from ceremony.flavors.dct.inspect import inspect_dct
from ceremony.lifecycle.lifetime import Lifetime
from ceremony.verify.problem import safe_path


def dct_lifetimes(path: Path) -> list[Lifetime]:
    """Each GUN's newest root at ``path`` (a DCT bundle or a notary root.json)."""
    lifetimes = []
    for gun in inspect_dct(path)["guns"]:
        try:
            expires = datetime.fromisoformat(str(gun["expires"])).astimezone(UTC)
        except ValueError:
            raise BundleError(
                f"has an expiry that is no time: {safe_path(str(gun['expires']))}",
                where=safe_path(str(gun["path"])), todo="run ceremony verify on it",
            ) from None
        lifetimes.append(Lifetime(role="root", version=int(gun["version"]), expires=expires,
                                  file=str(gun["path"]), scope=str(gun["gun"] or "")))
    return lifetimes
