"""The ceremony transcript: a hash-chained JSON-lines record.

Each line is one event, with a sequence number, a UTC time and ``prev``: the
sha256 of the previous line's bytes (64 zeros for the first). Changing,
dropping or reordering any line breaks the chain. The head (sha256 of the
last line) is read aloud at the end and written on the paper record.

A last guard stands behind events that are secret-free by construction: a
:class:`SecretGuard` knows every secret the ceremony has seen, as keyed
digests only (never the secrets), and a field whose decoded value is a
secret, or holds one as a whole token, is written ``[redacted]`` with its
name listed under ``redacted`` on the same line. The guard never stops a
ceremony and never drops a line: a transcript with a redacted field is still
the whole record of what happened.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ceremony.safe_text import json_safe

GENESIS = "0" * 64
REDACTED = "[redacted]"
#: one line's encoder, made once: what ``json.dumps(entry, sort_keys=True,
#: ensure_ascii=False, default=str)`` builds anew for every call
_LINE_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SecretGuard:
    """The secrets a ceremony has seen, as digests keyed for this run only.

    A value *holds* a secret when it equals one, or contains one as a whole
    token: starting and ending where a letter or digit does not run on into
    another (``"abc"`` is held by ``"/media/abc/x"``, not by a hex digest
    ``"…3abc9…"`` nor by a path ``"/tmp/abcdef"``). Only the digests of the
    secrets and their lengths are kept, so the guard holds nothing that opens
    a key, rebuilds an identity or reveals a share.
    """

    def __init__(self) -> None:
        self._key = os.urandom(32)
        self._digests: dict[int, set[bytes]] = {}

    def remember(self, secret: str) -> None:
        if secret:
            self._digests.setdefault(len(secret), set()).add(self._digest(secret))

    def forget(self) -> None:
        self._digests.clear()

    @property
    def empty(self) -> bool:
        """Whether no secret is known (nothing can be held: nothing is redacted)."""
        return not self._digests

    def holds_secret(self, value: str) -> bool:
        if not self._digests or not value:
            return False
        edges = _token_edges(value)
        for start in edges:
            for length, digests in self._digests.items():
                end = start + length
                if end in edges and self._digest(value[start:end]) in digests:
                    return True
        return False

    def _digest(self, text: str) -> bytes:
        data = text.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, key=self._key, digest_size=32).digest()


def _token_edges(value: str) -> set[int]:
    """Positions where a whole token may start or end: the two ends, and
    every place not inside a run of letters and digits."""
    edges = {0, len(value)}
    for i in range(1, len(value)):
        if not (value[i - 1].isalnum() and value[i].isalnum()):
            edges.add(i)
    return edges


def guarded(record: Mapping[str, Any], guard: SecretGuard) -> dict[str, Any]:
    """``record`` as plain JSON values, every field holding a secret replaced
    by ``[redacted]`` and named in a ``redacted`` list. Never raises: should
    the check itself fail, only the event's name is kept and that is said."""
    if guard.empty and _flat(record):
        return dict(record)  # what the walk below gives when no secret is known
    redacted: list[str] = []
    try:
        clean = {}
        for key, value in record.items():
            name = _clean_key(str(key), guard, redacted, "")
            clean[name] = _clean(value, name, guard, redacted)
    except Exception as error:  # a last guard must not be the fault that stops a ceremony
        event = record.get("event") if isinstance(record, Mapping) else None
        safe = event if isinstance(event, str) and not guard.holds_secret(event) else REDACTED
        return {"event": safe, "redacted": ["*"], "guard_fault": type(error).__name__}
    if redacted:
        clean["redacted"] = redacted
    return clean


#: the types of value :func:`guarded` keeps as they are when no secret is known
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _flat(record: Mapping[str, Any]) -> bool:
    """Whether ``record`` is a dict of text keys and plain values (what most events are)."""
    return type(record) is dict and all(
        type(key) is str and type(value) in _PLAIN for key, value in record.items()
    )


def _clean_key(key: str, guard: SecretGuard, redacted: list[str], path: str) -> str:
    if guard.holds_secret(key):
        redacted.append(f"{path}(a field name)" if path else "(a field name)")
        return f"{REDACTED}-{len(redacted)}"
    return key


def _clean(value: Any, path: str, guard: SecretGuard, redacted: list[str]) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        clean = {}
        for key, item in value.items():
            name = _clean_key(str(key), guard, redacted, path + ".")
            clean[name] = _clean(item, f"{path}.{name}", guard, redacted)
        return clean
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_clean(item, f"{path}[{i}]", guard, redacted) for i, item in enumerate(items)]
    text = value if isinstance(value, str) else str(value)
    if guard.holds_secret(text):
        redacted.append(path)
        return REDACTED
    return value if isinstance(value, (str, int, float)) else text


class Transcript:
    def __init__(
        self, clock: Callable[[], datetime], guard: SecretGuard | None = None
    ) -> None:
        self._clock = clock
        self.guard = guard if guard is not None else SecretGuard()
        self.lines: list[bytes] = []
        self.head = GENESIS

    def continue_from(self, lines: list[bytes] | tuple[bytes, ...], head: str) -> None:
        """Go on from ``lines`` (already checked to chain to ``head``): a
        sitting's record continues the signing request's."""
        self.lines = list(lines)
        self.head = head

    def append(self, record: Mapping[str, Any]) -> None:
        """Add one event as the next line, its secret-holding fields redacted."""
        entry: dict[str, Any] = {
            "seq": len(self.lines), "prev": self.head, "time": utc_stamp(self._clock())
        }
        entry.update(guarded(record, self.guard))
        # a control or bidi character from the media is written escaped: the same value
        line = json_safe(_LINE_ENCODER.encode(entry)).encode()
        self.lines.append(line)
        self.head = hashlib.sha256(line).hexdigest()

    def to_bytes(self) -> bytes:
        return b"".join(line + b"\n" for line in self.lines)
