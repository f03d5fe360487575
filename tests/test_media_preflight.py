"""Preflight of the media a ceremony writes to, on real devices.

Each output (the bundle, each custody copy, the share sheets) is named by the
device it is on, as people check it by eye, and a production ceremony
refuses the system disk, memory (tmpfs) and two outputs on one device unless
the script says ``output-media: any-device``; a rehearsal may use folders; a
folder inside the kernel's own filesystems (/proc) is refused always. What
could fail half-way is refused before anything is done: a key name too long
for a file name, too little free space. The leftovers of an earlier attempt
are named with the command that removes them. The media are real: the test
machine's own disk, a tmpfs, and ext4 filesystems with labels on loop
devices (tests/media_devices.py), each unmounted after; a ceremony run on
one records its medium, label included, in the sealed transcript.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest
from media_devices import loop_medium, tmpfs
from test_dct_fleet_size import bootstrap, gun, server_keys
from test_recover import small_room
from test_run_headless import PASS, small_bootstrap
from witness import witnessed

from ceremony.cli import main
from ceremony.cli.clean import clean_command
from ceremony.devices import device_of
from ceremony.engine import media_preflight
from ceremony.engine.preflight import preflight
from ceremony.errors import CeremonyError
from ceremony.script.load import load_script
from ceremony.script.yamlload import NAME_MAX
from ceremony.verify import verify_bundle

ANY_DEVICE = "output-media: any-device\n"
SYSTEM_DISK = (
    "{out} is on the system disk of this laptop, which must not keep ceremony outputs: mount "
    "a removable medium and name it (or, knowingly, `output-media: any-device` in the script)"
)
IN_MEMORY = (
    "{out} is in memory (tmpfs): it is lost when the machine is switched off; write to a "
    "removable medium (or, knowingly, `output-media: any-device` in the script)"
)
LOOP_WORDS = "loop device {disk} backed by {image} (16.8 MB, label {label}, ext4)"


def production(folder: Path, output: str = "out", extra: str = "") -> Path:
    """small_bootstrap without ``output-media: any-device``: the default, removable."""
    script = small_bootstrap(folder, output=output, extra=extra)
    script.write_text(script.read_text().replace(ANY_DEVICE, ""))
    return script


def failures(script: Path) -> dict[str, str]:
    return {c.check: c.detail for c in preflight(load_script(script)).failures}


def line(script: Path, check: str) -> tuple[bool, str]:
    (found,) = [c for c in preflight(load_script(script)).checks if c.check == check]
    return found.ok, found.detail


@pytest.fixture(autouse=True)
def passphrases(monkeypatch):
    """The scripts' passphrases, from the environment (preflight checks they are set)."""
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


# -- where the bundle goes --------------------------------------------------------


def test_the_system_disk_is_refused_in_production_and_named_with_any_device(tmp_path, capsys):
    assert os.stat(tmp_path).st_dev == os.stat("/").st_dev, "tmp_path must be on the system disk"
    out = tmp_path / "out"
    script = production(tmp_path)
    assert main(["validate", str(script)]) == 1
    printed, err = capsys.readouterr()
    assert f"   [FAIL] medium of the bundle: {SYSTEM_DISK.format(out=out)}" in printed.splitlines()
    assert err.strip() == "ceremony: 1 preflight problem(s); nothing was done"
    assert failures(script) == {"medium of the bundle": SYSTEM_DISK.format(out=out)}

    script = small_bootstrap(tmp_path)  # output-media: any-device
    assert main(["validate", str(script)]) == 0
    printed = capsys.readouterr().out
    words = device_of(out).words()
    filesystem = subprocess.run(
        ["findmnt", "-n", "-o", "FSTYPE", "--target", str(tmp_path)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert words.startswith("the system disk") and words.endswith(f"{filesystem})")
    assert f"   [ok] medium of the bundle: {words}" in printed.splitlines()
    assert not out.exists()


def test_memory_is_refused_in_production_and_allowed_in_a_rehearsal(tmp_path):
    with tmpfs(tmp_path / "ram"):
        out = tmp_path / "ram" / "out"
        script = production(tmp_path, output="ram/out")
        assert failures(script) == {"medium of the bundle": IN_MEMORY.format(out=out)}
        script = production(tmp_path, output="ram/out", extra="rehearsal: true\n")
        assert failures(script) == {}
        assert line(script, "medium of the bundle") == (
            True, "memory (tmpfs): lost when the machine is switched off"
        )


@pytest.mark.parametrize("extra", ["rehearsal: true\n", ANY_DEVICE, ""])
def test_a_folder_in_proc_is_refused_even_in_a_rehearsal(tmp_path, extra):
    script = production(tmp_path, output="/proc/ceremony-out", extra=extra)
    assert failures(script) == {
        "medium of the bundle": "/proc/ceremony-out is inside /proc (proc), a view of the "
        "kernel, not a medium: name a folder on the removable medium"
    }  # and no "free some room" advice for /proc
    assert not Path("/proc/ceremony-out").exists()


def test_a_labelled_removable_medium_passes_and_the_sealed_transcript_names_it(tmp_path, capsys):
    image = tmp_path / "usb.img"
    with loop_medium(image, tmp_path / "usb", label="CEREMONY-A") as (folder, disk):
        words = LOOP_WORDS.format(disk=disk, image=image, label="CEREMONY-A")
        script = production(tmp_path, output="usb/out")
        assert failures(script) == {}
        assert line(script, "medium of the bundle") == (True, words)

        assert main(witnessed(["run", str(script), "--yes"])) == 0
        assert f"   [ok] medium of the bundle: {words}" in capsys.readouterr().out.splitlines()
        bundle = folder / "out"
        assert verify_bundle(bundle).ok
        lines = [json.loads(x) for x in (bundle / "transcript.jsonl").read_text().splitlines()]
        (medium,) = [e for e in lines if e["event"] == "preflight-checked"
                     and e["check"] == "medium of the bundle"]
        assert (medium["ok"], medium["detail"]) == (True, words)


# -- two outputs on one device ---------------------------------------------------

CUSTODY = (
    "  media: [{copy_a}, usb-b/media-b]\n  sheets: {sheets}\n  shares: {{threshold: 2, of: 3}}\n"
)


@pytest.mark.parametrize(
    "shared, what, copy_a, sheets",
    [
        ("custody copy", "the custody copy", "usb/media-a", "usb-s/sheets"),
        ("share sheets", "the share sheets", "usb-a/media-a", "usb/sheets"),
    ],
)
def test_the_bundle_and_a_custody_output_on_one_device(tmp_path, shared, what, copy_a, sheets):
    script = small_room(tmp_path, CUSTODY.format(copy_a=copy_a, sheets=sheets))
    script.write_text(
        script.read_text()
        .replace("rehearsal: true", "network: allowed")
        .replace("output: out", "output: usb/out")
    )
    with ExitStack() as mounted:
        for name in ("usb", "usb-a", "usb-b", "usb-s"):
            mounted.enter_context(loop_medium(tmp_path / f"{name}.img", tmp_path / name,
                                              label=name.upper()))
        for path in (copy_a, "usb-b/media-b", sheets):
            (tmp_path / path).mkdir()
        shared_path = tmp_path / (copy_a if shared == "custody copy" else sheets)
        assert failures(script) == {
            "media": f"{what} ({shared_path}) and the bundle ({tmp_path / 'usb' / 'out'}) are on "
            "one device: losing it would lose both; use a medium for each (or, knowingly, "
            "`output-media: any-device` in the script)"
        }
        script.write_text(script.read_text().replace("network: allowed", "network: allowed\n"
                                                     + ANY_DEVICE.strip()))
        assert failures(script) == {}
        assert line(script, "media") == (
            True, f"{what} and the bundle share a device (output-media: any-device)"
        )


def test_sheets_beside_a_custody_copy_are_said_once_and_any_device_does_not_allow_it(tmp_path):
    script = small_room(tmp_path, CUSTODY.format(copy_a="usb-a/media-a", sheets="usb-a/sheets"))
    script.write_text(
        script.read_text()
        .replace("rehearsal: true", "network: allowed")
        .replace("output: out", "output: usb/out")
    )
    refused = {
        "share sheets": f"the share sheets' folder {tmp_path / 'usb-a' / 'sheets'} is on the "
        f"same device as the custody copy {tmp_path / 'usb-a' / 'media-a'}: a share never goes "
        "on the bundle's media; use another medium for the sheets"
    }
    with ExitStack() as mounted:
        for name in ("usb", "usb-a", "usb-b"):
            mounted.enter_context(loop_medium(tmp_path / f"{name}.img", tmp_path / name,
                                              label=name.upper()))
        for path in ("usb-a/media-a", "usb-b/media-b", "usb-a/sheets"):
            (tmp_path / path).mkdir()
        assert failures(script) == refused  # custody's words only, no second "media" line
        script.write_text(script.read_text().replace("network: allowed", "network: allowed\n"
                                                     + ANY_DEVICE.strip()))
        checks = preflight(load_script(script)).checks
        assert {c.check: c.detail for c in checks if not c.ok} == refused
        assert [c for c in checks if c.check == "media"] == []  # nothing says it is fine


# -- what could fail half-way ------------------------------------------------------


def test_a_key_name_too_long_for_a_file_name_is_a_problem_not_a_traceback(tmp_path, capsys):
    for length in (NAME_MAX, NAME_MAX + 1, 300):
        name = "k" * length  # root-b's files are NAME.age, NAME.pem: 255 bytes at most
        script = small_bootstrap(tmp_path, extra="rehearsal: true\n")
        script.write_text(script.read_text().replace("root-b", name))
        if length == NAME_MAX:
            assert failures(script) == {}
            continue
        with pytest.raises(CeremonyError, match=f"is {length} characters long: files are named"):
            load_script(script)
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    out, err = capsys.readouterr()
    assert f"the name {'k' * 16!r}... is 300 characters long: files are named after it" in err
    assert "Use a name of at most 250 characters" in err
    assert "Traceback" not in out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bootstrap.yaml", "online"]


def test_the_longest_key_name_a_script_allows_makes_a_bundle(tmp_path):
    name = "k" * NAME_MAX
    script = small_bootstrap(tmp_path, extra="rehearsal: true\n")
    script.write_text(script.read_text().replace("root-b", name))
    assert main(witnessed(["run", str(script), "--yes"])) == 0
    assert (tmp_path / "out" / "keys" / "offline" / f"{name}.age").is_file()
    assert verify_bundle(tmp_path / "out").ok


def test_an_output_name_too_long_for_what_the_tool_adds_is_refused(tmp_path):
    name = "o" * 230
    assert failures(small_bootstrap(tmp_path, output=name)) == {
        "output": f"the folder name {'o' * 40!r}... is too long for the media (with what the "
        "tool adds to it, over 255 bytes): choose a shorter one"
    }


def test_too_little_free_space_is_refused_with_both_numbers(tmp_path):
    with tmpfs(tmp_path / "small", size="512k"):
        script = production(tmp_path, output="small/out", extra="rehearsal: true\n")
        found = failures(script)
        assert list(found) == ["free space"]
        shape = re.fullmatch(
            re.escape(str(tmp_path / "small")) + r" has ([\d,]+) bytes free and this ceremony "
            r"needs about ([\d,]+): free some room or use a larger medium",
            found["free space"],
        )
        assert shape, found["free space"]
        free, needed = (int(n.replace(",", "")) for n in shape.groups())
        assert free <= 512 * 1024 < needed


def test_a_gun_with_a_port_is_refused_for_a_fat_medium_before_any_key(tmp_path, monkeypatch):
    """A GUN's ':' (before a port) cannot be a folder name on FAT or exFAT, where the
    bundle would fail after every key was made. This kernel cannot mount FAT, so the
    bundle's device is the real one, said to be vfat."""
    guns = ["registry.example.com:5000/org/app", "registry.example.com:5000/org/db", gun(1)]
    server_keys(tmp_path, guns)
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap(guns))
    monkeypatch.chdir(tmp_path)
    assert "names on the medium" not in failures(script)  # on this machine's own disk
    real = media_preflight.device_of
    monkeypatch.setattr(media_preflight, "device_of",
                        lambda folder: dataclasses.replace(real(folder), filesystem="vfat"))
    assert failures(script) == {"names on the medium": (
        "'registry.example.com:5000/org/app' (and 1 more) has ':', which a vfat medium "
        "cannot hold in a folder name: write the bundle to a Linux-formatted (ext4) medium")}


# -- leftovers of an earlier attempt -------------------------------------------------


def test_a_leftover_staging_folder_is_named_with_the_command_that_removes_it(
    tmp_path, capsys, monkeypatch
):
    staging = tmp_path / ".out.incomplete-1234abcd"
    staging.mkdir()
    (staging / "INCOMPLETE").write_text("")
    (tmp_path / ".other.incomplete-1234abcd").mkdir()  # another output's: not named
    (tmp_path / ".out.incomplete-feedf00d").symlink_to(tmp_path / "online")  # never a leftover
    script = small_bootstrap(tmp_path)
    warning = (
        f"WARNING: {staging} is the staging folder of a ceremony that never ended; it is not "
        f"used. Remove it with `ceremony clean {staging}` (its key files are overwritten first)"
    )
    assert line(script, "leftover") == (True, warning)  # the one leftover line
    assert main(["validate", str(script)]) == 0  # a warning, not a problem
    assert f"   [ok] leftover: {warning}" in capsys.readouterr().out.splitlines()

    # The command named does what the line says.
    monkeypatch.setattr("builtins.input", lambda prompt: "remove")
    assert clean_command(staging, interactive=True) == 0
    assert not staging.exists() and (tmp_path / "online").is_dir()
    assert [c for c in preflight(load_script(script)).checks if c.check == "leftover"] == []


def test_an_output_folder_left_incomplete_is_refused_with_the_clean_advice(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "INCOMPLETE").write_text("")
    script = small_bootstrap(tmp_path)
    checks = preflight(load_script(script)).checks
    assert {c.check: c.detail for c in checks if not c.ok} == {
        "output": f"{out} is a bundle whose sealing was interrupted (its INCOMPLETE mark is "
        f"still there): remove it with `ceremony clean {out}` (its key files are overwritten "
        "first) and run again"
    }
    assert [c for c in checks if c.check == "leftover"] == []  # said once, as the problem
