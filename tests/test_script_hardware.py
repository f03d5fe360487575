"""Hardware keys in ceremony scripts: token fields, backup tokens, ``pins:``.

The good script below is edited once per bad case; each test asserts the
exact message (file, line, dotted path, what, what to do). No token is
touched here: presence and mechanisms are preflight's (test_hardware_ceremony).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.errors import ScriptError
from ceremony.script.hardware_checks import PIV_SLOTS, is_softhsm_module
from ceremony.script.hardware_fields import PIN_POLICIES, TOUCH_POLICIES, YKCS11_MODULE
from ceremony.script.load import load_script_text
from ceremony.script.plan import TokenSpec
from tests.sample_scripts import NOW

HSM = "/usr/lib/x86_64-linux-gnu/pkcs11/libvendor.so"
SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"

# Line numbers matter: the expected messages below name them (one key per line,
# hence the long lines).
HARDWARE = f"""\
format: 1
ceremony: bootstrap
flavor: tuf
title: Root keys on hardware
output: out
keyholders: [{{name: alice}}, {{name: bob}}, {{name: carol}}]
keys:
  - {{name: root-alice, holder: alice, algorithm: ecdsa-p256, backend: pkcs11, module: {HSM}, token-label: root-hsm-a}}
  - {{name: root-bob, holder: bob, algorithm: ecdsa-p384, backend: yubikey, serial: 12345678, touch-policy: always}}
  - {{name: root-carol, holder: carol, algorithm: ed25519, backend: pkcs11, module: {HSM}, token-serial: "0a1b2c3d", object-label: root-2026-carol}}
  - name: targets
    holder: alice
    algorithm: ed25519
    backup-tokens:
      - {{module: {HSM}, token-label: backup-hsm}}
  - {{name: snapshot, algorithm: ed25519}}
  - {{name: timestamp, algorithm: ed25519}}
roles:
  root: {{keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 1y}}
  targets: {{keys: [targets], threshold: 1, expires: 180d}}
  snapshot: {{keys: [snapshot], threshold: 1, expires: 30d}}
  timestamp: {{keys: [timestamp], threshold: 1, expires: 7d}}
pins:
  root-hsm-a: {{env: HSM_A_PIN}}
  "12345678": prompt
"""  # noqa: E501 - one key a line: the messages below name the script's lines


def edit(old: str, new: str, text: str = HARDWARE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def load(text: str):
    return load_script_text(text, path=Path("ceremony.yaml"), now=NOW)


def load_error(text: str) -> str:
    with pytest.raises(ScriptError) as caught:
        load(text)
    return str(caught.value)


def test_hardware_keys_load_into_the_plan() -> None:
    plan = load(HARDWARE)
    alice, bob, carol, targets = (plan.key(n) for n in ("root-alice", "root-bob", "root-carol",
                                                        "targets"))
    assert alice.backend == "pkcs11"
    assert alice.hardware.token == TokenSpec(module=HSM, label="root-hsm-a", line=8)
    assert alice.hardware.object_label == "root-alice"  # the key's name by default
    assert carol.hardware.token.serial == "0a1b2c3d" and carol.hardware.token.label is None
    assert carol.hardware.object_label == "root-2026-carol"
    assert bob.hardware.token == TokenSpec(module=YKCS11_MODULE, serial="12345678", yubikey=True,
                                           line=9, driver="yubikit")
    assert (bob.hardware.prepare, bob.hardware.attestation_intermediates) == (False, None)
    assert (bob.hardware.slot, bob.hardware.pin_policy, bob.hardware.touch_policy) == (
        None, None, "always")
    assert bob.hardware.token.name == "YubiKey 12345678"
    assert targets.hardware is None and targets.backend == "software"
    assert targets.backup_tokens == ((TokenSpec(module=HSM, label="backup-hsm", line=15),
                                      "targets"),)
    assert dict(plan.pins)["root-hsm-a"].name == "HSM_A_PIN"
    assert dict(plan.pins)["12345678"].kind == "prompt"


def test_pin_policy_is_a_setting_not_a_secret() -> None:
    plan = load(edit("touch-policy: always", "pin-policy: once, slot: 82"))
    assert plan.key("root-bob").hardware.pin_policy == "once"
    assert plan.key("root-bob").hardware.slot == "82"  # a number in YAML, a slot name here


BAD = [
    pytest.param(
        edit("token-label: root-hsm-a}", "token-label: root-hsm-a, slot-id: 3}"),
        "ceremony.yaml:8: keys[0].slot-id: a token is never named by its slot number. Name the "
        "token by token-label or token-serial: slot numbers change between boots and readers",
        id="slot-id",
    ),
    pytest.param(
        edit("token-label: root-hsm-a}", "token-label: root-hsm-a, slot: 3}"),
        "ceremony.yaml:8: keys[0].slot: slot belongs to keys with backend: yubikey, and this "
        "key has backend: pkcs11. Remove slot:, or change the backend",
        id="slot-on-pkcs11",
    ),
    pytest.param(
        edit(f"backend: pkcs11, module: {HSM}, token-label: root-hsm-a", "backend: pkcs11, "
             "token-label: root-hsm-a"),
        "ceremony.yaml:8: keys[0].module: this required field is missing. Add module: the full "
        "path of the token maker's PKCS#11 library, e.g. "
        "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so",
        id="no-module",
    ),
    pytest.param(
        edit(f"module: {HSM}, token-label: root-hsm-a", f"module: {HSM}"),
        "ceremony.yaml:8: keys[0]: the key's token is named neither by label nor by serial. Add "
        "token-label: (the label the token was initialised with) or token-serial: (in quotes), "
        "or both",
        id="no-token-name",
    ),
    pytest.param(
        edit('token-serial: "0a1b2c3d"', "token-serial: 1234"),
        "ceremony.yaml:10: keys[2].token-serial: a token serial is written as text, in quotes. "
        'Write token-serial: "1234" (unquoted, leading zeros would be lost)',
        id="serial-unquoted",
    ),
    pytest.param(
        edit(f"module: {HSM}, token-label: root-hsm-a", "module: libvendor.so, "
             "token-label: root-hsm-a"),
        "ceremony.yaml:8: keys[0].module: the module path 'libvendor.so' is not an absolute "
        "path. Write the full path of the token maker's PKCS#11 library, starting with /",
        id="module-relative",
    ),
    pytest.param(
        edit("token-label: root-hsm-a}", "token-label: a-label-much-longer-than-32-bytes-here}"),
        "ceremony.yaml:8: keys[0].token-label: a token label has at most 32 bytes, and "
        "'a-label-much-longer-than-32-bytes-here' has more. Write the label exactly as the "
        "token shows it (`ceremony tokens` lists them)",
        id="label-too-long",
    ),
    pytest.param(
        edit("{name: snapshot, algorithm: ed25519}", "{name: snapshot, algorithm: ed25519, "
             "token-label: root-hsm-a}"),
        "ceremony.yaml:16: keys[4].token-label: token-label belongs to keys with backend: "
        "pkcs11, and this key has backend: software. Remove token-label:, or change the backend",
        id="token-field-on-software-key",
    ),
    pytest.param(
        edit("token-label: root-hsm-a}", f"token-label: root-hsm-a, backup-tokens: "
             f"[{{module: {HSM}, token-label: b}}]}}"),
        "ceremony.yaml:8: keys[0].backup-tokens: backup-tokens belongs to keys with backend: "
        "software, and this key has backend: pkcs11. Remove it: a key generated on a token "
        "never leaves it; backup tokens are for keys generated in software",
        id="backup-of-token-key",
    ),
    pytest.param(
        edit("      - {module: " + HSM + ", token-label: backup-hsm}",
             "      - {module: " + HSM + ", token-label: backup-hsm, pin: prompt, slot-id: 1}"),
        "ceremony.yaml:15: keys[3].backup-tokens[0].slot-id: a token is never named by its "
        "slot number. Name the token by token-label or token-serial: slot numbers change "
        "between boots and readers",
        id="backup-slot-id",
    ),
    pytest.param(
        edit("serial: 12345678, touch-policy", "touch-policy"),
        "ceremony.yaml:9: keys[1].serial: this required field is missing. Add serial: the "
        "YubiKey's serial number (printed on it, and shown by `ykman list --serials`)",
        id="yubikey-no-serial",
    ),
    pytest.param(
        edit("touch-policy: always", "touch-policy: sometimes"),
        "ceremony.yaml:9: keys[1].touch-policy: expected one of default, never, always, cached, "
        "got 'sometimes'. Write one of: default, never, always, cached",
        id="touch-policy",
    ),
    pytest.param(
        edit("touch-policy: always", "pin-policy: '654321'"),
        "ceremony.yaml:9: keys[1].pin-policy: scripts never contain secrets, and this field "
        "looks like it holds one. Delete it and treat that secret as exposed; give secrets at "
        "run time: prompt or {env: VAR} under passphrases, or `ceremony run --secrets FILE`",
        id="pin-policy-with-a-pin",
    ),
    pytest.param(
        edit('  "12345678": prompt', '  "12345678": "246810"'),
        'ceremony.yaml:25: pins.12345678: scripts never contain secrets, and this looks like a '
        "PIN written out. Write prompt or {env: VAR} instead, or use `ceremony run --secrets "
        "FILE`, and change that PIN on the token",
        id="pin-written-out",
    ),
    pytest.param(
        edit("{env: HSM_A_PIN}", "{env: hsm-pin}"),
        "ceremony.yaml:24: pins.root-hsm-a.env: 'hsm-pin' is not an environment variable "
        "name. Variable names use capital letters, digits and _, e.g. ROOT_ALICE_PASSPHRASE",
        id="pin-env-name",
    ),
    pytest.param(
        edit("  root-hsm-a: {env", "  root-hsm-b: {env"),
        "ceremony.yaml:24: pins.root-hsm-b: no token labelled 'root-hsm-b' (or with that "
        "serial) is named in this script. Remove the entry, or write the token's label or "
        "serial as the keys name it: 0a1b2c3d, 12345678, backup-hsm, root-hsm-a",
        id="pin-for-unknown-token",
    ),
    pytest.param(
        edit("algorithm: ecdsa-p384, backend: yubikey", "algorithm: ed25519, backend: yubikey, "
             "driver: ykcs11"),
        "ceremony.yaml:9: keys[1].algorithm: a YubiKey cannot make 'ed25519' keys through "
        "ykcs11. Use one of: ecdsa-p256, ecdsa-p384; or driver: yubikit, which also makes "
        "ed25519 and rsa-3072/4096 on firmware 5.7",
        id="yubikey-ed25519-through-ykcs11",
    ),
    pytest.param(
        edit("touch-policy: always", f"module: {HSM}, driver: yubikit"),
        "ceremony.yaml:9: keys[1].module: module belongs to driver: ykcs11, and this key uses "
        "driver: yubikit. Remove module: (yubikit needs no PKCS#11 module), or write driver: "
        "ykcs11",
        id="yubikit-with-a-module",
    ),
    pytest.param(
        edit("touch-policy: always", f"module: {HSM}, prepare: true"),
        "ceremony.yaml:9: keys[1].prepare: prepare needs driver: yubikit, and this key uses "
        "driver: ykcs11. Remove prepare:, or use driver: yubikit (the default without module:)",
        id="prepare-through-ykcs11",
    ),
    pytest.param(
        edit("touch-policy: always", "driver: opensc"),
        "ceremony.yaml:9: keys[1].driver: expected one of yubikit, ykcs11, got "
        "'opensc'. Write one of: yubikit, ykcs11",
        id="unknown-driver",
    ),
    pytest.param(
        edit("touch-policy: always", "attestation-intermediates: yubico.pem"),
        "ceremony.yaml:9: keys[1].attestation-intermediates: the path 'yubico.pem' is not an "
        "absolute path. Write the full path of the PEM file, starting with / (Yubico publishes "
        "the file at https://developers.yubico.com/PKI/yubico-intermediate.pem)",
        id="intermediates-relative",
    ),
    pytest.param(
        edit("touch-policy: always", "slot: f9"),
        "ceremony.yaml:9: keys[1].slot: 'f9' is not a PIV key slot a ceremony can use. Use 9c "
        "(the default), 9a, 9d, 9e or a retired slot 82 to 95; f9 holds the attestation key",
        id="yubikey-slot-f9",
    ),
    pytest.param(
        edit("{name: snapshot, algorithm: ed25519}", "{name: snapshot, algorithm: ecdsa-p256, "
             "backend: yubikey, serial: 12345678}"),
        "ceremony.yaml:16: keys[4].serial: YubiKey 12345678 already holds key root-bob in this "
        "ceremony. Use one YubiKey per key, so that a lost YubiKey loses one key only",
        id="two-keys-one-yubikey",
    ),
    pytest.param(
        edit('token-serial: "0a1b2c3d", object-label: root-2026-carol',
             "token-label: root-hsm-a, object-label: root-alice"),
        "ceremony.yaml:10: keys[2].object-label: token 'root-hsm-a' would get two keys "
        "labelled 'root-alice' (see keys[0]). Give each key its own object-label",
        id="label-twice-on-a-token",
    ),
    pytest.param(
        edit(f"module: {HSM}, token-label: root-hsm-a", f"module: {SOFTHSM}, "
             "token-label: root-hsm-a"),
        "ceremony.yaml:8: keys[0].module: /usr/lib/softhsm/libsofthsm2.so is SoftHSM, which "
        "keeps keys in files on this computer. Use the module of a hardware token in a "
        "production ceremony, or mark the script `rehearsal: true`",
        id="softhsm-in-production",
    ),
    pytest.param(
        edit("{name: snapshot, algorithm: ed25519}", "{name: snapshot, import: s.pem, "
             "token-label: x}"),
        "ceremony.yaml:16: keys[4].token-label: an imported key has no token-label: its public "
        "key comes from the import file and its private part stays where it is. Remove "
        "token-label:, or remove import: to make the key here",
        id="import-with-token",
    ),
    pytest.param(
        edit("backend: pkcs11, module: " + HSM + ", token-label: root-hsm-a",
             "backend: tpm, module: " + HSM + ", token-label: root-hsm-a"),
        "ceremony.yaml:8: keys[0].backend: the backend 'tpm' is not one ceremony knows. Use "
        "backend: software (the default), pkcs11 (an HSM or smart card) or yubikey",
        id="unknown-backend",
    ),
]


@pytest.mark.parametrize(("script", "message"), BAD)
def test_bad_hardware_script_is_refused_with_exact_message(script: str, message: str) -> None:
    assert load_error(script) == message


def test_a_rehearsal_may_use_softhsm() -> None:
    script = edit("title: Root keys", "rehearsal: true\ntitle: Root keys")
    script = edit(f"module: {HSM}, token-label: root-hsm-a",
                  f"module: {SOFTHSM}, token-label: root-hsm-a", script)
    assert load(script).key("root-alice").hardware.token.module == SOFTHSM
    assert is_softhsm_module(SOFTHSM) and not is_softhsm_module(HSM)


def test_a_pin_never_shows_in_the_message() -> None:
    message = load_error(edit('  "12345678": prompt', '  "12345678": "913370"'))
    assert "913370" not in message


def test_the_loader_agrees_with_the_backends() -> None:
    from hsm.yubikey import SLOTS
    from hsm.yubikey.piv import PIN_POLICY_VALUES, TOUCH_POLICY_VALUES
    from hsm.yubikey.piv import YKCS11_MODULE as BACKEND_YKCS11

    assert set(PIV_SLOTS) == set(SLOTS)
    assert set(PIN_POLICIES) == {"default", *PIN_POLICY_VALUES}
    assert set(TOUCH_POLICIES) == {"default", *TOUCH_POLICY_VALUES}
    assert YKCS11_MODULE == BACKEND_YKCS11
