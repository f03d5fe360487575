"""The recoverability table: a root that one loss can lock is refused before any key is made.

``ceremony validate`` on the design of issue 18 (two root keys made on tokens,
one in software, threshold 2, custody) shows the table of losses and refuses
it without ``accept-risk:``, since custody would hold one of the two root
keys a recovery needs; with ``accept-risk:`` the words go into the preflight
record. Each design docs/reference/scripts.md names as surviving passes, for TUF and
DCT alike; a rehearsal is told, never stopped. The recovery of one of them is
performed on SoftHSM in test_recoverability_softhsm.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from witness import witnessed

from ceremony.cli import main
from ceremony.engine.preflight import preflight
from ceremony.engine.recoverability_check import recoverability
from ceremony.errors import ScriptError
from ceremony.script.load import load_script_text

OPENSC = "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"


def token(name: str, holder: str, label: str) -> str:
    return (f"  - {{name: {name}, holder: {holder}, algorithm: ecdsa-p256, backend: pkcs11, "
            f"module: {OPENSC}, token-label: {label}}}\n")


def software(name: str, holder: str, backups: tuple[str, ...] = ()) -> str:
    line = f"  - {{name: {name}, holder: {holder}, algorithm: ecdsa-p256"
    if backups:
        line += ", backup-tokens: [" + ", ".join(
            f"{{module: {OPENSC}, token-label: {label}}}" for label in backups) + "]"
    return line + "}\n"


def script(folder: Path, root_keys: str, names: list[str], threshold: int, *,
           custody: bool = True, extra: str = "", flavor: str = "tuf") -> Path:
    for medium in ("custody-a", "custody-b", "sheets"):
        (folder / medium).mkdir(exist_ok=True)
    holders = sorted({line.split("holder: ")[1].split(",")[0] for line in
                      root_keys.splitlines() if "holder: " in line})
    roles = (
        f"  root: {{keys: [{', '.join(names)}], threshold: {threshold}, expires: 1y}}\n"
        "  targets: {keys: [targets], threshold: 1, expires: 180d}\n"
    )
    if flavor == "tuf":
        head = "flavor: tuf\n"
        roles += ("  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}\n"
                  "  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}\n")
        others = ("  - {name: targets, algorithm: ed25519}\n"
                  "  - {name: snapshot, algorithm: ed25519}\n"
                  "  - {name: timestamp, algorithm: ed25519}\n")
    else:
        head = f"flavor: dct\nguns: [registry.example.com/org/app]\nserver-keys: {folder}\n"
        others = "  - {name: targets, algorithm: ecdsa-p256}\n"
    text = (
        "format: 1\nceremony: bootstrap\n" + head
        + "title: recoverability\noutput: out/boot\noutput-media: any-device\n"
        + "network: allowed\n" + extra
        + "keyholders: [" + ", ".join(f"{{name: {h}}}" for h in holders) + "]\n"
        + "keys:\n" + root_keys + others + "roles:\n" + roles
    )
    if custody:
        text += textwrap.dedent("""\
            custody:
              media: [custody-a, custody-b]
              sheets: sheets
              shares: {threshold: 2, of: 3}
            """)
    path = folder / "bootstrap.yaml"
    path.write_text(text)
    return path


ISSUE_DESIGN = (token("root-alice", "alice", "root-hsm-a") + token("root-bob", "bob", "root-hsm-b")
                + software("root-carol", "carol"))
ISSUE_NAMES = ["root-alice", "root-bob", "root-carol"]


def checks(path: Path) -> dict[str, tuple[bool, str]]:
    plan = load_script_text(path.read_text(), path=path)
    return {c.check: (c.ok, c.detail) for c in preflight(plan).checks}


def test_validate_shows_the_table_and_refuses_the_issue_design(tmp_path, capsys):
    path = script(tmp_path, ISSUE_DESIGN, ISSUE_NAMES, 2)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "[ok] recoverability: root threshold 2, root keys:" in out
    assert "root-alice: on token 'root-hsm-a', keyholder alice" in out
    assert "root-carol: key file, in custody, keyholder carol" in out
    assert "custody alone: 1 root key, threshold 2 (1 more needed)" in out
    assert ("keyholder alice -> survives: a rotation can sign with 2 (root-bob (on token "
            "'root-hsm-b'), root-carol (from its key file)); custody gives 1") in out
    assert "custody (every copy, or the quorum) -> survives" in out
    assert (
        "[FAIL] one loss: custody will hold 1 of the 2 root keys needed, so a recovery from "
        "custody can never sign this root (root-alice is made on token 'root-hsm-a' and "
        "cannot go into custody; root-bob is made on token 'root-hsm-b' and cannot go into "
        "custody). Designs that survive: (1) spare keys:"
    ) in out
    assert "(2) software root keys copied into tokens (backup-tokens:) with custody:" in out
    assert (
        "Or, if this is meant, say why in accept-risk: "
        '(docs/reference/scripts.md, "Recoverability")'
    ) in out


def test_accept_risk_is_recorded_and_lets_the_design_through(tmp_path):
    words = "custody is for root-carol's passphrase only; the board accepted it on 2026-11-20"
    path = script(tmp_path, ISSUE_DESIGN, ISSUE_NAMES, 2, extra=f'accept-risk: "{words}"\n')
    found = checks(path)
    assert found["one loss"][0] is True
    assert found["one loss"][1].startswith("the script accepts the risk (below): custody will "
                                           "hold 1 of the 2 root keys needed")
    assert found["accepted risk"] == (True, words)


def test_one_lost_token_that_locks_the_root_is_refused(tmp_path):
    keys = token("root-alice", "alice", "root-hsm-a") + token("root-bob", "bob", "root-hsm-b")
    path = script(tmp_path, keys, ["root-alice", "root-bob"], 2, custody=False,
                  extra="spare-keys: none\n")
    ok, detail = checks(path)["one loss"]
    assert not ok
    assert detail.startswith(
        "losing keyholder alice leaves 1 root signature, threshold 2 (1 more needed); losing "
        "keyholder bob leaves 1 root signature")
    assert "losing token 'root-hsm-a' leaves 1 root signature" in detail


def spare_keys(flavor: str) -> str:
    """(1) spare keys: three token keys, threshold 2, no custody."""
    return (token("root-a", "alice", "hsm-a") + token("root-b", "bob", "hsm-b")
            + token("root-c", "carol", "hsm-c"))


def copied_into_tokens(flavor: str) -> str:
    """(2) software keys copied into two tokens each (not for dct yet), custody holding
    the threshold."""
    def backups(who: str) -> tuple[str, ...]:
        return (f"backup-{who}1", f"backup-{who}2") if flavor == "tuf" else ()
    return (software("root-a", "alice", backups("a")) + software("root-b", "bob", backups("b"))
            + software("root-c", "carol", backups("c")))


def mixed(flavor: str) -> str:
    """(3) a mix whose custody holds the threshold."""
    return (token("root-a", "alice", "hsm-a") + token("root-b", "bob", "hsm-b")
            + software("root-c", "carol") + software("root-d", "dave"))


@pytest.mark.parametrize("design, names, custody", [
    (spare_keys, ["root-a", "root-b", "root-c"], False),
    (copied_into_tokens, ["root-a", "root-b", "root-c"], True),
    (mixed, ["root-a", "root-b", "root-c", "root-d"], True),
])
@pytest.mark.parametrize("flavor", ["tuf", "dct"])
def test_each_documented_design_survives_one_loss(tmp_path, design, names, custody, flavor):
    path = script(tmp_path, design(flavor), names, 2, custody=custody, flavor=flavor)
    plan = load_script_text(path.read_text(), path=path)
    table = recoverability(plan, None)
    assert table is not None and not table.fragile
    assert all(loss.survives for loss in table.losses)
    ok, detail = {c.check: (c.ok, c.detail) for c in preflight(plan).checks}["one loss"]
    assert ok and detail.startswith("the root can still be signed after losing any one token "
                                    "or keyholder")


def test_backup_copies_are_shown_and_not_counted(tmp_path):
    keys = software("root-a", "alice", ("backup-a1",)) + software("root-b", "bob")
    path = script(tmp_path, keys, ["root-a", "root-b"], 2, custody=False,
                  extra="spare-keys: none\n")
    plan = load_script_text(path.read_text(), path=path)
    table = recoverability(plan, None)
    assert table is not None
    (alice,) = [loss for loss in table.losses if loss.what == "keyholder alice"]
    assert alice.locks_the_root and alice.rotation.have == 1
    assert "root-a: key file, copies on token 'backup-a1' (not counted), keyholder alice" in \
        checks(path)["recoverability"][1]


def test_a_rehearsal_is_told_not_stopped(tmp_path):
    path = script(tmp_path, ISSUE_DESIGN, ISSUE_NAMES, 2, extra="rehearsal: true\n")
    ok, detail = checks(path)["one loss"]
    assert ok and detail.startswith("a rehearsal, so not refused: custody will hold 1 of the 2")


def test_accept_risk_is_words_not_a_list_and_only_where_a_root_is_planned(tmp_path):
    path = script(tmp_path, ISSUE_DESIGN, ISSUE_NAMES, 2,
                  extra="accept-risk: [one-person-recovers]\n")
    with pytest.raises(ScriptError) as raised:
        load_script_text(path.read_text(), path=path)
    assert "accept-risk is one risk written in words, not a list of names (custody's " \
        "accept-risks lists a passphrase-only bundle's risks by name)" in str(raised.value)
    path = script(tmp_path, ISSUE_DESIGN, ISSUE_NAMES, 2, extra='accept-risk: ""\n')
    with pytest.raises(ScriptError, match="expected text"):
        load_script_text(path.read_text(), path=path)


# -- a rotation: the current bundle's keys, as its records say ------------------------


@pytest.fixture(scope="module")
def current_bundle(tmp_path_factory):
    """A sealed production bootstrap (root-a, root-b in software, threshold 1) whose
    transcript records the accepted risk of a root custody cannot recover alone."""
    from test_run_headless import PASS, small_bootstrap

    folder = tmp_path_factory.mktemp("rotation-current")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        script = small_bootstrap(folder, extra='accept-risk: "no custody: a test root"\n')
        assert main(witnessed(["run", str(script), "--yes"])) == 0
    return folder


def test_the_accepted_risk_is_in_the_transcript(current_bundle):
    import json

    lines = [json.loads(line) for line in
             (current_bundle / "out" / "transcript.jsonl").read_text().splitlines()]
    checks = {e["check"]: e["detail"] for e in lines if e["event"] == "preflight-checked"}
    assert checks["accepted risk"] == "no custody: a test root"
    assert checks["recoverability"].startswith("root threshold 1, root keys:")


def test_a_rotation_judges_current_keys_from_their_records(current_bundle):
    """Custody seals only the current keys opened today: root-b, not in sign-with, is
    not sealed, so custody would hold 1 of the 2 the new root needs."""
    for medium in ("custody-a", "custody-b", "sheets"):
        (current_bundle / medium).mkdir(exist_ok=True)
    script = current_bundle / "rotate.yaml"
    script.write_text(textwrap.dedent("""\
        format: 1
        ceremony: rotate-root
        flavor: tuf
        title: rotation with custody
        network: allowed
        output-media: any-device
        current: out
        output: rotated
        sign-with: [root-a]
        spare-keys: none
        roles:
          root: {keys: [root-a, root-b], threshold: 2, expires: 200d}
        custody:
          media: [custody-a, custody-b]
          sheets: sheets
          shares: {threshold: 2, of: 3}
        """))
    found = checks(script)
    table = found["recoverability"][1]
    assert "root-a: key file, in custody, keyholder a" in table
    assert "root-b: key file, keyholder b" in table
    ok, detail = found["one loss"]
    assert not ok
    assert detail.startswith(
        "losing keyholder a leaves 1 root signature, threshold 2 (1 more needed) and custody "
        "gives 1 root key, threshold 2 (1 more needed); losing keyholder b leaves 1 root "
        "signature")
    assert ("custody will hold 1 of the 2 root keys needed, so a recovery from custody can "
            "never sign this root (root-b is not opened today, so it is not sealed)") in detail


def test_imported_root_keys_are_kept_by_their_keyholders(current_bundle):
    """A rotation signed in sittings imports its new root keys: their keyholders keep the
    private parts on their own tokens or key files, so losing the bundle's medium loses
    none of them (they are not "key files" of the bundle), and losing a keyholder loses
    only their own."""
    from hsm.algorithms import ALGORITHMS
    from hsm.software import SoftwareKey

    for name in ("root-c", "root-d"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (current_bundle / f"{name}.pem").write_text(key.facts().public_pem)
    script = current_bundle / "rotate-in-sittings.yaml"
    script.write_text(textwrap.dedent("""\
        format: 1
        ceremony: rotate-root
        flavor: tuf
        title: rotation signed in sittings
        network: allowed
        output-media: any-device
        current: out
        output: rotated-in-sittings
        request-expires: 7d
        sign-with: [root-a]
        keyholders: [{name: c}, {name: d}]
        keys:
          - {name: root-c, holder: c, import: root-c.pem}
          - {name: root-d, holder: d, import: root-d.pem}
        roles:
          root: {keys: [root-a, root-c, root-d], threshold: 2, expires: 200d}
        """))
    found = checks(script)
    table = found["recoverability"][1]
    assert "root-c: kept by its keyholder, keyholder c" in table
    assert "root-d: kept by its keyholder, keyholder d" in table
    assert ("the bundle's medium (its key files) -> survives: a rotation can sign with 2 "
            "(root-c (kept by its keyholder), root-d (kept by its keyholder))") in table
    assert "keyholder c -> survives: a rotation can sign with 2 (root-a (from its key file), " \
           "root-d (kept by its keyholder))" in table
    assert found["one loss"][0]
