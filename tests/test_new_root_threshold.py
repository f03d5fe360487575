"""Preflight of a rotation's new root: can the keys here today meet its threshold?

A rotate-root's new root must be signed by a threshold of its own keys. The
keys that can sign it today are those the script makes and those named in
sign-with; a new root they cannot meet is refused in preflight, with the
keyholders to bring, before any passphrase or confirmation is asked (the
operator here fails the test if anything is asked). One that they can meet
passes with a "new root" line. TUF is shown case by case on a real
bootstrap bundle (two root keys, threshold 1); Docker Content Trust with one
refused and one passing rotation on an offline dct bootstrap.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from witness import witnessed

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import PreflightError
from ceremony.events import PreflightChecked
from ceremony.flavors.dct.rehearsal import GUNS, made_up_server_keys
from ceremony.script.load import load_script

REFUSED = (
    "the root keys here today give the new root {words}; bring the keyholders of {absent} "
    "and add them to sign-with, or lower roles.root.threshold"
)
MET = "the root keys here today give the new root {words}"


class AsksNothing:
    """An operator who must not be asked anything: preflight comes first."""

    can_retry = False

    def secret(self, request):
        raise AssertionError(f"a secret was asked before preflight ended: {request.id}")

    def confirm(self, request):
        raise AssertionError(f"a confirmation was asked before preflight ended: {request.id}")

    def choose(self, request):
        raise AssertionError(f"a choice was asked before preflight ended: {request.id}")


def saved_env(names: dict[str, str]):
    old = {k: os.environ.get(k) for k in names}
    os.environ.update(names)
    return old


def restore_env(old: dict[str, str | None]) -> None:
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def tuf_current(tmp_path_factory, headless_bootstrap):
    """A sealed TUF bootstrap: root-a and root-b, threshold 1 (small_bootstrap's,
    made once for the session, conftest.py: this module's copy)."""
    folder = tmp_path_factory.mktemp("tuf-current")
    shutil.copytree(headless_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    return folder


def tuf_rotation(folder: Path, name: str, *, sign_with: str, root: str, keys: str = "") -> Path:
    """A rotate-root of ``folder/out``; passphrases are prompted (none is
    in the environment), so any passphrase asked reaches the operator."""
    listed = re.fullmatch(r"keys: \[(.*)\], threshold: (\d+)", root)
    assert listed, root
    # the loader asks a root without a spare key to say so
    spare = len(listed.group(1).split(", ")) == int(listed.group(2))
    script = folder / f"{name}.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: rotate-root
            flavor: tuf
            title: {name}
            network: allowed
            output-media: any-device
            current: out
            output: {name}
            sign-with: [{sign_with}]
            """
        )
        + keys
        # and preflight asks why one lost keyholder may lock it (test_recoverability.py)
        + ("spare-keys: none\naccept-risk: every root key must sign, a test root\n"
           if spare else "")
        + f"roles:\n  root: {{{root}, expires: 200d}}\n"
    )
    return script


ROOT_C = "keyholders: [{name: c}]\nkeys:\n  - {name: root-c, holder: c, algorithm: ed25519}\n"


def stop_in_preflight(script: Path) -> tuple[list, PreflightError]:
    """Run the ceremony with an operator who must never be asked: the events
    until it stopped, and the error."""
    events = []
    with pytest.raises(PreflightError) as stopped:
        for event in run_ceremony(load_script(script), AsksNothing()):
            events.append(event)
    return events, stopped.value


def passes_with(script: Path) -> tuple[bool, str]:
    """Preflight of ``script`` finds no problem: its "new root" line."""
    result = preflight(load_script(script))
    assert result.failures == []
    (line,) = [c for c in result.checks if c.check == "new root"]
    return line.ok, line.detail


REFUSED_CASES = [
    ("threshold-2-one-signer", "root-a", "keys: [root-a, root-b], threshold: 2", "",
     "1 signature, threshold 2 (1 more needed)", "root-b"),
    ("signer-not-in-new-root", "root-b", "keys: [root-a, root-c], threshold: 2", ROOT_C,
     "1 signature, threshold 2 (1 more needed)", "root-a"),
    ("one-of-three-absent", "root-a", "keys: [root-a, root-b, root-c], threshold: 3", ROOT_C,
     "2 signatures, threshold 3 (1 more needed)", "root-b"),
]


@pytest.mark.parametrize(
    "case, sign_with, root, keys, words, absent", REFUSED_CASES, ids=[c[0] for c in REFUSED_CASES]
)
def test_a_new_root_todays_keys_cannot_meet_stops_in_preflight_before_any_question(
    tuf_current, case, sign_with, root, keys, words, absent
):
    script = tuf_rotation(tuf_current, case, sign_with=sign_with, root=root, keys=keys)
    events, error = stop_in_preflight(script)
    detail = REFUSED.format(words=words, absent=absent)
    assert str(error) == (
        f"preflight found 1 problem(s): new root: {detail}. fix these and run again; nothing "
        "was done"
    )
    (line,) = [e for e in events if isinstance(e, PreflightChecked) and e.check == "new root"]
    assert (line.ok, line.detail) == (False, detail)
    assert not (tuf_current / case).exists()
    assert not list(tuf_current.glob(f"{case}.abandoned-*"))  # nothing was done


def test_validate_shows_the_refusal_with_keys_made_today_counted(tuf_current, capsys):
    root_d = ROOT_C.replace("[{name: c}]", "[{name: c}, {name: d}]") + (
        "  - {name: root-d, holder: d, algorithm: ed25519}\n"
    )
    script = tuf_rotation(
        tuf_current, "all-four", sign_with="root-a",
        root="keys: [root-a, root-b, root-c, root-d], threshold: 4", keys=root_d,
    )
    assert main(["validate", str(script)]) == 1
    out, err = capsys.readouterr()
    assert err.strip() == "ceremony: 1 preflight problem(s); nothing was done"
    assert "   [FAIL] new root: " + REFUSED.format(
        words="3 signatures, threshold 4 (1 more needed)", absent="root-b"
    ) in out.splitlines(), out
    assert not (tuf_current / "all-four").exists()


MET_CASES = [
    ("both-sign", "root-a, root-b", "keys: [root-a, root-b], threshold: 2", "",
     "2 signatures, threshold 2 (met)"),
    ("made-today-counts", "root-a", "keys: [root-a, root-c], threshold: 2", ROOT_C,
     "2 signatures, threshold 2 (met)"),
    ("one-of-two", "root-a", "keys: [root-a, root-b], threshold: 1", "",
     "1 signature, threshold 1 (met)"),
    ("only-new-keys", "root-b", "keys: [root-c], threshold: 1", ROOT_C,
     "1 signature, threshold 1 (met)"),
]


@pytest.mark.parametrize(
    "case, sign_with, root, keys, words", MET_CASES, ids=[c[0] for c in MET_CASES]
)
def test_a_new_root_todays_keys_can_meet_passes_with_its_line(
    tuf_current, case, sign_with, root, keys, words
):
    script = tuf_rotation(tuf_current, case, sign_with=sign_with, root=root, keys=keys)
    assert passes_with(script) == (True, MET.format(words=words))


def test_a_met_new_root_goes_on_to_the_first_question(tuf_current):
    """The check passing lets the ceremony reach its first question."""
    script = tuf_rotation(tuf_current, "reaches-a-question", sign_with="root-a",
                          root="keys: [root-a, root-b], threshold: 1")
    with pytest.raises(AssertionError, match="confirmation was asked before preflight "
                       "ended: confirm/script"):
        list(run_ceremony(load_script(script), AsksNothing()))


def test_a_rotation_that_sets_no_root_role_has_no_new_root_line(tuf_current):
    script = tuf_current / "targets-only.yaml"
    script.write_text(
        tuf_rotation(tuf_current, "targets-only", sign_with="root-a", root="keys: [root-a, "
                     "root-b], threshold: 1").read_text().split("roles:")[0]
        + "roles:\n  targets: {keys: [targets], threshold: 1, expires: 30d}\n"
    )
    result = preflight(load_script(script))
    assert [c for c in result.checks if c.check == "new root"] == []


# -- Docker Content Trust -----------------------------------------------------------

DCT_PASS = {"DCT_NR_ALICE": "alice passphrase here", "DCT_NR_BOB": "bob passphrase here",
            "DCT_NR_REPO": "repository key passphrase"}
GUN = GUNS[0]  # one of those the made-up server keys are for


@pytest.fixture(scope="module")
def dct_current(tmp_path_factory):
    """An offline dct bootstrap of one GUN (root-alice, root-bob, threshold 1),
    the Notary server's keys made up as the rehearsal makes them."""
    folder = tmp_path_factory.mktemp("dct-current")
    made_up_server_keys(folder / "server-keys")
    script = folder / "bootstrap.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: bootstrap
            flavor: dct
            title: dct bootstrap for the new-root check
            rehearsal: true
            output: 1-bootstrap
            guns: [{GUN}]
            server-keys: server-keys
            keyholders: [{{name: alice}}, {{name: bob}}, {{name: ci}}]
            keys:
              - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
              - {{name: root-bob, holder: bob, algorithm: ecdsa-p256}}
              - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
            roles:
              root: {{keys: [root-alice, root-bob], threshold: 1}}
              targets: {{keys: [repo]}}
            passphrases:
              root-alice: {{env: DCT_NR_ALICE}}
              root-bob: {{env: DCT_NR_BOB}}
              repo: {{env: DCT_NR_REPO}}
            """
        )
    )
    old = saved_env(DCT_PASS)
    try:
        assert main(witnessed(["run", str(script), "--yes"])) == 0
    finally:
        restore_env(old)
    return folder


def dct_rotation(folder: Path, name: str, threshold: int) -> Path:
    script = folder / f"{name}.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: rotate-root
            flavor: dct
            title: {name}
            rehearsal: true
            current: 1-bootstrap
            published: 1-bootstrap/publish
            output: {name}
            sign-with: [root-alice]
            keyholders: [{{name: carol}}]
            keys:
              - {{name: root-carol, holder: carol, algorithm: ecdsa-p256}}
            roles:
              root: {{keys: [root-alice, root-bob, root-carol], threshold: {threshold}}}
            """
        )
        + ("spare-keys: none\n" if threshold == 3 else "")
    )
    return script


def test_dct_a_new_root_todays_keys_cannot_meet_is_refused_and_one_they_can_passes(
    dct_current,
):
    script = dct_rotation(dct_current, "dct-three", 3)
    events, error = stop_in_preflight(script)
    detail = REFUSED.format(words="2 signatures, threshold 3 (1 more needed)", absent="root-bob")
    assert str(error) == (
        f"preflight found 1 problem(s): new root: {detail}. fix these and run again; nothing "
        "was done"
    )
    (line,) = [e for e in events if isinstance(e, PreflightChecked) and e.check == "new root"]
    assert (line.ok, line.detail) == (False, detail)

    assert passes_with(dct_rotation(dct_current, "dct-two", 2)) == (
        True, MET.format(words="2 signatures, threshold 2 (met)")
    )
