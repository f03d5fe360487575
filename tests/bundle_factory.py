"""Test helper: bundles in exactly the docs/reference/bundle.md layout, made with python-tuf.

Builds a root history with software keys (hsm.software.SoftwareKey), rotating
root keys from version to version, a targets.json delegating to repository
keys, keys/index.json with public PEMs, a hash-chained transcript and a
MANIFEST.json, until the real engine writes bundles itself. Defects are made
on purpose through hooks (``edit`` a Root before it is signed, choose its
``signers``, ``edit_files`` before the manifest is written), so a test gets a
bundle whose manifest agrees with it and only the intended problem shows.

The private key files (keys/offline, keys/online) are placeholders, not real
age files: the verifier only hashes them, and age's scrypt would make every
test slow. For python-tuf's ngclient, :meth:`BundleMaker.online_metadata`
signs timestamp and snapshot with the online keys; they are served beside the
bundle, not written into it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from securesystemslib.formats import encode_canonical
from securesystemslib.signer import Signature, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    Targets,
    Timestamp,
)

from hsm.algorithms import ALGORITHMS
from hsm.signer import public_pem
from hsm.software import SoftwareKey

ONLINE_ROLES = ("targets", "snapshot", "timestamp")
DELEGATED_ROLE = "packages"
FIXED_TIME = "2026-11-26T17:30:00Z"


def in_days(days: float) -> datetime:
    """A UTC time ``days`` from now, whole seconds (as TUF writes it)."""
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


def tuf_keyid(key_dict: dict) -> str:
    """A keyid computed with securesystemslib, independently of ceremony.verify."""
    return hashlib.sha256(encode_canonical(key_dict).encode("utf-8")).hexdigest()


@dataclass
class MadeKey:
    name: str
    signer: SoftwareKey
    role: str  # root, targets, snapshot, timestamp or the delegated role
    holder: str

    @property
    def keyid(self) -> str:
        return self.signer.keyid

    @property
    def short(self) -> str:
        return self.keyid[:8]


class BundleMaker:
    """A root history and everything around it, in memory until written."""

    def __init__(
        self,
        *,
        algorithm: str = "ed25519",
        root_keys: int = 3,
        threshold: int = 2,
        expires: datetime | None = None,
        with_targets: bool = True,
        rehearsal: bool = False,
        ceremony: str = "bootstrap",
    ) -> None:
        self.algorithm = ALGORITHMS[algorithm]
        self.expires = expires or in_days(365)
        self.with_targets = with_targets
        self.rehearsal = rehearsal
        self.ceremony = ceremony
        self.ceremony_id = f"20261126T173000Z-{ceremony}-3f2a9c1e"
        self.keys: dict[str, MadeKey] = {}
        self.roots: list[Metadata[Root]] = []
        self.root_files: dict[int, bytes] = {}
        self.events: list[dict] = [{
            "event": "ceremony-started", "ceremony_id": self.ceremony_id, "kind": ceremony,
            "flavor": "tuf",
        }]
        self._counters: dict[str, int] = {}
        self.current: dict[str, list[str]] = {}  # role -> key names now

        root = Root(expires=self.expires, consistent_snapshot=True)
        self.current["root"] = [self._new_key("root") for _ in range(root_keys)]
        for role in ONLINE_ROLES:
            self.current[role] = [self._new_key(role)]
        for role, names in self.current.items():
            for name in names:
                root.add_key(self.keys[name].signer.public_key, role)
        root.roles["root"].threshold = threshold
        self._finish_root(Metadata(root), self.current["root"])
        if with_targets:
            self.current[DELEGATED_ROLE] = [self._new_key(DELEGATED_ROLE) for _ in range(2)]

    # keys ----------------------------------------------------------------
    def _new_key(self, role: str) -> str:
        self._counters[role] = self._counters.get(role, 0) + 1
        number = self._counters[role]
        name = f"{role}-{number}"
        holder = f"keyholder-{number}" if role == "root" else "online"
        self.keys[name] = MadeKey(name, SoftwareKey.generate(self.algorithm), role, holder)
        self.events.append(
            {"event": "key-generated", "key": name, "keyid": self.keys[name].keyid}
        )
        return name

    def key(self, name: str) -> MadeKey:
        return self.keys[name]

    def alias(self, name: str, extra: str = "x-copy") -> SSlibKey:
        """The public key of ``name`` under a second, correct keyid (an extra field)."""
        key_dict = self.keys[name].signer.public_key.to_dict()
        key_dict[extra] = "1"
        keyid = tuf_keyid(key_dict)
        return SSlibKey.from_dict(keyid, dict(key_dict))

    def mislabeled(self, name: str, keyid: str) -> SSlibKey:
        """The public key of ``name`` under a keyid that is not its hash."""
        return SSlibKey.from_dict(keyid, self.keys[name].signer.public_key.to_dict())

    # root versions ---------------------------------------------------------
    @property
    def newest(self) -> Root:
        return self.roots[-1].signed

    def rotate(
        self,
        *,
        replace: int = 1,
        replace_online: Iterable[str] = (),
        threshold: int | None = None,
        expires: datetime | None = None,
        signers: Iterable[str | tuple[str, str]] | None = None,
        edit: Callable[[Root], None] | None = None,
    ) -> Metadata[Root]:
        """A new root version: the ``replace`` oldest root keys swapped for new
        ones, and the online roles named swapped too. By default every root key
        of the old and new version signs; ``signers`` names them instead (a
        (name, keyid) pair signs under that keyid). ``edit`` changes the Root
        just before it is signed."""
        previous = self.newest
        root = Metadata[Root].from_bytes(self.root_files[previous.version]).signed
        root.version = previous.version + 1
        root.expires = expires or self.expires
        old_root_names = list(self.current["root"])
        for _ in range(replace):
            retired = self.current["root"].pop(0)
            root.revoke_key(self.keys[retired].keyid, "root")
            added = self._new_key("root")
            self.current["root"].append(added)
            root.add_key(self.keys[added].signer.public_key, "root")
        for role in replace_online:
            retired = self.current[role].pop(0)
            root.revoke_key(self.keys[retired].keyid, role)
            added = self._new_key(role)
            self.current[role].append(added)
            root.add_key(self.keys[added].signer.public_key, role)
        if threshold is not None:
            root.roles["root"].threshold = threshold
        if edit is not None:
            edit(root)
        if signers is None:
            signers = list(dict.fromkeys(old_root_names + self.current["root"]))
        return self._finish_root(Metadata(root), signers)

    def _finish_root(self, metadata: Metadata[Root], signers) -> Metadata[Root]:
        sign(metadata, self, signers)
        data = metadata.to_bytes()
        self.roots.append(metadata)
        self.root_files[metadata.signed.version] = data
        self.events.append(
            {
                "event": "root-signed",
                "version": metadata.signed.version,
                "sha256": hashlib.sha256(data).hexdigest(),
                "signed_by": sorted(metadata.signatures),
            }
        )
        return metadata

    # other metadata ------------------------------------------------------
    def targets(self, version: int = 1) -> Metadata[Targets]:
        """targets.json signed by the current targets key, delegating to the
        two repository keys."""
        delegated = [self.keys[name].signer.public_key for name in self.current[DELEGATED_ROLE]]
        delegations = Delegations(
            keys={key.keyid: key for key in delegated},
            roles={
                DELEGATED_ROLE: DelegatedRole(
                    DELEGATED_ROLE, [key.keyid for key in delegated], 1, True, paths=["*"]
                )
            },
        )
        targets = Metadata(
            Targets(version=version, expires=self.expires, delegations=delegations)
        )
        sign(targets, self, self.current["targets"])
        return targets

    def online_metadata(self, targets_version: int = 1) -> dict[str, bytes]:
        """timestamp.json and N.snapshot.json for ngclient, signed by the
        newest root's online keys (never part of the bundle)."""
        meta = {"targets.json": MetaFile(targets_version)}
        snapshot = Metadata(Snapshot(version=1, expires=in_days(7), meta=meta))
        sign(snapshot, self, self.current["snapshot"])
        timestamp = Metadata(
            Timestamp(version=1, expires=in_days(1), snapshot_meta=MetaFile(1))
        )
        sign(timestamp, self, self.current["timestamp"])
        return {"timestamp.json": timestamp.to_bytes(), "1.snapshot.json": snapshot.to_bytes()}

    # the bundle ----------------------------------------------------------
    def bundle_files(self) -> dict[str, bytes]:
        """Every file of the bundle but MANIFEST.json and transcript.jsonl."""
        files: dict[str, bytes] = {"ceremony.yaml": b"format: 1\nceremony: bootstrap\n"}
        if self.rehearsal:
            files["REHEARSAL"] = b"A rehearsal: these keys are not for production.\n"
        for version, data in sorted(self.root_files.items()):
            files[f"metadata/{version}.root.json"] = data
        files["metadata/root.json"] = self.root_files[max(self.root_files)]
        if self.with_targets:
            targets = self.targets().to_bytes()
            files["metadata/targets.json"] = targets
            files["metadata/1.targets.json"] = targets
        index = {}
        for role, names in self.current.items():
            for name in names:
                made = self.keys[name]
                kind = "offline" if role == "root" else "online"
                index[name] = {
                    "keyid": made.keyid,
                    "algorithm": self.algorithm.name,
                    "backend": "software",
                    "location": f"age-file:keys/{kind}/{name}.age",
                    "holder": made.holder,
                    "roles": [role],
                    "public": f"keys/public/{name}.pem",
                }
                pem = public_pem(made.signer.crypto_public_key)
                files[f"keys/public/{name}.pem"] = pem.encode()
                files[f"keys/{kind}/{name}.age"] = (
                    b"age-encryption.org/v1\n(test placeholder, not a real age file)\n"
                )
        files["keys/index.json"] = json_bytes({"format": 1, "keys": index})
        return files

    def write(
        self,
        dest: Path,
        *,
        edit_files: Callable[[dict[str, bytes]], None] | None = None,
    ) -> Path:
        """Write the bundle to ``dest`` (which must not exist) with its
        transcript and manifest; ``edit_files`` changes the files first."""
        files = self.bundle_files()
        if edit_files is not None:
            edit_files(files)
        events = list(self.events)
        events += [{"event": "file-written", "path": path} for path in sorted(files)]
        events.append({"event": "ceremony-finished"})
        transcript, head = transcript_bytes(events)
        files["transcript.jsonl"] = transcript
        manifest = {
            "format": 1,
            "ceremony": self.ceremony,
            "flavor": "tuf",
            "ceremony_id": self.ceremony_id,
            "rehearsal": self.rehearsal,
            "transcript_head": head,
            "files": {
                path: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for path, data in sorted(files.items())
            },
        }
        files["MANIFEST.json"] = json_bytes(manifest)
        dest.mkdir(parents=True)
        for path, data in files.items():
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return dest


def sign(metadata: Metadata, maker: BundleMaker, signers) -> None:
    """Sign with each named key, through python-tuf; a (name, keyid) pair
    signs under that keyid instead of the key's own."""
    for signer in signers:
        name, keyid = signer if isinstance(signer, tuple) else (signer, None)
        made = maker.keys[name]
        if keyid is None:
            metadata.sign(made.signer, append=True)
        else:
            signature = made.signer.sign(metadata.signed_bytes)
            metadata.signatures[keyid] = Signature(keyid, signature.signature)


def json_bytes(value) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()


def transcript_bytes(events: list[dict]) -> tuple[bytes, str]:
    """The hash-chained JSON lines for ``events``, and the head."""
    lines, prev = [], "0" * 64
    for seq, event in enumerate(events):
        line = json.dumps(
            {"seq": seq, "prev": prev, "time": FIXED_TIME, **event},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        lines.append(line)
        prev = hashlib.sha256(line).hexdigest()
    return b"".join(line + b"\n" for line in lines), prev


def make_bundle(dest: Path, *, versions: int = 3, **options) -> BundleMaker:
    """A good bundle with ``versions`` root versions at ``dest``; the maker is
    returned (its ``path`` is ``dest``) so a test can name keys and files."""
    maker = BundleMaker(**options)
    for _ in range(versions - 1):
        maker.rotate()
    maker.write(dest)
    maker.path = dest
    return maker
