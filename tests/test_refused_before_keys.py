"""What a TUF ceremony would refuse late is refused by validate, before any key is open.

Each case here passed ``ceremony validate`` (or ``ceremony request``), and the
ceremony (or, signed in sittings, a sitting or the seal) refused it after
passphrases were typed and keys made, or signatures gathered at every sitting,
or the tool wrote what it then refused:

- one public key imported under two names, or imported again under a new name
  when it is already a key of the current bundle (the ceremony stopped when it
  met the second name: "one key must not be named twice");
- a rotation signed in several sittings whose request may be sealed after the
  new root expires (its roles.root.expires, or the current root's expiry kept):
  every keyholder signed, then the seal refused the expired root as "a fault
  in the tool or the media"; or after the current bundle expires (a root or
  targets.json the sittings verify): every sitting after that refused it;
- a rotation without roles.root (the root keeps its expiry) giving a role a
  later expiry than the root's: sealed, and then the next rotation, which
  lists every role under the root it keeps, was refused by validate;
- a rotation giving a role a key of a role the new root keeps (root-b, a root
  key, made the targets key): sealed, and then the next rotation, which lists
  every role, was refused by validate ("use a separate key for each role"), and
  ``ceremony next`` refused to replace it;
- ``ceremony request`` of a rotation whose new root one loss would lock, with no
  ``accept-risk:`` (validate refuses it): the request was written, signed at
  every sitting and sealed, the risk never accepted;
- ``ceremony next`` after a root given a shorter period than a role's (a renew
  with ``root-expires: 30d``, the default targets period 180d): it wrote a
  rotation whose targets outlived its root, which validate refused. It now
  gives such a role the root's period, and says so atop the script.

Each is shown on the session's small bootstrap (conftest.py: root-a and root-b,
threshold 1; its online keys imported from online/*.pem), through preflight
and ``ceremony request`` (and one renewal, for ``next``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from test_run_headless import (  # noqa: F401 - the fixtures the tests use
    bootstrapped,
    passphrases,
    public_pem_file,
    rotation,
)
from witness import witnessed

from ceremony.cli import main
from ceremony.engine import utc_now
from ceremony.engine.preflight import preflight
from ceremony.errors import PreflightError, ScriptError
from ceremony.script.load import load_script
from ceremony.sittings.request import make_request


@pytest.fixture(scope="module")
def current(bootstrapped: Path) -> Path:  # noqa: F811
    """test_run_headless's copy of the small bootstrap: ``out`` is the bundle,
    online/ its online keys' public keys (online/targets.pem is the bundle's
    targets key); new.pem a key new to it."""
    public_pem_file(bootstrapped / "new.pem")
    return bootstrapped


def rotation_bringing(folder: Path, name: str, keys: str, roles: str, extra: str = "") -> Path:
    """test_run_headless's rotation of ``folder/out`` signed by root-a, bringing
    ``keys`` for ``roles`` instead of its own."""
    head = rotation(folder, "out", name).read_text().split("roles:\n")[0]
    script = folder / f"{name}.yaml"
    listed = f"keys:\n{textwrap.indent(keys, '  ')}" if keys else ""
    script.write_text(f"{head}{listed}roles:\n{textwrap.indent(roles, '  ')}{extra}")
    return script


def problems(script: Path) -> dict[str, str]:
    return {check.check: check.detail for check in preflight(load_script(script)).failures}


def test_a_public_key_imported_under_two_names_is_refused(current):
    script = rotation_bringing(
        current, "twice",
        "- {name: snapshot-2, import: new.pem}\n"
        "- {name: timestamp-2, import: new.pem}\n",
        "snapshot: {keys: [snapshot-2], threshold: 1, expires: 30d}\n"
        "timestamp: {keys: [timestamp-2], threshold: 1, expires: 7d}\n",
    )
    assert problems(script) == {
        "key timestamp-2": f"{current / 'new.pem'} holds the same public key as snapshot-2 "
        f"({current / 'new.pem'}), and one key must not be named twice: import it once, "
        "as snapshot-2, and name snapshot-2 wherever timestamp-2 is used",
    }


def test_a_key_of_the_current_bundle_imported_again_is_refused(current):
    script = rotation_bringing(
        current, "again",
        "- {name: snapshot-2, import: online/targets.pem}\n",
        "snapshot: {keys: [snapshot-2], threshold: 1, expires: 30d}\n",
    )
    assert problems(script) == {
        "key snapshot-2": f"{current / 'online/targets.pem'} holds the public key of targets, "
        "a key of the current bundle, and one key must not be named twice: remove snapshot-2 "
        "from keys and name targets wherever snapshot-2 is used",
    }


def test_a_signing_request_refuses_a_key_of_the_current_bundle_imported_again(current):
    script = rotation_bringing(
        current, "again-in-sittings",
        "- {name: root-c, holder: c, import: online/timestamp.pem}\n",
        "root: {keys: [root-a, root-c], threshold: 2, expires: 200d}\n",
        "keyholders: [{name: c}]\nrequest-expires: 14d\n"
        "spare-keys: none\naccept-risk: every root key must sign\n",
    )
    with pytest.raises(PreflightError) as refused:
        make_request(load_script(script), utc_now)
    assert "holds the public key of timestamp, a key of the current bundle" in str(refused.value)


def test_a_key_of_a_role_the_new_root_keeps_is_refused_for_another_role(current):
    script = rotation_bringing(
        current, "root-key-for-targets", "",
        "targets: {keys: [root-b], threshold: 1, expires: 30d}\n",
    )
    assert problems(script) == {
        "roles.targets.keys[0]": "root-b is already a key of the root role, which root "
        "version 2 keeps; use a separate key for each role: make or import a new key for "
        "targets",
    }


def test_a_signing_request_judges_the_new_roots_recoverability_as_validate_does(current):
    script = rotation_bringing(
        current, "fragile-in-sittings",
        "- {name: root-c, holder: c, import: new.pem}\n",
        "root: {keys: [root-a, root-c], threshold: 2, expires: 200d}\n",
        "keyholders: [{name: c}]\nrequest-expires: 14d\nspare-keys: none\n",
    )
    refused = problems(script)["one loss"]
    with pytest.raises(PreflightError) as requested:
        make_request(load_script(script), utc_now)
    assert f"one loss: {refused}" in str(requested.value)
    assert not (current / "fragile-in-sittings").exists()


def test_a_new_public_key_imported_once_passes(current):
    script = rotation_bringing(
        current, "once",
        "- {name: snapshot-2, import: new.pem}\n",
        "snapshot: {keys: [snapshot-2], threshold: 1, expires: 30d}\n",
    )
    assert problems(script) == {}


IN_SITTINGS = "keyholders: [{name: c}]\nspare-keys: none\naccept-risk: every root key must sign\n"


def test_a_request_that_outlives_its_new_root_is_refused(current):
    script = rotation_bringing(
        current, "outlived",
        "- {name: root-c, holder: c, import: new.pem}\n",
        "root: {keys: [root-a, root-c], threshold: 2, expires: 7d}\n",
        IN_SITTINGS + "request-expires: 30d\n",
    )
    with pytest.raises(ScriptError) as refused:
        load_script(script)
    assert str(refused.value).startswith("outlived.yaml:17: request-expires: the request could "
                                         "be signed and sealed until ")
    assert str(refused.value).endswith(
        ", roles.root.expires): a root sealed then is expired, and clients and the seal refuse "
        "it. Give request-expires a time no later than the root's expiry, or "
        "roles.root.expires a later one"
    )


def test_a_request_that_outlives_the_root_expiry_it_keeps_is_refused(current):
    script = rotation_bringing(
        current, "outlived-kept",
        "- {name: timestamp-2, import: new.pem}\n",
        "timestamp: {keys: [timestamp-2], threshold: 1, expires: 7d}\n",
        "request-expires: 400d\n",  # the bootstrap's root expires in 1y
    )
    (problem,) = problems(script).items()
    assert problem[0] == "request-expires"
    assert ", after the current bundle's root version 1 expires (" in problem[1]


def test_a_request_that_outlives_the_current_bundle_is_refused(current):
    script = rotation_bringing(
        current, "outlives-current",
        "- {name: root-c, holder: c, import: new.pem}\n",
        "root: {keys: [root-a, root-b, root-c], threshold: 2, expires: 500d}\n",
        "keyholders: [{name: c}]\nrequest-expires: 400d\n",  # the bootstrap's root: 1y
    )
    (problem,) = problems(script).items()
    assert problem[0] == "request-expires"
    assert ", after the current bundle's root version 1 expires (" in problem[1]
    assert problem[1].endswith("): every sitting verifies the current bundle, and from then "
                               "on refuses it; give request-expires a time no later than "
                               "that, or renew the current bundle first")


def test_a_role_that_outlives_the_root_expiry_kept_is_refused(current):
    script = rotation_bringing(
        current, "outlives-kept",
        "- {name: targets-2, import: new.pem}\n",
        "targets: {keys: [targets-2], threshold: 1, expires: 400d}\n",  # the root's: 1y
    )
    (problem,) = problems(script).items()
    assert problem[0] == "roles.targets.expires"
    assert problem[1].startswith("the targets role would expire at ")
    assert ", after the root, which keeps root version 1's expiry (" in problem[1]
    assert problem[1].endswith("), and the root must outlive every role it signs; give "
                               "targets an earlier expiry, or the root a later one under "
                               "roles.root")


def test_next_gives_no_role_a_longer_period_than_the_roots(current, passphrases):  # noqa: F811
    renew = current / "renew.yaml"
    renew.write_text(rotation(current, "out", "renewed").read_text().split("roles:\n")[0]
                     .replace("rotate-root", "renew") + "root-expires: 30d\n"
                     "passphrases:\n  root-a: {env: ROOT_A_PASS}\n")
    assert main(witnessed(["run", str(renew), "--yes"])) == 0
    script = current / "next.yaml"
    assert main(["next", str(current / "renewed"), "--kind", "rotate-root",
                 "--replace", "targets", "-o", str(script)]) == 0
    assert "# targets expires in 30d, as the root does, not 180d: a role may not outlive " \
        "the root.\n" in script.read_text()
    roles = yaml.safe_load(script.read_text())["roles"]
    assert roles["root"]["expires"] == roles["targets"]["expires"] == "30d"
    assert main(["validate", str(script)]) == 0
