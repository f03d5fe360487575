"""A regular install of the working tree in a temporary folder, for scripts/bench.

The development venv (.venv) installs the tool editable: every interpreter
started there loads setuptools' editable finder first, which is not what an
operator runs. The benchmarks run instead in a fresh venv holding the tool's
own wheel, built from the working tree, and the wheel of every pin of
requirements.lock from the offline kit's download cache (the same wheels a
kit carries, fetched once and checked against the lock's hashes by pip). The
few pins the kit builds from source (pyscard, for YubiKeys) are left out:
nothing the benchmarks time uses them. Like .venv, the install keeps a copy
of requirements.lock, which `ceremony version --verbose` reads.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOP = HERE.parent
sys.path.insert(0, str(HERE))

from lockfile import RUNTIME_LOCK, read_pins  # noqa: E402
from offline_kit import cache, wheels  # noqa: E402


def pip(*args: str, into: Path | None = None) -> None:
    """Run the development venv's pip (on the interpreter ``into``); show its
    output only when it fails."""
    where = ["--python", str(into)] if into else []
    run = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *where, *args],
        capture_output=True, text=True,
    )
    if run.returncode != 0:
        raise SystemExit(
            f"bench: pip {' '.join(args[:1])} failed:\n{run.stdout[-2000:]}{run.stderr[-2000:]}"
        )


def copy_of_tree(folder: Path) -> Path:
    """The working tree's files as git sees them (changes included, ignored
    files left out), copied into ``folder``: building there leaves no build/
    folder behind and no stale file gets into the wheel."""
    listed = subprocess.run(
        ["git", "-C", str(TOP), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        origin = TOP / name
        if origin.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, folder / name)
    return folder


def regular_install(folder: Path) -> Path:
    """Make the venv in ``folder`` (a new folder), or in one made before
    refresh the tool's own wheel only; returns its python."""
    target = folder / "bin" / "python"
    if not target.exists():
        install_locked(folder)
    with tempfile.TemporaryDirectory(prefix="bench-wheel-") as scratch:
        source = copy_of_tree(Path(scratch, "source"))
        pip("wheel", "--no-deps", "--no-build-isolation", "--no-index",
            "--wheel-dir", str(Path(scratch, "out")), str(source))
        (own,) = Path(scratch, "out").glob("ceremony-*.whl")
        pip("install", "--no-deps", "--no-index", "--force-reinstall", str(own), into=target)
    return target


def install_locked(folder: Path) -> None:
    """A new venv in ``folder`` with every published pin of requirements.lock."""
    pins = read_pins((TOP / RUNTIME_LOCK).read_text(encoding="utf-8"))
    published = wheels.published(pins)
    platforms = wheels.DEFAULT_PLATFORMS
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    locked = wheels.cached_locked(cache.default_folder(), published, python, platforms)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    with tempfile.TemporaryDirectory(prefix="bench-lock-") as scratch:
        requirements = Path(scratch, "requirements.txt")
        requirements.write_text(
            "".join(wheels.requirement_line(pin, pin.hashes) for pin in published),
            encoding="utf-8",
        )
        pip("install", "--no-deps", "--no-index", "--require-hashes",
            "--find-links", str(locked), "-r", str(requirements), into=folder / "bin" / "python")
    share = folder / "share" / "ceremony"
    share.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TOP / RUNTIME_LOCK, share / RUNTIME_LOCK)


if __name__ == "__main__":
    print(regular_install(Path(sys.argv[1])))
