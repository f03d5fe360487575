"""Preflight of a decommission, for every flavor: refuse, before anything changes,
to destroy a key the root still needs, or to wipe a file that did not hold it.

Every key in ``destroy:`` must be a key of the current state in some role of
a current root (``CurrentState.role_keys``: TUF's one root, each DCT GUN's),
that this tool can destroy (on a PKCS#11 token, or stored as an encrypted
key file). The next root is the current one without those keys: every role
they held must keep at least its threshold, and today's signers must meet
the current roots' thresholds and the next ones'. Each path in ``wipe:``
must be safe to wipe (bundle/wipe.py: a plain file with one name, reached
through no link) and must have held a destroyed key: a key file byte for
byte the current bundle's key file of a destroyed key, a custody copy
whose custody.json is the record the current bundle carries of a custody
bundle holding one. The destruction record beside the output, written after
the seal, must not exist yet. A key with copies on backup tokens
(``KeyRecord.backups``) is warned about: this tool destroys a key where the
bundle says it lives, not those copies; each is named, here, in the typed
``destroy`` and as not destroyed in the record, to destroy by hand. No side
effects.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ceremony.bundle.destruction_record import destruction_record_path
from ceremony.bundle.reading import read_plain_file
from ceremony.bundle.wipe import wipe_problem
from ceremony.custody.record import CustodyRecord
from ceremony.engine.current import CurrentState
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.preflight_result import PreflightResult
from ceremony.errors import CeremonyError
from ceremony.script.plan import Plan
from ceremony.verify.limits import OTHER_MAX_BYTES

#: a copy to wipe is held to what a bundle keeps of a file beside its metadata (a key
#: file, a custody record): one larger cannot be a copy of what the bundle holds
MAX_KEY_FILE = OTHER_MAX_BYTES


def check_destroy(plan: Plan, current: CurrentState, result: PreflightResult) -> None:
    destroyed = _destroyable(plan, current, result)  # keyid -> name
    for label, role_name, keyids, threshold in current.role_keys():
        gone = sorted(destroyed[k] for k in keyids if k in destroyed)
        if not gone:
            continue
        left = len(keyids - set(destroyed))
        if left < threshold:
            result.add(
                f"destroy {', '.join(gone)}",
                f"{label} still needs {_them(gone)} for its {role_name} threshold: "
                f"without {_them(gone)} the {role_name} role would have {left} key(s) for a "
                f"threshold of {threshold}. Nothing was changed; add keys with a "
                "rotate-root ceremony first, then destroy",
                reason="still-needed",
            )
        else:
            result.add(f"destroy {', '.join(gone)}", None,
                       f"{label}: {role_name} keeps {left} key(s) for a threshold of {threshold}")
    signing = {current.keys[n].keyid for n in plan.sign_with if n in current.keys}
    for when, keys in (("today", signing), ("without them", signing - set(destroyed))):
        for label, met in current.root_thresholds(keys):
            if not met.met:
                result.add("sign-with", f"the keys that sign today give {label} "
                           f"{'' if when == 'today' else '(without the keys destroyed) '}"
                           f"{met.words()}; add keyholders of the root to sign-with")
    _check_wipe(plan, current, destroyed, result)
    record = destruction_record_path(plan.output)
    result.add("destruction record", f"{record} already exists: what this decommission destroys "
               "after its seal is recorded there, never over anything; move it away, or name a "
               "new output in the script" if record.exists() or record.is_symlink() else None,
               f"what is destroyed after the seal is recorded in {record}")


def backup_copies(key: KeyRecord) -> list[str]:
    """Each copy of ``key`` on a backup token (KeyRecord.backups), in words, as NOT
    destroyed: this tool destroys a key where the bundle says it lives, not its
    backup copies; what to do by hand."""
    from hsm.pkcs11 import Pkcs11Uri, UriError

    def token(uri: str) -> str:
        with contextlib.suppress(UriError):
            return repr(Pkcs11Uri.parse(uri).token or "")
        return "(its URI cannot be read)"

    return [f"copy of key {key.name} ({key.short_id}) on backup token {token(uri)} ({uri}): "
            "backup copies are not destroyed by this tool; destroy it by hand"
            for uri in key.backups]


def _destroyable(plan: Plan, current: CurrentState, result: PreflightResult) -> dict[str, str]:
    in_roles = set().union(*(keyids for _, _, keyids, _ in current.role_keys()))
    destroyed: dict[str, str] = {}
    for name in plan.destroy:
        record = current.keys.get(name)
        if record is None:
            result.add(f"destroy {name}", f"no key {name} in the current bundle; it has: "
                       f"{', '.join(sorted(current.keys))}")
        elif record.keyid not in in_roles:
            result.add(f"destroy {name}", f"key {name} is in no role of the current root: a "
                       "decommission removes keys from the root and then destroys them; "
                       "replace a repository key with a rotation instead")
        elif record.backend == "yubikey":
            result.add(f"destroy {name}", f"key {name} is in a YubiKey slot: this tool does "
                       "not destroy YubiKey keys; leave it out and delete the slot's key with "
                       "ykman (docs/runbooks/key-destruction.md)")
        elif not record.location.startswith(("pkcs11:", "age-file:")):
            result.add(f"destroy {name}", f"key {name} lives at {record.location}: only a "
                       "key on a token or stored in the bundle is destroyed here")
        else:
            destroyed[record.keyid] = name
            for copy in backup_copies(record):  # the key lives on there: said before `destroy`
                result.add(f"destroy {name}", None, f"WARNING: {copy}, once the bundle is "
                           "sealed, as docs/runbooks/key-destruction.md says")
    return destroyed


def _check_wipe(
    plan: Plan, current: CurrentState, destroyed: dict[str, str], result: PreflightResult
) -> None:
    files: dict[bytes, str] = {}  # a destroyed key's stored key file -> its key's name
    for name in destroyed.values():
        record: KeyRecord = current.keys[name]
        if record.stored_path:
            try:
                files[current.key_file(record.stored_path)] = name
            except CeremonyError as error:
                result.add(f"destroy {name}", error.message())
    held = ", ".join(f"{n}'s {current.keys[n].stored_path}" for n in files.values())
    owners = {data: f"the key file of {name}" for data, name in files.items()}
    for path in plan.wipe.key_files:
        _judge(result, path, False, owners.get(_read(path, MAX_KEY_FILE) or b""),
               f"is not a copy of the key file of a key destroyed today "
               f"({held or 'none is kept in a key file'}): only such a copy is wiped")
    retired = retired_custody(current, set(destroyed))
    records = {carried: f"a copy of custody {cid}" for cid, (carried, _) in retired.items()}
    for path in plan.wipe.custody_copies:
        _judge(result, path, True,
               records.get(_read(path / CustodyRecord.RECORD_FILE, MAX_KEY_FILE) or b""),
               f"is not a copy of a custody bundle that holds a key destroyed today "
               f"({', '.join(sorted(retired)) or 'none does'}): its "
               f"{CustodyRecord.RECORD_FILE} is not the record the current bundle carries of "
               "one")


def _judge(
    result: PreflightResult, path: Path, folder: bool, held: str | None, unheld: str
) -> None:
    """One ``wipe:`` entry: safe to wipe (a file, or a ``folder`` of them), and what it held
    (None: no destroyed key)."""
    problem = wipe_problem(path, folder=folder)
    if problem is None and held is None:
        problem = f"{path} {unheld}; check the path"
    result.add(f"wipe {path}", problem, held or "")


def retired_custody(
    current: CurrentState, keyids: set[str]
) -> dict[str, tuple[bytes, CustodyRecord]]:
    """The custody records the current bundle carries that hold one of ``keyids``."""
    return {cid: entry for cid, entry in current.custody_records.items()
            if any(key.keyid in keyids for key in entry[1].keys)}


def _read(path: Path, limit: int) -> bytes | None:
    try:
        return read_plain_file(path, limit)
    except CeremonyError:
        return None


def _them(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names)
