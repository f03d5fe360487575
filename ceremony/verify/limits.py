"""How much of the media the verifier will read, file by file, and keep.

Media are hostile input: a file larger than its kind may be is reported and
never read into memory. The root limit is the one TUF clients apply
(python-tuf refuses a root above 512,000 bytes); the others are generous
ceilings for files this tool writes itself.
"""

from __future__ import annotations

ROOT_MAX_BYTES = 512_000
METADATA_MAX_BYTES = 5_000_000  # targets and any other metadata
MANIFEST_MAX_BYTES = 16_000_000
# a DCT transcript grows some 5,400 bytes a GUN: 16 MB stopped a bundle at about 2,950
# GUNs; at 60 MB (below FILE_MAX_BYTES, so that its own words are said) it binds
# after metadata/dct.json's
TRANSCRIPT_MAX_BYTES = 60_000_000
# a DCT key index grows with the GUNs as the manifest does (about 700 to 930 bytes a
# GUN): 1 MB stopped a bundle at about 1,076 GUNs; metadata/dct.json now binds first
# (ceremony/flavors/dct/fleet_size.py: about 6,700 GUNs with one root key)
KEY_INDEX_MAX_BYTES = 16_000_000
# a file of one key: a bundle's keys/public/*.pem, and one key read from media (a PEM
# public key brought in, a Notary server's key, the key file a sign sitting opens),
# so that whatever is taken in can be written out and read back; an RSA-4096 key,
# public or sealed with age, takes some 800 bytes to 4 kB
KEY_FILE_MAX_BYTES = 64_000
OTHER_MAX_BYTES = 1_000_000  # any other file kept for a ceremony (key files, records)
KEPT_TOTAL_BYTES = 256_000_000  # all the files kept in memory, together
FILE_MAX_BYTES = 64_000_000  # any file at all, hashed but not kept
MAX_FILES = 100_000
# folders a bundle nests: a DCT bundle holds each GUN's files under metadata/ and
# publish/, a folder a part of its name, and a GUN may be as deep as a registry's
# groups (GitLab nests 20 subgroups): the DCT flavor holds GUNs to MAX_DEPTH - 2 parts
MAX_DEPTH = 32

MANIFEST = "MANIFEST.json"
TRANSCRIPT = "transcript.jsonl"
KEY_INDEX = "keys/index.json"
REHEARSAL = "REHEARSAL"


def kept_limit(path: str) -> tuple[int, str] | None:
    """For a file the checks read: its size limit and what to call it."""
    if path == MANIFEST:
        return MANIFEST_MAX_BYTES, "manifest"
    if path == TRANSCRIPT:
        return TRANSCRIPT_MAX_BYTES, "transcript"
    if path == KEY_INDEX:
        return KEY_INDEX_MAX_BYTES, "key index"
    if path.startswith("keys/public/") and path.endswith(".pem"):
        return KEY_FILE_MAX_BYTES, "public key file"
    if path.startswith("metadata/") and path.endswith(".json"):
        if path.endswith("root.json"):
            return ROOT_MAX_BYTES, "root file"
        return METADATA_MAX_BYTES, "metadata file"
    return None


def kept_quietly(path: str, size: int) -> bool:
    """Whether a file no check parses is still kept in memory, for a ceremony
    that builds on the bundle (key files, custody records): small ones only."""
    return size <= OTHER_MAX_BYTES
