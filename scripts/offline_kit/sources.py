"""Locked packages PyPI publishes only as source for Linux, and what building them needs.

Each entry says, for one such package, which Python packages its build
needs (each pinned in requirements-dev.lock), which of its declared build
requirements Debian provides instead (swig, as a program, not the PyPI
wheel), which Debian packages must be installed on the connected machine to
build it, and which Debian packages its built wheel needs on the laptop (the
kit carries those in debs/). A locked package missing here that has no wheel
makes the wheel download fail, with a message pointing here.

It only reads dpkg's status; it installs nothing and never asks apt.
"""

from __future__ import annotations

import platform
import re
import subprocess
from dataclasses import dataclass, field

from lockfile import Pin

from offline_kit.debs import relation_groups
from offline_kit.errors import KitError

#: the interpreter wheels are built with: Debian's, the one install.sh uses on the laptop
BUILD_PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class SourceBuild:
    """How the kit builds one locked package from its sdist."""

    #: Python packages the build imports, each pinned (with hashes) in requirements-dev.lock
    build_requires: tuple[str, ...]
    #: build requirements the sdist declares that a Debian package provides instead
    from_debian: dict[str, str] = field(default_factory=dict)
    #: Debian packages the connected machine needs to build it (never the laptop)
    build_debs: tuple[str, ...] = ()
    #: Debian packages the built wheel needs on the laptop, and why (they go in debs/)
    runtime_debs: dict[str, str] = field(default_factory=dict)


FROM_SOURCE: dict[str, SourceBuild] = {
    # yubikey-manager's PC/SC client: a C extension over libpcsclite, built with swig
    "pyscard": SourceBuild(
        build_requires=("setuptools",),
        from_debian={"swig": "swig"},
        build_debs=("gcc", "python3-dev", "swig", "libpcsclite-dev", "pkgconf"),
        runtime_debs={
            "libpcsclite1": "the PC/SC library pyscard (built from source) loads to reach "
                            "YubiKeys and smart cards",
            "pcscd": "the smart-card daemon PKCS#11 modules and pyscard talk to",
        },
    ),
}


def to_build(pins: list[Pin]) -> list[Pin]:
    """The locked pins the kit builds from source, in lock order."""
    return [pin for pin in pins if pin.name in FROM_SOURCE]


def runtime_debs(built: list[Pin]) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for pin in built:
        wanted.update(FROM_SOURCE[pin.name].runtime_debs)
    return wanted


def installed(packages: list[str]) -> dict[str, dict[str, str]]:
    """dpkg's fields of each of ``packages`` that is installed; the others are left out."""
    if not packages:
        return {}  # dpkg-query would list every package
    query = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${db:Status-Status}\t${Version}\t"
         "${Pre-Depends}\t${Depends}\n", "--", *packages],
        capture_output=True, text=True, check=False,
    )
    found = {}
    for line in query.stdout.splitlines():
        name, status, version, pre_depends, depends = (line.split("\t") + [""] * 5)[:5]
        if status == "installed":
            found[name] = {"Version": version, "Pre-Depends": pre_depends, "Depends": depends}
    return found


def tool_chain(roots: list[str]) -> dict[str, str]:
    """The version of ``roots`` and of every installed package they depend on, by name."""
    versions: dict[str, str] = {}
    todo = list(roots)
    while todo := sorted(set(todo) - versions.keys()):
        fields = installed(todo)
        todo = []
        for name, package in fields.items():
            versions[name] = package["Version"]
            todo += [alt for group in relation_groups(package) for alt in group
                     if re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", alt)]
    return dict(sorted(versions.items()))


def check_can_build(built: list[Pin], python: str, platforms: tuple[str, ...]) -> dict[str, str]:
    """Refuse, saying what to do, unless this machine can build ``built`` for the target.

    Returns the build's tool chain: the version of each Debian package it needs and of
    every installed package those depend on (KIT.json records them).
    """
    if not built:
        return {}
    names = ", ".join(f"{pin.name} {pin.version}" for pin in built)
    machine = platform.machine()
    foreign = [tag for tag in platforms if not tag.endswith(f"_{machine}")]
    if foreign:
        raise KitError(
            f"{names} has no wheel on PyPI for Linux and is built from source here, which "
            f"gives wheels for this machine only ({machine}), not for {', '.join(foreign)}: "
            f"build the kit on a Debian 12 machine of the laptop's architecture"
        )
    needed = sorted({deb for pin in built for deb in FROM_SOURCE[pin.name].build_debs})
    missing = [deb for deb in needed if deb not in installed(needed)]
    if missing:
        raise KitError(
            f"building {names} from source needs Debian packages not installed here: "
            f"{', '.join(missing)}. Install them on this connected machine with "
            f"`sudo apt-get install {' '.join(missing)}` (the laptop never needs them)"
        )
    have = subprocess.run(
        [BUILD_PYTHON, "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()
    if have != python:
        raise KitError(
            f"{names} is built from source with {BUILD_PYTHON}, Python {have or '(none)'} "
            f"here, but the kit is for Python {python}: build the kit on a machine whose "
            f"{BUILD_PYTHON} is the laptop's Python"
        )
    return tool_chain(needed)
