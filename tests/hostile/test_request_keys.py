"""A signing request's public keys, made hostile: a PEM larger than any key file, and
one with terminal control sequences around it.

A request names each key with its public part (``keys[].public``), which ``sign``
takes into the key's record and ``seal`` loads and writes into the new bundle's
keys/public/. Every other public key the tool reads is held to a key file's size
(verify.limits.KEY_FILE_MAX_BYTES) and parsed before use; a request's was taken as
it came. Now ``inspect``, ``sign`` and ``seal`` each refuse a request whose public
key is larger than a key file, or is anything but one public key in the PEM form
this tool writes, naming the key's place in request.json and never echoing its
text; nothing is written. The module's request and signature file are
test_sittings_files's (a rehearsal root rotation of a small bootstrap).
"""

from __future__ import annotations

import json

import pytest

from hostile import test_sittings_files as sittings_files
from hostile.helpers import refused

# the request and the medium of the module next door (fixtures), and its ways with them
made, media = sittings_files.made, sittings_files.media
COMMANDS, edited = sittings_files.COMMANDS, sittings_files.edited

PEM_SIZE = "a public key of {size:,} bytes, more than the 64,000 a key file may have"
NOT_PEM = "not one public key in the PEM form this tool writes"
DO_NOT_USE = "the request is damaged or not this tool's: do not use it"


def padded(document: dict) -> None:
    """The first key's PEM followed by 70,000 newlines (it still loads as that key)."""
    document["keys"][0]["public"] += "\n" * 70_000


def escaped(document: dict) -> None:
    """The first key's PEM behind a sequence that retitles the terminal, and one that
    clears the screen after it (the PEM between still loads as that key)."""
    key = document["keys"][0]
    key["public"] = "\x1b]0;all is well\x07" + key["public"] + "\x1b[2J"


def surrogate(document: dict) -> None:
    """A lone surrogate, which no UTF-8 holds, in the first key's PEM."""
    document["keys"][0]["public"] += "\ud800"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("spoil", "words"), [
    (padded, "keys[0]: public: " + PEM_SIZE),
    (escaped, f"keys[0]: public: {NOT_PEM}"),
    (surrogate, f"keys[0]: public: {NOT_PEM}"),
], ids=["a PEM of 70,000 more bytes", "a PEM between escape sequences", "a lone surrogate"])
def test_a_request_s_hostile_public_key_is_refused_by_every_command(
        made, media, command, spoil, words):
    path = media / "request" / "request.json"
    size = len(json.loads(path.read_bytes())["keys"][0]["public"]) + 70_000
    edited(spoil)(path)
    ran = refused(media.parent, lambda: COMMANDS[command](media, made),
                  f"request.json: {words.format(size=size)}. {DO_NOT_USE}")
    assert "all is well" not in ran.said and "\x1b" not in ran.said
