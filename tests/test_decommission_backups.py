"""decommission of a key with a copy on a backup token (SoftHSM2): named, never hidden.

A bootstrap makes root-a on a SoftHSM2 token and root-b in software, copied
into a second token (``backup-tokens``). This tool destroys a key where the
bundle says it lives (root-b: its key file left out of the new bundle), not
its backup copies: the decommission of root-b warns in preflight, names the
copy in what the typed ``destroy`` agrees to, and, once the bundle is sealed,
ends saying the destruction is not finished, the copy NOT destroyed (as the
record beside the bundle does), with what to do by hand; the copy is still on
its token (OpenSC's pkcs11-tool lists it) and the new bundle verifies.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from destruction_lines import destruction
from softhsm_support import MODULE, USER_PIN, softhsm
from test_decommission import HEADER, decommission
from test_hardware_ceremony import Operator, token_key

from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import CeremonyError
from ceremony.operator import Confirmation
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

BACKUP = "ceremony-backup"


class Agreeing(Operator):
    """The keyholder who knows the PIN, keeping what each confirmation said."""

    def __init__(self) -> None:
        super().__init__()
        self.confirmed: list[Confirmation] = []

    def confirm(self, request):
        self.confirmed.append(request)
        return True


def on_backup() -> str:
    tool = shutil.which("pkcs11-tool")
    assert tool, "OpenSC's pkcs11-tool is not installed: run scripts/install-test-tools"
    return subprocess.run([tool, "--module", MODULE, "--token-label", BACKUP, "--login",
                           "--pin", USER_PIN, "--list-objects"],
                          capture_output=True, text=True, check=True).stdout


def test_a_keys_backup_copy_is_named_not_destroyed_with_what_to_do(tmp_path: Path) -> None:
    softhsm()
    tag = uuid.uuid4().hex[:8]
    for role in ("targets", "snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (tmp_path / f"{role}.pem").write_text(key.facts().public_pem)
    (tmp_path / "boot.yaml").write_text(
        HEADER + "ceremony: bootstrap\ntitle: a root key backed up\noutput: boot\n"
        "keyholders: [{name: a}]\nkeys:\n"
        f"  - {token_key('root-a', tag, 'ecdsa-p256')}\n"
        "  - name: root-b\n    holder: a\n    algorithm: ed25519\n    backup-tokens:\n"
        f"      - {{module: {MODULE}, token-label: {BACKUP}, object-label: root-b-{tag}}}\n"
        + "".join(f"  - {{name: {role}, import: {role}.pem}}\n"
                  for role in ("targets", "snapshot", "timestamp"))
        + "roles:\n  root: {keys: [root-a, root-b], threshold: 1, expires: 1y}\n"
        + "".join(f"  {role}: {{keys: [{role}], threshold: 1, expires: 30d}}\n"
                  for role in ("targets", "snapshot", "timestamp")))
    list(run_ceremony(load_script(tmp_path / "boot.yaml"), Operator()))
    assert f"root-b-{tag}" in on_backup()

    script = load_script(decommission(tmp_path, "dec", "[root-b]"))
    warned = [c.detail for c in preflight(script).checks
              if c.ok and c.detail.startswith("WARNING: copy of key root-b")]
    assert len(warned) == 1, warned
    assert f"on backup token '{BACKUP}' (pkcs11:" in warned[0]
    assert warned[0].endswith("backup copies are not destroyed by this tool; destroy it by "
                              "hand, once the bundle is sealed, as "
                              "docs/runbooks/key-destruction.md says")
    operator = Agreeing()
    with pytest.raises(CeremonyError) as error:
        list(run_ceremony(script, operator))
    [agreed] = [c for c in operator.confirmed if c.id == "confirm/destroy"]
    assert "NOT destroyed: copy of key root-b (" in agreed.detail
    assert f"on backup token '{BACKUP}'" in agreed.detail
    said = str(error.value)
    assert said.startswith(f"the bundle {tmp_path / 'dec'} is sealed, but the destruction is "
                           "not finished: NOT destroyed: copy of key root-b ("), said
    assert "destroy each one listed as not destroyed by hand" in said
    ended = destruction(tmp_path / "dec")[-1]
    [copy] = ended["not_destroyed"]
    assert copy.startswith("copy of key root-b (") and BACKUP in copy
    assert verify_bundle(tmp_path / "dec").ok
    assert f"root-b-{tag}" in on_backup()  # still there: named, for the witness
