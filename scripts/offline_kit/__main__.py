"""``scripts/offline-kit DIR``: the offline kit for the air-gapped laptop.

Run on a connected Debian 12 machine. It builds, in a new folder DIR: wheels/
(the tool's own wheel from the last commit and every wheel requirements.lock
pins, for CPython 3.11 on x86_64 Linux unless --python/--platform say
otherwise; the few PyPI has only as source are built here from their locked
sdists), debs/ (the Debian packages the tool uses at run time with their
dependencies; softhsm2 too with --rehearsal-tools), install.sh,
requirements.lock, install-requirements.txt, KIT.json, a README for the
operator, and SHA256SUMS. Two builds of one commit give identical files.
The kit appears whole or not at all; downloads and built wheels are cached
under the user's cache folder.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lockfile import DEV_LOCK, RUNTIME_LOCK, Pin, read_pins

from offline_kit import cache, manifest, source_wheels, sources, wheels
from offline_kit import debs as debian
from offline_kit.errors import KitError

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP))

from ceremony.installed import digest_of, wheel_files  # noqa: E402

INSTALL_SH = Path(__file__).with_name("install.sh")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="offline-kit", description=__doc__.split("\n\n")[1])
    parser.add_argument("dir", type=Path, metavar="DIR", help="a new folder for the kit")
    parser.add_argument("--python", default=wheels.DEFAULT_PYTHON, metavar="X.Y",
                        help="the laptop's Python (default 3.11, Debian 12's)")
    parser.add_argument("--platform", action="append", metavar="TAG",
                        help="a wheel platform tag the laptop accepts (repeat; default "
                             "manylinux_2_36_x86_64 and older)")
    parser.add_argument("--rehearsal-tools", action="store_true",
                        help="add softhsm2, for rehearsals with a software PKCS#11 token")
    parser.add_argument("--commit", default="HEAD", help="the commit to build (default HEAD)")
    parser.add_argument("--cache", type=Path, default=cache.default_folder(), metavar="DIR",
                        help="where downloads are kept between builds")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        facts = build(args)
    except (KitError, OSError, subprocess.CalledProcessError) as error:
        print(f"offline-kit: {error}; no kit was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\noffline-kit: interrupted; no kit was written", file=sys.stderr)
        return 130
    print(f"Kit built in {args.dir}: {facts['files']} files, {facts['size'] / 1e6:.1f} MB "
          f"(wheels {facts['wheels_size'] / 1e6:.1f} MB, debs {facts['debs_size'] / 1e6:.1f} MB)")
    print(f"  from commit {facts['commit']}")
    print(f"  sha256 of SHA256SUMS: {manifest.grouped(facts['sums_sha256'])}")
    print(f"  software digest:      {manifest.grouped(facts['digest'])}")
    return 0


def build(args: argparse.Namespace) -> dict:
    out: Path = args.dir.absolute()
    if out.exists() or out.is_symlink():
        raise KitError(f"{out} already exists: name a new folder (nothing is overwritten)")
    if not out.parent.is_dir():
        raise KitError(f"{out.parent} does not exist: make it first")
    if debian.debian_release() != "debian 12":
        raise KitError(f"this machine runs {debian.debian_release()}; the kit's Debian packages "
                       "must come from Debian 12 (bookworm): build it on Debian 12")
    try:
        commit = wheels.git(TOP, "rev-parse", "--verify", f"{args.commit}^{{commit}}")
        lock_text = wheels.git(TOP, "show", f"{commit}:{RUNTIME_LOCK}") + "\n"
        dev_lock_text = wheels.git(TOP, "show", f"{commit}:{DEV_LOCK}") + "\n"
    except subprocess.CalledProcessError:
        raise KitError(f"{args.commit!r} is not a commit holding {RUNTIME_LOCK} "
                       f"and {DEV_LOCK}") from None
    platforms = tuple(args.platform or wheels.DEFAULT_PLATFORMS)
    tool_chain = sources.check_can_build(sources.to_build(read_pins(lock_text)),
                                         args.python, platforms)
    if wheels.git(TOP, "status", "--porcelain", "--untracked-files=no"):
        print(f"offline-kit: the kit holds commit {commit[:12]}; uncommitted changes are left out",
              file=sys.stderr)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        facts = assemble(args, scratch, commit, lock_text, dev_lock_text, tool_chain)
        scratch.chmod(0o755)
        scratch.rename(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return facts


def assemble(args: argparse.Namespace, kit: Path, commit: str, lock_text: str,
             dev_lock_text: str, tool_chain: dict[str, str]) -> dict:
    platforms = tuple(args.platform or wheels.DEFAULT_PLATFORMS)
    lock_bytes = lock_text.encode()
    (kit / RUNTIME_LOCK).write_bytes(lock_bytes)
    pins = read_pins(lock_text)
    purposes = {RUNTIME_LOCK: "the pinned Python dependencies, with their sha256 hashes"}

    own = wheels.build_own_wheel(TOP, commit, kit / "wheels")
    name, version = own.name.split("-")[:2]
    purposes[f"wheels/{own.name}"] = f"the tool itself, {name} {version}, built from the commit"
    cache.prune(args.cache)
    locked = add_locked_wheels(args, platforms, pins, kit, purposes)
    built = add_built_wheels(args, pins, read_pins(dev_lock_text), tool_chain, kit, purposes)
    wanted = dict(sources.runtime_debs([wheel.pin for wheel in built]), **debian.RUNTIME,
                  **(debian.REHEARSAL_TOOLS if args.rehearsal_tools else {}))
    packages = add_debs(args, wanted, kit, purposes)

    shutil.copyfile(INSTALL_SH, kit / "install.sh")
    (kit / "install.sh").chmod(0o755)
    requirements = wheels.install_requirements(
        f"{name}=={version} --hash=sha256:{manifest.sha256_of(own)}\n", pins,
        {wheel.pin.name: (wheel.sha256, built_from(wheel)) for wheel in built},
    ).encode()
    (kit / "install-requirements.txt").write_bytes(requirements)
    digest = digest_of(wheel_files(own), lock_bytes, requirements)
    facts = {
        "format": 1,
        "tool": {"name": name, "version": version, "wheel": f"wheels/{own.name}",
                 "software_digest": digest},
        "source": {"commit": commit,
                   "commit_time": manifest.commit_time(
                       wheels.git(TOP, "log", "-1", "--format=%ct", commit)
                   )},
        "lock": {"file": RUNTIME_LOCK, "sha256": hashlib.sha256(lock_bytes).hexdigest()},
        "python": {"version": args.python, "platforms": list(platforms)},
        "built_from_source": [{
            "name": wheel.pin.name, "version": wheel.pin.version,
            "wheel": f"wheels/{wheel.wheel.name}", "sha256": wheel.sha256,
            "sdist": wheel.sdist, "sdist_sha256": wheel.sdist_sha256,
            "built_with": wheel.built_with,
            "needs_debian_packages": sorted(sources.FROM_SOURCE[wheel.pin.name].runtime_debs),
        } for wheel in built],
        "debian": {"release": "12 (bookworm)", "asked_for": sorted(wanted),
                   "rehearsal_tools": bool(args.rehearsal_tools)},
    }
    purposes.update({
        "install.sh": "installs the kit on the offline laptop: ./install.sh VENV_DIR",
        "install-requirements.txt": "what install.sh asks pip for, every item hash-pinned",
        "README.txt": "how to check, carry and install the kit",
        "KIT.json": "this file: versions, the source commit, what each file is for",
        "SHA256SUMS": "the sha256 of every other file; install.sh checks them all first",
    })
    (kit / "KIT.json").write_text(manifest.kit_json(facts, purposes), encoding="utf-8")
    (kit / "README.txt").write_text(
        manifest.readme(facts, debs=len(packages), wheels=len(locked) + len(built) + 1),
        encoding="utf-8",
    )
    sums_sha256 = manifest.write_sums(kit)
    files = manifest.kit_files(kit)
    size = sum((kit / name).stat().st_size for name in files)
    return {
        "commit": commit, "digest": digest, "sums_sha256": sums_sha256, "files": len(files),
        "size": size,
        "wheels_size": sum(p.stat().st_size for p in (kit / "wheels").iterdir()),
        "debs_size": sum(p.stat().st_size for p in (kit / "debs").iterdir()),
    }


def add_locked_wheels(args: argparse.Namespace, platforms: tuple[str, ...], pins: list[Pin],
                      kit: Path, purposes: dict[str, str]) -> list[Path]:
    """Every locked wheel PyPI publishes for the target, from the cache, checked."""
    downloaded = wheels.published(pins)
    cached = wheels.cached_locked(args.cache, downloaded, args.python, platforms)
    locked = wheels.copy_checked(cached, downloaded, kit / "wheels")
    for wheel in locked:
        project, release = wheel.name.split("-")[:2]
        purposes[f"wheels/{wheel.name}"] = f"Python package {project} {release} (locked)"
    return locked


def built_from(wheel: source_wheels.BuiltWheel) -> str:
    return f"built from sdist {wheel.sdist} sha256 {wheel.sdist_sha256}"


def add_built_wheels(args: argparse.Namespace, pins: list[Pin], dev_pins: list[Pin],
                     tool_chain: dict[str, str], kit: Path,
                     purposes: dict[str, str]) -> list[source_wheels.BuiltWheel]:
    """The wheels built here from locked sdists (from the cache when built before)."""
    built = []
    for pin in sources.to_build(pins):
        wheel = source_wheels.built_wheel(pin, args.python, {p.name: p for p in dev_pins},
                                          args.cache, tool_chain)
        copy = Path(shutil.copyfile(wheel.wheel, kit / "wheels" / wheel.wheel.name))
        if manifest.sha256_of(copy) != wheel.sha256:
            raise KitError(f"{wheel.wheel} changed while it was copied: build again")
        purposes[f"wheels/{copy.name}"] = (f"Python package {pin.name} {pin.version} (locked), "
                                           f"{built_from(wheel)}")
        built.append(wheel)
    return built


def add_debs(args: argparse.Namespace, wanted: dict[str, str], kit: Path,
             purposes: dict[str, str]) -> list[debian.Deb]:
    """``wanted`` and their closure, from the cache, each checked against apt's lists."""
    packages = debian.resolve(wanted)
    cached_debs = cache.entry(args.cache, f"debs-{debian.cache_key(packages)}",
                              lambda folder: debian.download(packages, folder))
    (kit / "debs").mkdir()
    for deb in packages:
        if manifest.sha256_of(cached_debs / deb.filename) != deb.sha256:
            raise KitError(f"{cached_debs / deb.filename} is not the package apt lists: "
                           f"remove {cached_debs} and build again")
        shutil.copyfile(cached_debs / deb.filename, kit / "debs" / deb.filename)
        purposes[f"debs/{deb.filename}"] = f"Debian package {deb.name} {deb.version}: {deb.purpose}"
    return packages


if __name__ == "__main__":
    sys.exit(main())
