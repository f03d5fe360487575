"""The custody bundle on media: written whole, never over anything, read back;
restored from any good copy, damaged copies reported, keys checked against
their recorded fingerprints; the identity never reaches disk."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from custody_helpers import CEREMONY_ID, custody_keys, make, media, sealed_copies, written

from ceremony.bundle.leftovers import leftovers_beside
from ceremony.bundle.writer import remove_mark
from ceremony.cli.clean import clean_command
from ceremony.custody import (
    ArchiveCopyError,
    CustodyIdentity,
    KeyMismatchError,
    SharePlan,
    WrongSecretError,
    encrypt_archive,
    fingerprint,
    read_copies,
    restore,
    split_identity,
    trial_restore,
    write_copies,
)
from ceremony.custody.collector import ShareCollector
from ceremony.custody.copies import EncryptedArchive
from ceremony.custody.identity import identity_line
from ceremony.custody.sheets import share_sheet_pdf, share_sheet_text
from ceremony.custody.status import describe_copy, find_copies_on
from ceremony.errors import MediaError


@pytest.fixture(scope="module")
def custody():
    return make(SharePlan.of(3, 5))


def recovered_identity(custody, numbers=(1, 3, 5), passphrase=""):
    collector = ShareCollector(custody.record)
    for n in numbers:
        collector.add(custody.shares.shares[n - 1].words)
    return collector.recover(passphrase)


def test_two_copies_are_written_and_restore_matches_every_key(custody, tmp_path):
    copies = written(custody, tmp_path)
    assert [c.name for c in copies] == [f"custody-{CEREMONY_ID}"] * 2
    for copy in copies:
        assert sorted(p.name for p in copy.iterdir()) == ["bundle.age", "custody.json"]
        assert (copy / "bundle.age").read_bytes() == custody.sealed.ciphertext
        assert json.loads((copy / "custody.json").read_text()) == custody.record.to_dict()
    restored = restore(copies, recovered_identity(custody))
    assert restored.used == copies[0] and restored.problems == ()
    originals = {k.name: k for k in custody_keys()}
    assert [k.name for k in restored.keys] == sorted(originals)
    for key in restored.keys:
        assert key.fingerprint == fingerprint(originals[key.name].private_key.public_key())
        assert key.roles == originals[key.name].roles
    signer = restored.key("root-alice").software_key()
    assert signer.keyid == custody.record.key("root-alice").keyid


def test_a_copy_is_never_written_over_anything(custody, tmp_path):
    copies = written(custody, tmp_path)
    before = (copies[0] / "bundle.age").read_bytes()
    other = make(SharePlan.of(2, 3))
    with pytest.raises(MediaError) as error:
        write_copies(other.sealed, [copies[0].parent, copies[1].parent])
    assert str(error.value) == (
        f"{copies[0]} already exists. nothing was overwritten; use a medium without a copy of "
        "this ceremony"
    )
    assert (copies[0] / "bundle.age").read_bytes() == before


def test_a_failed_copy_leaves_nothing_half_written(custody, tmp_path):
    good, _ = media(tmp_path)
    with pytest.raises(MediaError) as error:
        write_copies(custody.sealed, [good, tmp_path / "not-mounted"])
    assert str(error.value) == (
        f"{tmp_path / 'not-mounted'} is not a directory. check that the medium is inserted and "
        "mounted (the copies already written by this step were removed)"
    )
    assert list(good.iterdir()) == []


def test_one_medium_is_not_enough(custody, tmp_path):
    with pytest.raises(MediaError, match="at least 2 media, 1 given"):
        write_copies(custody.sealed, media(tmp_path, 1))
    a, _ = media(tmp_path, under="second")
    with pytest.raises(MediaError, match="the same media directory is named twice"):
        write_copies(custody.sealed, [a, a])


def test_a_corrupted_copy_is_reported_and_the_other_used(custody, tmp_path):
    first, second = written(custody, tmp_path)
    damaged = bytearray((first / "bundle.age").read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (first / "bundle.age").write_bytes(bytes(damaged))
    restored = restore([first, second], recovered_identity(custody))
    assert restored.used == second
    assert [str(p) for p in restored.problems] == [
        f"{first}: bundle.age does not match the sha256 in the record: the copy is damaged"
    ]
    assert len(restored.keys) == 3


def test_a_truncated_copy_is_reported_and_the_other_used(custody, tmp_path):
    first, second = written(custody, tmp_path)
    size = custody.record.bundle_size
    with open(first / "bundle.age", "r+b") as file:
        file.truncate(size // 3)
    found = read_copies([first, second])
    assert [c.path for c in found.good] == [second]
    assert [str(p) for p in found.problems] == [
        f"{first}: bundle.age is {size // 3} bytes, the record says {size} (cut short): the "
        "copy is damaged"
    ]


def test_a_damaged_record_in_one_copy_is_reported(custody, tmp_path):
    first, second = written(custody, tmp_path)
    (first / "custody.json").write_bytes((first / "custody.json").read_bytes()[:200])
    found = read_copies([first, second])
    assert [c.path for c in found.good] == [first, second]  # bundle.age itself is fine
    assert [str(p) for p in found.problems] == [
        f"{first}: custody.json is damaged (not valid JSON)"
    ]


def test_no_good_copy_says_what_is_wrong_with_each(custody, tmp_path):
    first, second = written(custody, tmp_path)
    (first / "bundle.age").unlink()
    with open(second / "bundle.age", "ab") as file:
        file.write(b"junk")
    with pytest.raises(ArchiveCopyError) as error:
        read_copies([first, second])
    size = custody.record.bundle_size
    assert str(error.value) == (
        f"ceremony {CEREMONY_ID}: no good copy of the custody bundle: {first}: bundle.age is "
        f"missing; {second}: bundle.age is {size + 4} bytes, the record says {size}: the copy "
        "is damaged. bring another copy (every custody bundle was written to two or more media)"
    )


def test_copies_of_different_bundles_are_not_mixed(custody, tmp_path):
    first, _ = written(custody, tmp_path)
    other = make(SharePlan.of(2, 3), ceremony_id="20261201T090000Z-rotate-root-77aa")
    other_copy, _ = sealed_copies(other.sealed, media(tmp_path, under="other"))
    with pytest.raises(ArchiveCopyError) as error:
        read_copies([first, other_copy])
    assert str(error.value).startswith(
        "the copies given are of different custody bundles (20261126T173000Z-bootstrap-3f2a9c1e, "
        f"20261201T090000Z-rotate-root-77aa): {first} is ceremony "
        f"20261126T173000Z-bootstrap-3f2a9c1e's; {other_copy} is ceremony "
        "20261201T090000Z-rotate-root-77aa's. give only copies"
    )


def test_a_bundle_whose_keys_do_not_match_the_record(custody, tmp_path):
    identity = recovered_identity(custody)
    wrong = custody.record.replace(
        keys=tuple(
            k.replace(fingerprint="0" * 64) if k.name == "root-bob" else k
            for k in custody.record.keys
        ),
    )
    copies = sealed_copies(EncryptedArchive(custody.sealed.ciphertext, wrong), media(tmp_path))
    with pytest.raises(KeyMismatchError) as error:
        restore(copies, identity)
    real = custody.record.key("root-bob").fingerprint
    assert str(error.value) == (
        f"{copies[0] / 'bundle.age'}: key root-bob has fingerprint {real[:16]}..., "
        "custody.json records 0000000000000000.... this bundle is not the one its custody.json "
        "describes: use no key from it, and check that the copy and its custody.json come "
        "from the same ceremony"
    )


def test_a_bundle_missing_a_recorded_key(custody, tmp_path):
    identity = CustodyIdentity.generate()
    share_set = split_identity(identity, SharePlan.of(2, 3))
    keys = custody_keys()
    sealed = encrypt_archive(keys[:2], identity.recipient, ceremony_id=CEREMONY_ID, root_version=1,
                  shares=share_set.facts)
    full = encrypt_archive(keys, identity.recipient, ceremony_id=CEREMONY_ID, root_version=1,
                shares=share_set.facts)
    record = full.record.replace(bundle_sha256=sealed.record.bundle_sha256,
                                 bundle_size=sealed.record.bundle_size)
    copies = sealed_copies(EncryptedArchive(sealed.ciphertext, record), media(tmp_path))
    with pytest.raises(KeyMismatchError, match="key targets named in custody.json is not in"):
        restore(copies, identity)


def test_a_wrong_passphrase_is_caught_before_decrypting(tmp_path):
    custody = make(SharePlan.of(2, 3), passphrase="right")
    copies = written(custody, tmp_path)
    collector = ShareCollector()  # no record: the shares alone cannot tell
    for share in custody.shares.shares[:2]:
        collector.add(share.words)
    identity = collector.recover("wrong")
    with pytest.raises(WrongSecretError, match="the SLIP-39 passphrase is wrong"):
        restore(copies, identity)


def test_trial_restore_uses_shares_other_than_the_first_and_checks_every_copy(custody, tmp_path):
    copies = written(custody, tmp_path)
    subset = custody.shares.trial_subset()
    assert [s.number for s in subset] == [3, 4, 5]
    result = trial_restore(custody.record, copies, subset)
    assert result.shares_used == (3, 4, 5)
    assert result.copies_checked == copies
    assert result.keys_matched == ("root-alice", "root-bob", "targets")
    with open(copies[1] / "bundle.age", "r+b") as file:
        file.truncate(100)
    with pytest.raises(ArchiveCopyError, match="trial restore: a copy just written is not good"):
        trial_restore(custody.record, copies, subset)


def test_trial_subset_with_groups_avoids_the_first_group():
    custody = make(SharePlan(((2, 3), (2, 3), (2, 3)), group_threshold=2))
    subset = custody.shares.trial_subset()
    assert [(s.group, s.member) for s in subset] == [(2, 2), (2, 3), (3, 2), (3, 3)]


def test_the_identity_never_reaches_disk(tmp_path):
    identity = CustodyIdentity.generate()
    secret = identity.secret()
    share_set = split_identity(identity, SharePlan.of(3, 5))
    sealed = encrypt_archive(custody_keys(), identity.recipient, ceremony_id=CEREMONY_ID,
                             root_version=1, shares=share_set.facts)
    copies = sealed_copies(sealed, media(tmp_path))
    for share in share_set.shares:  # what a caller does with the sheets
        (tmp_path / f"{share.number}.pdf").write_bytes(share_sheet_pdf(share, sealed.record))
        (tmp_path / f"{share.number}.txt").write_text(share_sheet_text(share, sealed.record))
    restore(copies, identity)
    identity.forget()
    line = identity_line(secret).encode()
    needles = [secret, secret.hex().encode(), line, line.lower()]
    pem_markers = [b"PRIVATE KEY"]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 14
    for path in files:
        content = path.read_bytes()
        assert not any(n in content for n in needles), path
        assert not any(m in content for m in pem_markers), path
    assert identity.forgotten and secret.hex() not in repr(identity)


def test_copies_are_private_files(custody, tmp_path):
    for copy in written(custody, tmp_path):
        assert os.stat(copy).st_mode & 0o077 == 0
        for path in copy.iterdir():
            assert os.stat(path).st_mode & 0o777 == 0o600
    assert not list(Path(tmp_path).rglob(".*incomplete*"))


def test_a_medium_that_reads_back_wrong_is_refused_and_nothing_kept(custody, tmp_path, monkeypatch):
    from ceremony.custody import media as media_module

    first, second = media(tmp_path)
    real_write = media_module._write_file

    def faulty_second_medium(path, content):
        if second in path.parents:
            content = content[:-1] + bytes([content[-1] ^ 0xFF])
        real_write(path, content)

    monkeypatch.setattr(media_module, "_write_file", faulty_second_medium)
    with pytest.raises(MediaError) as error:
        write_copies(custody.sealed, [first, second])
    assert str(error.value) == (
        f"{second / f'custody-{CEREMONY_ID}' / 'INCOMPLETE'} reads back different from what was "
        "written. the medium is faulty; nothing was kept on it; use another one (the copies "
        "already written by this step were removed)"
    )
    assert list(first.iterdir()) == [] and list(second.iterdir()) == []


def test_the_final_rename_never_replaces_even_an_empty_directory(tmp_path):
    from ceremony.custody.media import _rename_noreplace

    source, target = tmp_path / "staging", tmp_path / "final"
    source.mkdir()
    (source / "bundle.age").write_bytes(b"new")
    target.mkdir()  # os.rename would silently replace this empty directory
    with pytest.raises(MediaError, match="appeared while it was being written|already exists"):
        _rename_noreplace(source, target)
    assert list(target.iterdir()) == [] and (source / "bundle.age").exists()


def test_recovered_identity_leaves_memory_after_use(custody, tmp_path):
    copies = written(custody, tmp_path)
    with recovered_identity(custody, (2, 3, 4)) as identity:
        restored = restore(copies, identity)
    assert identity.forgotten and len(restored.keys) == 3


def test_a_copy_still_marked_incomplete_is_refused_named_and_cleaned(
    custody, tmp_path, monkeypatch, capsys
):
    # what a kill between the copies and the bundle's sealing leaves: marked copies
    copies = write_copies(custody.sealed, media(tmp_path))
    assert all((copy / "INCOMPLETE").is_file() for copy in copies)
    refusal = "is from a ceremony whose bundle was never sealed (its INCOMPLETE mark is still " \
        "there); it restores nothing; remove it with `ceremony clean {}`"
    with pytest.raises(ArchiveCopyError) as error:
        restore(copies, recovered_identity(custody))
    assert str(error.value).startswith("no good copy of the custody bundle: " + "; ".join(
        f"{copy}: {refusal.format(copy)}" for copy in copies))
    with pytest.raises(ArchiveCopyError, match="never sealed"):  # a record given changes nothing
        read_copies(copies, expected=custody.record)
    [status] = find_copies_on([copies[0].parent])
    assert describe_copy(status) == f"{copies[0]}: {refusal.format(copies[0])}"

    named = leftovers_beside(tmp_path / "out", [copy.parent for copy in copies])
    assert [(left.path, left.what) for left in named] == [
        (copy, "a custody copy from a ceremony whose bundle was never sealed (its INCOMPLETE "
               "mark is still there); it restores nothing") for copy in copies]
    monkeypatch.setattr("sys.stdin", io.StringIO("remove\n"))
    assert clean_command(copies[0], interactive=True) == 0
    assert not copies[0].exists()
    assert capsys.readouterr().out.endswith(f"{copies[0]} was removed.\n")

    remove_mark(copies[1])  # once the bundle is sealed: a copy like any other
    assert leftovers_beside(tmp_path / "out", [copies[1].parent]) == []
    assert restore([copies[1]], recovered_identity(custody)).used == copies[1]
