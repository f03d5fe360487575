"""recover: custodians bring back the root keys; lost repository keys are replaced.

Disaster recovery from a custody bundle. A quorum of custodians give their
shares one at a time (collect_shares.py); the bundle is opened from any good
copy and every key checked against its record and the current root. Then
the recovered root keys sign root version N+1 of the current bundle, in
which each role under ``replace:`` (targets, snapshot, timestamp) has the
new keys made or imported today; when a new targets key is made here it
re-signs targets.json. With a ``custody:`` section the recovered root keys
(and a new targets key) go into a new custody bundle with new shares, and
the old shares are declared retired in the transcript.

Re-homing recovered root keys onto tokens belongs to the hardware backends:
see :func:`rehome_steps`, the hook where those steps go.
"""

from __future__ import annotations

from ceremony.engine.step import Step
from ceremony.kinds import collect_shares, common, custody_steps
from ceremony.kinds.rotate_root import build_root, carry_targets
from ceremony.kinds.summary import summarize
from ceremony.script.plan import Plan


def rehome_steps(plan: Plan) -> list[Step]:
    """Steps that move recovered root keys onto new tokens (none yet).

    Hook for the PKCS#11/YubiKey backends: after "open-custody" the
    recovered keys are open SoftwareKey signers on the Context's key
    records (``ctx.keys[name].signer``); a re-homing step would import or
    replace them on a token, update the record's location and backend, and
    let build_root sign as usual."""
    return []


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        Step(
            "collect-shares",
            "Collect the custodians' shares",
            collect_shares.collect,
            say_aloud="Each custodian, in turn, opens their sealed sheet and reads or scans it; "
            "say the bag number aloud first.",
            check_by_eye="Each bag is intact and its number is the one on the custody record.",
        ),
        Step(
            "open-custody",
            "Open the custody bundle and check every key",
            collect_shares.open_custody,
            check_by_eye="Every recovered key matches a key of the current root.",
        ),
        *rehome_steps(plan),
        Step(
            "new-keys",
            "Make or import the replacement keys",
            common.make_keys,
            say_aloud="Read aloud the short id of every new key.",
        ),
        Step(
            "root-metadata",
            "Build and sign the next root version with the recovered keys",
            build_root,
            check_by_eye="Both thresholds, current root and new root, show as met.",
        ),
        Step("targets-metadata", "Carry or re-sign targets", carry_targets),
        *custody_steps.steps(plan),
        common.seal_step(),
        Step("summary", "Summary", summarize),
    ]
