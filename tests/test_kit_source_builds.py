"""Wheels the offline kit builds from locked sdists (pyscard), tried like an attacker would.

The sdist pip fetches must be one the lock pins, checked again before it is
unpacked; a changed sdist or a lock pinning other bytes builds nothing. The
build is reproducible: two builds in different folders, with empty caches,
give the same wheel. A changed wheel in the cache is refused, never copied.
A machine lacking the build's Debian packages, or asked for a target it
cannot build for, is told what to do before anything is downloaded.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "scripts"))

from offline_kit import __main__ as offline_kit  # noqa: E402
from offline_kit import source_wheels, sources  # noqa: E402
from offline_kit.errors import KitError  # noqa: E402

from tests.lock_pins import pins_of  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pyscard():
    return pins_of(TOP / "requirements.lock")["pyscard"]


@pytest.fixture(scope="module")
def dev_pins():
    return pins_of(TOP / "requirements-dev.lock")


@pytest.fixture(scope="module")
def tool_chain(pyscard):
    return sources.check_can_build([pyscard], "3.11", ("manylinux_2_36_x86_64",))


def test_two_builds_in_other_folders_with_empty_caches_give_the_same_wheel(
    pyscard, dev_pins, tool_chain, tmp_path
):
    first = source_wheels.built_wheel(pyscard, "3.11", dev_pins, tmp_path / "c", tool_chain)
    second = source_wheels.built_wheel(pyscard, "3.11", dev_pins,
                                       tmp_path / "a" / "much" / "longer" / "cache", tool_chain)
    assert first.sha256 == second.sha256
    assert first.wheel.read_bytes() == second.wheel.read_bytes()
    assert first.sdist_sha256 in pyscard.hashes
    assert first.built_with["debian_packages"]["swig"] == tool_chain["swig"]

    # a wheel changed in the cache is refused, not copied into a kit
    data = bytearray(first.wheel.read_bytes())
    data[len(data) // 2] ^= 0x01
    first.wheel.write_bytes(bytes(data))
    with pytest.raises(KitError, match=r"the cached build of pyscard 2\.3\.1 in .* is not whole "
                                       r"or not the locked one: remove .* and build again"):
        source_wheels.built_wheel(pyscard, "3.11", dev_pins, tmp_path / "c", tool_chain)


def test_an_sdist_the_lock_does_not_pin_is_never_built(pyscard, dev_pins, tool_chain, tmp_path):
    # a lock pinning other bytes: pip refuses the download, nothing is cached
    other = dataclasses.replace(pyscard, hashes=("0" * 64,))
    with pytest.raises(KitError, match=r"downloading the sdist of pyscard 2\.3\.1 failed"
                                       r"(.|\n)*DO NOT MATCH THE HASHES"):
        source_wheels.built_wheel(other, "3.11", dev_pins, tmp_path / "cache", tool_chain)
    assert not any((tmp_path / "cache").glob("built-*"))

    # the sdist changed after pip checked it: refused before it is unpacked
    sdist = source_wheels.download_sdist(pyscard, tmp_path / "download")
    assert source_wheels.verified_sdist(pyscard, sdist) in pyscard.hashes
    data = bytearray(sdist.read_bytes())
    data[-100] ^= 0x01
    sdist.write_bytes(bytes(data))
    with pytest.raises(KitError, match=r"pyscard-2\.3\.1\.tar\.gz has sha256 [0-9a-f]{64}, which "
                                       r"requirements\.lock does not pin for pyscard 2\.3\.1: it "
                                       r"is not the reviewed source; nothing was built"):
        source_wheels.verified_sdist(pyscard, sdist)


def test_missing_build_packages_are_named_with_the_command_to_install_them(
    monkeypatch, capsys, tmp_path
):
    recipe = sources.FROM_SOURCE["pyscard"]
    monkeypatch.setitem(sources.FROM_SOURCE, "pyscard", dataclasses.replace(
        recipe, build_debs=(*recipe.build_debs, "ceremony-kit-selftest-absent")))
    assert offline_kit.main([str(tmp_path / "kit")]) == 1
    said = capsys.readouterr().err
    assert ("building pyscard 2.3.1 from source needs Debian packages not installed here: "
            "ceremony-kit-selftest-absent. Install them on this connected machine with "
            "`sudo apt-get install ceremony-kit-selftest-absent` (the laptop never needs them); "
            "no kit was written") in said
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options, refusal", [
    (["--platform", "manylinux_2_36_aarch64"],
     ("pyscard 2.3.1 has no wheel on PyPI for Linux and is built from source here, which gives "
      "wheels for this machine only (x86_64), not for manylinux_2_36_aarch64: build the kit on "
      "a Debian 12 machine of the laptop's architecture; no kit was written")),
    (["--python", "3.12"],
     ("pyscard 2.3.1 is built from source with /usr/bin/python3, Python 3.11 here, but the kit "
      "is for Python 3.12: build the kit on a machine whose /usr/bin/python3 is the laptop's "
      "Python; no kit was written")),
], ids=["other-architecture", "other-python"])
def test_a_target_this_machine_cannot_build_for_is_refused_at_once(tmp_path, options, refusal):
    run = subprocess.run([str(TOP / "scripts" / "offline-kit"), str(tmp_path / "kit"), *options],
                         capture_output=True, text=True, cwd=TOP, check=False)
    assert run.returncode == 1
    assert refusal in run.stderr
    assert "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []
