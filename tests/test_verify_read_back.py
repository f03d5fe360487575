"""A sealed bundle is verified from the bytes its writer read back from the medium.

The writer reads every file back after the sync (ceremony/bundle/writer.py); the
verification of the staging folder takes those bytes rather than reading each file
a second time (``read_bundle(..., read_back=...)``). The folders are still walked:
what the loader makes of a folder with its files given must be exactly what it
makes of the same folder read from the disk, the same files, digests, kept bytes
and problems (a file over its kept limit, a file written beside the writer's, a
link, a pipe), and a file not given is read as ever.
"""

from __future__ import annotations

import os

from ceremony.bundle.writer import BundleWriter
from ceremony.verify.contents import BundleContents
from ceremony.verify.limits import KEY_FILE_MAX_BYTES, KEY_INDEX_MAX_BYTES, OTHER_MAX_BYTES
from ceremony.verify.loader import read_bundle


def facts(contents: BundleContents) -> tuple[object, ...]:
    return (contents.files, [str(p) for p in contents.problems], contents.refused,
            contents.kept_bytes, contents.entries_seen, contents.found)


def test_a_bundle_read_back_is_what_reading_it_from_the_medium_gives(tmp_path):
    writer = BundleWriter(tmp_path / "bundle")
    try:
        writer.write("metadata/app/1.root.json", b'{"signed": {}}\n')
        writer.write("keys/index.json", b"x" * (KEY_INDEX_MAX_BYTES + 1))  # over its limit
        writer.write("keys/public/big.pem", b"p" * (KEY_FILE_MAX_BYTES + 1))
        writer.write("keys/public/small.pem", b"pem\n")
        writer.write("ci/trust/private/k.key", b"sealed", private=True)
        writer.write("custody/large.bin", b"o" * (OTHER_MAX_BYTES + 1))  # hashed, not kept
        writer.write("empty", b"")
        writer.finish({"format": 1})
        staging = writer.staging
        (staging / "metadata" / "app" / "stray.json").write_bytes(b"{}")  # not the writer's
        (staging / "link.json").symlink_to(staging / "empty")
        os.mkfifo(staging / "pipe")
        read_back = writer.take_read_back()
        assert writer.take_read_back() == {}  # given once; the writer keeps them no longer
        assert sorted(read_back) == sorted({
            "MANIFEST.json", "ci/trust/private/k.key", "custody/large.bin", "empty",
            "keys/index.json", "keys/public/big.pem", "keys/public/small.pem",
            "metadata/app/1.root.json"})
        taken, read = read_bundle(staging, read_back=read_back), read_bundle(staging)
        assert facts(taken) == facts(read)
        assert taken.files["metadata/app/stray.json"].content == b"{}"  # read, not given
        assert taken.files["keys/index.json"].content is None
        assert any("more than the 16,000,000 a key index may have" in str(p)
                   for p in taken.problems)
        assert {"link.json", "pipe"} <= taken.refused
    finally:
        writer.discard()


def test_bytes_given_for_a_file_the_walk_does_not_meet_are_not_a_file(tmp_path):
    """Only the entries met in the folders count: bytes given for a path that is
    not there (or is a link there) make no file."""
    (tmp_path / "a.json").write_bytes(b"{}")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    given = dict.fromkeys(("b.json", "gone.json"), (b"{}", "0" * 64))
    taken, read = read_bundle(tmp_path, read_back=given), read_bundle(tmp_path)
    assert facts(taken) == facts(read)
    assert sorted(taken.files) == ["a.json"]
