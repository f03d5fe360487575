"""A DCT delegation whose targets.json would be too large is refused in preflight.

``ceremony verify`` refuses a metadata file above 5,000,000 bytes, each GUN's
targets.json among them. A DCT delegate listing 800 delegations of 100 keys each
writes one of some 5.4 MB for every GUN (its delegations beside the rehearsal's
targets/ci and targets/releases): ``run`` refused it only as it sealed,
after every key was made. Preflight now holds every GUN's new targets.json to the
limit before anything is asked, and refuses the ones past it; ``run`` stops before a
passphrase. Not only the GUN whose current file is the largest: one that holds
fewer of the script's delegations already gains more, and may end the largest.
Each GUN is bounded from its current file's length first (targets_size._at_most),
and only one whose bound passes the limit is built; the bound is held here against
files laid out as notary never lays them.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from test_dct_fleet_size import run_bootstrap
from test_new_targets_check import stops_in_preflight
from test_new_targets_check import with_delegations as delegating

from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.flavors.dct.notary.model import (
    DelegatedRole,
    Metadata,
    PublicKey,
    Targets,
    read_metadata,
)
from ceremony.flavors.dct.notary.targets import add_delegation, next_targets
from ceremony.flavors.dct.targets_size import _at_most
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.script.plan import Plan

KEYS = [f"k{n}" for n in range(100)]
GUNS = ("registry.example.com/rehearsal/app", "registry.example.com/rehearsal/db")
GUN = GUNS[0]  # the first of the rehearsal's two, alike


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


def test_preflight_refuses_a_targets_file_past_the_limit(many, dct_rehearsal):
    failures = preflight(many).failures
    # the rehearsal's two GUNs are alike: each is refused, on its own line
    assert [c.check for c in failures] == [f"size of targets.json {gun}" for gun in GUNS]
    current = (dct_rehearsal[0] / "2-delegate/publish" / GUN / "targets.json").stat().st_size
    assert failures[0].detail.startswith(
        f"the new targets.json of {GUN} delegates to 802 roles with 101 keys (listed 80,002 "
        "times) and 802 path patterns, which take at least "
    )
    assert failures[0].detail.endswith(
        f"bytes (its current one {current:,}), more than the 5,000,000 a metadata file may "
        "have (`ceremony verify` refuses a larger one): name fewer keys and paths in "
        "signers: and delegations:"
    )


def test_run_stops_in_preflight_before_any_key(many, tmp_path):
    stops_in_preflight(many, tmp_path, f"size of targets.json {GUN}")


def test_a_delegation_within_the_limit_passes(many):
    assert preflight(with_delegations(many, 600)).failures == []


# -- a GUN smaller today that gains more ----------------------------------------------

APP, DB = "registry.example.com/org/app", "registry.example.com/org/db"
TWENTY = [f"k{n}" for n in range(20)]
D_ROLES, E_ROLES = 2050, 1830  # of 20 keys each: some 2.9 MB and 2.6 MB


def delegate_on(folder: Path, name: str, current: Path, published: Path,
                guns: tuple[str, ...], make: bool, role: str, count: int) -> Plan:
    """A delegate to ``count`` roles targets/<role>N, each to the 20 keys of TWENTY
    (made here when ``make``, else the current bundle's), over ``guns`` (every GUN
    when none); its script is ``folder/name.yaml``, its output ``folder/name``."""
    keys = "".join(f"  - {{name: {k}, holder: ci-team, algorithm: ecdsa-p256}}\n"
                   for k in TWENTY)
    script = folder / f"{name}.yaml"
    script.write_text(
        "format: 1\nceremony: delegate\nflavor: dct\ntitle: uneven GUNs\nrehearsal: true\n"
        f"current: {current}\npublished: {published}\noutput: {name}\n"
        + (f"guns: [{', '.join(guns)}]\n" if guns else "")
        + "keyholders: [{name: ci-team}]\n" + ("keys:\n" + keys if make else "")
        + f"delegations:\n  - {{name: targets/{role}0, keys: [{', '.join(TWENTY)}], "
        f'paths: ["{role}0/"]}}\n'
    )
    return delegating(load_script(script), count, lambda first, n: dataclasses.replace(
        first, role=f"targets/{role}{n}", paths=(f"{role}{n}/",)))


@pytest.fixture(scope="module")
def uneven(tmp_path_factory) -> tuple[Path, Path]:
    """Real ceremonies on a bootstrap of APP and DB: app delegated alone to D_ROLES
    roles d*, db then alone to E_ROLES roles e* of the same keys; the server's state
    (server/) as each published it. App's targets.json is the larger; the current
    bundle and the server's state."""
    folder = tmp_path_factory.mktemp("uneven")
    operator = RehearsalOperator()  # it knows the passphrases of the keys it made
    run_bootstrap(folder, [APP, DB], 1, operator)
    server = folder / "server"
    shutil.copytree(folder / "out" / "publish", server)
    for name, current, guns, make, role, count in (
        ("one", folder / "out", (APP,), True, "d", D_ROLES),
        ("two", folder / "one", (DB,), False, "e", E_ROLES),
    ):
        list(run_ceremony(delegate_on(folder, name, current, server, guns, make, role, count),
                          operator))
        shutil.copytree(folder / name / "publish", server, dirs_exist_ok=True)
    return folder / "two", server


def test_a_gun_smaller_now_that_gains_more_is_refused(uneven, tmp_path):
    """The script delegates to the d* roles on both GUNs: app has them all already and
    fits; db, the smaller today, gains every one and is refused by name, though the
    largest GUN's new file fits."""
    current, server = uneven
    sizes = {gun: (server / gun / "targets.json").stat().st_size for gun in (APP, DB)}
    assert 2_500_000 < sizes[DB] < sizes[APP] < 3_000_000
    plan = delegate_on(tmp_path, "delegate", current, server, (), False, "d", D_ROLES)
    failures = preflight(plan).failures
    assert [c.check for c in failures] == [f"size of targets.json {DB}"]
    assert failures[0].detail.startswith(
        f"the new targets.json of {DB} delegates to {D_ROLES + E_ROLES:,} roles with 20 keys "
        f"(listed {20 * (D_ROLES + E_ROLES):,} times) and {D_ROLES + E_ROLES:,} path "
        "patterns, which take at least 5,"
    )
    assert f"bytes (its current one {sizes[DB]:,}), more than the 5,000,000 " in \
        failures[0].detail
    stops_in_preflight(plan, tmp_path, f"size of targets.json {DB}")


def test_the_bound_holds_for_a_file_notary_would_lay_out_otherwise():
    """A targets.json laid out shorter than notary writes it (``<``, ``>``, ``&`` and
    U+2028 raw, key objects without ``"private":null``, ``delegations`` with no keys and
    roles), and one with an escape: the bound, with nothing added, is above what the file
    takes written afresh one version on, both where it settles the file at once and where
    it counts."""
    for roles in (10, 2_500):  # some 5 kB, and some 1.2 MB
        keys = {f"{n:064x}": {"keytype": "ecdsa", "keyval": {"public": "AAAA"}}
                for n in range(roles)}
        signed = {"_type": "Targets", "expires": "2030-01-01T00:00:00Z", "version": 1,
                  "targets": {f"<&>\u2028{n:0400}": {"length": 1, "hashes": {}}
                              for n in range(roles)},
                  "delegations": {"keys": keys, "roles": []}}
        shorter = json.dumps({"signed": signed, "signatures": []}, ensure_ascii=False,
                             separators=(",", ":")).encode()
        signed["delegations"] = {}
        bare = json.dumps({"signed": signed, "signatures": []}, ensure_ascii=False,
                          separators=(",", ":")).encode()
        for data in (shorter, bare, shorter.replace(b"<&>", b"\\u003c&>")):
            written = Metadata(next_targets(read_metadata(data, Targets).signed)).to_bytes()
            assert _at_most(data, 0) >= len(written)
        # written afresh, the shorter layout grows by more than a few bytes a key
        written = Metadata(next_targets(read_metadata(shorter, Targets).signed)).to_bytes()
        assert len(written) > len(shorter) + 10 * roles


def test_a_role_is_found_by_name_as_roles_are_added_and_taken_out():
    """Delegations.role looks a name up in an index (a delegation of thousands of roles
    was quadratic to build): the first role of a name, roles appended since it was last
    asked, and after roles are taken out."""
    key = PublicKey("ecdsa", b"k")
    targets = next_targets(Targets(version=1, expires="2030-01-01T00:00:00Z"))
    add_delegation(targets, "targets/a", [key], paths=["a/"])
    delegations = targets.delegations
    assert delegations.role("targets/b") is None
    delegations.roles.append(DelegatedRole("targets/b", [key.keyid], 1, ["b/"]))
    delegations.roles.append(DelegatedRole("targets/b", [key.keyid], 1, ["other/"]))
    assert delegations.role("targets/b") is delegations.roles[1]
    add_delegation(targets, "targets/b", [key], paths=["b/", "c/"])  # extends the first
    assert [role.paths for role in delegations.roles] == [["a/"], ["b/", "c/"], ["other/"]]
    del delegations.roles[:2]
    assert delegations.role("targets/a") is None
    assert delegations.role("targets/b") is delegations.roles[0]
