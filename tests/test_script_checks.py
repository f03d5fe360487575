"""The semantic checks on ceremony scripts (docs/reference/scripts.md, "Checks").

Each bad script is one of the good scripts below with one edit; the tests
assert the exact message. Names that may come from the current bundle
(rotate-root, delegate) are left to the engine's preflight.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.errors import ScriptError
from ceremony.script.checks import problems
from ceremony.script.load import load_script_text
from ceremony.script.rules import SUPPORTED_BACKENDS, backend_problem
from tests.sample_scripts import BOOTSTRAP, NOW

# Line numbers matter: the expected messages below name them.

ROTATE = """\
format: 1
ceremony: rotate-root
flavor: tuf
title: Root rotation, bob hands over to dave
current: media/2026-11-bootstrap
output: media/2027-05-rotation
sign-with: [root-alice, root-carol]
keyholders:
  - name: dave
keys:
  - {name: root-dave, holder: dave, algorithm: ed25519}
  - {name: timestamp-2, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-carol, root-dave], threshold: 2, expires: 1y}
  timestamp: {keys: [timestamp-2], threshold: 1, expires: 7d}
"""

ROTATE_ROOT_ROLE = ROTATE.splitlines(keepends=True)[13]  # line 14: roles.root

DELEGATE = """\
format: 1
ceremony: delegate
flavor: tuf
title: Delegate the alpine and debian trees
current: media/2027-05-rotation
output: media/2027-06-delegation
sign-with: [targets]
keys:
  - {name: repo-alpine, import: keys/alpine.pub.pem}
  - {name: repo-debian, algorithm: ed25519}
delegations:
  - name: alpine
    keys: [repo-alpine]
    threshold: 1
    paths: ["alpine/*"]
    terminating: true
  - {name: debian, keys: [repo-debian], threshold: 1, paths: ["debian/*"]}
targets-expires: 90d
"""

SCRIPTS = {"bootstrap": BOOTSTRAP, "rotate-root": ROTATE, "delegate": DELEGATE}
SECRET_TODO = (
    "Delete it and treat that secret as exposed; give secrets at run time: prompt or "
    "{env: VAR} under passphrases, or `ceremony run --secrets FILE`"
)


def edit(base: str, old: str, new: str) -> str:
    """``base`` with its one occurrence of ``old`` replaced by ``new``."""
    assert base.count(old) == 1, f"{old!r} must occur once"
    return base.replace(old, new)


def load_error(text: str) -> str:
    with pytest.raises(ScriptError) as caught:
        load_script_text(text, path=Path("ceremony.yaml"), now=NOW)
    return str(caught.value)


BAD_SCRIPTS = [
    # -- thresholds ------------------------------------------------------------
    pytest.param(
        edit(BOOTSTRAP, "threshold: 2", "threshold: 0"),
        "ceremony.yaml:18: roles.root.threshold: the threshold must be at least 1, got 0. "
        "Write how many of the 3 keys must sign, from 1 to 3",
        id="threshold-0",
    ),
    pytest.param(
        edit(BOOTSTRAP, "[targets], threshold: 1", "[targets], threshold: -1"),
        "ceremony.yaml:19: roles.targets.threshold: the threshold must be at least 1, got -1. "
        "Write how many of the 1 key must sign, from 1 to 1",
        id="threshold-negative",
    ),
    pytest.param(
        edit(BOOTSTRAP, "threshold: 2", "threshold: 4"),
        "ceremony.yaml:18: roles.root.threshold: the threshold is 4 but there are only 3 keys, "
        "so it could never be met. Lower the threshold to at most 3, or add keys",
        id="threshold-above-n",
    ),
    pytest.param(
        edit(BOOTSTRAP, "threshold: 2", "threshold: 3"),
        "ceremony.yaml:18: roles.root.threshold: the root threshold is 3 of 3 keys, so losing "
        "any one root key would lock the root for good. Add a spare root key or lower the "
        "threshold; if you mean it, add spare-keys: none and say why in accept-risk:",
        id="root-threshold-equals-n-without-spare-keys",
    ),
    pytest.param(
        BOOTSTRAP + "spare-keys: none\n",
        "ceremony.yaml:22: spare-keys: this says the root has no spare key, but its threshold "
        "is 2 of 3 keys. Remove spare-keys",
        id="spare-keys-none-with-a-spare",
    ),
    pytest.param(
        edit(BOOTSTRAP, "[root-alice, root-bob, root-carol]", "[root-alice, root-bob, root-bob]"),
        "ceremony.yaml:18: roles.root.keys[2]: 'root-bob' is listed twice. List each key once",
        id="key-twice-in-a-role",
    ),
    pytest.param(
        edit(BOOTSTRAP, "keys: [targets], threshold: 1", "keys: [], threshold: 1"),
        "ceremony.yaml:19: roles.targets.keys: no keys are listed. List at least one key",
        id="role-without-keys",
    ),
    # -- expiries --------------------------------------------------------------
    pytest.param(
        edit(BOOTSTRAP, "expires: 30d", "expires: 2026-11-01"),
        "ceremony.yaml:20: roles.snapshot.expires: this expiry, 2026-11-01T00:00:00Z, is not in "
        "the future (it is now 2026-11-26T17:30:00Z). Give a later date, or a length from now "
        "such as 90d",
        id="expiry-in-the-past",
    ),
    pytest.param(
        edit(BOOTSTRAP, "expires: 7d", "expires: 0d"),
        "ceremony.yaml:21: roles.timestamp.expires: this expiry, 2026-11-26T17:30:00Z, is not "
        "in the future (it is now 2026-11-26T17:30:00Z). Give a later date, or a length from "
        "now such as 90d",
        id="expiry-now",
    ),
    pytest.param(
        edit(BOOTSTRAP, "expires: 1y", "expires: 90d"),
        "ceremony.yaml:18: roles.root.expires: the root expires at 2027-02-24T17:30:00Z, before "
        "the targets role (2027-05-25T17:30:00Z), and it must outlive every role it signs. Give "
        "the root a later expiry, or targets an earlier one",
        id="root-expires-before-targets",
    ),
    # -- keys and names --------------------------------------------------------
    pytest.param(
        edit(BOOTSTRAP, "ecdsa-p256", "dsa-1024"),
        "ceremony.yaml:13: keys[2].algorithm: the algorithm 'dsa-1024' is not allowed. Use one "
        "of: ed25519, ecdsa-p256, ecdsa-p384, rsa-3072, rsa-4096",
        id="unknown-algorithm",
    ),
    pytest.param(
        edit(BOOTSTRAP, "{name: targets,", "{name: targets, backend: hsm,"),
        "ceremony.yaml:14: keys[3].backend: the backend 'hsm' is not one ceremony knows. Use "
        "backend: software (the default), pkcs11 (an HSM or smart card) or yubikey",
        id="unknown-backend",
    ),
    pytest.param(
        edit(BOOTSTRAP, "[targets], threshold", "[targetz], threshold"),
        "ceremony.yaml:19: roles.targets.keys[0]: no key named 'targetz' is defined in this "
        "script. Define it under keys, or use one of: root-alice, root-bob, root-carol, "
        "snapshot, targets, timestamp",
        id="undefined-key-name",
    ),
    pytest.param(
        edit(BOOTSTRAP, "{name: root-bob, holder: bob", "{name: root-alice, holder: bob"),
        "ceremony.yaml:12: keys[1].name: the key 'root-alice' is already defined on line 11. "
        "Give each key its own name",
        id="key-defined-twice",
    ),
    pytest.param(
        edit(BOOTSTRAP, "  - name: carol\n", "  - name: carol\n  - name: bob\n"),
        "ceremony.yaml:10: keyholders[3].name: the keyholder 'bob' is already defined on line "
        "8. List each keyholder once",
        id="keyholder-listed-twice",
    ),
    pytest.param(
        edit(BOOTSTRAP, "holder: alice", "holder: alicia"),
        "ceremony.yaml:11: keys[0].holder: no keyholder named 'alicia' is listed. Add {name: "
        "alicia} under keyholders, or use one of: alice, bob, carol",
        id="undefined-keyholder",
    ),
    pytest.param(
        edit(BOOTSTRAP, "holder: bob, algorithm: ed25519", "import: bob.pem"),
        "ceremony.yaml:12: keys[1].import: 'root-bob' is a root key, and root keys are made "
        "during the ceremony, not imported (unless the script is signed in several sittings: "
        "request-expires:). Remove import: and give the key an algorithm and a holder",
        id="root-key-imported",
    ),
    pytest.param(
        edit(BOOTSTRAP, "holder: bob, ", ""),
        "ceremony.yaml:12: keys[1].holder: the root key 'root-bob' has no holder. Add holder: "
        "the keyholder who keeps it",
        id="root-key-without-holder",
    ),
    pytest.param(
        edit(BOOTSTRAP, "  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}\n", "")
        .replace("  - {name: snapshot, algorithm: ed25519}\n", ""),
        "ceremony.yaml:16: roles: a bootstrap makes all four top-level roles, and this script "
        "has no snapshot. Add each under roles, with keys, a threshold and an expiry",
        id="bootstrap-without-snapshot",
    ),
    pytest.param(
        edit(BOOTSTRAP, "[timestamp], threshold", "[snapshot], threshold"),
        "ceremony.yaml:21: roles.timestamp.keys[0]: 'snapshot' is already a key of the snapshot "
        "role. Use a separate key for each role",
        id="key-in-two-roles",
    ),
    pytest.param(
        edit(
            BOOTSTRAP,
            "  - {name: timestamp,",
            "  - {name: spare, algorithm: ed25519}\n  - {name: timestamp,",
        ),
        "ceremony.yaml:16: keys[5].name: the key 'spare' is not used by any role. Use it in a "
        "role, or remove it",
        id="key-used-by-no-role",
    ),
    # -- passphrases and secrets -----------------------------------------------
    pytest.param(
        BOOTSTRAP + "passphrases:\n  root-alice: correct horse battery staple\n",
        "ceremony.yaml:23: passphrases.root-alice: scripts never contain secrets, and this looks "
        "like a passphrase written out. Write prompt or {env: VAR} instead, or use `ceremony "
        "run --secrets FILE`, and treat that passphrase as exposed",
        id="secret-in-passphrases",
    ),
    pytest.param(
        BOOTSTRAP + "passphrases:\n  root-alice: 123456\n",
        "ceremony.yaml:23: passphrases.root-alice: scripts never contain secrets, and this looks "
        "like a passphrase written out. Write prompt or {env: VAR} instead, or use `ceremony "
        "run --secrets FILE`, and treat that passphrase as exposed",
        id="number-in-passphrases",
    ),
    pytest.param(
        edit(BOOTSTRAP, "holder: alice,", "passphrase: hunter2, holder: alice,"),
        f"ceremony.yaml:11: keys[0].passphrase: scripts never contain secrets, and this field "
        f"looks like it holds one. {SECRET_TODO}",
        id="secret-passphrase-field",
    ),
    pytest.param(
        edit(BOOTSTRAP, "  - name: carol\n", "  - name: carol\n    pin: 123456\n"),
        f"ceremony.yaml:10: keyholders[2].pin: scripts never contain secrets, and this field "
        f"looks like it holds one. {SECRET_TODO}",
        id="secret-pin-number",
    ),
    pytest.param(
        BOOTSTRAP + "admin_password: letmein\n",
        f"ceremony.yaml:22: admin_password: scripts never contain secrets, and this field looks "
        f"like it holds one. {SECRET_TODO}",
        id="secret-password-anywhere",
    ),
    pytest.param(
        BOOTSTRAP
        + "extra:\n  - private-key: MC4CAQAwBQYDK2VwBCIEI\n",
        f"ceremony.yaml:23: extra[0].private-key: scripts never contain secrets, and this field "
        f"looks like it holds one. {SECRET_TODO}",
        id="secret-private-key-deep",
    ),
    pytest.param(
        BOOTSTRAP + "passphrases:\n  root-zed: prompt\n",
        "ceremony.yaml:23: passphrases.root-zed: no key named 'root-zed' is defined in this "
        "script. Remove the entry, or fix the key name",
        id="passphrase-for-unknown-key",
    ),
    pytest.param(
        BOOTSTRAP + "passphrases:\n  timestamp: prompt\n",
        "ceremony.yaml:23: passphrases.timestamp: 'timestamp' is an imported public key, so it "
        "has no passphrase here. Remove the entry",
        id="passphrase-for-imported-key",
    ),
    pytest.param(
        BOOTSTRAP + "passphrases:\n  Root-Alice: prompt\n",
        "ceremony.yaml:23: passphrases.Root-Alice: 'Root-Alice' is not a valid key name. Names "
        "use lowercase letters, digits and hyphens and start with a letter or digit, e.g. "
        "root-alice",
        id="passphrase-bad-name",
    ),
    # -- rotate-root -----------------------------------------------------------
    pytest.param(
        edit(ROTATE, "current: media/2026-11-bootstrap\n", ""),
        "ceremony.yaml:1: current: this required field is missing. Add current: the bundle "
        "holding the current root, e.g. ../media/2026-11-bootstrap",
        id="rotate-without-current",
    ),
    pytest.param(
        edit(ROTATE, "sign-with: [root-alice, root-carol]\n", ""),
        "ceremony.yaml:1: sign-with: this required field is missing. Add sign-with: the current "
        "keys that sign today, e.g. [root-alice, root-carol]",
        id="rotate-without-sign-with",
    ),
    pytest.param(
        edit(ROTATE, "[root-alice, root-carol]\n", "[]\n"),
        "ceremony.yaml:7: sign-with: no keys are listed to sign. Name the current keys whose "
        "holders are here today, e.g. [root-alice, root-carol]",
        id="rotate-empty-sign-with",
    ),
    pytest.param(
        edit(ROTATE, "[root-alice, root-carol]\n", "[root-alice, root-dave]\n"),
        "ceremony.yaml:7: sign-with[1]: 'root-dave' is a key this script brings, but sign-with "
        "names keys of the current bundle. Remove it: root keys made today sign the new root "
        "without being listed",
        id="rotate-sign-with-new-key",
    ),
    pytest.param(
        edit(ROTATE, "[root-alice, root-carol]\n", "[root-alice, root-alice]\n"),
        "ceremony.yaml:7: sign-with[1]: 'root-alice' is listed twice. List each key once",
        id="rotate-sign-with-twice",
    ),
    pytest.param(
        edit(ROTATE, "roles:\n  root:", "roles: {}\nold-roles:\n  root:"),
        "ceremony.yaml:14: old-roles: unknown field 'old-roles' (did you mean 'roles'?). The "
        "fields allowed here are: "
        "format, ceremony, flavor, title, rehearsal, network, output, output-media, keyholders, "
        "keys, "
        "passphrases, pins, accept-risk, policy, request-expires, bags, current, sign-with, roles, "
        "spare-keys, custody",
        id="rotate-unknown-field",
    ),
    pytest.param(
        ROTATE.split("roles:\n")[0] + "roles: {}\n",
        "ceremony.yaml:13: roles: no role changes, so there is nothing to rotate. List the roles "
        "that change, e.g. root: {keys: [...], threshold: 2, expires: 1y}",
        id="rotate-no-roles",
    ),
    pytest.param(
        ROTATE + "request-expires: 14d\n",
        "ceremony.yaml:11: keys[0].algorithm: 'root-dave' would be made here, and a script "
        "signed in several sittings holds no private key. Let its keyholder "
        "make it at their own sitting and write import: PATH to the public key",
        id="rotate-in-sittings-makes-a-key",
    ),
    pytest.param(
        edit(ROTATE.split("  - {name: timestamp-2")[0], "algorithm: ed25519", "import: d.pem")
        + "roles:\n" + ROTATE_ROOT_ROLE + "request-expires: 2026-01-01\n",
        "ceremony.yaml:14: request-expires: this expiry, 2026-01-01T00:00:00Z, is not in the "
        "future (it is now 2026-11-26T17:30:00Z). Give a later date, or a length from now such "
        "as 90d",
        id="rotate-in-sittings-request-expired",
    ),
    pytest.param(
        edit(ROTATE.split("  - {name: timestamp-2")[0], "algorithm: ed25519", "import: d.pem")
        + "roles:\n" + ROTATE_ROOT_ROLE + "request-expires: 14d\n"
        + "custody:\n  media: [m/a, m/b]\n  sheets: m/s\n  shares: {threshold: 2, of: 3}\n",
        "ceremony.yaml:15: custody: custody needs every key in one room, and this script is "
        "signed in several sittings. Leave custody: out, or sign in one sitting (`ceremony run`, "
        "without request-expires:)",
        id="rotate-in-sittings-custody",
    ),
    pytest.param(
        edit(ROTATE, "threshold: 2", "threshold: 3"),
        "ceremony.yaml:14: roles.root.threshold: the root threshold is 3 of 3 keys, so losing "
        "any one root key would lock the root for good. Add a spare root key or lower the "
        "threshold; if you mean it, add spare-keys: none and say why in accept-risk:",
        id="rotate-root-threshold-equals-n",
    ),
    pytest.param(
        edit(ROTATE, "expires: 7d", "expires: 2y"),
        "ceremony.yaml:14: roles.root.expires: the root expires at 2027-11-26T17:30:00Z, before "
        "the timestamp role (2028-11-25T17:30:00Z), and it must outlive every role it signs. "
        "Give the root a later expiry, or timestamp an earlier one",
        id="rotate-root-expires-before-timestamp",
    ),
    pytest.param(
        edit(ROTATE, ROTATE_ROOT_ROLE, ""),
        "ceremony.yaml:11: keys[0].name: the key 'root-dave' is not used by any role. Use it in "
        "a role, or remove it",
        id="rotate-new-root-key-unused",
    ),
    pytest.param(
        edit(ROTATE, ROTATE_ROOT_ROLE, "")
        + "spare-keys: none\n",
        "ceremony.yaml:15: spare-keys: this is about the root role, which this script does not "
        "change. Remove spare-keys",
        id="rotate-spare-keys-without-root",
    ),
    pytest.param(
        edit(ROTATE, "holder: dave", "holder: erin"),
        "ceremony.yaml:11: keys[0].holder: no keyholder named 'erin' is listed. Add {name: "
        "erin} under keyholders, or use one of: dave",
        id="rotate-undefined-holder",
    ),
    pytest.param(
        ROTATE + "passphrases:\n  root-bob: prompt\n",
        "ceremony.yaml:17: passphrases.root-bob: no key named 'root-bob' is defined in this "
        "script or listed in sign-with. Remove the entry, or fix the key name",
        id="rotate-passphrase-for-absent-key",
    ),
    # -- delegate --------------------------------------------------------------
    pytest.param(
        edit(DELEGATE, "targets-expires: 90d\n", ""),
        "ceremony.yaml:1: targets-expires: this required field is missing. Add targets-expires: "
        "when the new targets.json expires, e.g. 90d",
        id="delegate-without-targets-expires",
    ),
    pytest.param(
        edit(DELEGATE, "targets-expires: 90d", "targets-expires: 2026-06-01"),
        "ceremony.yaml:18: targets-expires: this expiry, 2026-06-01T00:00:00Z, is not in the "
        "future (it is now 2026-11-26T17:30:00Z). Give a later date, or a length from now such "
        "as 90d",
        id="delegate-targets-expired",
    ),
    pytest.param(
        edit(DELEGATE, "  - name: alpine", "  - name: snapshot"),
        "ceremony.yaml:12: delegations[0].name: 'snapshot' is a top-level role, not a delegated "
        "one. Give the delegated role its own name, e.g. alpine",
        id="delegate-top-level-name",
    ),
    pytest.param(
        edit(DELEGATE, "  - name: alpine", "  - name: " + "a" * 241),
        "ceremony.yaml:12: delegations[0].name: the name 'aaaaaaaaaaaaaaaa'... is 241 "
        "characters long: TUF clients fetch the role's metadata as VERSION.NAME.json "
        "(up to 123456789.NAME.json) and a file name holds at most 255, so the repository "
        "could not publish it. Use a name of at most 240 characters",
        id="delegate-name-too-long-to-publish",
    ),
    pytest.param(
        edit(DELEGATE, "  - name: alpine", "  - name: Alpine"),
        "ceremony.yaml:12: delegations[0].name: 'Alpine' is not a valid name. Names use "
        "lowercase letters, digits and hyphens and start with a letter or digit, e.g. root-alice",
        id="delegate-bad-name",
    ),
    pytest.param(
        edit(DELEGATE, "{name: debian,", "{name: alpine,"),
        "ceremony.yaml:17: delegations[1].name: the delegation 'alpine' is already defined on "
        "line 12. Give each delegation its own name",
        id="delegate-name-twice",
    ),
    pytest.param(
        edit(DELEGATE, 'paths: ["alpine/*"]', "paths: []"),
        "ceremony.yaml:15: delegations[0].paths: no paths are listed, so the delegation could "
        'sign nothing. List the target paths it may sign, e.g. ["alpine/*"]',
        id="delegate-no-paths",
    ),
    pytest.param(
        edit(DELEGATE, 'paths: ["alpine/*"]', "paths: [alpine/*, 7]"),
        "ceremony.yaml:15: delegations[0].paths[1]: expected text, got 7. Write the paths as a "
        'list of patterns, e.g. ["alpine/*"]',
        id="delegate-path-not-text",
    ),
    pytest.param(
        edit(DELEGATE, 'paths: ["alpine/*"]', 'paths: ["alpine/*", "alpine/"]'),
        "ceremony.yaml:15: delegations[0].paths[1]: 'alpine/' matches no target: TUF clients "
        "match a pattern part by part between the slashes, and a target path (relative, like "
        "alpine/v3/x.apk) has no empty part. Write 'alpine/*'; a * stays within one part, so "
        'list a pattern per level below a folder, e.g. ["alpine/*", "alpine/*/*"]',
        id="delegate-path-a-folder-prefix",
    ),
    pytest.param(
        edit(DELEGATE, 'paths: ["debian/*"]', 'paths: ["/debian/*"]'),
        "ceremony.yaml:17: delegations[1].paths[0]: '/debian/*' matches no target: TUF clients "
        "match a pattern part by part between the slashes, and a target path (relative, like "
        "alpine/v3/x.apk) has no empty part. Write 'debian/*'; a * stays within one part, so "
        'list a pattern per level below a folder, e.g. ["alpine/*", "alpine/*/*"]',
        id="delegate-path-from-the-top",
    ),
    pytest.param(
        edit(DELEGATE, "threshold: 1\n    paths", "threshold: 0\n    paths"),
        "ceremony.yaml:14: delegations[0].threshold: the threshold must be at least 1, got 0. "
        "Write how many of the 1 key must sign, from 1 to 1",
        id="delegate-threshold-0",
    ),
    pytest.param(
        edit(DELEGATE, "threshold: 1, paths", "threshold: 2, paths"),
        "ceremony.yaml:17: delegations[1].threshold: the threshold is 2 but there is only 1 "
        "key, so it could never be met. Lower the threshold to at most 1, or add keys",
        id="delegate-threshold-above-n",
    ),
    pytest.param(
        edit(DELEGATE, "sign-with: [targets]", "sign-with: [repo-debian]"),
        "ceremony.yaml:7: sign-with[0]: 'repo-debian' is a key this script brings, but "
        "sign-with names keys of the current bundle. Remove it: sign-with names the current "
        "targets key, which signs the new targets.json",
        id="delegate-sign-with-new-key",
    ),
    pytest.param(
        DELEGATE + "roles: {}\n",
        "ceremony.yaml:19: roles: a delegate ceremony has no roles field (it belongs to "
        "bootstrap and rotate-root). Remove it; "
        "docs/reference/scripts.md lists the fields of a delegate",
        id="delegate-with-roles",
    ),
    pytest.param(
        edit(DELEGATE, "delegations:\n", "delegations: []\nold:\n"),
        "ceremony.yaml:12: old: unknown field 'old'. The fields allowed here are: format, "
        "ceremony, flavor, title, rehearsal, network, output, output-media, keyholders, keys, "
        "passphrases, pins, accept-risk, policy, request-expires, bags, current, sign-with, "
        "delegations, targets-expires",
        id="delegate-unknown-field",
    ),
    pytest.param(
        DELEGATE.split("keys:\n")[0] + "delegations: []\ntargets-expires: 90d\n",
        "ceremony.yaml:8: delegations: no delegations are listed. List at least one delegated "
        "role",
        id="delegate-no-delegations",
    ),
]


@pytest.mark.parametrize(("script", "message"), BAD_SCRIPTS)
def test_bad_script_is_refused_with_exact_message(script: str, message: str) -> None:
    assert load_error(script) == message


@pytest.mark.parametrize(
    "script",
    [
        BOOTSTRAP + "passphrases:\n  root-alice: correct horse battery staple\n",
        edit(BOOTSTRAP, "  - name: carol\n", "  - name: carol\n    secret: horse battery\n"),
        BOOTSTRAP + "password: correct horse battery staple\n",
    ],
)
def test_a_secret_is_never_repeated_in_the_error(script: str) -> None:
    message = load_error(script)
    assert "scripts never contain secrets" in message
    assert "horse" not in message


def test_secrets_are_reported_before_unknown_fields() -> None:
    script = BOOTSTRAP + "colour: blue\nroot-pin: 1234\n"
    assert "scripts never contain secrets" in load_error(script)


def test_prompt_is_not_a_secret() -> None:
    script = BOOTSTRAP + "passphrases:\n  root-alice: prompt\n  root-bob: {env: ROOT_BOB}\n"
    plan = load_script_text(script, now=NOW)
    assert plan.key("root-bob").passphrase.name == "ROOT_BOB"


# -- what the checks accept ---------------------------------------------------


@pytest.mark.parametrize("kind", SCRIPTS)
def test_good_scripts_pass(kind: str) -> None:
    plan = load_script_text(SCRIPTS[kind], now=NOW)
    assert plan.kind == kind
    assert problems(plan, now=NOW) == []


def test_root_threshold_equal_to_keys_passes_with_spare_keys_none() -> None:
    script = edit(BOOTSTRAP, "threshold: 2", "threshold: 3") + "spare-keys: none\n"
    plan = load_script_text(script, now=NOW)
    assert (plan.role("root").threshold, plan.spare_keys) == (3, "none")


def test_root_may_expire_with_the_roles_it_signs() -> None:
    script = edit(BOOTSTRAP, "expires: 180d", "expires: 1y")
    plan = load_script_text(script, now=NOW)
    assert plan.role("root").expires == plan.role("targets").expires


def test_rotate_root_may_use_keys_of_the_current_bundle() -> None:
    # root-alice and root-carol are not defined here: the engine's preflight
    # checks them against the current bundle.
    plan = load_script_text(ROTATE, now=NOW)
    assert plan.role("root").keys == ("root-alice", "root-carol", "root-dave")
    assert [key.name for key in plan.keys] == ["root-dave", "timestamp-2"]
    assert plan.sign_with == ("root-alice", "root-carol")


def test_rotate_root_without_root_role_keeps_the_root() -> None:
    script = edit(ROTATE, ROTATE_ROOT_ROLE, "")
    script = edit(script, "  - {name: root-dave, holder: dave, algorithm: ed25519}\n", "")
    plan = load_script_text(script, now=NOW)
    assert plan.role("root") is None
    assert [role.name for role in plan.roles] == ["timestamp"]


def test_rotate_root_passphrases_may_name_current_keys_in_sign_with() -> None:
    script = ROTATE + "passphrases:\n  root-alice: {env: ROOT_ALICE}\n  root-dave: prompt\n"
    plan = load_script_text(script, now=NOW)
    assert plan.passphrase_for("root-alice").name == "ROOT_ALICE"
    assert plan.key("root-dave").passphrase.kind == "prompt"


def test_a_delegation_name_whose_versioned_file_fits_passes() -> None:
    name = "a" * 240  # 123456789.NAME.json: 255 characters
    assert len(f"123456789.{name}.json") == 255
    load_script_text(edit(DELEGATE, "  - name: alpine", f"  - name: {name}"),
                     path=Path("ceremony.yaml"), now=NOW)


def test_delegations_may_share_keys_and_use_current_keys() -> None:
    script = edit(DELEGATE, "keys: [repo-debian]", "keys: [repo-debian, repo-alpine, repo-old]")
    plan = load_script_text(script, now=NOW)
    assert plan.details.delegations[1].keys == ("repo-debian", "repo-alpine", "repo-old")


def test_problems_lists_every_problem_in_script_order(monkeypatch: pytest.MonkeyPatch) -> None:
    script = edit(BOOTSTRAP, "threshold: 2", "threshold: 5")
    script = edit(script, "holder: alice", "holder: alicia")
    script = edit(script, "expires: 30d", "expires: 2020-01-01")
    script = edit(script, "[targets], threshold", "[targetz], threshold")
    assert load_error(script).startswith("ceremony.yaml:11: keys[0].holder: ")
    # load without the checks, to see every problem they find
    monkeypatch.setattr("ceremony.script.load.check_plan", lambda plan, *, now: None)
    plan = load_script_text(script, now=NOW)
    assert [error.where for error in problems(plan, now=NOW)] == [
        "<script>:11: keys[0].holder",
        "<script>:18: roles.root.threshold",
        "<script>:19: roles.targets.keys[0]",
        "<script>:20: roles.snapshot.expires",
        "<script>:14: keys[3].name",  # follow-on: targets is unused because of targetz
    ]


def test_backend_check_is_one_small_function() -> None:
    assert SUPPORTED_BACKENDS == ("software", "pkcs11", "yubikey")
    assert backend_problem("software") is None
    assert backend_problem("pkcs11") is None
    what, todo = backend_problem("tpm")
    assert what == "the backend 'tpm' is not one ceremony knows"
