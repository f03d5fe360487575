"""What every event of a ceremony is: a name, public fields, and its transcript form.

The events themselves are in events.py (and custody_events.py, custody's own);
``record()`` gives the transcript form: the event's name and its fields (but
those marked ``NOT_RECORDED``: hints for front ends that the recorded fields
already say).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

#: the types of field value :meth:`Event.record` takes as they are (``asdict``
#: would return the same objects: it copies only containers and dataclasses)
_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
#: a field's metadata for a hint to front ends that is not part of the record
NOT_RECORDED = {"recorded": False}


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = "event"
    #: events a person need not see line by line (still in the transcript)
    quiet: ClassVar[bool] = False

    def record(self) -> dict[str, Any]:
        """The event's name and its fields, as plain values for the transcript
        (``asdict``'s, without its deep copy when every field is a plain value:
        a seal records some 13 events per DCT GUN)."""
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(
                f.name for f in fields(self) if f.metadata.get("recorded", True))
        found: dict[str, Any] = {"event": self.name}
        for name in names:
            value = getattr(self, name)
            if type(value) not in _PLAIN:
                whole = asdict(self)
                return {"event": self.name, **{n: whole[n] for n in names}}
            found[name] = value
        return found
