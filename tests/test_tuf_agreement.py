"""``ceremony verify`` and python-tuf's ngclient judge the same root chains alike.

One table of root histories, each made with python-tuf's own signing
(tests/bundle_factory.py): rotated, with short signature counts,
rolled back, with expired versions in the middle or at the end. For each,
ngclient trusting 1.root.json refreshes from the bundle (tests/tuf_client.py)
and ``verify`` checks it. They agree when verify finds no problem exactly when
ngclient ends trusting the bundle's newest root without an error.

The one exception is the case docs/reference/verify.md documents, where verify is the
stricter: one public key listed under two keyids counts once for verify (as
go-tuf counts it) and twice for python-tuf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from bundle_factory import BundleMaker, in_days
from tuf.api.exceptions import RepositoryError
from tuf_client import refresh_from_bundle

from ceremony.verify import verify_bundle


def rotated(maker: BundleMaker) -> None:
    maker.rotate()
    maker.rotate()


def threshold_lowered(maker: BundleMaker) -> None:
    maker.rotate(threshold=1)


def threshold_raised(maker: BundleMaker) -> None:
    maker.rotate(threshold=3)  # root-2, root-3, root-4: all three must sign from now


def short_of_the_old_root(maker: BundleMaker) -> None:
    maker.rotate(signers=["root-1", "root-4"])  # version 1 wants 2 of root-1..3


def short_of_the_new_root(maker: BundleMaker) -> None:
    maker.rotate(threshold=3, signers=["root-1", "root-2", "root-4"])


def signed_by_retired_keys(maker: BundleMaker) -> None:
    maker.rotate()
    maker.rotate(replace=2, signers=["root-1", "root-2", "root-5", "root-6"])


def rolled_back_to_the_previous(maker: BundleMaker) -> dict[str, bytes]:
    maker.rotate()
    maker.rotate(replace=0)  # version 3 keeps version 2's keys
    return {"metadata/3.root.json": maker.root_files[2], "metadata/root.json": maker.root_files[2]}


def rolled_back_to_the_first(maker: BundleMaker) -> dict[str, bytes]:
    maker.rotate(replace=0)
    return {"metadata/2.root.json": maker.root_files[1], "metadata/root.json": maker.root_files[1]}


def version_gap(maker: BundleMaker) -> dict[str, bytes | None]:
    for _ in range(3):
        maker.rotate()
    return {"metadata/3.root.json": None}


def expired_intermediate(maker: BundleMaker) -> None:
    maker.rotate(expires=in_days(-20))
    maker.rotate(expires=in_days(100))


def expired_newest(maker: BundleMaker) -> None:
    maker.rotate(expires=in_days(-1))


def one_key_under_two_keyids(maker: BundleMaker) -> None:
    alias = maker.alias("root-2")

    def twice(root):
        root.revoke_key(maker.key("root-3").keyid, "root")
        root.add_key(alias, "root")

    maker.rotate(edit=twice, signers=["root-2", "root-3", ("root-2", alias.keyid)])
    maker.rotate(replace=0, edit=lambda root: root.revoke_key(alias.keyid, "root"),
                 signers=["root-2", "root-4"])


def keyid_not_its_hash(maker: BundleMaker) -> None:
    wrong = "ab" * 32
    maker.rotate(edit=lambda root: root.add_key(maker.mislabeled("root-1", wrong), "root"),
                 signers=["root-2", ("root-1", wrong), "root-4"])


@dataclass(frozen=True)
class Chain:
    build: Callable[[BundleMaker], dict | None]
    verify_ok: bool
    client_ok: bool  # ngclient ends trusting the newest root, without an error


CHAINS = {
    "rotated twice": Chain(rotated, True, True),
    "threshold lowered to 1": Chain(threshold_lowered, True, True),
    "threshold raised to 3": Chain(threshold_raised, True, True),
    "short of the old root's threshold": Chain(short_of_the_old_root, False, False),
    "short of the new root's threshold": Chain(short_of_the_new_root, False, False),
    "signed by retired keys": Chain(signed_by_retired_keys, False, False),
    "rolled back to the previous version": Chain(rolled_back_to_the_previous, False, False),
    "rolled back to the first version": Chain(rolled_back_to_the_first, False, False),
    "a version missing": Chain(version_gap, False, False),
    "an expired intermediate version": Chain(expired_intermediate, True, True),
    "the newest version expired": Chain(expired_newest, False, False),
    "a keyid that is not its key's hash": Chain(keyid_not_its_hash, False, False),
    # documented in docs/reference/verify.md: verify is stricter than python-tuf
    "one key under two keyids (documented)": Chain(one_key_under_two_keyids, False, True),
}


@pytest.mark.parametrize("chain", CHAINS.values(), ids=CHAINS.keys())
def test_verify_and_ngclient_agree_on_the_root_chain(tmp_path, chain):
    maker = BundleMaker(expires=in_days(365))
    changed = chain.build(maker) or {}

    def edit(files: dict[str, bytes]) -> None:
        for path, data in changed.items():
            if data is None:
                files.pop(path)
            else:
                files[path] = data

    bundle = maker.write(tmp_path / "bundle", edit_files=edit)
    report = verify_bundle(bundle)
    newest = max(maker.root_files)
    try:
        trusted = refresh_from_bundle(bundle, tmp_path / "client", maker.online_metadata())
    except RepositoryError:
        client_ok = False
    else:
        client_ok = trusted == newest
    assert (report.ok, client_ok) == (chain.verify_ok, chain.client_ok), report.lines()
