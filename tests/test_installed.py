"""The software digest: the tool's installed files and its lock, in one sha256.

It must be reproducible with coreutils alone, change with any byte, file or
lock, ignore Python's caches, be the same from the wheel as from the
installed files, and appear where a ceremony starts and in `ceremony version
--verbose`.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

from ceremony.cli import main
from ceremony.describe import describe, grouped
from ceremony.events import CeremonyStarted
from ceremony.installed import (
    LOCK_IN_ENVIRONMENT,
    digest_of,
    installed_digest,
    package_files,
    wheel_files,
)

TOP = Path(__file__).resolve().parent.parent


def make_packages(root: Path) -> Path:
    (root / "ceremony" / "engine" / "__pycache__").mkdir(parents=True)
    (root / "hsm").mkdir()
    (root / "ceremony" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    (root / "ceremony" / "engine" / "__init__.py").write_text("# engine\n")
    (root / "ceremony" / "engine" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0cache")
    (root / "ceremony" / "tui.tcss").write_text("Screen {}\n")
    (root / "hsm" / "__init__.py").write_text("# hsm\n")
    (root / "elsewhere.py").write_text("# not the tool's\n")
    return root


def sha256sum_listing(folder: Path, recorded: dict[str, bytes]) -> bytes:
    """The listing made with coreutils, as docs/runbooks/install-offline.md shows: site/,
    then ``recorded``."""
    for name, data in recorded.items():
        (folder / name).write_bytes(data)
    return subprocess.run(
        "cd site && find ceremony hsm -type f ! -path '*/__pycache__/*' | LC_ALL=C sort "
        "| xargs sha256sum && cd .. && sha256sum " + " ".join(recorded),
        shell=True, cwd=folder, capture_output=True, check=True,
    ).stdout


def test_the_digest_is_what_sha256sum_gives_for_the_listing(tmp_path):
    root = make_packages(tmp_path / "site")
    lock = b"pyyaml==6.0.4 --hash=sha256:" + b"c" * 64 + b"\n"
    listing = sha256sum_listing(tmp_path, {"requirements.lock": lock})
    assert digest_of(package_files(root), lock) == hashlib.sha256(listing).hexdigest()
    assert len(list(package_files(root))) == 4  # the cache and elsewhere.py left out


def test_a_kit_environment_adds_what_pip_was_told_after_the_lock(tmp_path):
    """install-requirements.txt pins wheels built from source, which the lock cannot."""
    root = make_packages(tmp_path / "site")
    lock = b"pyscard==2.3.1 --hash=sha256:" + b"a" * 64 + b"\n"
    asked = b"pyscard==2.3.1 --hash=sha256:" + b"b" * 64 + b"\n"
    listing = sha256sum_listing(tmp_path, {"requirements.lock": lock,
                                           "install-requirements.txt": asked})
    digest = digest_of(package_files(root), lock, asked)
    assert digest == hashlib.sha256(listing).hexdigest()
    assert digest != digest_of(package_files(root), lock)
    other_wheel = asked.replace(b"b" * 64, b"c" * 64)
    assert digest != digest_of(package_files(root), lock, other_wheel)


def test_one_changed_byte_an_added_file_or_another_lock_changes_it(tmp_path):
    root = make_packages(tmp_path)
    before = digest_of(package_files(root), b"lock\n")
    assert digest_of(package_files(root), b"lock!\n") != before
    assert digest_of(package_files(root), None) != before
    (root / "hsm" / "__init__.py").write_text("# hsm!\n")
    changed = digest_of(package_files(root), b"lock\n")
    assert changed != before
    (root / "hsm" / "extra.py").write_text("")
    assert digest_of(package_files(root), b"lock\n") != changed
    (root / "hsm" / "__pycache__").mkdir()
    (root / "hsm" / "__pycache__" / "extra.cpython-311.pyc").write_bytes(b"\0")
    (root / "hsm" / "extra.py").unlink()
    assert digest_of(package_files(root), b"lock\n") == changed


def test_a_wheel_gives_the_digest_its_installed_files_give(tmp_path):
    root = make_packages(tmp_path / "site")
    wheel = tmp_path / "ceremony-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in reversed(list(package_files(root))):
            archive.writestr(name, data)
        archive.writestr("ceremony/engine/", b"")
        archive.writestr("ceremony-0.1.0.dist-info/RECORD", b"not the tool's files\n")
    assert digest_of(wheel_files(wheel), b"l\n") == digest_of(package_files(root), b"l\n")


def test_this_environment_records_the_lock_it_was_made_from():
    found = installed_digest()
    assert found.lock_path == str(Path(sys.prefix) / LOCK_IN_ENVIRONMENT)
    assert Path(found.lock_path).read_bytes() == (TOP / "requirements.lock").read_bytes()
    assert found.files == len(list(package_files(TOP)))


def test_version_verbose_prints_the_digest(capsys):
    assert main(["version"]) == 0
    assert capsys.readouterr().out == "ceremony 0.1.0\n"
    assert main(["version", "--verbose"]) == 0
    out = capsys.readouterr().out
    found = installed_digest()
    assert f"software digest {grouped(found.digest)}\n" in out
    assert f"lock {found.lock_path}, sha256 {grouped(found.lock_sha256)}" in out


def test_a_ceremony_shows_the_digest_at_its_start():
    started = CeremonyStarted(
        ceremony_id="20270101T000000Z-x", kind="bootstrap", flavor="tuf", title="t",
        script_sha256="a" * 64, rehearsal=False, tool_version="0.1.0", software_digest="b" * 64,
    )
    assert f"  software digest {grouped('b' * 64)}" in describe(started).splitlines()
    assert started.record()["software_digest"] == "b" * 64
