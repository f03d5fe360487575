"""``flavor: dct`` scripts: what loads, what is refused, and the exact words an operator reads.

Each bad script is one of the good scripts below with one edit. The last
tests run preflight (no key is made, nothing is written): server keys missing
from media, a root that would expire within six months, a bundle of the
other flavor. The ceremonies themselves run in test_dct_ceremony.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from ceremony.engine.preflight import preflight
from ceremony.errors import ScriptError
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.script.load import load_script_text

NOW = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)

BOOTSTRAP = """\
format: 1
ceremony: bootstrap
flavor: dct
title: Offline roots for the app and db repositories
output: out/2026-11-dct-bootstrap
guns: [registry.example.com/org/app, registry.example.com/org/db]
server-keys: media/server-keys
keyholders:
  - name: alice
  - name: bob
  - name: ci
keys:
  - {name: root-alice, holder: alice, algorithm: ecdsa-p256}
  - {name: root-bob, holder: bob, algorithm: ecdsa-p256}
  - {name: repo, holder: ci, algorithm: ecdsa-p256}
roles:
  root: {keys: [root-alice, root-bob], threshold: 1}
  targets: {keys: [repo]}
"""

ROTATE = """\
format: 1
ceremony: rotate-root
flavor: dct
title: New root and repository keys
current: ../1-bootstrap
published: ../state
output: out/2027-03-dct-rotate
sign-with: [root-alice]
keyholders:
  - name: carol
keys:
  - {name: root-carol, holder: carol, algorithm: ecdsa-p256}
  - {name: repo-2, algorithm: ecdsa-p256}
roles:
  root: {keys: [root-bob, root-carol], threshold: 1}
  targets: {keys: [repo-2]}
"""

DELEGATE = """\
format: 1
ceremony: delegate
flavor: dct
title: Signers for CI and QA
current: ../2-rotate
published: ../state
output: out/2027-03-dct-delegate
keys:
  - {name: ci-signer, algorithm: ecdsa-p256}
  - {name: qa, import: qa/qa.pub.pem}
signers:
  - {name: ci, keys: [ci-signer]}
delegations:
  - {name: targets/qa, keys: [qa], paths: ["qa/"]}
"""

BASES = {"bootstrap.yaml": BOOTSTRAP, "rotate.yaml": ROTATE, "delegate.yaml": DELEGATE}
GUN_HELP = (
    "A GUN is a Docker repository name such as registry.example.com/team/app: an optional "
    "registry host[:port], then /-separated lowercase parts of letters and digits joined by "
    "'.', '_' or '-'"
)


def load(text: str, name: str = "bootstrap.yaml"):
    return load_script_text(text, path=Path(name), now=NOW)


def edited(name: str, old: str, new: str) -> str:
    base = BASES[name]
    assert base.count(old) == 1, f"{old!r} must occur once"
    return base.replace(old, new)


# -- what loads ----------------------------------------------------------------


def test_bootstrap_loads_with_notary_default_expiries() -> None:
    plan = load(BOOTSTRAP)
    assert (plan.kind, plan.flavor) == ("bootstrap", "dct")
    assert plan.details.guns == ("registry.example.com/org/app", "registry.example.com/org/db")
    assert plan.details.server_keys.name == "server-keys"
    assert (plan.details.snapshot, plan.details.repository_keys) == ("server", "per-gun")
    assert plan.details.default_expiries == frozenset({"root", "targets"})
    assert (plan.role("root").expires - NOW).days == 3650
    assert (plan.role("targets").expires - NOW).days == 3 * 365
    assert plan.role("targets").threshold == 1


def test_rotation_and_delegation_load() -> None:
    rotate = load(ROTATE, "rotate.yaml")
    assert rotate.current.name == "1-bootstrap" and rotate.details.published.name == "state"
    assert rotate.sign_with == ("root-alice",)
    delegate = load(DELEGATE, "delegate.yaml")
    assert [(s.name, s.keys, s.role) for s in delegate.details.signers] == [
        ("ci", ("ci-signer",), "targets/ci")
    ]
    [qa] = delegate.details.delegations
    assert (qa.role, qa.keys, qa.threshold, qa.paths) == ("targets/qa", ("qa",), 1, ("qa/",))
    assert (delegate.targets_expires - NOW).days == 3 * 365


def test_import_trust_loads_with_docker_passphrases() -> None:
    text = edited("rotate.yaml", "current: ../1-bootstrap\n", "import-trust: laptop/trust\n")
    text = text.replace("sign-with: [root-alice]\n", "").replace("root-bob, ", "")
    text = text.replace("  targets: {keys: [repo-2]}\n", "").replace(
        "  - {name: repo-2, algorithm: ecdsa-p256}\n", ""
    )
    text += "spare-keys: none\npassphrases:\n"
    text += "  docker-root: {env: DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE}\n"
    plan = load(text, "rotate.yaml")
    assert plan.details.import_trust.parts[-2:] == ("laptop", "trust")
    assert plan.passphrase_for("docker-root").name == "DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE"


# -- what is refused, word for word ---------------------------------------------------

BAD = [
    pytest.param(
        "bootstrap.yaml",
        "registry.example.com/org/app,",
        "registry.example.com/org/App!,",
        "bootstrap.yaml:6: guns[0]: the character '!' at position 29 is not allowed in a GUN. "
        + GUN_HELP,
        id="gun-invalid-character",
    ),
    pytest.param(
        "bootstrap.yaml",
        "registry.example.com/org/app,",
        "Registry.example.com:5000/Org/app,",
        "bootstrap.yaml:6: guns[0]: the GUN is not a valid Docker repository name. " + GUN_HELP,
        id="gun-uppercase-path",
    ),
    pytest.param(
        "bootstrap.yaml",
        "registry.example.com/org/app,",
        "registry.example.com/org/" + "/".join(f"team{n}" for n in range(1, 30)) + ",",
        "bootstrap.yaml:6: guns[0]: the GUN has 31 parts, more than the 30 a bundle holds (each "
        "part is a folder on the media). Use a repository name of at most 30 /-separated parts",
        id="gun-deeper-than-a-bundle-holds",
    ),
    pytest.param(
        "bootstrap.yaml",
        "registry.example.com/org/app,",
        "registry.example.com/org/db,",
        "bootstrap.yaml:6: guns[1]: the GUN 'registry.example.com/org/db' is listed twice. "
        "List each GUN once",
        id="gun-twice",
    ),
    pytest.param(
        "bootstrap.yaml",
        "root-alice, holder: alice, algorithm: ecdsa-p256",
        "root-alice, holder: alice, algorithm: ed25519",
        "bootstrap.yaml:13: keys[0].algorithm: 'root-alice' is a root key: Docker Content Trust "
        "root keys are X.509 certificates, and notary does not accept an Ed25519 key in one. "
        "Use algorithm: ecdsa-p256 (or rsa-3072, rsa-4096)",
        id="root-cert-ed25519",
    ),
    pytest.param(
        "bootstrap.yaml",
        "root-bob, holder: bob, algorithm: ecdsa-p256",
        "root-bob, holder: bob, algorithm: ecdsa-p384",
        "bootstrap.yaml:14: keys[1].algorithm: ecdsa-p384 is refused for Docker Content Trust: "
        "notary checks every ECDSA signature over a SHA-256 digest, whatever the curve, while "
        "ceremony's key backends sign P-384 over SHA-384, so notary would reject every "
        "signature this key made. Use algorithm: ecdsa-p256",
        id="p384-refused",
    ),
    pytest.param(
        "bootstrap.yaml",
        "repo, holder: ci, algorithm: ecdsa-p256",
        "repo, holder: ci, algorithm: ed25519",
        "bootstrap.yaml:15: keys[2].algorithm: the algorithm 'ed25519' is not one ceremony makes "
        "for Docker Content Trust (repository and delegation keys go to CI in notary's key "
        "files). Use one of: ecdsa-p256, rsa-3072, rsa-4096",
        id="repository-key-ed25519",
    ),
    pytest.param(
        "bootstrap.yaml",
        "{name: repo, holder: ci, algorithm: ecdsa-p256}",
        "{name: repo, import: ci/repo.pub.pem}",
        "bootstrap.yaml:18: roles.targets.keys[0]: 'repo' is an imported public key, but a "
        "targets key must sign targets.json in this ceremony: the server refuses a first "
        "publish or a key rotation without it. Make the key here (it is exported to CI in "
        "notary's key format); a key CI made belongs in a delegate ceremony's signers:",
        id="targets-key-imported",
    ),
    pytest.param(
        "bootstrap.yaml",
        "  targets: {keys: [repo]}\n",
        "  targets: {keys: [repo]}\n  timestamp: {keys: [repo]}\n",
        "bootstrap.yaml:19: roles.timestamp: the Notary server holds the timestamp key and signs "
        "timestamps itself. Remove it; the root names the server's key from server-keys: "
        "(fetched with scripts/dct-fetch-keys)",
        id="timestamp-role",
    ),
    pytest.param(
        "bootstrap.yaml",
        "  targets: {keys: [repo]}\n",
        "  targets: {keys: [repo], threshold: 2}\n",
        "bootstrap.yaml:18: roles.targets.threshold: the targets threshold is 2; notary and "
        "docker sign targets with one key. Write threshold: 1, or leave it out",
        id="targets-threshold",
    ),
    pytest.param(
        "bootstrap.yaml",
        "  targets: {keys: [repo]}\n",
        "",
        "bootstrap.yaml:16: roles: a DCT bootstrap needs the targets role. Add it under roles, "
        "e.g. targets: {keys: [repo]}",
        id="no-targets-role",
    ),
    pytest.param(
        "bootstrap.yaml",
        "server-keys: media/server-keys\n",
        "",
        "bootstrap.yaml:1: server-keys: this required field is missing. Add server-keys: the "
        "media folder scripts/dct-fetch-keys wrote the Notary server's keys to",
        id="no-server-keys",
    ),
    pytest.param(
        "bootstrap.yaml",
        "server-keys: media/server-keys\n",
        "server-keys: media/server-keys\nsnapshot: offline\n",
        "bootstrap.yaml:17: roles: a DCT bootstrap needs the snapshot role (snapshot: offline "
        "makes a snapshot key here for CI). Add it under roles, e.g. "
        "snapshot: {keys: [snapshot-ci]}",
        id="offline-snapshot-without-key",
    ),
    pytest.param(
        "bootstrap.yaml",
        "server-keys: media/server-keys\n",
        "server-keys: media/server-keys\ncurrent: x\n",
        "bootstrap.yaml:8: current: a dct bootstrap ceremony has no current field (it belongs to "
        "rotate-root, delegate, recover, renew and decommission). Remove it; "
        "docs/reference/scripts.md lists the fields of a dct "
        "bootstrap",
        id="current-in-bootstrap",
    ),
    pytest.param(
        "bootstrap.yaml",
        "ceremony: bootstrap",
        "ceremony: recover",
        "bootstrap.yaml:16: roles: a dct recover lists the role whose keys it replaces under "
        "replace:, not roles:. Write replace: {targets: {keys: [repo-2]}}",
        id="recover",
    ),
    pytest.param(
        "rotate.yaml",
        "current: ../1-bootstrap\n",
        "",
        "rotate.yaml:1: import-trust: a DCT rotation starts from the bundle of the last ceremony "
        "(current:) or from a Docker trust dir (import-trust:). Name exactly one of them",
        id="rotation-without-source",
    ),
    pytest.param(
        "rotate.yaml",
        "current: ../1-bootstrap\n",
        "current: ../1-bootstrap\nimport-trust: laptop\n",
        "rotate.yaml:5: current: a DCT rotation starts from the bundle of the last ceremony "
        "(current:) or from a Docker trust dir (import-trust:), not both. Name exactly one of them",
        id="rotation-with-two-sources",
    ),
    pytest.param(
        "rotate.yaml",
        "published: ../state\n",
        "",
        "rotate.yaml:15: roles.targets: a new targets key re-signs each GUN's current "
        "targets.json, which only the server has. Add published: the folder "
        "`scripts/dct-fetch-keys --state` wrote",
        id="targets-rotation-without-server-state",
    ),
    pytest.param(
        "rotate.yaml",
        "  targets: {keys: [repo-2]}\n",
        "  targets: {keys: [repo-2]}\n  snapshot: {keys: [repo-2]}\n",
        "rotate.yaml:17: roles.snapshot: the Notary server holds the snapshot key here. Remove it; "
        "to replace the server's snapshot key, fetch its new key with `dct-fetch-keys --rotate "
        "snapshot` and name that folder in server-keys:",
        id="snapshot-role-in-rotation",
    ),
    pytest.param(
        "delegate.yaml",
        "  - {name: ci, keys: [ci-signer]}\n",
        "  - {name: releases, keys: [ci-signer]}\n",
        "delegate.yaml:12: signers[0].name: a signer cannot be called 'releases': its keys go on "
        "targets/releases anyway. Choose the signer's own name, such as ci or alice",
        id="signer-releases",
    ),
    pytest.param(
        "delegate.yaml",
        "name: targets/qa",
        "name: targets/QA",
        "delegate.yaml:14: delegations[0].name: the character 'Q' is not allowed in a role name. "
        "Name delegations targets/<name>, with lowercase letters, digits, '-', '_' and '/', for "
        "example targets/releases",
        id="delegation-role-name",
    ),
    pytest.param(
        "delegate.yaml",
        "name: targets/qa",
        "name: targets/ci",
        "delegate.yaml:14: delegations[0].name: the role targets/ci is already made at "
        "signers[0].name. Make each delegated role once",
        id="delegation-role-twice",
    ),
    pytest.param(
        "delegate.yaml",
        "published: ../state\n",
        "",
        "delegate.yaml:1: published: this required field is missing. Add published: the media "
        "folder `scripts/dct-fetch-keys --state` wrote the server's current metadata to",
        id="delegation-without-server-state",
    ),
]


@pytest.mark.parametrize("name, old, new, message", BAD)
def test_bad_dct_script_is_refused_with_exact_message(name, old, new, message) -> None:
    with pytest.raises(ScriptError) as caught:
        load(edited(name, old, new), name)
    assert str(caught.value) == message


def test_custody_is_read_for_a_dct_bootstrap() -> None:
    text = edited(
        "bootstrap.yaml",
        "guns:",
        "custody: {media: [a, b], sheets: s, shares: {threshold: 2, of: 3}}\nguns:",
    )
    plan = load(text)
    assert [p.name for p in plan.custody.media] == ["a", "b"]


# -- preflight: what is on media ---------------------------------------------------


def server_key_media(folder: Path, *guns: str, roles=("timestamp", "snapshot")) -> Path:
    for gun in guns:
        (folder / gun).mkdir(parents=True)
        for role in roles:
            key = key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            (folder / gun / f"{role}.key").write_text(json.dumps(key.to_dict()))
    return folder


def preflight_of(text: str, folder: Path, name: str = "bootstrap.yaml"):
    plan = load_script_text(
        text.replace("output:", "network: allowed\noutput-media: any-device\noutput:"),
        path=folder / name,
    )
    return preflight(plan)


def failures(result) -> list[str]:
    return [f"{c.check}: {c.detail}" for c in result.failures]


def test_server_keys_missing_from_media_are_named(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    server_key_media(tmp_path / "media" / "server-keys", "registry.example.com/org/app")
    result = preflight_of(BOOTSTRAP, tmp_path)
    path = tmp_path / "media/server-keys/registry.example.com/org/db/timestamp.key"
    assert failures(result) == [
        f"server keys registry.example.com/org/db: {path}: the Notary server's timestamp key for "
        "registry.example.com/org/db is not on the media. Run scripts/dct-fetch-keys for this "
        "GUN on the online side and bring the media back; nothing was signed"
    ]


def test_snapshot_key_missing_unless_snapshot_is_offline(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    server_key_media(
        tmp_path / "media" / "server-keys",
        "registry.example.com/org/app",
        "registry.example.com/org/db",
        roles=("timestamp",),
    )
    assert [f.split(":")[0] for f in failures(preflight_of(BOOTSTRAP, tmp_path))] == [
        "server keys registry.example.com/org/app",
        "server keys registry.example.com/org/db",
    ]
    offline = edited(
        "bootstrap.yaml",
        "server-keys: media/server-keys\n",
        "server-keys: media/server-keys\nsnapshot: offline\n",
    )
    offline = offline.replace(
        "  - {name: repo,",
        "  - {name: snapshot-ci, holder: ci, algorithm: ecdsa-p256}\n  - {name: repo,",
    )
    offline += "  snapshot: {keys: [snapshot-ci]}\n"
    assert failures(preflight_of(offline, tmp_path)) == []


def test_a_root_expiring_within_six_months_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    server_key_media(
        tmp_path / "media" / "server-keys",
        "registry.example.com/org/app",
        "registry.example.com/org/db",
    )
    text = BOOTSTRAP.replace("threshold: 1}", "threshold: 1, expires: 90d}").replace(
        "targets: {keys: [repo]}", "targets: {keys: [repo], expires: 30d}"
    )
    result = preflight_of(text, tmp_path)
    assert failures(result) == []
    [warning] = [c.detail for c in result.checks if c.check == "root expiry"]
    assert warning.startswith("WARNING: the new roots expire on ")
    assert warning.endswith(
        "within six months: notary then tries to re-sign root on every publish and fails "
        "without the offline root key"
    )


def test_a_tuf_bundle_is_not_a_current_dct_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "1-bootstrap"
    bundle.mkdir()
    (bundle / "MANIFEST.json").write_text(json.dumps({"format": 1, "flavor": "tuf"}))
    (tmp_path / "out").mkdir()
    text = ROTATE.replace("../1-bootstrap", "1-bootstrap").replace("../state", "state")
    [failure] = failures(preflight_of(text, tmp_path, "rotate.yaml"))
    assert failure == (
        f"current bundle: {bundle}: this is a tuf bundle, not a Docker Content Trust one. name "
        "the folder of the last dct ceremony's bundle"
    )


@pytest.mark.parametrize(
    "name, kind",
    [
        ("dct-bootstrap.yaml", "bootstrap"),
        ("dct-rotate-root.yaml", "rotate-root"),
        ("dct-delegate.yaml", "delegate"),
        ("dct-import-trust.yaml", "rotate-root"),
    ],
)
def test_the_dct_examples_load(name: str, kind: str) -> None:
    from ceremony.script.load import load_script

    plan = load_script(Path(__file__).resolve().parent.parent / "docs" / "examples" / name, now=NOW)
    assert (plan.kind, plan.flavor) == (kind, "dct")
