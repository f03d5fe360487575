"""The offline kit, built here and installed inside a network namespace with no network.

One kit is built per run with scripts/offline-kit (downloads are cached under
the user's cache folder, keyed by the lock, so only a first run reaches
PyPI and Debian). Installing it with `unshare --net` ends in a fresh venv
where `ceremony rehearse` completes and its bundles verify, all with no
network; the digest install.sh prints is the one each ceremony shows and
records. A kit with one changed byte, a missing file, an extra wheel or a
link is refused before anything is installed. Two builds of one commit give
identical SHA256SUMS. Debian packages the machine lacks are shown and asked
for, and installed with dpkg -i only when the operator says yes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hsm.age import passphrase_work_factor

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "scripts"))

from lockfile import normalized, read_pins  # noqa: E402
from offline_kit.manifest import write_sums  # noqa: E402

from tests.lock_pins import applies, pins_of  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _the_kits_bytes_alone():
    """The kit and its venv run with no PYTHONPATH: nothing from the checkout, not even
    the tests' quick scrypt (tests/quick_scrypt), so its rehearsal seals every key at
    the tool's own work factor, as on the room's machine."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHONPATH", raising=False)
        patch.setenv("CEREMONY_TEST_SCRYPT", "real")
        yield
SELFTEST_PACKAGE = "ceremony-kit-selftest"

#: run inside `unshare --net`: $1 kit, $2 venv, $3 rehearsal folder
INSTALL_AND_REHEARSE = r"""
set -euo pipefail
python3 -c 'import socket; print("interfaces:", *sorted(n for _, n in socket.if_nameindex()))'
bash "$1/install.sh" "$2"
"$2/bin/ceremony" version --verbose
"$2/bin/python" -c 'from smartcard import scard
result, _ = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
print("pyscard reaches PC/SC:", scard.SCardGetErrorMessage(result))'
"$2/bin/ceremony" rehearse --out "$3"
for bundle in "$3"/[0-9]-*/; do "$2/bin/ceremony" verify "$bundle"; done
"""


def build_kit(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TOP / "scripts" / "offline-kit"), str(folder)],
        capture_output=True, text=True, check=True, cwd=TOP,
    )


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kit") / "kit"
    build_kit(folder)
    return folder


def install(kit: Path, venv: Path, *options: str, stdin=subprocess.DEVNULL, network=False):
    command = ["bash", str(kit / "install.sh"), str(venv), *options]
    return subprocess.run(
        command if network else ["unshare", "--net", *command],
        capture_output=True, text=True, stdin=stdin,
    )


def kit_facts(kit: Path) -> dict:
    return json.loads((kit / "KIT.json").read_text())


def test_installed_with_no_network_it_rehearses_and_every_bundle_verifies(
        kit, tmp_path, real_scrypt):
    venv, out = tmp_path / "venv", tmp_path / "rehearsal"
    run = subprocess.run(
        ["unshare", "--net", "bash", "-c", INSTALL_AND_REHEARSE, "-",
         str(kit), str(venv), str(out)],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "interfaces: lo\n" in run.stdout
    # the wheel built from source loads its C extension and libpcsclite (pcscd may be down)
    assert re.search(
        r"^pyscard reaches PC/SC: (Command successfully completed|Service not available)\.$",
        run.stdout, re.MULTILINE,
    ), run.stdout[-3000:]
    assert "Rehearsal complete: 4 ceremonies" in run.stdout
    bundles = sorted(out.glob("[0-9]-*/"))
    assert len(bundles) == 4
    assert run.stdout.count(": every check holds") >= 4 + len(bundles)
    # sealed at the tool's own scrypt work factor, as the room's machine seals
    sealed = [path.read_bytes() for path in out.rglob("*.age")]
    factors = {passphrase_work_factor(data) for data in sealed if b"\n-> scrypt " in data}
    assert factors == {real_scrypt}, factors

    # the digest install.sh read aloud is the one every ceremony showed and recorded
    recorded = kit_facts(kit)["tool"]["software_digest"]
    aloud = run.stdout.split("Software digest: read it aloud.")[1].split("\n", 2)[2]
    assert "".join(re.findall(r"[0-9a-f]{4}", aloud.split("\nceremony ")[0])) == recorded
    shown = re.findall(r"^ *software digest ([0-9a-f ]+)$", run.stdout, re.MULTILINE)
    assert len(shown) == 4 + 1  # four ceremonies, and `ceremony version --verbose`
    assert {line.replace(" ", "") for line in shown} == {recorded}
    for bundle in bundles:
        started = json.loads((bundle / "transcript.jsonl").read_text().splitlines()[0])
        assert started["event"] == "ceremony-started"
        assert started["software_digest"] == recorded

    # the digest covers what pip was told, which pins the wheels built from source
    kept = venv / "share" / "ceremony" / "install-requirements.txt"
    assert kept.read_bytes() == (kit / "install-requirements.txt").read_bytes()
    assert f"  wheels installed as {kept} pins them, sha256 " in run.stdout

    # the venv runs the kit's bytes: its own wheel and the lock, nothing from the checkout
    site_packages = f"{venv}/lib/python3.11/site-packages"
    assert f"files of the ceremony and hsm packages in {site_packages}" in run.stdout
    freeze = subprocess.run([venv / "bin" / "python", "-m", "pip", "freeze"],
                            capture_output=True, text=True, check=True).stdout.split()
    locked = [f"{pin.name}=={pin.version}"
              for pin in pins_of(kit / "requirements.lock").values() if applies(pin)]
    installed = [normalized(name) + "==" + version
                 for name, _, version in (line.partition("==") for line in freeze)]
    assert sorted(installed) == sorted(["ceremony==0.1.0", *locked])


@pytest.mark.parametrize(
    "damage, refusal",
    [
        ("one byte changed in a wheel",
         "these files differ from SHA256SUMS:\n  wheels/cryptography-"),
        ("a missing file",
         "files listed in SHA256SUMS are missing from the kit:\n  debs/libzbar0_"),
        ("an extra wheel",
         "the kit holds files that SHA256SUMS does not list:\n  wheels/evil-1.0-py3"),
        ("a link",
         "the kit holds entries that are not plain files (links, pipes, devices):\n  README"),
        ("SHA256SUMS changed", "SHA256SUMS has a line that is not 'sha256  file'"),
    ],
    ids=["changed-byte", "missing-file", "extra-wheel", "link", "sums-changed"],
)
def test_a_changed_kit_is_refused_and_nothing_is_installed(kit, tmp_path, damage, refusal):
    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    if damage == "one byte changed in a wheel":
        (wheel,) = copy.glob("wheels/cryptography-*.whl")
        data = bytearray(wheel.read_bytes())
        data[len(data) // 2] ^= 0x01
        wheel.write_bytes(bytes(data))
    elif damage == "a missing file":
        next(copy.glob("debs/libzbar0_*.deb")).unlink()
    elif damage == "an extra wheel":
        shutil.copy(next(copy.glob("wheels/tuf-*.whl")),
                    copy / "wheels" / "evil-1.0-py3-none-any.whl")
    elif damage == "a link":
        (copy / "README.txt").unlink()
        (copy / "README.txt").symlink_to(kit / "README.txt")
    else:
        with (copy / "SHA256SUMS").open("a") as sums:
            sums.write(f"{'0' * 64}  ../../etc/passwd\n")
    venv = tmp_path / "venv"
    run = install(copy, venv, "--yes")
    assert run.returncode == 1
    assert refusal in run.stderr
    assert "nothing was installed" in run.stderr
    assert "Debian packages" not in run.stdout
    assert not venv.exists()


def test_two_builds_of_one_commit_are_identical(kit, tmp_path):
    again = tmp_path / "again"
    report = build_kit(again)
    assert (again / "SHA256SUMS").read_bytes() == (kit / "SHA256SUMS").read_bytes()
    sums = (kit / "SHA256SUMS").read_text()
    assert "  sha256 of SHA256SUMS: " in report.stdout
    facts = kit_facts(kit)
    listed = sorted(line[66:] for line in sums.splitlines())
    assert sorted(set(facts["files"]) - {"SHA256SUMS"}) == listed
    assert facts["tool"]["wheel"] in listed
    assert {"libzbar0", "opensc", "ykcs11", "pcscd"} <= set(facts["debian"]["asked_for"])
    assert not any("softhsm" in name for name in listed)  # only with --rehearsal-tools
    assert {"libpcsclite1", "pcscd"} <= {name.split("/")[1].split("_")[0]
                                         for name in listed if name.startswith("debs/")}
    size = sum((kit / name).stat().st_size for name in listed)
    assert size < 100 * 10**6, f"the kit is {size / 1e6:.1f} MB, over the 100 MB budget"


@pytest.fixture
def kit_with_a_missing_package(kit, tmp_path):
    """The kit plus one small Debian package this machine does not have."""
    subprocess.run(["dpkg", "--purge", SELFTEST_PACKAGE], capture_output=True)
    package = tmp_path / "package"
    (package / "DEBIAN").mkdir(parents=True)
    (package / "DEBIAN" / "control").write_text(
        f"Package: {SELFTEST_PACKAGE}\nVersion: 1.0\nArchitecture: all\n"
        "Maintainer: ceremony tests <tests@example.invalid>\n"
        "Description: an empty package the offline-kit tests install and remove\n"
    )
    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(package),
         str(copy / "debs" / f"{SELFTEST_PACKAGE}_1.0_all.deb")],
        capture_output=True, check=True,
    )
    write_sums(copy)
    yield copy
    subprocess.run(["dpkg", "--purge", SELFTEST_PACKAGE], capture_output=True)


def test_a_package_pypi_has_only_as_source_is_built_from_the_locked_sdist_and_pinned(kit):
    """pyscard: its sdist's hash is the lock's, its wheel's hash the one pip is told."""
    facts = kit_facts(kit)
    (built,) = facts["built_from_source"]
    assert (built["name"], built["version"]) == ("pyscard", "2.3.1")
    assert built["sdist"] == "pyscard-2.3.1.tar.gz"
    assert built["sdist_sha256"] in pins_of(kit / "requirements.lock")["pyscard"].hashes
    wheel = kit / built["wheel"]
    assert wheel.name == "pyscard-2.3.1-cp311-cp311-linux_x86_64.whl"
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == built["sha256"]
    assert built["sha256"] not in pins_of(kit / "requirements.lock")["pyscard"].hashes
    assert facts["files"][built["wheel"]] == (
        f"Python package pyscard 2.3.1 (locked), built from sdist pyscard-2.3.1.tar.gz "
        f"sha256 {built['sdist_sha256']}"
    )
    # the tool chain: the build's Debian packages and all they depend on, with versions
    assert {"gcc", "python3-dev", "swig", "libpcsclite-dev", "pkgconf", "gcc-12", "binutils",
            "libpython3.11-dev"} <= set(built["built_with"]["debian_packages"])
    assert built["needs_debian_packages"] == ["libpcsclite1", "pcscd"]

    # pip is told the built wheel's hash, and every other pin the lock's own hashes
    asked = {pin.name: pin for pin in read_pins((kit / "install-requirements.txt").read_text())}
    assert asked.pop("pyscard").hashes == (built["sha256"],)
    assert asked.pop("ceremony").version == "0.1.0"
    locked = pins_of(kit / "requirements.lock")
    del locked["pyscard"]
    assert {name: (pin.version, pin.marker, pin.hashes) for name, pin in asked.items()} == {
        name: (pin.version, pin.marker, pin.hashes) for name, pin in locked.items()}


def installed(package: str) -> bool:
    status = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}", package],
                            capture_output=True, text=True).stdout
    return status == "installed"


def test_missing_debian_packages_are_asked_for_before_anything_changes(
    kit_with_a_missing_package, tmp_path
):
    kit, venv = kit_with_a_missing_package, tmp_path / "venv"
    unasked = install(kit, venv)
    assert unasked.returncode == 1
    assert (
        f"These 1 Debian packages from the kit are not installed:\n  {SELFTEST_PACKAGE} 1.0"
        in unasked.stdout
    )
    assert "Run again with --yes to install them. Nothing was installed." in unasked.stderr

    primary, secondary = os.openpty()
    try:
        os.write(primary, b"no\n")
        refused = install(kit, venv, stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert refused.returncode == 1
    assert "Install them with dpkg -i? Type yes to go on:" in refused.stderr
    assert "stopped at your word; nothing was installed" in refused.stderr
    assert not installed(SELFTEST_PACKAGE) and not venv.exists()

    agreed = install(kit, venv, "--yes")
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    assert installed(SELFTEST_PACKAGE)
    assert (venv / "bin" / "ceremony").exists()
