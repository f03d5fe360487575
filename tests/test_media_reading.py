"""The one reader of files on media: what it refuses, and why, before reading."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ceremony.bundle.reading import read_plain_file
from ceremony.errors import UnsafeFileError


def refusal(path: Path, limit: int = 1024, *, linked_folder: bool = True) -> UnsafeFileError:
    with pytest.raises(UnsafeFileError) as caught:
        read_plain_file(path, limit, linked_folder=linked_folder)
    return caught.value


def test_a_plain_file_within_its_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "root.json"
    path.write_bytes(b"x" * 1024)
    assert read_plain_file(path, 1024) == b"x" * 1024


def test_a_symbolic_link_is_refused_and_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "laptop-file"
    secret.write_text("not for the medium")
    link = tmp_path / "bundle.age"
    link.symlink_to(secret)
    error = refusal(link)
    assert error.reason == "link"
    assert str(error) == f"{link}: is a symbolic link"


def test_a_pipe_or_a_device_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert refusal(fifo).reason == "not plain"
    assert refusal(Path("/dev/zero")).reason == "not plain"


def test_a_file_over_its_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge"
    with open(path, "wb") as file:
        file.truncate(10**9)  # sparse: reading it whole would take a gigabyte
    error = refusal(path, 1000)
    assert (error.reason, error.limit) == ("too large", 1000)
    assert str(error) == f"{path}: is 1,000,000,000 bytes, more than the 1,000 allowed"


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    error = refusal(tmp_path / "nothing")
    assert error.reason == "missing"
    assert isinstance(error.cause, FileNotFoundError)


def test_a_linked_folder_is_refused_only_when_asked(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "custody.json").write_text("{}")
    linked = tmp_path / "custody-copy"
    linked.symlink_to(real)
    assert read_plain_file(linked / "custody.json", 100) == b"{}"
    error = refusal(linked / "custody.json", 100, linked_folder=False)
    assert error.reason == "linked folder"
    assert error.what == "is inside custody-copy, a symbolic link"


def test_each_reading_closes_its_file_read_or_refused(tmp_path: Path) -> None:
    """The file is read through its bare descriptor: closed after a reading and after
    a refusal of a file too large."""
    path = tmp_path / "trusted_root.json"
    path.write_bytes(b"{}" * 100)
    opened = sorted(os.listdir("/proc/self/fd"))
    for _ in range(50):
        assert read_plain_file(path, 200) == b"{}" * 100
        assert refusal(path, 199).reason == "too large"
    assert sorted(os.listdir("/proc/self/fd")) == opened
