"""A recovery's actions in scripts: ``replace: root:`` (rotate away) and ``rehome:``.

The loader reads both strictly and refuses what cannot work with an exact
message naming the line and field: rotating away from the custodians
without a new custody bundle, new root keys that custody could not hold,
a root that one lost key would lock, re-homing keys this script makes, a
YubiKey as a re-homing target, SoftHSM in production, and so on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.errors import ScriptError
from ceremony.script.load import load_script_text
from ceremony.script.plan import TokenSpec
from tests.sample_scripts import NOW

MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"

# Line numbers matter: the expected messages below name them.
ROTATE_AWAY = """\
format: 1
ceremony: recover
flavor: tuf
title: Rotate the root keys away from the old custodians
current: media/2027-05-rotation
output: media/2027-08-recovery
recover-from:
  copies: [media/custody-a, media/custody-b]
keyholders: [{name: dave}, {name: erin}]
keys:
  - {name: root-dave, holder: dave, algorithm: ed25519}
  - {name: root-erin, holder: erin, algorithm: ecdsa-p256}
replace:
  root: {keys: [root-dave, root-erin], threshold: 1, expires: 1y}
custody:
  media: [media/custody-c, media/custody-d]
  sheets: media/sheets
  shares: {threshold: 2, of: 3}
"""

REHOME = f"""\
format: 1
ceremony: recover
flavor: tuf
title: Put the recovered root keys on tokens
current: media/2027-05-rotation
output: media/2027-08-recovery
recover-from:
  copies: [media/custody-a, media/custody-b]
rehome:
  - {{key: root-alice, module: {MODULE}, token-label: root-hsm-a}}
  - key: root-bob
    backend: pkcs11
    module: {MODULE}
    token-serial: "0a1b2c3d"
    object-label: root-bob-2027
pins:
  root-hsm-a: prompt
"""


def edit(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, f"{old!r} must occur once"
    return base.replace(old, new)


def load(text: str):
    return load_script_text(text, path=Path("ceremony.yaml"), now=NOW)


def load_error(text: str) -> str:
    with pytest.raises(ScriptError) as caught:
        load(text)
    return caught.value.message()


def test_rotate_away_loads_the_new_root_and_the_new_custody() -> None:
    plan = load(ROTATE_AWAY)
    root = plan.role("root")
    assert (root.keys, root.threshold) == (("root-dave", "root-erin"), 1)
    assert plan.custody is not None and plan.custody.groups == ((2, 3),)
    assert plan.rehome == ()


def test_rehome_loads_each_key_and_its_token() -> None:
    plan = load(REHOME)
    assert plan.roles == ()
    alice, bob = plan.rehome
    assert (alice.key, alice.token, alice.object_label) == (
        "root-alice", TokenSpec(module=MODULE, label="root-hsm-a", line=10), "root-alice"
    )
    assert (bob.key, bob.token.serial, bob.token.label, bob.object_label) == (
        "root-bob", "0a1b2c3d", None, "root-bob-2027"
    )


def test_rehome_and_replacing_targets_together() -> None:
    plan = load(REHOME + (
        "keyholders: [{name: online-team}]\n"
        "keys: [{name: targets-2, holder: online-team, algorithm: ed25519}]\n"
        "replace:\n  targets: {keys: [targets-2], threshold: 1, expires: 90d}\n"
    ))
    assert [r.name for r in plan.roles] == ["targets"] and len(plan.rehome) == 2


BAD = {
    "no-custody": edit(ROTATE_AWAY, "custody:\n  media: [media/custody-c, media/custody-d]\n"
                       "  sheets: media/sheets\n  shares: {threshold: 2, of: 3}\n", ""),
    "all-on-tokens": edit(
        edit(ROTATE_AWAY, "{name: root-dave, holder: dave, algorithm: ed25519}",
             f"{{name: root-dave, holder: dave, algorithm: ecdsa-p256, backend: pkcs11, "
             f"module: {MODULE}, token-label: hsm-d}}"),
        "{name: root-erin, holder: erin, algorithm: ecdsa-p256}",
        f"{{name: root-erin, holder: erin, algorithm: ecdsa-p256, backend: pkcs11, "
        f"module: {MODULE}, token-label: hsm-e}}"),
    "imported-root-key": edit(ROTATE_AWAY, "{name: root-erin, holder: erin, algorithm: "
                              "ecdsa-p256}", "{name: root-erin, import: erin.pem}"),
    "root-key-without-holder": edit(ROTATE_AWAY, "{name: root-erin, holder: erin, algorithm: "
                                    "ecdsa-p256}", "{name: root-erin, algorithm: ecdsa-p256}"),
    "no-spare-root-key": edit(ROTATE_AWAY, "threshold: 1, expires: 1y", "threshold: 2, "
                              "expires: 1y"),
    "spare-keys-without-new-root": REHOME + "spare-keys: none\n",
    "root-expires-first": edit(
        edit(ROTATE_AWAY, "threshold: 1, expires: 1y}", "threshold: 1, expires: 30d}\n"
             "  targets: {keys: [targets-2], threshold: 1, expires: 90d}"),
        "keys:\n", "keys:\n  - {name: targets-2, holder: dave, algorithm: ed25519}\n"),
    "rehome-and-rotate-away": ROTATE_AWAY + f"rehome: [{{key: root-alice, module: {MODULE}, "
                                            "token-label: hsm-a}]\n",
    "rehome-a-new-key": REHOME + (
        "keyholders: [{name: online-team}]\n"
        "keys: [{name: root-alice, holder: online-team, algorithm: ed25519}]\n"
        "replace:\n  targets: {keys: [root-alice], threshold: 1, expires: 90d}\n"
    ),
    "rehome-onto-a-yubikey": edit(REHOME, "    backend: pkcs11\n", "    backend: yubikey\n"),
    "rehome-unknown-backend": edit(REHOME, "    backend: pkcs11\n", "    backend: tpm\n"),
    "rehome-no-token-name": edit(REHOME, '    token-serial: "0a1b2c3d"\n', ""),
    "rehome-slot-id": edit(REHOME, '    token-serial: "0a1b2c3d"\n', "    slot-id: 1\n"),
    "rehome-no-module": edit(REHOME, f"  - {{key: root-alice, module: {MODULE}, token-label: "
                             "root-hsm-a}", "  - {key: root-alice, token-label: root-hsm-a}"),
    "rehome-empty": edit(REHOME, f"  - {{key: root-alice, module: {MODULE}, token-label: "
                         "root-hsm-a}\n  - key: root-bob\n    backend: pkcs11\n"
                         f"    module: {MODULE}\n    token-serial: \"0a1b2c3d\"\n"
                         "    object-label: root-bob-2027\n", " []\n").replace(
                             "rehome:\n []", "rehome: []"),
    "rehome-unknown-field": edit(REHOME, "    object-label: root-bob-2027\n",
                                 "    object-label: root-bob-2027\n    label: x\n"),
    "rehome-softhsm-in-production": edit(REHOME, f"  - {{key: root-alice, module: {MODULE}",
                                         "  - {key: root-alice, module: "
                                         "/usr/lib/softhsm/libsofthsm2.so"),
    "rehome-same-label-twice": REHOME.replace(
        "pins:", f"  - {{key: root-carol, module: {MODULE}, token-label: root-hsm-a, "
        "object-label: root-alice}\npins:"),
    "neither-replace-nor-rehome": edit(REHOME, REHOME[REHOME.index("rehome:"):
                                                      REHOME.index("pins:")], ""),
}

EXPECTED = [
    ("no-custody",
     "ceremony.yaml:14: replace.root: rotating the root keys away from the custodians needs a "
     "new custody bundle and new shares, and this script has no custody: section. Add custody: "
     "with new media, sheets and shares for the new custodians; the old shares are declared "
     "retired when the new ones are tested"),
    ("all-on-tokens",
     "ceremony.yaml:14: replace.root.keys: every new root key is made on a token, so the new "
     "custody bundle would hold no root key. Make at least one new root key in software (it "
     "may also go into backup-tokens)"),
    ("imported-root-key",
     "ceremony.yaml:14: replace.root.keys[1]: 'root-erin' is imported, and new root keys are "
     "made during the ceremony. Give the key an algorithm and a holder instead of import:"),
    ("root-key-without-holder",
     "ceremony.yaml:14: replace.root.keys[1]: the new root key 'root-erin' has no holder. Add "
     "holder: the keyholder who keeps it"),
    ("no-spare-root-key",
     "ceremony.yaml:14: replace.root.threshold: the root threshold is 2 of 2 new keys, so "
     "losing any one would lock the root for good. Add a spare root key or lower the "
     "threshold; if you mean it, add spare-keys: none and say why in accept-risk:"),
    ("spare-keys-without-new-root",
     "ceremony.yaml:18: spare-keys: this is about new root keys, and this recovery does not "
     "replace them. Remove spare-keys"),
    ("root-expires-first",
     "ceremony.yaml:15: replace.root.expires: the root expires at 2026-12-26T17:30:00Z, before "
     "the targets role (2027-02-24T17:30:00Z), and it must outlive every role it signs. Give "
     "the root a later expiry, or targets an earlier one"),
    ("rehome-and-rotate-away",
     "ceremony.yaml:19: rehome: replace: root: retires every recovered root key, so none is "
     "left to re-home. Remove rehome:, or remove replace.root and keep the recovered keys on "
     "tokens"),
    ("rehome-a-new-key",
     "ceremony.yaml:10: rehome[0].key: 'root-alice' is a key this script makes; rehome: moves "
     "root keys recovered from the custody bundle. Name a root key of the current bundle, or "
     "put a new key on a token with backend: pkcs11 under keys"),
    ("rehome-onto-a-yubikey",
     "ceremony.yaml:12: rehome[1].backend: a recovered key is re-homed onto a PKCS#11 token, "
     "not backend 'yubikey': a YubiKey's PIV keys are generated in their slot and attested, "
     "never imported. Write backend: pkcs11 (or leave it out); to move root trust onto "
     "YubiKeys, rotate to new keys made on them (replace: root:)"),
    ("rehome-unknown-backend",
     "ceremony.yaml:12: rehome[1].backend: a recovered key is re-homed onto a PKCS#11 token, "
     "not backend 'tpm'. Write backend: pkcs11 (or leave it out); to move root trust onto "
     "YubiKeys, rotate to new keys made on them (replace: root:)"),
    ("rehome-no-token-name",
     "ceremony.yaml:11: rehome[1]: the re-homed key's token is named neither by label nor by "
     "serial. Add token-label: (the label the token was initialised with) or token-serial: "
     "(in quotes), or both"),
    ("rehome-slot-id",
     "ceremony.yaml:14: rehome[1].slot-id: a token is never named by its slot number. Name "
     "the token by token-label or token-serial: slot numbers change between boots and "
     "readers"),
    ("rehome-no-module",
     "ceremony.yaml:10: rehome[0].module: this required field is missing. Add module: the "
     "full path of the token maker's PKCS#11 library, e.g. "
     "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"),
    ("rehome-empty",
     "ceremony.yaml:9: rehome: no key is listed to re-home. List at least one, or remove "
     "rehome:"),
    ("rehome-unknown-field",
     None),  # the loader's own unknown-field message: checked loosely below
    ("rehome-softhsm-in-production",
     "ceremony.yaml:10: rehome[0].module: /usr/lib/softhsm/libsofthsm2.so is SoftHSM, which "
     "keeps keys in files on this computer. Use the module of a hardware token in a "
     "production ceremony, or mark the script `rehearsal: true`"),
    ("rehome-same-label-twice",
     "ceremony.yaml:16: rehome[2].object-label: token 'root-hsm-a' would get two keys "
     "labelled 'root-alice' (see rehome[0]). Give each key its own object-label"),
    ("neither-replace-nor-rehome",
     "ceremony.yaml:1: replace: a recovery must do something with the keys it brings back, "
     "and this script has neither replace: nor rehome:. Add replace: (new keys for lost "
     "roles, or root: to rotate away from the custodians) or rehome: (recovered root keys "
     "onto tokens)"),
]


@pytest.mark.parametrize(("name", "message"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_bad_recover_action_is_refused_with_exact_message(name: str, message: str | None):
    said = load_error(BAD[name])
    if message is None:
        assert said.startswith("ceremony.yaml:16: rehome[1].label: ") and "key" in said, said
    else:
        assert said == message


def test_every_bad_script_has_its_message() -> None:
    assert sorted(BAD) == sorted(name for name, _ in EXPECTED)
