"""The Plan: an immutable, validated ceremony, ready for the engine.

A Plan is what a ceremony script means once it has been loaded strictly and
checked: every name resolved, every threshold and expiry sound. The engine
only ever sees a Plan, never raw YAML. Secrets are never part of a Plan: a
key's passphrase is described only by where it will come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.script.field_paths import paths_up

TYPE_CHECKING = False
if TYPE_CHECKING:  # defined with its reading, which ``ceremony status`` loads without the Plan
    from ceremony.script.policy import Policy

TOP_LEVEL_ROLES = ("root", "targets", "snapshot", "timestamp")


@dataclass(frozen=True)
class Keyholder:
    """A person who holds (or types the passphrase of) one or more keys."""

    name: str
    line: int = 0


@dataclass(frozen=True)
class PassphraseSource:
    """Where a key's passphrase comes from at run time (never the value).

    ``kind`` is ``"prompt"`` (ask the operator; the headless CLI may also take
    it from ``--secrets FILE`` under the key's name) or ``"env"`` (read the
    environment variable ``name``).
    """

    kind: str = "prompt"
    name: str = ""


@dataclass(frozen=True)
class TokenSpec:
    """A PKCS#11 token (or YubiKey) the script names: its module and its
    label and/or serial, never a slot number. No PIN: that comes from the
    operator (``pins:`` says from where)."""

    module: str
    label: str | None = None
    serial: str | None = None
    yubikey: bool = False
    line: int = 0
    # a YubiKey's route: "yubikit" (Yubico's library over pcscd) or "ykcs11"
    driver: str = ""

    @property
    def name(self) -> str:
        """How messages name it: ``token 'root-hsm-a'``, ``YubiKey 12345678``."""
        if self.yubikey:
            return f"YubiKey {self.serial}"
        if self.label is not None:
            return f"token {self.label!r}" + (f" (serial {self.serial})" if self.serial else "")
        return f"token with serial {self.serial}"


@dataclass(frozen=True)
class HardwareSpec:
    """Where a key generated on hardware lives (backend pkcs11 or yubikey):
    its token, its object label (pkcs11) or PIV slot and policies (yubikey)."""

    token: TokenSpec
    object_label: str = ""
    slot: str | None = None
    pin_policy: str | None = None
    touch_policy: str | None = None
    # yubikit only: replace the factory PIN, PUK and management key in this
    # ceremony; and a PEM file of Yubico intermediates the tool does not ship
    prepare: bool = False
    attestation_intermediates: str | None = None


@dataclass(frozen=True)
class KeySpec:
    """A key the ceremony uses, by its name in the script.

    ``source`` says how the key comes to the ceremony:
    - ``"generate"``: made during the ceremony with ``algorithm`` on ``backend``;
    - ``"import"``: a public key read from ``public_key_file`` (PEM SPKI, or a
      TUF key JSON), whose private part lives elsewhere (an online system);
    - ``"current"``: a key already named in the current bundle (``current:``),
      its private part, if needed, read from that bundle's encrypted key file.
    """

    name: str
    source: str
    algorithm: str = ""
    backend: str = "software"
    holder: str | None = None
    public_key_file: Path | None = None
    passphrase: PassphraseSource = field(default_factory=PassphraseSource)
    # backend pkcs11 / yubikey: the token the key is generated on
    hardware: HardwareSpec | None = None
    # software keys: tokens a copy is imported into before the software copy
    # is destroyed (each then test-signs); (token, object label) pairs
    backup_tokens: tuple[tuple[TokenSpec, str], ...] = ()
    line: int = 0


@dataclass(frozen=True)
class WipeSpec:
    """decommission's ``wipe:``: key files (copies of a destroyed key's encrypted key
    file, in this or earlier bundles) and custody copies (``custody-<id>`` folders on
    their media) that held the keys destroyed, overwritten and removed."""

    key_files: tuple[Path, ...] = ()
    custody_copies: tuple[Path, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.key_files or self.custody_copies)


@dataclass(frozen=True)
class RoleSpec:
    """A top-level role: which keys (by name), how many must sign, expiry."""

    name: str
    keys: tuple[str, ...]
    threshold: int
    expires: datetime
    line: int = 0


@dataclass(frozen=True)
class CustodySpec:
    """Where and how the ceremony's software root keys go into custody.

    ``mode`` ``"shares"``: an age bundle on every directory of ``media``,
    its identity split into SLIP-39 shares (``groups``: (m, n) per group,
    ``group_threshold`` of them needed) printed as sheets into ``sheets``.
    ``mode`` ``"passphrase-only"``: the bundle is encrypted to one passphrase,
    no shares, and the script accepted ``accepted_risks`` by name.
    ``passphrase``: where the SLIP-39 passphrase (shares; None: none) or the
    bundle passphrase (passphrase-only) comes from. See docs/reference/scripts.md.
    """

    mode: str
    media: tuple[Path, ...]
    sheets: Path | None = None
    groups: tuple[tuple[int, int], ...] = ()
    group_threshold: int = 1
    custodians: tuple[str, ...] = ()
    passphrase: PassphraseSource | None = None
    accepted_risks: tuple[str, ...] = ()
    paper: str = "A4"
    line: int = 0

    @property
    def share_count(self) -> int:
        return sum(count for _, count in self.groups)


@dataclass(frozen=True)
class RecoverFromSpec:
    """recover: the custody bundle's copies (copy folders, or media folders
    holding one copy each) and where its passphrase comes from, if needed."""

    copies: tuple[Path, ...]
    slip39_passphrase: PassphraseSource | None = None
    passphrase: PassphraseSource | None = None  # a passphrase-only bundle's
    line: int = 0


@dataclass(frozen=True)
class RehomeSpec:
    """recover: a recovered software root key to import into a token
    (``rehome:``); the token copy becomes the key's home in the bundle."""

    key: str  # a root key of the current bundle, recovered from custody
    token: TokenSpec
    object_label: str
    line: int = 0


@dataclass(frozen=True)
class Bag:
    """A tamper-evident bag sealed at the end of a ceremony: its name in the
    script and what goes in it (a token, a custody medium, a sheet)."""

    name: str
    holds: str
    line: int = 0


@dataclass(frozen=True)
class Bags:
    """``bags:``: those sealed at this ceremony, and (by name) those opened,
    which the current bundle's ceremony sealed (script/bags.py)."""

    seal: tuple[Bag, ...] = ()
    open: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A whole ceremony, checked and ready to run."""

    kind: str  # one of its flavor's kinds
    flavor: str  # a flavor's name (ceremony/flavor.py)
    title: str
    script_path: Path | None  # None for embedded scripts (rehearse)
    script_sha256: str
    script_text: str
    output: Path  # the media directory the bundle is written to (must not exist)
    rehearsal: bool = False
    allow_network: bool = False
    # "removable" (the default): a production ceremony's outputs are each on a
    # device of their own, never the system disk; "any-device": the script allows
    # the system disk and outputs sharing a device (recorded in the transcript)
    output_media: str = "removable"
    spare_keys: str | None = None  # "none" when the script says so explicitly
    # the risk, in words, of a root that one lost token or keyholder can lock
    # (``accept-risk:``; script/recoverability.py judges the root)
    accept_risk: str | None = None
    keyholders: tuple[Keyholder, ...] = ()
    keys: tuple[KeySpec, ...] = ()
    # keys the flavor makes beyond ``keys:`` (the Sigstore flavor's cosign keys),
    # so that the token checks and preflight see the tokens they are made on
    flavor_keys: tuple[KeySpec, ...] = ()
    # rotate-root: the new root and any replaced roles; bootstrap: all four.
    roles: tuple[RoleSpec, ...] = ()
    # rotate-root and delegate: the bundle holding the current root.
    current: Path | None = None
    # keys (by name, from the current bundle or this script) that sign today.
    sign_with: tuple[str, ...] = ()
    # delegate: the expiry of the new targets.json
    targets_expires: datetime | None = None
    # where each passphrase comes from, by key name, as the script says
    # (script keys and current keys named in sign-with); others: prompt.
    passphrases: tuple[tuple[str, PassphraseSource], ...] = ()
    # where each token's PIN comes from, by token label or serial (``pins:``);
    # tokens not listed: prompt
    pins: tuple[tuple[str, PassphraseSource], ...] = ()
    # bootstrap, rotate-root, recover: a custody bundle and its shares.
    custody: CustodySpec | None = None
    # recover: where the custody bundle is; ``roles`` then holds the
    # replaced roles (from ``replace:``), each with its new keys.
    recover_from: RecoverFromSpec | None = None
    # recover: recovered root keys imported into tokens (``rehome:``)
    rehome: tuple[RehomeSpec, ...] = ()
    # when to renew and rotate (``policy:``): ceremony status and next read it
    policy: Policy | None = None
    # when a signing request written from this script stops being signable
    # (``request-expires:``; ceremony/sittings/)
    request_expires: datetime | None = None
    # decommission: current keys removed from the root and destroyed (``destroy:``)
    destroy: tuple[str, ...] = ()
    # decommission: the files and custody copies that held them, wiped (``wipe:``)
    wipe: WipeSpec = field(default_factory=lambda: WipeSpec())
    # tamper-evident bags sealed and opened (``bags:``)
    bags: Bags = field(default_factory=Bags)
    # what only this plan's flavor reads (its own frozen dataclass: the TUF
    # flavor's delegations, the DCT flavor's GUNs and server keys...)
    details: Any = None
    # the line of every field the loader read, by dotted YAML path
    # ("roles.root.threshold", "sign-with[1]"), so later checks can point
    # into the script too. Not part of equality.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def key(self, name: str) -> KeySpec:
        for spec in self.keys:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def role(self, name: str) -> RoleSpec | None:
        for spec in self.roles:
            if spec.name == name:
                return spec
        return None

    def passphrase_for(self, name: str) -> PassphraseSource:
        """Where the passphrase of key ``name`` comes from (prompt unless the
        script says otherwise); works for current keys named in sign-with."""
        for key_name, source in self.passphrases:
            if key_name == name:
                return source
        return PassphraseSource()

    def line_of(self, path: str) -> int:
        """The script line of ``path``, or of the nearest field around it."""
        for around in paths_up(path):
            if around in self.lines:
                return self.lines[around]
        return min(self.lines.values(), default=1)

    def where(self, path: str) -> str:
        """``file:line: path`` for an error about the field at ``path``,
        e.g. ``where("sign-with[1]")`` -> ``rotate.yaml:4: sign-with[1]``."""
        label = self.script_path.name if self.script_path else "<script>"
        return f"{label}:{self.line_of(path)}: {path}"

