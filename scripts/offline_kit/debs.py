"""The kit's Debian packages: what the tool needs at run time, with their closure.

The packages named here and every package they depend on (first choice of
each alternative, as apt would make it), less what every Debian 12 system
has (the essential and required packages and their own dependencies), at
the candidate versions apt knows on this machine, fetched with
``apt-get download`` and checked against the sha256 in apt's signed lists.
Fetched files are kept in a cache folder keyed by the exact package set, so
a second build of the same set needs no network.

It reads apt's lists and runs apt-get; it never installs anything here.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from offline_kit.errors import KitError
from offline_kit.manifest import sha256_of

#: what the tool uses at run time, and why (KIT.json repeats it)
RUNTIME = {
    "libzbar0": "reads custodians' shares from photos of their QR codes",
    "opensc": "PKCS#11 for smart cards and HSMs, and pkcs11-tool to check them",
    "ykcs11": "PKCS#11 module for YubiKeys (PIV)",
    "pcscd": "the smart-card daemon PKCS#11 modules talk to",
    "python3-venv": "lets install.sh make the virtual environment",
    "fonts-dejavu-core": "DejaVu fonts, embedded in printed records so names beyond "
    "Latin-1 print whole",
}
REHEARSAL_TOOLS = {
    "softhsm2": "a software PKCS#11 token for rehearsals (ceremony rehearse --backend softhsm)",
}
RELATIONS = ("Pre-Depends", "Depends")


@dataclass(frozen=True)
class Deb:
    name: str
    version: str
    filename: str
    sha256: str
    size: int
    #: why it is in the kit: a package asked for, or "needed by NAME"
    purpose: str


def debian_release() -> str:
    text = Path("/etc/os-release").read_text(encoding="utf-8")
    found = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', text, re.MULTILINE))
    return f"{found.get('ID', '?')} {found.get('VERSION_ID', '?')}"


def available() -> dict[str, dict[str, str]]:
    """apt's candidate of every package for this machine's architecture."""
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    dump = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True)
    packages: dict[str, dict[str, str]] = {}
    for stanza in dump.stdout.split("\n\n"):
        fields = dict(re.findall(r"^([\w-]+): (.*)$", stanza, re.MULTILINE))
        if fields.get("Architecture") in (arch, "all") and "Package" in fields:
            packages[fields["Package"]] = fields
    if not packages:
        raise KitError("apt knows no packages here: run `apt-get update` first, then again")
    return packages


def relation_groups(fields: dict[str, str]) -> list[list[str]]:
    """``a (>= 1) | b, c:any`` as ``[["a", "b"], ["c"]]``."""
    groups = []
    for relation in RELATIONS:
        for group in filter(None, (g.strip() for g in fields.get(relation, "").split(","))):
            names = [
                re.sub(r"\s*\(.*?\)|\s*\[.*?\]|:\w+", "", alt).strip()
                for alt in group.split("|")
            ]
            groups.append([name for name in names if name])
    return groups


def providers(packages: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    provided: dict[str, list[str]] = {}
    for name in sorted(packages):
        for virtual in packages[name].get("Provides", "").split(","):
            virtual = re.sub(r"\s*\(.*?\)", "", virtual).strip()
            if virtual:
                provided.setdefault(virtual, []).append(name)
    return provided


def closure(
    roots: list[str],
    packages: dict[str, dict[str, str]],
    provided: dict[str, list[str]],
    present: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Every package ``roots`` need beyond ``present``: name -> who needed it."""
    chosen: dict[str, str] = {}
    todo = [(root, "") for root in roots]
    while todo:
        name, needed_by = todo.pop(0)
        if name in chosen or name in present:
            continue
        if name not in packages:
            raise KitError(
                f"apt has no candidate for {name!r} (needed by {needed_by or 'the kit'}): "
                "run `apt-get update` on this Debian 12 machine, then build again"
            )
        chosen[name] = needed_by
        have = present | chosen.keys()
        for group in relation_groups(packages[name]):
            if any(alt in have or set(provided.get(alt, ())) & have for alt in group):
                continue
            pick = next((alt for alt in group if alt in packages), None)
            if pick is None:
                pick = next((p for alt in group for p in provided.get(alt, ())), group[0])
            todo.append((pick, name))
    return chosen


def resolve(wanted: dict[str, str]) -> list[Deb]:
    """The kit's packages: ``wanted`` and their closure beyond a base system."""
    packages = available()
    provided = providers(packages)
    base_roots = sorted(
        name for name, fields in packages.items()
        if fields.get("Essential") == "yes" or fields.get("Priority") == "required"
    )
    base = frozenset(closure(base_roots, packages, provided))
    needed = closure(sorted(wanted), packages, provided, base)
    debs = []
    for name, needed_by in sorted(needed.items()):
        fields = packages[name]
        debs.append(Deb(
            name=name,
            version=fields["Version"],
            filename=Path(fields["Filename"]).name,
            sha256=fields["SHA256"],
            size=int(fields["Size"]),
            purpose=wanted.get(name) or f"needed by {needed_by}",
        ))
    return debs


def cache_key(debs: list[Deb]) -> str:
    listing = "".join(f"{deb.name}={deb.version} {deb.sha256}\n" for deb in debs)
    return hashlib.sha256(listing.encode()).hexdigest()[:24]


def download(debs: list[Deb], folder: Path) -> None:
    """Fetch ``debs`` into the empty ``folder``, each checked and named as apt lists it."""
    # apt's download sandbox user cannot enter root's cache folder
    sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []
    try:
        subprocess.run(
            ["apt-get", "download", "-q", *sandbox, *(f"{deb.name}={deb.version}" for deb in debs)],
            cwd=folder, check=True, stdout=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError as error:
        raise KitError(f"apt-get download failed ({error}); its messages are above") from None
    fetched = {path.name for path in folder.iterdir()}
    for deb in debs:
        got = [folder / name for name in fetched if name.startswith(f"{deb.name}_")]
        if len(got) != 1 or sha256_of(got[0]) != deb.sha256:
            raise KitError(f"apt-get download gave no file matching {deb.name} {deb.version}")
        fetched.discard(got[0].name)
        got[0].rename(folder / f"{deb.filename}.checked")
    for checked in folder.glob("*.checked"):
        checked.rename(checked.with_suffix(""))
    if fetched:
        raise KitError(f"apt-get download left files no package explains: {sorted(fetched)}")
