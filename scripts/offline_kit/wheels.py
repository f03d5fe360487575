"""The kit's wheels: the tool's own, built reproducibly, and every locked one.

The tool's wheel is built from the commit (``git archive``, never the
working tree), with ``SOURCE_DATE_EPOCH`` set to the commit's time and the
locked setuptools of the running venv, so two builds of one commit give the
same bytes. The locked wheels are downloaded for the target Python and
platform with ``--require-hashes`` into a cache folder keyed by the lock
and the target, then checked against the lock again as they are copied
(the few PyPI has only as source are built by source_wheels instead). The
kit's install-requirements.txt pins each of them: by the lock's hashes, or
by the built wheel's own.

It reads the lock and runs git and pip; it installs nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from lockfile import Pin

from offline_kit import cache, sources
from offline_kit.errors import KitError
from offline_kit.manifest import sha256_of

#: CPython 3.11 on x86_64 Linux with Debian 12's glibc (2.36): pip's tags for it
DEFAULT_PYTHON = "3.11"
DEFAULT_PLATFORMS = tuple(
    [f"manylinux_2_{minor}_x86_64" for minor in range(36, 16, -1)]
    + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
)


def git(top: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(top), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def build_own_wheel(top: Path, commit: str, out: Path) -> Path:
    """The tool's wheel from ``commit``, built in a fresh folder."""
    epoch = git(top, "log", "-1", "--format=%ct", commit)
    archive = subprocess.run(
        ["git", "-C", str(top), "-c", "tar.umask=022", "archive", "--format=tar", commit],
        capture_output=True, check=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="kit-wheel-") as scratch:
        source = Path(scratch, "source")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
        environment = dict(os.environ, SOURCE_DATE_EPOCH=epoch, PYTHONHASHSEED="0")
        run = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "--wheel-dir", str(Path(scratch, "out")), str(source)],
            capture_output=True, text=True, env=environment,
        )
        if run.returncode != 0:
            raise KitError(
                f"building the tool's wheel failed:\n{run.stdout[-2000:]}{run.stderr[-2000:]}"
            )
        (wheel,) = Path(scratch, "out").glob("*.whl")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, out / wheel.name))


def requirement_line(pin: Pin, hashes: tuple[str, ...]) -> str:
    """``name==version ; marker --hash=sha256:...`` for a requirements file."""
    marker = f" ; {pin.marker}" if pin.marker else ""
    hashed = " ".join(f"--hash=sha256:{h}" for h in hashes)
    return f"{pin.name}=={pin.version}{marker} {hashed}\n"


def install_requirements(own: str, pins: list[Pin], built: dict[str, tuple[str, str]]) -> str:
    """What install.sh asks pip for: ``own`` (a requirement line), then every locked pin.

    ``built`` maps a pin's name to (the wheel's sha256, a note on its sdist).
    """
    lines = [
        "# What install.sh installs, every item pinned by sha256: the tool's own wheel,\n",
        "# then every pin of requirements.lock with its hashes, except the wheels this kit\n",
        "# built from source, pinned by the built wheel's hash (KIT.json: built_from_source).\n",
        own,
    ]
    for pin in pins:
        if pin.name in built:
            sha256, note = built[pin.name]
            lines += [f"# {note}\n", requirement_line(pin, (sha256,))]
        else:
            lines.append(requirement_line(pin, pin.hashes))
    return "".join(lines)


def target_options(python: str, platforms: tuple[str, ...]) -> list[str]:
    options = ["--only-binary=:all:", "--python-version", python,
               "--implementation", "cp", "--abi", "cp" + python.replace(".", "")]
    for platform in platforms:
        options += ["--platform", platform]
    return options


def download_locked(pins: list[Pin], python: str, platforms: tuple[str, ...], folder: Path) -> None:
    """Fetch the wheel of every pin for the target into ``folder``, hashes checked by pip."""
    lock = folder / "requirements.txt"
    lock.write_text("".join(requirement_line(pin, pin.hashes) for pin in pins), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
         "--disable-pip-version-check", "--dest", str(folder),
         *target_options(python, platforms), "-r", str(lock)],
        capture_output=True, text=True,
    )
    lock.unlink()
    if run.returncode != 0:
        raise KitError(
            f"downloading the locked wheels for CPython {python} failed "
            f"(is every locked package published as a wheel for this target? One PyPI "
            f"has only as source must be listed in scripts/offline_kit/sources.py):\n"
            f"{run.stderr[-3000:]}"
        )


def published(pins: list[Pin]) -> list[Pin]:
    """The pins PyPI publishes as wheels: all but those the kit builds from source."""
    built = sources.to_build(pins)
    return [pin for pin in pins if pin not in built]


def cached_locked(
    cache_dir: Path, pins: list[Pin], python: str, platforms: tuple[str, ...]
) -> Path:
    """The cache folder holding the wheel of every one of ``pins`` for the
    target (downloaded the first time); scripts/bench installs from it too."""
    listing = "".join(requirement_line(pin, pin.hashes) for pin in pins)
    key = hashlib.sha256(f"{listing}\n{python}\n{platforms}".encode()).hexdigest()[:24]
    return cache.entry(
        cache_dir, f"wheels-{key}", lambda folder: download_locked(pins, python, platforms, folder)
    )


def copy_checked(folder: Path, pins: list[Pin], out: Path) -> list[Path]:
    """Copy the cached wheels into the kit, each matching a locked hash."""
    allowed = {sha256: pin for pin in pins for sha256 in pin.hashes}
    out.mkdir(parents=True, exist_ok=True)
    copied = []
    for wheel in sorted(folder.iterdir()):
        if wheel.suffix != ".whl" or sha256_of(wheel) not in allowed:
            raise KitError(f"{wheel} in the wheel cache matches no hash in the lock: "
                           f"remove {folder} and build again")
        copied.append(Path(shutil.copy2(wheel, out / wheel.name)))
    return copied
