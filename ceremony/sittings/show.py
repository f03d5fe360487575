"""A signing request in words, the same for every front end.

``ceremony inspect REQUEST``, ``ceremony sign`` and the UI's sign and seal
screens show a request with these lines: what it is, what changes, each
payload and who must sign it (digests in groups of four, eight a line, so
that no line is wider than 78 columns); the request digest follows, in
groups for reading aloud (each front end draws the groups to fit its
width). And the words that say a request extends the current state a
keyholder holds. The request came on media from another sitting: every
control or format character in its words (a title, a name, a note) is shown
as its escape (ceremony/safe_text.py), whichever front end shows them.
"""

from __future__ import annotations

from collections.abc import Mapping

from ceremony.describe import grouped_lines
from ceremony.safe_text import terminal_safe
from ceremony.sittings.request_file import SigningRequest, stamp


def request_lines(request: SigningRequest) -> list[str]:
    """The request for people, one line each (indented lines belong to the one
    above), control characters escaped."""
    lines = [
        f"Signing request: {request.title} ({request.flavor} {request.kind})",
        *labelled("  script sha256 ", request.script_sha256),
        f"  expires {stamp(request.expires) if request.expires else 'never'}",
    ]
    if request.replaces:
        lines += labelled("  replaces the request ", request.replaces)
    lines += [f"  {line}" for line in request.summary]
    for payload in request.payloads:
        lines.append(f"  {payload.name} (sha256 {payload.sha256[:16]}...)")
        for group in payload.groups:
            lines.append(f"    {group.title}: {group.threshold} of")
            for keyid in group.keyids:
                key = request.key_by_id(keyid)
                name = f"{key.name} (keyholder {key.holder or 'not named'})" if key else ""
                lines.append(f"      {keyid[:8]} {name}")
    return [terminal_safe(line) for line in lines]


def labelled(label: str, digest: str) -> list[str]:
    """``label`` and ``digest`` in groups of four, eight a line, the second line under
    the first: a line a 78-column terminal does not wrap."""
    first, *rest = grouped_lines(digest)
    return [label + first, *(" " * len(label) + line for line in rest)]


def base_words(base: Mapping[str, object], *, short: bool = False) -> str:
    """What a request extends, in words: "root sha256 3f2a..., root version 1";
    ``short``: a digest by its first 16 digits, for a line on a screen."""

    def value(v: object) -> str:
        text = str(v)
        return f"{text[:16]}..." if short and len(text) == 64 else text

    return ", ".join(f"{k} {value(v)}" for k, v in sorted(base.items()))
