"""The lock files' pins for tests, and whether a pin applies on this machine."""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "scripts"))

from lockfile import Pin, read_pins  # noqa: E402


def pins_of(lock: Path) -> dict[str, Pin]:
    return {pin.name: pin for pin in read_pins(lock.read_text(encoding="utf-8"))}


def applies(pin: Pin) -> bool:
    """Whether the pin's environment marker holds here (pip installs only those)."""
    return not pin.marker or bool(Requirement(f"x ; {pin.marker}").marker.evaluate())  # type: ignore[union-attr]
