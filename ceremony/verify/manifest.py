"""MANIFEST.json: every other file of the bundle, with its sha256 and size.

A file on the media that the manifest does not list is a problem, and so is a
listed file that is missing or whose bytes differ. The manifest also carries
the transcript head and what kind of ceremony wrote the bundle.
"""

from __future__ import annotations

import re

from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import MANIFEST, REHEARSAL
from ceremony.verify.problem import Problem, safe_path, shown
from ceremony.verify.strict_json import parse_json

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestFacts:
    def __init__(self) -> None:
        self.transcript_head: str | None = None
        self.rehearsal: bool | None = None
        self.ceremony: str | None = None
        self.ceremony_id: str | None = None
        self.flavor: str | None = None
        self.transcript_lines: int | None = None  # bundles before it was recorded have none


def is_bundle_path(path: str) -> bool:
    """Whether ``path`` names a file inside a bundle (no '..', no absolute path)."""
    parts = path.split("/")
    return bool(path) and "\\" not in path and all(p not in ("", ".", "..") for p in parts)


def check_agreement(
    facts: ManifestFacts, started: dict[str, object], problems: list[Problem]
) -> None:
    """The manifest is not signed: what it says the ceremony was must be what the
    transcript's first line (chained to its head) recorded."""
    for name, key in (("ceremony", "kind"), ("ceremony_id", "ceremony_id"), ("flavor", "flavor")):
        said, recorded = getattr(facts, name), started.get(key)
        if said is not None and isinstance(recorded, str) and said != recorded:
            problems.append(
                Problem(
                    MANIFEST,
                    f"{name} is {shown(said)}, but the transcript's first line records "
                    f"{shown(recorded)}: the manifest was changed",
                )
            )


def check_manifest(contents: BundleContents, problems: list[Problem]) -> ManifestFacts:
    facts = ManifestFacts()

    def problem(what: str) -> None:
        problems.append(Problem(MANIFEST, what))

    if MANIFEST in contents.refused:
        return facts
    if MANIFEST not in contents.files:
        problem("missing: without it no file of the bundle can be checked")
        return facts
    data = contents.content(MANIFEST)
    if data is None:
        return facts
    try:
        manifest = parse_json(data)
    except MalformedJSONError as error:
        problem(str(error))
        return facts
    if not isinstance(manifest, dict):
        problem("not a JSON object")
        return facts
    if manifest.get("format") != 1:
        problem(f"format is {shown(manifest.get('format'))}; this tool reads format 1")

    head = manifest.get("transcript_head")
    if isinstance(head, str) and _SHA256.fullmatch(head):
        facts.transcript_head = head
    else:
        problem(f"transcript_head is {shown(head)}, not a sha256 in lowercase hex")
    rehearsal = manifest.get("rehearsal")
    if isinstance(rehearsal, bool):
        facts.rehearsal = rehearsal
    else:
        problem(f"rehearsal is {shown(rehearsal)}, not true or false")
    lines = manifest.get("transcript_lines")
    if "transcript_lines" in manifest:
        if isinstance(lines, int) and not isinstance(lines, bool) and lines >= 1:
            facts.transcript_lines = lines
        else:
            problem(f"transcript_lines is {shown(lines)}, not a number of lines")
    for name, meaning in (
        ("ceremony", "the kind of ceremony"), ("ceremony_id", "an id"), ("flavor", "a flavor")
    ):
        value = manifest.get(name)
        if isinstance(value, str) and value:
            setattr(facts, name, value)
        elif name != "flavor" or name in manifest:  # a bundle older than flavors has none
            problem(f"{name} is {shown(value)}, not {meaning}")

    listed = manifest.get("files")
    if not isinstance(listed, dict):
        problem("files is not an object of files by path")
        return facts
    files = contents.files
    for path, entry in listed.items():
        media_file = files.get(path)
        if (  # the usual entry, for a file read whole: nothing to say, in few steps
            media_file is not None
            and media_file.sha256 is not None
            and type(entry) is dict
            and entry.get("sha256") == media_file.sha256  # lowercase hex, as the rule wants
            and type(entry.get("size")) is int
            and entry["size"] == media_file.size
            and path != MANIFEST
            and "\\" not in path  # the only way a path read from the media is not one
        ):
            continue
        _check_entry(contents, path, entry, problems)
    for path in contents.files:
        if path != MANIFEST and path not in listed:
            problems.append(Problem(safe_path(path), f"on the media but not listed in {MANIFEST}"))

    has_file = REHEARSAL in contents.files
    if facts.rehearsal is not None and facts.rehearsal != has_file:
        if has_file:
            problems.append(Problem(REHEARSAL, f"present, but {MANIFEST} says rehearsal is false"))
        else:
            problems.append(
                Problem(REHEARSAL, f"missing, but {MANIFEST} says this is a rehearsal")
            )
    return facts


def _check_entry(
    contents: BundleContents, path: str, entry: object, problems: list[Problem]
) -> None:
    if path == MANIFEST:
        problems.append(Problem(MANIFEST, "lists itself; it lists every other file"))
        return
    if not is_bundle_path(path):
        problems.append(
            Problem(MANIFEST, f"lists {shown(path)}, which is not a path inside a bundle")
        )
        return
    sha256 = entry.get("sha256") if isinstance(entry, dict) else None
    size = entry.get("size") if isinstance(entry, dict) else None
    if (
        not isinstance(sha256, str)
        or not _SHA256.fullmatch(sha256)
        or not isinstance(size, int)
        or isinstance(size, bool)
        or size < 0
    ):
        problems.append(
            Problem(MANIFEST, f"the entry for {shown(path)} needs a lowercase sha256 and a size")
        )
        return
    media_file = contents.files.get(path)
    if contents.was_refused(path):
        return  # why it was not read is a problem of its own
    where = safe_path(path)
    if media_file is None:
        problems.append(Problem(where, f"listed in {MANIFEST} but missing from the media"))
    elif media_file.size != size:
        problems.append(
            Problem(where, f"{media_file.size:,} bytes, but {MANIFEST} says {size:,}")
        )
    elif media_file.sha256 is not None and media_file.sha256 != sha256:
        problems.append(
            Problem(
                where,
                f"sha256 {media_file.sha256[:16]}... differs from "
                f"{sha256[:16]}... in {MANIFEST}",
            )
        )
