"""SHA-256 for verification, through ``cryptography`` rather than ``hashlib``.

Verify loads ``cryptography`` for its signature checks, and with it a hash
of its own; ``hashlib`` would load the system's OpenSSL library as well,
a twentieth of ``ceremony verify``'s start-up for the same digest. The digest
is the same either way (a test holds the two to it). ``cryptography`` is
loaded at the first digest, so that a command which only names this module
(``ceremony clean`` reads verify's words for paths) loads none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives.hashes import Hash

_new_sha256: Callable[[], Hash] | None = None


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data``, in lowercase hex (``hashlib.sha256(data).hexdigest()``)."""
    digest = (_new_sha256 or _load())()
    digest.update(data)
    return digest.finalize().hex()


def _load() -> Callable[[], Hash]:
    global _new_sha256
    from cryptography.hazmat.primitives.hashes import SHA256, Hash

    # copying an empty context is a third of the cost of making one (a root chain
    # hashes thousands of files, keys and transcript lines)
    _new_sha256 = Hash(SHA256()).copy
    return _new_sha256
