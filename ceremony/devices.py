"""Which device a folder is on: removable or not, its model, serial, size and label.

Preflight names the media a ceremony writes to (the bundle, the custody
copies, the share sheets), shows them to the room and records them in the
transcript, and a production ceremony refuses the system disk and two
outputs on one device. This module only finds the facts, from the kernel's
own tables (``/proc/self/mountinfo`` and ``/sys``), with no side effects and
no external command; a fact it cannot read is left empty, never guessed.
Nothing here is a secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")
SYS = Path("/sys")
BY_LABEL = Path("/dev/disk/by-label")
IN_MEMORY = ("tmpfs", "ramfs")


@dataclass(frozen=True)
class Mount:
    """One line of the kernel's mount table."""

    device: str  # "MAJ:MIN"
    mount_point: str
    filesystem: str
    source: str  # /dev/sdb1, tmpfs...


@dataclass(frozen=True)
class Device:
    """The device a folder is on, as people would check it by eye."""

    folder: str  # the folder asked about
    device: str  # "MAJ:MIN": two folders on one device have the same
    mount_point: str
    filesystem: str
    source: str
    disk: str  # the whole disk's kernel name (sdb, vda, loop0), "" for none
    removable: bool
    model: str
    serial: str
    size_bytes: int
    label: str
    system: bool  # the disk the running system is on
    loop_file: str  # a loop device's backing file, "" otherwise

    @property
    def in_memory(self) -> bool:
        """Lost when the machine is switched off (tmpfs)."""
        return self.filesystem in IN_MEMORY

    def words(self) -> str:
        """``removable USB DISK 3.0 (serial 4C53..., 15.5 GB, label CUSTODY-A)``."""
        if self.in_memory:
            return f"memory ({self.filesystem}): lost when the machine is switched off"
        what = "removable" if self.removable else "fixed"
        if self.loop_file:
            what = f"loop device {self.disk} backed by {self.loop_file}"
        elif self.system:
            what = "the system disk"
        facts = [fact for fact in (
            f"serial {self.serial}" if self.serial else "",
            _size(self.size_bytes) if self.size_bytes else "",
            f"label {self.label}" if self.label else "",
            self.filesystem,
        ) if fact]
        name = f" {self.model}" if self.model and not self.loop_file else ""
        disk = f" {self.disk}" if self.disk and not self.loop_file else ""
        return f"{what}{name}{disk} ({', '.join(facts)})"

    def record(self) -> dict[str, object]:
        """The public facts, for the transcript."""
        return {
            "folder": self.folder,
            "device": self.device,
            "mount_point": self.mount_point,
            "filesystem": self.filesystem,
            "disk": self.disk,
            "removable": self.removable,
            "model": self.model,
            "serial": self.serial,
            "size_bytes": self.size_bytes,
            "label": self.label,
            "system": self.system,
            "loop_file": self.loop_file,
        }


def device_of(folder: Path, *, mountinfo: Path = MOUNTINFO, sys: Path = SYS) -> Device:
    """The device ``folder`` (or, when it does not exist yet, its nearest
    existing parent) is on."""
    existing = _existing(Path(folder))
    number = os.stat(existing).st_dev
    device = f"{os.major(number)}:{os.minor(number)}"
    mounts = read_mounts(mountinfo)
    mount = _mount_of(existing, device, mounts)
    disk, partition = _disk_of(device, sys)
    system_device = _device_number(Path("/"))
    system_disk = _disk_of(system_device, sys)[0] if system_device else ""
    block = sys / "block" / disk if disk else None
    return Device(
        folder=str(folder),
        device=device,
        mount_point=mount.mount_point if mount else "",
        filesystem=mount.filesystem if mount else "",
        source=mount.source if mount else "",
        disk=disk,
        removable=_text(block / "removable") == "1" if block else False,
        model=_text(block / "device" / "model") if block else "",
        serial=_serial(block) if block else "",
        size_bytes=_number(block / "size") * 512 if block else 0,
        label=_label(partition or disk) or _label_on_disk(partition or disk),
        system=bool(disk) and disk == system_disk or device == system_device,
        loop_file=_text(block / "loop" / "backing_file") if block else "",
    )


def read_mounts(mountinfo: Path = MOUNTINFO) -> list[Mount]:
    mounts = []
    for line in mountinfo.read_text(errors="replace").splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 2:
            continue
        mounts.append(Mount(fields[2], _unescape(fields[4]), tail[0], _unescape(tail[1])))
    return mounts


def _existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _device_number(path: Path) -> str:
    try:
        number = os.stat(path).st_dev
    except OSError:
        return ""
    return f"{os.major(number)}:{os.minor(number)}"


def _mount_of(path: Path, device: str, mounts: list[Mount]) -> Mount | None:
    """The mount of ``device`` whose mount point is the longest prefix of ``path``."""
    text = str(path)
    best: Mount | None = None
    for mount in mounts:
        point = mount.mount_point.rstrip("/") or "/"
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        longer = best is None or len(point) >= len(best.mount_point)
        if mount.device == device and inside and longer:
            best = mount
    return best


def _disk_of(device: str, sys: Path) -> tuple[str, str]:
    """(the whole disk, the partition or "") of block device ``device``."""
    link = sys / "dev" / "block" / device
    try:
        real = link.resolve(strict=True)
    except OSError:
        return "", ""  # not a block device (tmpfs, overlay...)
    if (real / "partition").exists():
        return real.parent.name, real.name
    return real.name, ""


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return ""


def _number(path: Path) -> int:
    text = _text(path)
    return int(text) if text.isdigit() else 0


def _serial(block: Path) -> str:
    for name in ("device/serial", "serial", "device/wwid"):
        text = _text(block / name)
        if text:
            return text
    return ""


def _label(kernel_name: str) -> str:
    """The filesystem label udev links to ``kernel_name`` in /dev/disk/by-label."""
    if not kernel_name or not BY_LABEL.is_dir():
        return ""
    for link in sorted(BY_LABEL.iterdir()):
        try:
            if Path(os.path.realpath(link)).name == kernel_name:
                return _unescape(link.name)
        except OSError:
            continue
    return ""


def _label_on_disk(kernel_name: str) -> str:
    """The filesystem label read from the device's first sectors (ext2/3/4
    and FAT), where udev keeps no /dev/disk/by-label; "" when unreadable."""
    if not kernel_name:
        return ""
    try:
        with open(Path("/dev") / kernel_name, "rb") as device:
            head = device.read(2048)
    except OSError:
        return ""
    if len(head) >= 1160 and head[1080:1082] == b"\x53\xef":  # ext2/3/4 magic
        return head[1144:1160].split(b"\0", 1)[0].decode("utf-8", "replace")
    if len(head) >= 512 and head[510:512] == b"\x55\xaa":  # a FAT boot sector
        for offset, kind in ((82, b"FAT32"), (54, b"FAT")):
            if head[offset : offset + len(kind)] == kind:
                label = head[offset - 11 : offset].decode("ascii", "replace").strip()
                return "" if label == "NO NAME" else label
    return ""


def _unescape(text: str) -> str:
    """mountinfo and udev write a space as \\040 (octal escapes)."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 4].isdigit():
            out.append(chr(int(text[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _size(size: int) -> str:
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"
