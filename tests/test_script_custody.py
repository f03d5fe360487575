"""The custody fields of ceremony scripts: custody, recover-from, replace.

Each bad script is one of the good scripts below with one edit; the tests
assert the exact message (file, line, dotted path, what, what to do). The
media themselves (present, writable, separate devices) are preflight's, in
tests/test_recover.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ceremony.errors import ScriptError
from ceremony.script.load import load_script, load_script_text
from ceremony.script.plan import PassphraseSource
from tests.sample_scripts import BOOTSTRAP, NOW
from tests.test_script_checks import DELEGATE, ROTATE

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"

# Line numbers matter: the expected messages below name them.
CUSTODY = """\
custody:
  media: [media/custody-a, media/custody-b]
  sheets: media/sheets
  shares: {threshold: 3, of: 5}
"""
B = BOOTSTRAP + CUSTODY  # custody starts on line 22

P = BOOTSTRAP + """\
custody:
  mode: passphrase-only
  media: [media/custody-a, media/custody-b]
  accept-risks: [one-person-recovers, forgotten-means-lost, offline-guessing]
"""

RECOVER = """\
format: 1
ceremony: recover
flavor: tuf
title: Recover the root keys, replace the lost targets key
current: media/2027-05-rotation
output: media/2027-08-recovery
recover-from:
  copies: [media/custody-a, media/custody-b]
keyholders:
  - name: online-team
keys:
  - {name: targets-2, holder: online-team, algorithm: ed25519}
replace:
  targets: {keys: [targets-2], threshold: 1, expires: 180d}
"""


def edit(base: str, old: str, new: str) -> str:
    """``base`` with its one occurrence of ``old`` replaced by ``new``."""
    assert base.count(old) == 1, f"{old!r} must occur once"
    return base.replace(old, new)


def load(text: str):
    return load_script_text(text, path=Path("ceremony.yaml"), now=NOW)


def load_error(text: str) -> str:
    with pytest.raises(ScriptError) as caught:
        load(text)
    return str(caught.value)


BAD_SCRIPTS = {
    "one-medium": edit(B, "[media/custody-a, media/custody-b]", "[media/custody-a]"),
    "medium-twice": edit(
        B,
        "[media/custody-a, media/custody-b]",
        "[media/custody-a, media/custody-a]",
    ),
    "sheets-inside-media": edit(B, "sheets: media/sheets", "sheets: media/custody-b/sheets"),
    "threshold-above-count": edit(B, "{threshold: 3, of: 5}", "{threshold: 6, of: 5}"),
    "one-of-many": edit(B, "{threshold: 3, of: 5}", "{threshold: 1, of: 5}"),
    "too-many-shares": edit(B, "{threshold: 3, of: 5}", "{threshold: 3, of: 17}"),
    "threshold-zero": edit(B, "{threshold: 3, of: 5}", "{threshold: 0, of: 5}"),
    "groups-needed-above-groups": edit(
        B,
        "  shares: {threshold: 3, of: 5}\n",
        "  shares:\n"
        "    groups-needed: 3\n"
        "    groups:\n"
        "      - {threshold: 2, of: 3}\n"
        "      - {threshold: 2, of: 3}\n",
    ),
    "group-one-of-many": edit(
        B,
        "  shares: {threshold: 3, of: 5}\n",
        "  shares:\n"
        "    groups-needed: 2\n"
        "    groups:\n"
        "      - {threshold: 2, of: 3}\n"
        "      - {threshold: 1, of: 3}\n",
    ),
    "shares-text": edit(B, "{threshold: 3, of: 5}", "3-of-5"),
    "shares-threshold-text": edit(B, "{threshold: 3, of: 5}", "{threshold: three, of: 5}"),
    "shares-missing-of": edit(B, "{threshold: 3, of: 5}", "{threshold: 3}"),
    "custodians-count": B + "  custodians: [erin, frank, grace]\n",
    "custodian-twice": B + "  custodians: [erin, frank, grace, heidi, erin]\n",
    "unknown-custody-field": edit(B, "  shares: {", "  share: {"),
    "missing-sheets": edit(B, "  sheets: media/sheets\n", ""),
    "missing-media": edit(B, "  media: [media/custody-a, media/custody-b]\n", ""),
    "slip39-passphrase-written": B + "  slip39-passphrase: hunter2hunter2\n",
    "slip39-passphrase-bad-env": B + "  slip39-passphrase: {env: slip}\n",
    "mode-typo": B + "  mode: passphrase\n",
    "paper": B + "  paper: A5\n",
    "accept-risks-with-shares": B + "  accept-risks: [offline-guessing]\n",
    "passphrase-only-yes": edit(
        P,
        "[one-person-recovers, forgotten-means-lost, offline-guessing]",
        "yes",
    ),
    "passphrase-only-missing-risk": edit(
        P,
        "[one-person-recovers, forgotten-means-lost, offline-guessing]",
        "[offline-guessing]",
    ),
    "passphrase-only-unknown-risk": edit(P, "forgotten-means-lost,", "forgetting,"),
    "passphrase-only-no-accept": edit(
        P,
        "  accept-risks: [one-person-recovers, forgotten-means-lost, offline-guessing]\n",
        "",
    ),
    "passphrase-only-with-shares": P + "  shares: {threshold: 3, of: 5}\n",
    "passphrase-only-one-medium": edit(
        P,
        "[media/custody-a, media/custody-b]",
        "[media/custody-a]",
    ),
    "custody-in-delegate": DELEGATE + CUSTODY,
    "recover-replaces-root": edit(
        RECOVER,
        "  targets: {keys: [targets-2]",
        "  root: {keys: [targets-2]",
    ),
    "recover-replace-undefined-key": edit(
        RECOVER,
        "[targets-2], threshold",
        "[targets-3], threshold",
    ),
    "recover-replace-empty": edit(
        RECOVER,
        "  targets: {keys: [targets-2], threshold: 1, expires: 180d}\n",
        "  {}\n").replace("replace:\n  {}",
        "replace: {}",
    ),
    "recover-without-recover-from": edit(
        RECOVER,
        "recover-from:\n  copies: [media/custody-a, media/custody-b]\n",
        "",
    ),
    "recover-without-replace": edit(
        RECOVER,
        "replace:\n  targets: {keys: [targets-2], threshold: 1, expires: 180d}\n",
        "",
    ),
    "recover-both-passphrases": edit(
        RECOVER,
        "  copies: [media/custody-a, media/custody-b]\n",
        "  copies: [media/custody-a, media/custody-b]\n"
        "  slip39-passphrase: prompt\n"
        "  passphrase: prompt\n",
    ),
    "recover-copy-twice": edit(
        RECOVER,
        "[media/custody-a, media/custody-b]",
        "[media/custody-a, media/custody-a]",
    ),
    "recover-with-roles": RECOVER + "roles: {}\n",
    "recover-with-sign-with": RECOVER + "sign-with: [root-alice]\n",
    "recover-threshold": edit(
        RECOVER,
        "threshold: 1, expires: 180d",
        "threshold: 2, expires: 180d",
    ),
    "recover-expired": edit(RECOVER, "expires: 180d", "expires: 2026-01-01"),
}
EXPECTED = [
    ('one-medium',
     'ceremony.yaml:23: custody.media: a custody bundle is written to two or more media, '
     'and this lists 1. Add a second folder, on another removable medium'
    ),
    ('medium-twice',
     'ceremony.yaml:23: custody.media[1]: the same folder as custody.media[0], so it would '
     'not be a second copy. Name a folder on another removable medium'
    ),
    ('sheets-inside-media',
     "ceremony.yaml:24: custody.sheets: the share sheets' folder and custody.media[1] lie "
     'one inside the other; a share never goes on the same medium as the bundle. Name a '
     'folder on a medium of its own for the sheets'
    ),
    ('threshold-above-count',
     'ceremony.yaml:25: custody.shares.threshold: the threshold is 6 of 5 shares, so it '
     'could never be met. Write how many of the 5 shares recover the bundle, from 1 to 5'
    ),
    ('one-of-many',
     'ceremony.yaml:25: custody.shares.threshold: 1 of 5: SLIP-39 does not make several '
     'shares any one of which recovers the bundle, and one custodian alone should not. '
     'Raise the threshold, or write 1 of 1 and keep 5 copies of that sheet'
    ),
    ('too-many-shares',
     'ceremony.yaml:25: custody.shares.of: SLIP-39 makes 1 to 16 shares, not 17. Write a '
     'number from 1 to 16'
    ),
    ('threshold-zero',
     'ceremony.yaml:25: custody.shares.threshold: the threshold must be at least 1, got 0. '
     'Write how many of the 5 shares recover the bundle, from 1 to 5'
    ),
    ('groups-needed-above-groups',
     'ceremony.yaml:26: custody.shares.groups-needed: 3 groups needed, but there are 2. '
     'Write a number from 1 to 2'
    ),
    ('group-one-of-many',
     'ceremony.yaml:29: custody.shares.groups[1].threshold: 1 of 3: SLIP-39 does not make '
     'several shares any one of which recovers the bundle, and one custodian alone should '
     'not. Raise the threshold, or write 1 of 1 and keep 3 copies of that sheet'
    ),
    ('shares-text',
     'ceremony.yaml:25: custody.shares: expected a mapping of fields (name: value), got '
     "'3-of-5'. Write shares as {threshold: 3, of: 5}, or with groups (see "
     'docs/reference/scripts.md)'
    ),
    ('shares-threshold-text',
     "ceremony.yaml:25: custody.shares.threshold: expected a whole number, got 'three'. "
     'Write the threshold as a number, e.g. 3'
    ),
    ('shares-missing-of',
     'ceremony.yaml:25: custody.shares.of: this required field is missing. Add of: how '
     'many shares are made, one per custodian'
    ),
    ('custodians-count',
     'ceremony.yaml:26: custody.custodians: 3 custodians are listed for 5 shares. List one '
     "custodian per share, 5 in all (group 1's first), or remove the list"
    ),
    ('custodian-twice',
     "ceremony.yaml:26: custody.custodians[4]: 'erin' is listed twice, and a custodian "
     'holds one share. List each custodian once'
    ),
    ('unknown-custody-field',
     "ceremony.yaml:25: custody.share: unknown field 'share' (did you mean 'shares'?). The "
     'fields allowed here are: mode, media, sheets, shares, custodians, slip39-passphrase, '
     'paper'
    ),
    ('missing-sheets',
     'ceremony.yaml:22: custody.sheets: this required field is missing. Add sheets: a '
     'folder on another medium than the bundle copies, for the share sheets to print'
    ),
    ('missing-media',
     'ceremony.yaml:22: custody.media: this required field is missing. Add media: two or '
     'more folders, each on its own removable medium, e.g. [/media/custody-a, '
     '/media/custody-b]'
    ),
    ('slip39-passphrase-written',
     'ceremony.yaml:26: custody.slip39-passphrase: scripts never contain secrets, and this '
     'field looks like it holds one. Delete it and treat that secret as exposed; give '
     'secrets at run time: prompt or {env: VAR} under passphrases, or `ceremony run '
     '--secrets FILE`'
    ),
    ('slip39-passphrase-bad-env',
     "ceremony.yaml:26: custody.slip39-passphrase.env: 'slip' is not an environment "
     'variable name. Variable names use capital letters, digits and _, e.g. '
     'ROOT_ALICE_PASSPHRASE'
    ),
    ('mode-typo',
     'ceremony.yaml:26: custody.mode: expected one of shares, passphrase-only, got '
     "'passphrase'. Write one of: shares, passphrase-only"
    ),
    ('paper',
     "ceremony.yaml:26: custody.paper: expected one of A4, Letter, got 'A5'. Write one of: "
     'A4, Letter'
    ),
    ('accept-risks-with-shares',
     'ceremony.yaml:26: custody.accept-risks: custody with shares has no accept-risks '
     'field (it belongs to mode: passphrase-only). Remove accept-risks:, or change mode:'
    ),
    ('passphrase-only-yes',
     'ceremony.yaml:25: custody.accept-risks: a passphrase-only custody bundle takes risks '
     'that must be accepted one by one, by name, not with a single word. List each risk '
     'you accept by name: one-person-recovers, forgotten-means-lost, offline-guessing'
    ),
    ('passphrase-only-missing-risk',
     'ceremony.yaml:25: custody.accept-risks: a passphrase-only custody bundle is used '
     'only when every one of its risks is accepted, and this does not accept '
     'one-person-recovers, forgotten-means-lost. Read each risk in docs/reference/scripts.md, then '
     'add it to accept-risks, or use shares instead'
    ),
    ('passphrase-only-unknown-risk',
     'ceremony.yaml:25: custody.accept-risks[1]: expected one of one-person-recovers, '
     "forgotten-means-lost, offline-guessing, got 'forgetting'. List each risk you accept "
     'by name: one-person-recovers, forgotten-means-lost, offline-guessing'
    ),
    ('passphrase-only-no-accept',
     'ceremony.yaml:22: custody.accept-risks: this required field is missing. Add '
     'accept-risks: [one-person-recovers, forgotten-means-lost, offline-guessing] after '
     'reading each risk in docs/reference/scripts.md'
    ),
    ('passphrase-only-with-shares',
     'ceremony.yaml:26: custody.shares: a passphrase-only custody bundle has no shares '
     'field: it makes no shares. Remove shares:, or change mode:'
    ),
    ('passphrase-only-one-medium',
     'ceremony.yaml:24: custody.media: a custody bundle is written to two or more media, '
     'and this lists 1. Add a second folder, on another removable medium'
    ),
    ('custody-in-delegate',
     'ceremony.yaml:19: custody: a delegate ceremony has no custody field (it belongs to '
     'bootstrap, rotate-root and recover). Remove it; '
     'docs/reference/scripts.md lists the fields of '
     'a delegate'
    ),
    ('recover-replaces-root',  # rotating away from the custodians: new custody needed
     'ceremony.yaml:14: replace.root: rotating the root keys away from the custodians needs '
     'a new custody bundle and new shares, and this script has no custody: section. Add '
     'custody: with new media, sheets and shares for the new custodians; the old shares are '
     'declared retired when the new ones are tested'
    ),
    ('recover-replace-undefined-key',
     "ceremony.yaml:14: replace.targets.keys[0]: no key named 'targets-3' is defined in "
     'this script, and a replaced role gets new keys only. Define the new key under keys '
     '(made here, or imported from the online system)'
    ),
    ('recover-replace-empty',
     'ceremony.yaml:13: replace: no role is listed, so there is nothing to replace. List '
     'the roles whose keys are lost, e.g. targets: {keys: [targets-2], threshold: 1, '
     'expires: 180d}'
    ),
    ('recover-without-recover-from',
     'ceremony.yaml:1: recover-from: this required field is missing. Add recover-from: '
     "{copies: [...]}, the custody bundle's copies"
    ),
    ('recover-without-replace',
     'ceremony.yaml:1: replace: a recovery must do something with the keys it brings back, '
     'and this script has neither replace: nor rehome:. Add replace: (new keys for lost '
     'roles, or root: to rotate away from the custodians) or rehome: (recovered root keys '
     'onto tokens)'
    ),
    ('recover-both-passphrases',
     'ceremony.yaml:10: recover-from.passphrase: a custody bundle has shares with an '
     'optional SLIP-39 passphrase, or one passphrase and no shares, never both. Keep the '
     'one the custody bundle needs (its custody.json says which)'
    ),
    ('recover-copy-twice',
     'ceremony.yaml:8: recover-from.copies[1]: this folder is listed twice. List each copy '
     'once'
    ),
    ('recover-with-roles',
     'ceremony.yaml:15: roles: a recover ceremony has no roles field (it belongs to '
     'bootstrap and rotate-root). Remove it; '
     'docs/reference/scripts.md lists the fields of a recover'
    ),
    ('recover-with-sign-with',
     'ceremony.yaml:15: sign-with: a recover ceremony has no sign-with field (it belongs '
     'to rotate-root, delegate, renew and decommission). Remove it; '
     'docs/reference/scripts.md lists the fields of a recover'
    ),
    ('recover-threshold',
     'ceremony.yaml:14: replace.targets.threshold: the threshold is 2 but there is only 1 '
     'key, so it could never be met. Lower the threshold to at most 1, or add keys'
    ),
    ('recover-expired',
     'ceremony.yaml:14: replace.targets.expires: this expiry, 2026-01-01T00:00:00Z, is not '
     'in the future (it is now 2026-11-26T17:30:00Z). Give a later date, or a length from '
     'now such as 90d'
    ),
]


@pytest.mark.parametrize(("name", "message"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_bad_custody_script_is_refused_with_exact_message(name: str, message: str) -> None:
    assert load_error(BAD_SCRIPTS[name]) == message


def test_every_bad_script_has_its_message() -> None:
    assert sorted(BAD_SCRIPTS) == sorted(name for name, _ in EXPECTED)


# -- what loads, and into what ----------------------------------------------------


def test_bootstrap_custody_loads_into_the_plan() -> None:
    plan = load(B + "  custodians: [erin, frank, grace, heidi, ivan]\n  paper: Letter\n")
    custody = plan.custody
    base = Path("ceremony.yaml").resolve().parent
    assert custody.mode == "shares"
    assert custody.media == (base / "media/custody-a", base / "media/custody-b")
    assert custody.sheets == base / "media/sheets"
    assert (custody.groups, custody.group_threshold, custody.share_count) == (((3, 5),), 1, 5)
    assert custody.custodians == ("erin", "frank", "grace", "heidi", "ivan")
    assert (custody.passphrase, custody.paper) == (None, "Letter")
    assert plan.where("custody.shares.threshold") == "ceremony.yaml:25: custody.shares.threshold"


def test_groups_and_a_slip39_passphrase_from_the_environment() -> None:
    plan = load(
        edit(
            B,
            "  shares: {threshold: 3, of: 5}\n",
            "  shares:\n    groups-needed: 2\n    groups:\n      - {threshold: 2, of: 3}\n"
            "      - {threshold: 2, of: 3}\n      - {threshold: 1, of: 1}\n"
            "  slip39-passphrase: {env: SLIP39_PASSPHRASE}\n",
        )
    )
    assert plan.custody.groups == ((2, 3), (2, 3), (1, 1))
    assert plan.custody.group_threshold == 2
    assert plan.custody.share_count == 7
    assert plan.custody.passphrase == PassphraseSource("env", "SLIP39_PASSPHRASE")


def test_passphrase_only_custody_with_every_risk_accepted() -> None:
    custody = load(P + "  passphrase: {env: CUSTODY_PASSPHRASE}\n").custody
    assert custody.mode == "passphrase-only"
    assert custody.sheets is None and custody.groups == ()
    assert custody.accepted_risks == (
        "one-person-recovers", "forgotten-means-lost", "offline-guessing"
    )
    assert custody.passphrase == PassphraseSource("env", "CUSTODY_PASSPHRASE")
    assert load(P).custody.passphrase == PassphraseSource("prompt")


def test_rotate_root_may_have_custody() -> None:
    plan = load(ROTATE + CUSTODY)
    assert plan.kind == "rotate-root" and plan.custody.groups == ((3, 5),)


def test_a_script_without_custody_has_none() -> None:
    assert load(BOOTSTRAP).custody is None
    assert load(BOOTSTRAP).recover_from is None


def test_recover_loads_replaced_roles_and_copies() -> None:
    plan = load(RECOVER)
    base = Path("ceremony.yaml").resolve().parent
    assert plan.kind == "recover"
    assert plan.recover_from.copies == (base / "media/custody-a", base / "media/custody-b")
    assert plan.recover_from.slip39_passphrase is None
    [targets] = plan.roles
    assert (targets.name, targets.keys, targets.threshold) == ("targets", ("targets-2",), 1)
    assert targets.expires == NOW + timedelta(days=180)
    assert plan.current == base / "media/2027-05-rotation"
    assert plan.custody is None
    assert plan.where("replace.targets") == "ceremony.yaml:14: replace.targets"


def test_recover_may_write_new_custody() -> None:
    plan = load(RECOVER + CUSTODY)
    assert plan.custody.groups == ((3, 5),)


def test_bootstrap_custody_example() -> None:
    plan = load_script(EXAMPLES / "bootstrap-custody.yaml", now=NOW)
    assert plan.custody.share_count == 5
    assert plan.custody.passphrase == PassphraseSource("prompt")
    assert plan.custody.sheets == (EXAMPLES / ".." / "media" / "sheets").resolve()


def test_recover_example() -> None:
    plan = load_script(EXAMPLES / "recover.yaml", now=NOW)
    assert plan.kind == "recover"
    assert [role.name for role in plan.roles] == ["targets"]
    assert plan.recover_from.slip39_passphrase == PassphraseSource("prompt")
    assert plan.custody.media[0] == (EXAMPLES / ".." / "media" / "custody-c").resolve()
