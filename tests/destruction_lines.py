"""The destruction record a decommission writes beside its bundle, line by line (tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ceremony.bundle.destruction_record import destruction_record_path


def destruction(bundle: Path) -> list[dict[str, Any]]:
    """The lines of the destruction record beside ``bundle``, as objects."""
    text = destruction_record_path(bundle).read_text()
    return [json.loads(line) for line in text.splitlines()]
