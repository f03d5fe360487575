"""A DCT file parsed once per bytes inside a seal, for the verification and the state.

The verification of a DCT bundle reads each root and targets file through the
parse the ceremony's other readers share (``shared_reading.read_shared``): the
state a seal builds on reads each GUN's newest root, the seal's events read each
new root before the sealed bundle is verified. Sharing the parse must not change
what the verification finds: a file of another type, pretty-printed JSON, a file
that is not JSON are each the same problem, inside a seal or alone, whoever read
the bytes first.
"""

from __future__ import annotations

import contextlib
import json
import shutil

import pytest
from test_verify_dct import APP, make_dct_bundle, reseal

from ceremony.checked import remembering
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.notary.model import Root, Targets
from ceremony.flavors.dct.shared_reading import read_shared
from ceremony.flavors.dct.state import GunState
from ceremony.verify import verify_bundle


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return make_dct_bundle(tmp_path_factory.mktemp("dct-shared"))


def test_the_verification_and_the_state_share_one_parse_of_a_root(pristine):
    data = (pristine / "metadata" / APP / "1.root.json").read_bytes()
    with remembering():
        report = verify_bundle(pristine)
        state = GunState(APP, history=[data])
        assert state.root is read_shared(data, Root)
        assert state.root.signed.version == 1
    assert report.ok, report.lines()
    assert GunState(APP, history=[data]).root is not state.root  # outside: read afresh


@pytest.mark.parametrize("damage", ["targets as root", "pretty", "not json"])
def test_a_damaged_file_is_the_same_problem_whoever_read_it_first(pristine, tmp_path, damage):
    bundle = tmp_path / "bundle"
    shutil.copytree(pristine, bundle)
    folder = bundle / "metadata" / APP
    targets = (folder / "targets.json").read_bytes()
    data = {
        "targets as root": targets,
        "pretty": json.dumps(json.loads((folder / "1.root.json").read_bytes()), indent=1).encode(),
        "not json": b'{"signed": ',
    }[damage]
    for name in ("1.root.json", "root.json"):
        (folder / name).write_bytes(data)
    reseal(bundle)
    alone = verify_bundle(bundle).lines()
    assert any(line.startswith(f"metadata/{APP}/1.root.json: ") for line in alone), alone
    with remembering():
        for kind in (Root, Targets):  # another reader first: a refusal is never kept
            with contextlib.suppress(CeremonyError):
                read_shared(data, kind)
        inside = [verify_bundle(bundle).lines() for _ in range(2)]
    assert inside == [alone, alone]
