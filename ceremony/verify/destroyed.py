"""A decommission's bundle no longer names the keys its ceremony destroys.

The transcript's ``key-to-destroy`` events are the keys a decommission
destroys once its bundle is sealed (and ``key-destroyed`` events that carry a
proof, those an older version destroyed before the seal; read leniently
here: a malformed line is the transcript check's to name). None may still be in a role of the newest
metadata (each flavor passes what its newest roots and targets rely on), nor
in keys/index.json: a bundle that still names a destroyed key would send
signers and clients to a key that is gone. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.key_index import read_key_index
from ceremony.verify.limits import KEY_INDEX, TRANSCRIPT
from ceremony.verify.problem import Problem, short, shown
from ceremony.verify.strict_json import parse_json


def destroyed_keys(contents: BundleContents) -> dict[str, str]:
    """keyid -> name of every key the transcript says this ceremony destroys."""
    data = contents.content(TRANSCRIPT) or b""
    return {e["keyid"]: e["key"]
            for e in destroyed_events(data) + destroyed_events(data, to_destroy=True)}


def destroyed_events(transcript: bytes, *, to_destroy: bool = False) -> list[dict[str, str]]:
    """The ``key-destroyed`` events of ``transcript`` (a bundle's, or a destruction
    record's) that carry a proof: key, keyid, proof, time (as text); or, with
    ``to_destroy``, its ``key-to-destroy`` events, ``how`` as their proof."""
    name, said = ("key-to-destroy", "how") if to_destroy else ("key-destroyed", "proof")
    found: list[dict[str, str]] = []
    for line in lines_holding(transcript, f'"{name}"'.encode()):
        try:
            event = _read_leniently(line)
        except ValueError:
            continue
        if (isinstance(event, dict) and event.get("event") == name
                and event.get(said) and isinstance(event.get("keyid"), str)):
            found.append({"key": str(event.get("key", "?")), "keyid": event["keyid"],
                          "proof": str(event[said]), "time": str(event.get("time", "?"))})
    return found


def lines_holding(data: bytes, needle: bytes) -> Iterator[bytes]:
    """The lines of ``data``, cut as ``bytes.splitlines`` cuts them (at ``\n``, ``\r``
    or both), that hold ``needle`` (which holds neither), each once, in order.
    Only those lines are cut out: a transcript may have 60 MB, and one made of
    millions of short lines, split whole, would take twenty times its size."""
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        start = data.rfind(b"\r", start, at) + 1 or start  # each search within the line
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        carriage = data.find(b"\r", at, end)
        end = end if carriage < 0 else carriage
        yield data[start:end]
        at = data.find(needle, end)


def check_destroyed(
    contents: BundleContents, still_named: Mapping[str, str], problems: list[Problem]
) -> None:
    """``still_named``: keyid -> the role of the newest metadata that names it."""
    destroyed = destroyed_keys(contents)
    if not destroyed:
        return
    for keyid, name in destroyed.items():
        if keyid in still_named:
            problems.append(Problem(TRANSCRIPT, (
                f"key {shown(name)} ({short(keyid)}) was destroyed by this ceremony, yet "
                f"{still_named[keyid]} of the newest metadata still names it: clients would "
                "wait for signatures that can never come")))
    try:
        entries = read_key_index(contents.content(KEY_INDEX) or b"")
    except MalformedJSONError:
        return  # the key index check names it
    for name, entry in entries.items():
        if entry.get("keyid") in destroyed:
            problems.append(Problem(KEY_INDEX, (
                f"key {shown(name)} was destroyed by this ceremony, yet the index still lists "
                "it")))


def _read_leniently(line: bytes) -> object:
    """``json.loads(line)``. A line strict JSON accepts reads the same either way (UTF-8,
    no duplicate, float or constant), so json, costly to load, is asked only of the
    others (a hand-edited line, a UTF-16 one)."""
    try:
        return parse_json(line)
    except MalformedJSONError:
        import json

        return json.loads(line)
