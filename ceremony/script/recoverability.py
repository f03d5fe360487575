"""Whether the planned root can still be signed after a loss: the recoverability table.

Before any key is made, a ceremony that plans a root (a bootstrap, a root
rotation, a recovery that replaces the root; every flavor alike) is judged
here: for each thing that can be lost (a keyholder, a token, a custody
medium, the bundle's medium, custody as a whole), how many root signatures
can still be made, and from what. Two ways to sign a root exist in this
tool, and the table counts them apart, since they do not mix:

- a root rotation, whose ``sign-with`` keys are opened from their home (a
  token and its keyholder's PIN, or the key file in the bundle and its
  keyholder's passphrase);
- a recovery, whose root keys come out of custody alone (a quorum of
  custodians and one good copy): custody that holds fewer root keys than the
  threshold can never sign this root, whatever else survives.

A copy imported into a backup token is not counted: no ceremony signs from a
backup copy, only from a key's home. A production script is refused (by
preflight, engine/recoverability_check.py) when one lost token or keyholder
locks the root, or when its custody could never recover it, unless it says
``accept-risk:`` in words. This module reads only what it is given: the
facts of each root key (:class:`RootKey`), never a file or a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ceremony.script.plan import CustodySpec, Plan
from ceremony.threshold import ThresholdResult, threshold_result

#: the designs that survive one loss, for the refusal (docs/reference/scripts.md, "Recoverability")
SURVIVING_DESIGNS = (
    "(1) spare keys: more root keys than the threshold, each on its own token or with its own "
    "keyholder (e.g. 3 token keys, threshold 2, no custody);",
    "(2) software root keys copied into tokens (backup-tokens:) with custody: holding at least "
    "the threshold, so a recovery from custody alone can sign the root;",
    "(3) a mix whose custody holds the threshold: only keys made in software (or opened "
    "from the current bundle's key files) go into custody, never keys made on a token.",
)


@dataclass(frozen=True)
class RootKey:
    """Where one root key of the planned root lives, in public facts.

    ``token``: the token it was made on or re-homed to (how messages name it),
    "" for a key kept in a key file; ``key_file``: its private part is in an
    encrypted key file in the bundle, opened with its keyholder's passphrase;
    ``in_custody``: the ceremony seals it into custody; ``backups``: tokens
    holding an imported copy (shown, never counted); ``with_holder``: only its
    public key is here (imported): its keyholder keeps the private part on their
    own token or key file and opens it at their own sitting.
    """

    name: str
    holder: str | None
    token: str = ""
    key_file: bool = False
    in_custody: bool = False
    backups: tuple[str, ...] = ()
    with_holder: bool = False

    @property
    def home(self) -> str:
        if self.token:
            return f"on {self.token}"
        if self.with_holder:
            return "kept by its keyholder"
        return "from its key file" if self.key_file else "nowhere this tool can open"


@dataclass(frozen=True)
class Loss:
    """One thing lost, and what still signs the root without it."""

    what: str  # "keyholder alice", "token 'root-hsm-a'", "custody (every copy or quorum)"
    kind: str  # keyholder, token, medium, bundle, custody, custodian, none
    rotation: ThresholdResult  # keys a rotation can still open (token or key file)
    recovery: ThresholdResult | None  # keys custody still gives (None: no custody left)
    by_rotation: tuple[str, ...] = ()  # "root-bob (token 'b')", for the table

    @property
    def survives(self) -> bool:
        return self.rotation.met or (self.recovery is not None and self.recovery.met)

    @property
    def locks_the_root(self) -> bool:
        """A lost token or keyholder after which no root can be signed."""
        return self.kind in ("keyholder", "token") and not self.survives


@dataclass(frozen=True)
class Recoverability:
    """The table for one planned root, and what it means."""

    threshold: int
    keys: tuple[RootKey, ...]
    losses: tuple[Loss, ...]
    custody: ThresholdResult | None  # what custody alone gives, nothing lost; None: none

    @property
    def locking_losses(self) -> list[Loss]:
        return [loss for loss in self.losses if loss.locks_the_root]

    @property
    def custody_cannot_recover(self) -> bool:
        return self.custody is not None and not self.custody.met

    @property
    def fragile(self) -> bool:
        """Refused in production without ``accept-risk:``."""
        return bool(self.locking_losses) or self.custody_cannot_recover


def planned_root_keys(
    plan: Plan, current: dict[str, RootKey] | None = None
) -> tuple[tuple[RootKey, ...], int] | None:
    """The planned root's keys and threshold (None: the plan signs no new root).

    Keys the script makes are read from the plan; keys of the current bundle
    come from ``current`` (the engine reads them), by name.
    """
    root = plan.role("root")
    if root is None:
        return None
    made = {spec.name: spec for spec in plan.keys}
    keys = []
    for name in root.keys:
        spec = made.get(name)
        if spec is not None:
            token = spec.hardware.token.name if spec.hardware is not None else ""
            imported = spec.source == "import" and not token
            keys.append(RootKey(
                name=name,
                holder=spec.holder,
                token=token,
                key_file=not token and not imported,
                with_holder=imported,
                in_custody=plan.custody is not None and not token and spec.source == "generate",
                backups=tuple(backup.name for backup, _ in spec.backup_tokens),
            ))
        elif current is not None and name in current:
            known = current[name]
            opened_today = name in plan.sign_with and plan.kind != "recover"
            keys.append(RootKey(
                name=name, holder=known.holder, token=known.token, key_file=known.key_file,
                in_custody=plan.custody is not None and known.key_file and opened_today,
                backups=known.backups, with_holder=known.with_holder,
            ))
        else:
            keys.append(RootKey(name=name, holder=None))  # unknown: nowhere to open it
    return tuple(keys), root.threshold


def judge(
    keys: tuple[RootKey, ...], threshold: int, custody: CustodySpec | None
) -> Recoverability:
    """The recoverability table of a root of ``keys`` needing ``threshold``."""
    names = [key.name for key in keys]
    custody_keys = {key.name for key in keys if key.in_custody} if custody else None

    def loss(what: str, kind: str, usable: Iterable[RootKey], custody_left: bool) -> Loss:
        usable = list(usable)
        recovery = None
        if custody_keys is not None and custody_left:
            recovery = threshold_result(names, threshold, custody_keys)
        return Loss(
            what=what, kind=kind,
            rotation=threshold_result(names, threshold, {key.name for key in usable}),
            recovery=recovery,
            by_rotation=tuple(f"{key.name} ({key.home})" for key in usable),
        )

    def openable(lost_holder: str | None = None, lost_token: str = "",
                 bundle_lost: bool = False) -> list[RootKey]:
        return [
            key for key in keys
            if (key.holder is None or key.holder != lost_holder)
            and ((key.token and key.token != lost_token) or (key.key_file and not bundle_lost)
                 or key.with_holder)
        ]

    losses = [loss("nothing", "none", openable(), True)]
    for holder in dict.fromkeys(key.holder for key in keys if key.holder):
        losses.append(loss(f"keyholder {holder}", "keyholder", openable(lost_holder=holder), True))
    for token in dict.fromkeys(key.token for key in keys if key.token):
        losses.append(loss(token, "token", openable(lost_token=token), True))
    if any(key.key_file for key in keys):
        losses.append(loss("the bundle's medium (its key files)", "bundle",
                           openable(bundle_lost=True), True))
    if custody is not None:
        for path in custody.media:
            losses.append(loss(f"custody copy on {path}", "medium", openable(),
                               len(custody.media) > 1))
        if custody.mode == "shares":
            losses.append(loss("one custodian (their share)", "custodian", openable(),
                               _quorum_survives_one(custody)))
        losses.append(loss("custody (every copy, or the quorum)", "custody", openable(), False))
    return Recoverability(
        threshold=threshold,
        keys=keys,
        losses=tuple(losses),
        custody=threshold_result(names, threshold, custody_keys) if custody_keys is not None
        else None,
    )


def _quorum_survives_one(custody: CustodySpec) -> bool:
    """Whether the shares still reach the quorum after any one custodian is lost."""
    groups_met = sum(1 for m, n in custody.groups if n >= m)
    weakest_lost = any(n - 1 < m for m, n in custody.groups)
    return (groups_met - (1 if weakest_lost else 0)) >= custody.group_threshold


# -- in words -------------------------------------------------------------------------


def table_lines(table: Recoverability) -> list[str]:
    """The table as lines of text, for validate, preflight and the UI's review."""
    lines = [f"root threshold {table.threshold}, root keys:"]
    lines += [f"  {_key_words(key)}" for key in table.keys]
    if table.custody is not None:
        lines.append(f"custody alone: {table.custody.words('root key')}")
    lines.append(f"if this is lost -> can {table.threshold} root keys still sign? (a rotation "
                 "opens keys from their tokens and key files; a recovery, from custody alone)")
    for loss in table.losses:
        verdict = "survives" if loss.survives else "ROOT LOCKED"
        rotation = f"a rotation can sign with {loss.rotation.have}"
        if loss.by_rotation:
            rotation += f" ({', '.join(loss.by_rotation)})"
        recovery = (
            "" if table.custody is None else "; custody: none left" if loss.recovery is None
            else f"; custody gives {loss.recovery.have}"
        )
        lines.append(f"  {loss.what} -> {verdict}: {rotation}{recovery}")
    return lines


def _key_words(key: RootKey) -> str:
    where = [f"on {key.token}" if key.token else "key file" if key.key_file
             else "kept by its keyholder" if key.with_holder else "unknown"]
    if key.in_custody:
        where.append("in custody")
    if key.backups:
        where.append("copies on " + ", ".join(key.backups) + " (not counted)")
    holder = f", keyholder {key.holder}" if key.holder else ""
    return f"{key.name}: {', '.join(where)}{holder}"


def refusal(table: Recoverability) -> str:
    """Why a production script's root is refused, and the designs that survive."""
    return (
        risk_words(table) + ". Designs that survive: " + " ".join(SURVIVING_DESIGNS)
        + " Or, if this is meant, say why in accept-risk: "
        + '(docs/reference/scripts.md, "Recoverability")'
    )


def risk_words(table: Recoverability) -> str:
    """What one loss does to this root, or what custody cannot do, in words."""
    reasons = []
    for loss in table.locking_losses:
        reasons.append(
            f"losing {loss.what} leaves {loss.rotation.words('root signature')}"
            + ("" if loss.recovery is None else
               f" and custody gives {loss.recovery.words('root key')}")
        )
    if table.custody is not None and not table.custody.met:
        outside = [key for key in table.keys if not key.in_custody]
        why = "; ".join(
            f"{key.name} is made on {key.token} and cannot go into custody" if key.token
            else f"{key.name} is not opened today, so it is not sealed" for key in outside
        )
        reasons.append(
            f"custody will hold {table.custody.have} of the {table.threshold} root keys "
            f"needed, so a recovery from custody can never sign this root ({why})"
        )
    return "; ".join(reasons)
