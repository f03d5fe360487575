"""Notary metadata read once per bytes inside a ceremony or a seal, for its readers.

A seal of DCT GUNs meets the same files again and again: the current bundle's
verification parses each GUN's newest root, and the state the ceremony builds on
reads the same bytes; the events, the key index and the summary read each GUN's
new root, and the verification of the sealed bundle parses those very bytes once
more. Inside ``checked.remembering`` (every ceremony and every seal) the bytes of a
kind are parsed once and the reading is shared; outside it they are parsed each
time. What is shared is for readers only: never to be changed.
"""

from __future__ import annotations

from ceremony.checked import read_once
from ceremony.flavors.dct.notary.model import Metadata, SignedT, read_metadata


def read_shared(data: bytes, kind: type[SignedT], where: str = "metadata") -> Metadata[SignedT]:
    """``data`` read as notary metadata of ``kind`` (:func:`read_metadata`: a file of
    another type is refused), once per bytes and kind inside ``checked.remembering``
    (a refusal is never remembered: it is raised each time, naming ``where``). For
    readers only: what it returns is shared, never to be changed."""
    return read_once(("dct shared metadata", kind.TYPE, data),
                     lambda: read_metadata(data, kind, where))
