"""Real media for the tests: tmpfs mounts and loop devices with a filesystem.

The tests run as root (CI does), so they can make what a ceremony's media
are: an ext4 (or, where the kernel has it, FAT) filesystem on a loop device,
with a label, mounted on a folder; or a tmpfs, which is memory. Each is
unmounted and detached after.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def tmpfs(folder: Path, size: str = "8m", options: str = "") -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    run("mount", "-t", "tmpfs", "-o", f"size={size}" + (f",{options}" if options else ""),
        "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextmanager
def loop_medium(
    image: Path, folder: Path, *, filesystem: str = "ext4", label: str = "", size_mb: int = 16
) -> Iterator[tuple[Path, str]]:
    """A filesystem in ``image`` on a loop device mounted on ``folder``:
    (folder, the loop device's kernel name)."""
    with open(image, "wb") as file:
        file.truncate(size_mb * 1024 * 1024)
    if filesystem == "vfat":
        run("mkfs.vfat", *(["-n", label] if label else []), str(image))
    else:
        run("mkfs.ext4", "-q", *(["-L", label] if label else []), str(image))
    device = run("losetup", "--find", "--show", str(image))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run("mount", device, str(folder))
        try:
            yield folder, Path(device).name
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
    finally:
        subprocess.run(["losetup", "-d", device], check=False)
