"""``ceremony verify`` for a Docker Content Trust bundle: GUNs, keys, publish set.

verify/__init__.py has read the bundle and judged its manifest, and judges
its transcript after this. What a DCT ceremony wrote: ``metadata/dct.json``
lists the GUNs, each GUN has its own root history (roots.py, notary's
signature rules), keys are named by notary's ids (keys.py), and the publish
set must upload exactly the newest files of the GUNs it names. No I/O here:
the loader read the media.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ceremony.flavors.dct import layout
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.validate import check_gun
from ceremony.flavors.dct.verify.keys import check_dct_keys
from ceremony.flavors.dct.verify.roots import GunFacts, check_gun_history, root_versions
from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.problem import Problem, safe_path, shown
from ceremony.verify.report import VerificationReport
from ceremony.verify.strict_json import parse_json


@dataclass(frozen=True)
class IndexedGun:
    """One GUN of metadata/dct.json, its entry of the right shape."""

    gun: str
    history_from: int
    root_version: int


@dataclass(frozen=True)
class DctIndex:
    """metadata/dct.json as verify reads it: the GUN entries of the right shape, and
    the publish object as parsed (judged where it is used)."""

    guns: list[IndexedGun] = field(default_factory=list)
    publish: Any = None  # parsed JSON, not yet checked


def check_dct_bundle(contents: BundleContents, at: datetime, report: VerificationReport) -> None:
    """Judge a DCT bundle's GUNs, keys and publish set as of ``at`` (aware)."""
    problems = report.problems
    index = _read_index(contents, problems)
    guns: dict[str, GunFacts] = {}
    versions = root_versions(contents)
    for entry in index.guns:
        guns[entry.gun] = check_gun_history(
            contents, entry.gun, entry.history_from, entry.root_version, at, problems,
            versions.get(entry.gun, []),
        )
    _stray_metadata(contents, guns, problems)
    newest = [facts.newest.signed for facts in guns.values() if facts.newest is not None]
    report.root_versions = sorted({root.version for root in newest})
    if newest:
        report.root_expires = min(newest, key=lambda root: root.expires_at).expires
    check_dct_keys(contents, guns, problems)
    _check_publish(contents, index, guns, problems)


def _version(value: object) -> int | None:
    """``value`` when it is a version number (a whole number from 1), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None


def _read_index(contents: BundleContents, problems: list[Problem]) -> DctIndex:
    """metadata/dct.json with every GUN entry checked for shape (bad ones dropped)."""

    def problem(what: str) -> None:
        problems.append(Problem(layout.DCT_INDEX, what))

    data = contents.content(layout.DCT_INDEX)
    if layout.DCT_INDEX not in contents.files:
        problem("missing: a DCT bundle lists its GUNs here")
        return DctIndex()
    if data is None:
        return DctIndex()
    try:
        index = parse_json(data)
    except MalformedJSONError as error:
        problem(str(error))
        return DctIndex()
    if not isinstance(index, dict) or index.get("format") != layout.FORMAT:
        problem("not a format-1 object")
        return DctIndex()
    good: list[IndexedGun] = []
    listed: set[str] = set()  # a GUN met twice is named (a scan of good per GUN: GUNs squared)
    for position, entry in enumerate(index.get("guns") or []):
        where = f"guns[{position}]"
        if not isinstance(entry, dict):
            problem(f"{where} is not an object")
            continue
        gun = entry.get("gun")
        try:
            if not isinstance(gun, str):
                raise DctError("the GUN is not a string")
            check_gun(gun)
        except DctError:
            problem(f"{where}: {shown(gun)} is not a GUN")
            continue
        first, newest = _version(entry.get("history_from")), _version(entry.get("root_version"))
        if first is None or newest is None or first > newest:
            problem(f"{where}: history_from and root_version must be versions, first <= newest")
            continue
        if gun in listed:
            problem(f"{where}: {gun} is listed twice")
            continue
        listed.add(gun)
        good.append(IndexedGun(gun, first, newest))
    if not good:
        problem("lists no GUN")
    return DctIndex(good, index.get("publish"))


def _stray_metadata(
    contents: BundleContents, guns: dict[str, GunFacts], problems: list[Problem]
) -> None:
    for path in contents.files:
        if not path.startswith("metadata/") or path == layout.DCT_INDEX:
            continue
        folder, _, name = path[len("metadata/") :].rpartition("/")
        if folder not in guns:
            problems.append(
                Problem(safe_path(path), "belongs to no GUN listed in metadata/dct.json")
            )
        elif name not in ("root.json", "targets.json") and not layout.versioned_root(path):
            problems.append(Problem(safe_path(path), "not a file a DCT bundle holds"))


def _check_publish(
    contents: BundleContents, index: DctIndex, guns: dict[str, GunFacts], problems: list[Problem]
) -> None:
    """The publish set uploads exactly the files the bundle holds as newest. Values
    that are not strings (hostile JSON) match no file, GUN or role."""
    publish = index.publish if isinstance(index.publish, dict) else {}
    files = publish.get("files") or []
    manifest = publish.get("manifest")
    listed: set[str] = {manifest} if isinstance(manifest, str) and manifest else set()
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, dict):
            continue
        path, gun, role, sha256 = (entry.get(k) for k in ("path", "gun", "role", "sha256"))
        if isinstance(path, str):
            listed.add(path)
        media_file = contents.files.get(path) if isinstance(path, str) else None
        if not isinstance(path, str) or media_file is None:
            problems.append(
                Problem(layout.DCT_INDEX, f"the publish set file {shown(path)} is missing")
            )
            continue
        if media_file.sha256 != sha256:
            problems.append(
                Problem(safe_path(path), "not the file metadata/dct.json names for the publish set")
            )
        if not isinstance(gun, str) or gun not in guns:
            problems.append(
                Problem(
                    safe_path(path), f"publishes for {shown(gun)}, a GUN the bundle does not list"
                )
            )
            continue
        facts = guns[gun]
        newest = {
            "root": facts.newest_path or layout.newest_root_path(gun),
            "targets": layout.targets_path(gun),
        }.get(role) if isinstance(role, str) else None
        held = contents.files.get(newest) if newest else None
        if newest and (held is None or held.sha256 != media_file.sha256):
            problems.append(
                Problem(safe_path(path), f"not the newest {role} of {gun} this bundle holds")
            )
    if manifest and (not isinstance(manifest, str) or manifest not in contents.files):
        problems.append(
            Problem(layout.DCT_INDEX, f"the publish manifest {shown(manifest)} is missing")
        )
    elif manifest and contents.files[manifest].sha256 != publish.get("manifest_sha256"):
        problems.append(
            Problem(safe_path(manifest), "not the publish manifest this ceremony wrote")
        )
    for path in contents.files:
        if path.startswith(f"{layout.PUBLISH}/") and path not in listed:
            problems.append(Problem(safe_path(path), "in publish/ but not part of the publish set"))
