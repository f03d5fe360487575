"""Preflight of the media a ceremony writes to: named, checked, never assumed.

For the bundle's folder, each custody copy's and the share sheets': the
device it is on, said as people check it by eye (removable, model, serial,
size, label) and recorded in the transcript with the other preflight lines;
a folder inside the kernel's own filesystems (/proc, /sys, /dev) refused; a
production ceremony refused the system disk, memory (tmpfs) and two outputs
on one device unless the script says ``output-media: any-device``;
rehearsals may use folders. Then what could still fail half-way: file names
too long for the medium, too little free space for what the ceremony will
write, and the leftovers of an earlier attempt, named with the command that
removes them. No side effects.
"""

from __future__ import annotations

import os
from pathlib import Path

from ceremony.bundle.leftovers import leftovers_beside
from ceremony.devices import Device, device_of
from ceremony.engine.preflight_result import PreflightResult
from ceremony.script.plan import Plan

#: filesystems that are views of the kernel, never a medium
KERNEL_FILESYSTEMS = ("proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs",
                      "securityfs", "pstore", "bpf", "tracefs", "configfs", "mqueue")
MAX_NAME_BYTES = 255
#: filesystems of Windows' naming rules, and the characters they refuse in a name
FAT_FILESYSTEMS = ("vfat", "msdos", "exfat")
FAT_REFUSES = '<>:"\\|?*'
# what a name grows by on the media: ".NAME.incomplete-XXXXXXXX" for the bundle's
# staging folder, "NAME.abandoned-YYYYMMDDTHHMMSSZ.jsonl" for an attempt's transcript
# (a key's or any other name's files are bounded when the script is read:
# script/yamlload.py NAME_MAX)
_OUTPUT_GROWTH = len(".abandoned-20261130T090000Z.jsonl")
# room a ceremony needs on the bundle's medium: the bundle twice (staging, then
# an attempt's transcript beside it), with a margin per key; or, when larger, what
# the flavor says a bundle of its repositories takes at the most
# (PreflightResult.bundle_bytes: a DCT fleet's, from its measured growth a GUN),
# each file and folder a block more
_BASE_BYTES = 1 << 20
_PER_KEY_BYTES = 64 << 10


def custody_folders(plan: Plan) -> list[Path]:
    """The folders the plan writes custody copies and share sheets to."""
    if plan.custody is None:
        return []
    sheets = [plan.custody.sheets] if plan.custody.sheets is not None else []
    return [*plan.custody.media, *sheets]


def check_media(plan: Plan, result: PreflightResult) -> None:
    """Add the media checks of ``plan`` to ``result``."""
    outputs = [("bundle", plan.output)]
    if plan.custody is not None:
        outputs += [("custody copy", path) for path in plan.custody.media]
        if plan.custody.sheets is not None:
            outputs.append(("share sheets", plan.custody.sheets))
    devices: list[tuple[str, Path, Device]] = []
    for what, folder in outputs:
        try:
            device = device_of(folder)
        except OSError as error:
            result.add(f"medium of the {what}", f"{folder}: cannot be read ({error.strerror})")
            continue
        devices.append((what, folder, device))
        result.add(f"medium of the {what}", _device_problem(plan, device), device.words())
    _shared_devices(plan, devices, result)
    _name_lengths(plan, result)
    bundle = next((device for what, _, device in devices if what == "bundle"), None)
    if bundle is not None:
        _names_allowed(bundle, result)
    if bundle is None or bundle.filesystem not in KERNEL_FILESYSTEMS:
        _free_space(plan, result)  # a view of the kernel has no room to free: said above
    for leftover in leftovers_beside(plan.output, custody_folders(plan)):
        if leftover.path == plan.output:
            continue  # the output check says it, as a problem
        result.add(
            "leftover",
            None,
            f"WARNING: {leftover.path} is {leftover.what}; it is not used. Remove it with "
            f"`ceremony clean {leftover.path}` (its key files are overwritten first)",
        )


def _names_allowed(device: Device, result: PreflightResult) -> None:
    """A name of the bundle with a character its medium's filesystem refuses (a
    GUN's ``:``, before a port, on a FAT or exFAT stick) fails here, not when the
    ceremony writes it after every key is made."""
    if device.filesystem not in FAT_FILESYSTEMS:
        return
    refused = [name for name in result.bundle_names if set(name) & set(FAT_REFUSES)]
    if refused:
        character = next(c for c in refused[0] if c in FAT_REFUSES)
        more = f" (and {len(refused) - 1:,} more)" if len(refused) > 1 else ""
        result.add(
            "names on the medium",
            f"{refused[0]!r}{more} has {character!r}, which a {device.filesystem} medium "
            f"cannot hold in a folder name: write the bundle to a Linux-formatted (ext4) "
            "medium",
        )


def _device_problem(plan: Plan, device: Device) -> str | None:
    if device.filesystem in KERNEL_FILESYSTEMS:
        return (
            f"{device.folder} is inside {device.mount_point} ({device.filesystem}), a view "
            "of the kernel, not a medium: name a folder on the removable medium"
        )
    if plan.rehearsal or plan.output_media == "any-device":
        return None
    if device.in_memory:
        return (
            f"{device.folder} is in memory ({device.filesystem}): it is lost when the machine "
            "is switched off; write to a removable medium (or, knowingly, `output-media: "
            "any-device` in the script)"
        )
    if device.system:
        return (
            f"{device.folder} is on the system disk of this laptop, which must not keep "
            "ceremony outputs: mount a removable medium and name it (or, knowingly, "
            "`output-media: any-device` in the script)"
        )
    return None


def _shared_devices(
    plan: Plan, devices: list[tuple[str, Path, Device]], result: PreflightResult
) -> None:
    seen: dict[str, tuple[str, Path]] = {}
    for what, folder, device in devices:
        if device.in_memory or device.filesystem in KERNEL_FILESYSTEMS:
            continue
        other = seen.setdefault(device.device, (what, folder))
        if other[1] == folder:
            continue
        fine = plan.rehearsal or plan.output_media == "any-device"
        if "bundle" not in (what, other[0]):
            # two custody outputs: custody's own check says it, in its words, and
            # `output-media` does not allow it there
            continue
        result.add(
            "media",
            None if fine else (
                f"the {what} ({folder}) and the {other[0]} ({other[1]}) are on one device: "
                "losing it would lose both; use a medium for each (or, knowingly, "
                "`output-media: any-device` in the script)"
            ),
            f"the {what} and the {other[0]} share a device"
            + (" (a rehearsal)" if plan.rehearsal else " (output-media: any-device)"),
        )


def _name_lengths(plan: Plan, result: PreflightResult) -> None:
    name = plan.output.name
    if len((name + "." + "x" * _OUTPUT_GROWTH).encode()) > MAX_NAME_BYTES:
        result.add(
            "output",
            f"the folder name {name[:40]!r}... is too long for the media (with what the "
            f"tool adds to it, over {MAX_NAME_BYTES} bytes): choose a shorter one",
        )


def _free_space(plan: Plan, result: PreflightResult) -> None:
    folder = plan.output.parent
    if not folder.is_dir():
        return  # the output check says so
    keys = len(plan.keys) + (len(result.current.keys) if result.current else 0)
    current = result.current.contents if result.current else None
    carried = sum(f.size for f in current.files.values()) if current else 0
    try:
        status = os.statvfs(folder)
    except OSError:
        return
    fleet = result.bundle_bytes + result.bundle_entries * status.f_frsize  # at the most
    needed = 2 * (_BASE_BYTES + keys * _PER_KEY_BYTES) + max(2 * carried, fleet)
    free = status.f_bavail * status.f_frsize
    if free < needed:
        result.add(
            "free space",
            f"{folder} has {free:,} bytes free and this ceremony needs about {needed:,}: "
            "free some room or use a larger medium",
        )
    else:
        result.add("free space", None, f"{free:,} bytes free, about {needed:,} needed")
