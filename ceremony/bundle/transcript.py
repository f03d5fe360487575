"""The ceremony transcript: a hash-chained JSON-lines record.

Each line is one event, with a sequence number, a UTC time and ``prev``: the
sha256 of the previous line's bytes (64 zeros for the first). Changing,
dropping or reordering any line breaks the chain. The head (sha256 of the
last line) is read aloud at the end and written on the paper record.

The transcript refuses a line that contains any secret the ceremony has
seen: a last guard behind events that are secret-free by construction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Callable, Iterable

GENESIS = "0" * 64


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class SecretInTranscript(RuntimeError):
    """A bug: an event carried a secret. The line was not written."""


class Transcript:
    def __init__(
        self,
        clock: Callable[[], datetime],
        secrets_seen: Callable[[], Iterable[str]] = lambda: (),
    ) -> None:
        self._clock = clock
        self._secrets_seen = secrets_seen
        self.lines: list[bytes] = []
        self.head = GENESIS

    def append(self, record: dict) -> None:
        entry = {"seq": len(self.lines), "prev": self.head, "time": utc_stamp(self._clock())}
        entry.update(record)
        line = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str).encode()
        for secret in self._secrets_seen():
            if secret and secret.encode() in line:
                raise SecretInTranscript(
                    f"refused to record a {record.get('event')} event holding a secret"
                )
        self.lines.append(line)
        self.head = hashlib.sha256(line).hexdigest()

    def to_bytes(self) -> bytes:
        return b"".join(line + b"\n" for line in self.lines)
