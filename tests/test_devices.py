"""Which device a folder is on, read from the kernel's own tables.

Against what the tests can make as root: the system disk, a tmpfs (memory),
and ext4 filesystems on loop devices, with labels (this machine's kernel
mounts no FAT; the kernel's tables read the same for either).
"""

from __future__ import annotations

from media_devices import loop_medium, tmpfs

from ceremony.devices import device_of


def test_a_folder_on_the_system_disk_is_named_as_such(tmp_path):
    device = device_of(tmp_path)
    assert device.system and not device.in_memory
    assert device.mount_point == "/" and device.disk
    assert device.words().startswith("the system disk")
    assert device_of(tmp_path / "not" / "made" / "yet").device == device.device


def test_a_tmpfs_is_memory(tmp_path):
    with tmpfs(tmp_path / "ram") as folder:
        device = device_of(folder / "bundle")
        assert device.in_memory and not device.system and not device.removable
        assert device.filesystem == "tmpfs" and device.mount_point == str(folder)
        assert device.words() == "memory (tmpfs): lost when the machine is switched off"
        assert device.device != device_of(tmp_path).device


def test_loop_devices_are_told_apart_with_their_labels(tmp_path):
    with loop_medium(tmp_path / "a.img", tmp_path / "a", label="CUSTODY-A") as (a, disk_a), \
            loop_medium(tmp_path / "b.img", tmp_path / "b", label="custody-b") as (b, disk_b):
        first, second = device_of(a / "copy"), device_of(b)
        assert (first.disk, second.disk) == (disk_a, disk_b)
        assert first.device != second.device
        assert (first.filesystem, second.filesystem) == ("ext4", "ext4")
        assert (first.label, second.label) == ("CUSTODY-A", "custody-b")
        assert first.loop_file == str(tmp_path / "a.img")
        assert not first.system and not first.removable
        assert first.size_bytes == 16 * 1024 * 1024
        assert "loop device" in first.words() and "label CUSTODY-A" in first.words()
        record = first.record()
        assert record["label"] == "CUSTODY-A" and record["folder"] == str(a / "copy")
