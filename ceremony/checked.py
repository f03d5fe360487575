"""Signature checks remembered for the length of one piece of work.

Sealing a request checks each signature against the request's payload, then
the flavor checks each rotation, then the whole bundle is verified before it
is named: the same signature, by the same key, over the same bytes, three
times (in a ceremony run in one sitting, its steps check what they built, then
the seal verifies it all again). The seal of a request and every ceremony run
open a :func:`remembering` block; inside it a flavor's check asks
:func:`remembered`: the first check of a (key, method, signature, payload
digest) is made, and its answer is the answer for the same four again. An answer is a fact about
those bytes, so work on another thread sharing it is still answered truly.
Outside every :func:`remembering` nothing is kept; when the last one ends
its answers are forgotten.

The same holds for what a verifier reads out of a file's bytes
(:func:`read_once`): the seal verifies the current bundle, then the sealed
one, which holds many of the same files, byte for byte (a DCT GUN's older
roots, its targets): each is parsed and judged once, and the problems found
in it are the same problems again. A DCT root certificate's checks that no
clock changes are made once per certificate and GUN (its validity is judged
at each check's own time), and a DCT file the events, the key index and the
summary all read is parsed once per bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

T = TypeVar("T")

_lock = threading.Lock()
_open = 0
_answers: dict[Hashable, bool] = {}
_readings: dict[Hashable, object] = {}


@contextmanager
def remembering() -> Iterator[None]:
    """Remember signature checks until the end of this block (and any that encloses it)."""
    global _open
    with _lock:
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0:
                _answers.clear()
                _readings.clear()


def remembered(what: Hashable, check: Callable[[], bool]) -> bool:
    """``check()``, made once per ``what`` inside :func:`remembering`; every time outside.
    ``what`` must name everything the answer depends on (the key's bytes, the method,
    the signature's bytes, the payload's digest)."""
    if not _open:
        return check()
    answer = _answers.get(what)
    if answer is None:
        answer = check()
        if _open:
            _answers[what] = answer
    return answer


def read_once(what: Hashable, read: Callable[[], T]) -> T:
    """``read()``, made once per ``what`` inside :func:`remembering`; every time
    outside. ``what`` must name everything the reading depends on (the file's
    bytes and its path, the kind it is read as); what ``read`` returns must never
    be changed by those it is given to (parsed metadata, the problems found)."""
    if not _open:
        return read()
    if what in _readings:
        return cast(T, _readings[what])
    made = read()
    if _open:
        _readings[what] = made
    return made
