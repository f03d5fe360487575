"""``scripts/dct-publish`` reads its publish set as plain files only.

The publish set comes on media from the offline side: a manifest or a
metadata file that is a symbolic link, a pipe or a device is refused before
anything is read from it, with nothing sent and exit 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dct_offline import run_script

from ceremony.flavors.dct.notary.publishset import write_publish_set
from ceremony.flavors.dct.notary.repository import GunUpdate

GUN = "registry.example.com/team/x"


def publish_set(folder: Path) -> Path:
    write_publish_set(folder, [GunUpdate(GUN, {"root": b"{}", "targets": b"{}"})])
    return folder


def publish(folder: Path):
    return run_script("dct-publish", "--server", "https://127.0.0.1:9", "--ca", "/none",
                      str(folder))


@pytest.mark.parametrize("which", ["dct-publish.json", f"{GUN}/targets.json"])
@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_a_publish_file_that_is_no_plain_file_is_refused(tmp_path, which, kind):
    folder = publish_set(tmp_path / "set")
    path = folder / which
    path.rename(tmp_path / "moved")
    if kind == "link":
        path.symlink_to(tmp_path / "moved")
    else:
        os.mkfifo(path)
    done = publish(folder)
    shown = str(path) if which == "dct-publish.json" else which
    what = ("is a symbolic link" if kind == "link"
            else "is not a plain file (a pipe, device or socket)")
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", f"dct-publish: {shown}: {what}; nothing was sent\n"
    )


def test_a_missing_publish_file_is_named(tmp_path):
    folder = publish_set(tmp_path / "set")
    (folder / GUN / "targets.json").unlink()
    done = publish(folder)
    assert (done.returncode, done.stderr) == (
        2, f"dct-publish: {GUN}/targets.json: is missing; nothing was sent\n"
    )
