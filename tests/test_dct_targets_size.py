"""A DCT delegation whose targets.json would be too large is refused in preflight.

``ceremony verify`` refuses a metadata file above 5,000,000 bytes, each GUN's
targets.json among them. A DCT delegate listing 800 delegations of 100 keys each
writes one of some 5.4 MB for every GUN (its delegations beside the rehearsal's
targets/ci and targets/releases): ``run`` refused it only as it sealed,
after every key was made. Preflight now builds the new targets.json of the GUN
whose current one is the largest before anything is asked, and refuses it; ``run``
stops before a passphrase.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_new_targets_check import stops_in_preflight
from test_new_targets_check import with_delegations as delegating

from ceremony.engine.preflight import preflight
from ceremony.script.load import load_script
from ceremony.script.plan import Plan

KEYS = [f"k{n}" for n in range(100)]
GUN = "registry.example.com/rehearsal/app"  # the first of the rehearsal's two, alike


def delegate_script(folder: Path, rehearsal: Path) -> Path:
    """A rehearsal delegate on the rehearsal's 2-delegate making the 100 keys of KEYS,
    delegated to by one role."""
    script = folder / "delegate.yaml"
    script.write_text(
        "format: 1\nceremony: delegate\nflavor: dct\ntitle: many delegations\n"
        f"rehearsal: true\nnetwork: allowed\noutput-media: any-device\n"
        f"current: {rehearsal / '2-delegate'}\npublished: {rehearsal / '2-delegate/publish'}\n"
        "output: out\nkeyholders: [{name: ci-team}]\nkeys:\n"
        + "".join(f"  - {{name: {k}, holder: ci-team, algorithm: ecdsa-p256}}\n" for k in KEYS)
        + f"delegations:\n  - {{name: targets/d0, keys: [{', '.join(KEYS)}], threshold: 1, "
        'paths: ["d0/"]}\n'
    )
    return script


def with_delegations(plan: Plan, count: int) -> Plan:
    """``plan`` delegating to ``count`` roles, each to every key of KEYS."""
    return delegating(plan, count, lambda first, n: dataclasses.replace(
        first, role=f"targets/d{n}", paths=(f"d{n}/",)))


@pytest.fixture
def many(dct_rehearsal, tmp_path) -> Plan:
    folder, _printed = dct_rehearsal
    return with_delegations(load_script(delegate_script(tmp_path, folder)), 800)


def test_preflight_refuses_a_targets_file_past_the_limit(many):
    failures = preflight(many).failures
    assert [c.check for c in failures] == [f"size of targets.json {GUN}"]
    assert failures[0].detail.startswith(
        f"the new targets.json of {GUN} delegates to 802 roles with 101 keys (listed 80,002 "
        "times) and 802 path patterns, which take at least "
    )
    assert failures[0].detail.endswith(
        "bytes, more than the 5,000,000 a metadata file may have (`ceremony verify` refuses "
        "a larger one): name fewer keys and paths in signers: and delegations:"
    )


def test_run_stops_in_preflight_before_any_key(many, tmp_path):
    stops_in_preflight(many, tmp_path, f"size of targets.json {GUN}")


def test_a_delegation_within_the_limit_passes(many):
    assert preflight(with_delegations(many, 600)).failures == []
