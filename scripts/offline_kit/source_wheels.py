"""Wheels the kit builds from locked sdists, reproducibly, cached by pin and target.

For a locked package PyPI publishes only as source (sources.FROM_SOURCE):
``pip download --require-hashes`` fetches its sdist, which is checked again
against the lock's hashes before it is unpacked; it is then built with
Debian's Python in a fresh venv holding only its build requirements, pinned
by requirements-dev.lock, with a clean environment (Debian's PATH, ``LC_ALL=C``,
``SOURCE_DATE_EPOCH`` from the sdist's PKG-INFO, ``PYTHONHASHSEED=0``, and
``-ffile-prefix-map`` so no build folder reaches the binary). The wheel and
``built.json`` (the sdist's name and hash, the wheel's hash, the tool chain)
go into a cache entry keyed by the pin, the target and the build
requirements, so a second kit reuses the same bytes.

It runs pip and Debian's Python; it installs nothing outside its scratch folder.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lockfile import Pin, normalized
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

from offline_kit import cache
from offline_kit.errors import KitError
from offline_kit.manifest import sha256_of
from offline_kit.sources import BUILD_PYTHON, FROM_SOURCE
from offline_kit.wheels import requirement_line

RECORD = "built.json"
VERSION_CALL = "import platform; print(platform.python_version())"
#: where the build's scratch folder appears in the binary (-ffile-prefix-map)
MAPPED_TO = "/build"
#: calls the sdist's PEP 517 backend; argv: backend, output folder
BACKEND_CALL = (
    "import importlib, sys\n"
    "module, _, attribute = sys.argv[1].partition(':')\n"
    "backend = importlib.import_module(module)\n"
    "for part in filter(None, attribute.split('.')):\n"
    "    backend = getattr(backend, part)\n"
    "backend.build_wheel(sys.argv[2])\n"
)


@dataclass(frozen=True)
class BuiltWheel:
    """One wheel the kit built, and what from."""

    pin: Pin
    wheel: Path
    sha256: str
    sdist: str
    sdist_sha256: str
    #: how it was built: Python, build requirements, Debian packages, environment
    built_with: dict[str, object]


def built_wheel(pin: Pin, python: str, dev_pins: dict[str, Pin], cache_dir: Path,
                tool_chain: dict[str, str]) -> BuiltWheel:
    """The wheel of ``pin`` built for ``python`` on this machine, from the cache or built now."""
    requires = build_requirements(pin, dev_pins)
    target = f"cp{python.replace('.', '')} linux_{platform.machine()}"
    keyed = "".join([requirement_line(pin, pin.hashes), target, "\n",
                     *(requirement_line(p, p.hashes) for p in requires)])
    key = hashlib.sha256(keyed.encode()).hexdigest()[:24]
    entry = cache.entry(cache_dir, f"built-{key}",
                        lambda folder: build(pin, python, requires, tool_chain, folder))
    return checked(pin, python, entry)


def build_requirements(pin: Pin, dev_pins: dict[str, Pin]) -> list[Pin]:
    unpinned = [name for name in FROM_SOURCE[pin.name].build_requires if name not in dev_pins]
    if unpinned:
        raise KitError(f"building {pin.name} needs {', '.join(unpinned)}, which "
                       f"requirements-dev.lock does not pin: add it to the build-system or "
                       f"test extra in pyproject.toml and run ./scripts/lock")
    return [dev_pins[name] for name in FROM_SOURCE[pin.name].build_requires]


def build(pin: Pin, python: str, requires: list[Pin], tool_chain: dict[str, str],
          out: Path) -> None:
    """Download, check and build ``pin``'s sdist into ``out`` with its ``built.json``."""
    with tempfile.TemporaryDirectory(prefix="kit-source-") as scratch_name:
        scratch = Path(scratch_name)
        sdist = download_sdist(pin, scratch / "download")
        sdist_sha256 = verified_sdist(pin, sdist)
        source, epoch = unpack(sdist, scratch / "source")
        backend = backend_of(pin, source)
        interpreter = build_environment(requires, scratch / "env")
        variables = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "PYTHONHASHSEED": "0",
            "SOURCE_DATE_EPOCH": str(epoch), "CFLAGS": f"-ffile-prefix-map={scratch}={MAPPED_TO}",
            "HOME": str(scratch), "TMPDIR": str(scratch),
        }
        run = subprocess.run(
            [str(interpreter), "-c", BACKEND_CALL, backend, str(scratch / "wheel")],
            cwd=source, env=variables, umask=0o022, capture_output=True, text=True, check=False,
        )
        wheels = list((scratch / "wheel").glob("*.whl")) if run.returncode == 0 else []
        if len(wheels) != 1:
            raise KitError(f"building {pin.name} {pin.version} from its sdist failed:\n"
                           f"{run.stdout[-2000:]}{run.stderr[-2000:]}")
        wheel = Path(shutil.copyfile(wheels[0], out / wheels[0].name))
        record = {
            "sdist": sdist.name, "sdist_sha256": sdist_sha256,
            "wheel": wheel.name, "wheel_sha256": sha256_of(wheel),
            "built_with": {
                "python": f"{BUILD_PYTHON} {python_version(interpreter)}",
                "python_packages": [f"{p.name}=={p.version}" for p in requires],
                "debian_packages": tool_chain,
                "environment": {name: variables[name] for name in
                                ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "LC_ALL")}
                               | {"CFLAGS": f"-ffile-prefix-map=BUILD-FOLDER={MAPPED_TO}"},
            },
        }
        (out / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def download_sdist(pin: Pin, folder: Path) -> Path:
    """The sdist of ``pin`` from PyPI, its hash checked by pip against the lock."""
    folder.mkdir()
    requirement = folder.with_name("sdist-requirement.txt")
    requirement.write_text(requirement_line(pin, pin.hashes), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary=:all:",
         "--no-build-isolation", "--require-hashes", "--disable-pip-version-check",
         "--dest", str(folder), "-r", str(requirement)],
        capture_output=True, text=True, check=False,
    )
    fetched = sorted(folder.iterdir())
    if run.returncode != 0 or len(fetched) != 1:
        raise KitError(f"downloading the sdist of {pin.name} {pin.version} failed:\n"
                       f"{run.stderr[-3000:]}")
    return fetched[0]


def verified_sdist(pin: Pin, sdist: Path) -> str:
    """The sdist's sha256, once it is known to be one the lock pins; else refuse."""
    sha256 = sha256_of(sdist)
    if sha256 not in pin.hashes:
        raise KitError(f"{sdist.name} has sha256 {sha256}, which requirements.lock does not "
                       f"pin for {pin.name} {pin.version}: it is not the reviewed source; "
                       "nothing was built")
    if not sdist.name.endswith(".tar.gz"):
        raise KitError(f"{sdist.name} is not a .tar.gz sdist; the kit builds only those")
    return sha256


def unpack(sdist: Path, folder: Path) -> tuple[Path, int]:
    """The sdist's top folder under ``folder``, and the time its PKG-INFO records."""
    with tarfile.open(sdist) as archive:
        members = archive.getmembers()
        tops = {member.name.split("/", 1)[0] for member in members}
        info = [m for m in members if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
        if len(tops) != 1 or len(info) != 1:
            raise KitError(f"{sdist.name} is not an sdist (one top folder holding PKG-INFO)")
        archive.extractall(folder, filter="data")
    return folder / tops.pop(), int(info[0].mtime)


def backend_of(pin: Pin, source: Path) -> str:
    """The sdist's build backend, once its declared build requirements are all provided."""
    pyproject = source / "pyproject.toml"
    recipe = FROM_SOURCE[pin.name]
    provided = set(recipe.build_requires) | set(recipe.from_debian)
    try:
        system = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("build-system", {}) \
            if pyproject.is_file() else {}
        declared = {normalized(Requirement(text).name) for text in system.get("requires", [])}
    except (ValueError, TypeError, AttributeError) as error:
        raise KitError(f"{pin.name} {pin.version}'s pyproject.toml has no readable "
                       f"build-system table ({error})") from None
    if declared - provided or "backend-path" in system:
        raise KitError(f"{pin.name} {pin.version} declares build requirements the kit does "
                       f"not provide ({', '.join(sorted(declared - provided)) or 'backend-path'}): "
                       "list them in scripts/offline_kit/sources.py")
    return str(system.get("build-backend", "setuptools.build_meta:__legacy__"))


def build_environment(requires: list[Pin], folder: Path) -> Path:
    """A venv of Debian's Python holding ``requires`` only; its interpreter."""
    made = subprocess.run([BUILD_PYTHON, "-I", "-m", "venv", "--without-pip", str(folder)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise KitError(f"{BUILD_PYTHON} could not make the build's venv:\n{made.stderr[-2000:]}")
    pinned = folder.with_name("build-requirements.txt")
    pinned.write_text("".join(requirement_line(pin, pin.hashes) for pin in requires),
                      encoding="utf-8")
    interpreter = folder / "bin" / "python"
    run = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(interpreter), "install", "--no-deps",
         "--only-binary=:all:", "--require-hashes", "--disable-pip-version-check", "--quiet",
         "-r", str(pinned)],
        capture_output=True, text=True, check=False,
    )
    if run.returncode != 0:
        raise KitError(f"installing the build requirements {', '.join(p.name for p in requires)} "
                       f"failed:\n{run.stderr[-3000:]}")
    return interpreter


def python_version(interpreter: Path) -> str:
    return subprocess.run([str(interpreter), "-I", "-c", VERSION_CALL],
                          capture_output=True, text=True, check=True).stdout.strip()


def checked(pin: Pin, python: str, entry: Path) -> BuiltWheel:
    """The cache entry's wheel, once it is the one its record names, of the locked sdist."""
    try:
        record = json.loads((entry / RECORD).read_text(encoding="utf-8"))
        wheel = entry / record["wheel"]
        name, version, _, tags = parse_wheel_filename(wheel.name)
        good = (
            sha256_of(wheel) == record["wheel_sha256"]
            and record["sdist_sha256"] in pin.hashes
            and (normalized(name), str(version)) == (pin.name, pin.version)
            and any(tag.interpreter == f"cp{python.replace('.', '')}" for tag in tags)
            and sorted(path.name for path in entry.iterdir()) == sorted([RECORD, wheel.name])
        )
    except (OSError, ValueError, KeyError, TypeError):
        good = False
    if not good:
        raise KitError(f"the cached build of {pin.name} {pin.version} in {entry} is not whole "
                       f"or not the locked one: remove {entry} and build again")
    return BuiltWheel(pin, wheel, record["wheel_sha256"], record["sdist"],
                      record["sdist_sha256"], record["built_with"])
