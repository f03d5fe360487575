"""Preflight of a dct recover: can the custody bundle's root keys sign every GUN?

Run by custody_preflight.py once the custody bundle's copies are found and
its record read, before any custodian is asked for a share, from public
facts alone. The custody record names its keys by TUF keyid and public-key
fingerprint; a DCT bundle's key index names them by notary's canonical id
with their public key. So each root key of the current dct bundle is
matched to the record by its public key, and for every GUN in scope the
matched keys must meet that GUN's current root threshold (a GUN whose root
the custody keys cannot sign could not be moved to root version N+1). A key
the record names like a current key but that is another key stops the
recovery: the copies are not this repository's.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization

from ceremony.custody.record import CustodyRecord
from ceremony.threshold import threshold_result
from hsm.signer import tuf_key_for


def custody_ids(state) -> dict[str, str]:
    """The TUF keyid (what custody.json records) of each key of the current state,
    by its canonical id."""
    ids = {}
    for entry in state.keys.values():
        try:
            public = serialization.load_pem_public_key(entry.public_pem.encode())
            ids[entry.keyid] = tuf_key_for(public).keyid
        except (ValueError, TypeError):
            continue  # a key the custody bundle cannot hold
    return ids


def gun_signing_problem(record: CustodyRecord, gun_state, tuf_ids: dict[str, str]) -> str | None:
    """Why the root keys in ``record`` cannot sign after ``gun_state``'s root, or None."""
    role = gun_state.root.signed.roles["root"]
    held = set(record.root_keyids)
    ids = gun_state.canonical_ids("root")
    usable = threshold_result(ids, role.threshold, {c for c in ids if tuf_ids.get(c) in held})
    if usable.met:
        return None
    return (
        f"the custody bundle of ceremony {record.ceremony_id} holds "
        f"{len(record.root_keyids)} root key(s), which give the current root of "
        f"{gun_state.gun} (version {gun_state.root_version}) {usable.words()}: its keys do not "
        "match this root"
    )


def check_custody_keys(plan, record: CustodyRecord, state, result) -> None:
    """Add the checks of the custody bundle's keys against every GUN in scope."""
    if state is None or not state.scope:
        return  # the current bundle's own check already failed
    tuf_ids = custody_ids(state)
    by_name = {entry.name: tuf_ids.get(entry.keyid) for entry in state.keys.values()}
    for key in record.keys:
        named = by_name.get(key.name)
        if named is not None and named != key.keyid:
            result.add(
                f"custody key {key.name}",
                f"key {key.name} in the custody bundle of ceremony {record.ceremony_id} is "
                f"not the current bundle's {key.name}: this custody bundle is not of this "
                "repository's ceremonies; bring the right copies",
            )
            return
    for gun in state.scope:
        problem = gun_signing_problem(record, state.guns[gun], tuf_ids)
        if problem:
            problem += "; bring the custody bundle of a ceremony that made this root's keys"
        result.add(
            f"custody keys {gun}", problem,
            f"its root keys can sign root version {state.guns[gun].root_version + 1}",
        )
