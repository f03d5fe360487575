"""A ceremony being filled in on forms, written out as a ceremony script.

The forms never check anything themselves: they write what was typed into
the YAML a person would write, and the script loader judges it, so the forms
give the same verdicts, in the same words, as ``ceremony validate``. Each
value is written so that it reaches the loader exactly as typed (quoted when
YAML would read it as something else), and :meth:`Draft.render` records
which form field every YAML path came from, so a loader message can be shown
next to the field it is about. The flavors' parts (drafts/dct.py,
drafts/sigstore.py) build on it; the starting points are ceremony/tui/draft.py's.
Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ceremony.script.field_paths import paths_up
from ceremony.tui.drafts.bags import Bags
from ceremony.tui.drafts.custody import Custody
from ceremony.tui.drafts.decommission import Decommission
from ceremony.tui.drafts.keys import KeyRow, render_keys
from ceremony.tui.drafts.policy import Policy
from ceremony.tui.drafts.recovery import Recovery
from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.drafts.secrets import Secrets
from ceremony.tui.drafts.text import Put, flow_list, names, scalar

ROLE_NAMES = ("root", "targets", "snapshot", "timestamp")


class FlavorPart(Protocol):
    """A flavor's own fields (drafts/dct.py, drafts/sigstore.py): it writes those
    its kind ``takes`` through ``put`` (never a field carried as written), and may
    add lines at the end of a carried field (Sigstore: ``withdraw:`` in ``trust:``)."""

    def render(self, takes: tuple[str, ...], put: Put, fields: dict[str, str]) -> None: ...

    def inside_carried(self, name: str, put: Put, fields: dict[str, str]) -> None: ...


@dataclass
class RoleRow:
    """A top-level role: its keys (names, comma-separated), threshold, expiry.

    In a rotation a role whose keys are left empty is not changed."""

    name: str
    keys: str = ""
    threshold: str = "1"
    expires: str = ""


@dataclass
class DelegationRow:
    name: str = ""
    keys: str = ""
    threshold: str = "1"
    paths: str = ""
    terminating: bool = False
    tag: str = ""


@dataclass
class Rendered:
    """The script text and, for each YAML path written, the form field it came from."""

    text: str
    fields: dict[str, str]

    def field_for(self, path: str) -> str | None:
        """The form field of a loader message's YAML path (or the nearest one)."""
        for around in paths_up(path):
            if around in self.fields:
                return self.fields[around]
        return None


@dataclass
class Draft:
    """Everything the forms hold for one ceremony script."""

    kind: str  # bootstrap, rotate-root, delegate, recover, renew, decommission, ...
    flavor: str = "tuf"
    title: str = ""
    output: str = ""
    rehearsal: bool = False
    network_allowed: bool = False
    any_device: bool = False  # output-media: any-device
    keyholders: str = ""
    keys: list[KeyRow] = field(default_factory=list)
    roles: list[RoleRow] = field(default_factory=list)
    spare_keys_none: bool = False
    accept_risk: str = ""  # accept-risk: in words (script/recoverability.py)
    current: str = ""
    sign_with: str = ""
    # rotate-root signed in several sittings: written as a request (request-expires:)
    sittings: bool = False
    request_expires: str = "14d"
    delegations: list[DelegationRow] = field(default_factory=list)
    targets_expires: str = ""
    # recover: where the custody copies are
    copies: str = ""
    slip39_passphrase: bool = False
    recovery: Recovery = field(default_factory=Recovery)  # recover: root rotation, rehome
    custody: Custody = field(default_factory=Custody)  # a new custody bundle (media named)
    renewal: Renewal = field(default_factory=Renewal)  # renew: the new expiries
    decommission: Decommission = field(default_factory=Decommission)  # keys destroyed, wiped
    secrets: Secrets = field(default_factory=Secrets)  # passphrases and PINs read from env vars
    bags: Bags = field(default_factory=Bags)  # tamper-evident bags sealed and opened (any kind)
    policy: Policy = field(default_factory=Policy)  # when to renew, how often keys change
    carried: str = ""  # YAML the form does not show, kept as written (``ceremony next``'s policy)
    part: FlavorPart | None = None  # the fields of a flavor other than tuf

    def takes(self) -> tuple[str, ...]:
        """The fields its flavor's scripts of this kind take beyond the common ones."""
        from ceremony.flavor import flavor_named

        return flavor_named(self.flavor).script_rules(self.kind).fields

    def carried_fields(self) -> set[str]:
        """The top-level fields carried as written (``ceremony next``'s), which the
        form neither shows nor writes again."""
        return {line.split(":", 1)[0] for line in self.carried.splitlines()
                if line[:1] not in ("", " ", "#", "-")}

    def render(self) -> Rendered:
        out: list[str] = [
            "# Written with the ceremony terminal UI. Review it like code before the",
            "# ceremony: its sha256 is read aloud at the start and kept in the transcript.",
            "format: 1",
            f"ceremony: {self.kind}",
            f"flavor: {self.flavor}",
        ]
        fields: dict[str, str] = {"ceremony": "title", "format": "title", "flavor": "title"}

        def put(path: str, field_id: str, line: str) -> None:
            fields[path] = field_id
            out.append(line)

        if self.title.strip():
            put("title", "title", f"title: {scalar(self.title)}")
        fields["title"] = "title"
        if self.rehearsal:
            put("rehearsal", "rehearsal", "rehearsal: true")
        put("network", "network", f"network: {'allowed' if self.network_allowed else 'forbidden'}")
        if self.any_device:
            put("output-media", "output-media", "output-media: any-device")
        if self.output.strip():
            put("output", "output", f"output: {scalar(self.output)}")
        fields["output"] = "output"
        takes = self.takes()
        if "current" in takes:
            if self.current.strip():
                put("current", "current", f"current: {scalar(self.current)}")
            fields["current"] = "current"
        if "sign-with" in takes:
            put("sign-with", "sign-with", f"sign-with: {flow_list(names(self.sign_with))}")
        fields["request-expires"] = "request-expires"
        if self.sittings:
            put("request-expires", "request-expires",
                f"request-expires: {scalar(self.request_expires)}")
        if "recover-from" in takes:
            self._recover_from(put, fields)
        if "destroy" in takes:
            self.decommission.render(takes, put, fields)
        if "root-expires" in takes:
            self.renewal.render(takes, put, fields)
        self._keyholders(put, fields)
        render_keys(self.keys, put, fields)
        if "delegations" in takes:
            self._delegations(put, fields)
        elif "roles" in takes or "replace" in takes:
            self._roles(put, fields)
        if "rehome" in takes:
            self.recovery.render(put, fields)
        if "custody" in takes:
            self.custody.render(put, fields)
        carried = self.carried_fields()
        if self.part is not None:
            self.part.render(tuple(n for n in takes if n not in carried), put, fields)
        self.secrets.render(put, fields)
        self.bags.render(put, fields)
        self.policy.render(put, fields)  # empty when the policy is carried as written
        lines = self.carried.rstrip().splitlines()
        for i, line in enumerate(lines):
            put(line.split(":", 1)[0].strip(), "carried", line)
            if line[:1] not in (" ", "-"):
                name = line.split(":", 1)[0]
            if self.part is not None and (i + 1 == len(lines) or lines[i + 1][:1] not in " -"):
                self.part.inside_carried(name, put, fields)  # the end of field ``name``
        return Rendered("\n".join(out) + "\n", fields)

    def _recover_from(self, put: Put, fields: dict[str, str]) -> None:
        fields["recover-from"] = "copies"
        put("recover-from", "copies", "recover-from:")
        put("recover-from.copies", "copies", f"  copies: {flow_list(names(self.copies))}")
        fields["recover-from.slip39-passphrase"] = "slip39"
        if self.slip39_passphrase:
            put("recover-from.slip39-passphrase", "slip39", "  slip39-passphrase: prompt")

    def _keyholders(self, put: Put, fields: dict[str, str]) -> None:
        holders = names(self.keyholders)
        fields["keyholders"] = "keyholders"
        if not holders:
            return
        put("keyholders", "keyholders", "keyholders:")
        for i, name in enumerate(holders):
            put(f"keyholders[{i}]", "keyholders", f"  - name: {scalar(name)}")

    def _roles(self, put: Put, fields: dict[str, str]) -> None:
        root = self.recovery.root_role()  # a recovery's replace: root:, even with no keys yet
        rows = [RoleRow("root", *root)] if root else []
        every = self.kind == "bootstrap" and self.flavor != "dct"  # dct: the server's roles
        rows += [row for row in self.roles if every or row.keys.strip()]
        section = "replace" if "replace" in self.takes() else "roles"  # a recovery's roles
        first = f"role-{self.roles[0].name}-keys" if self.roles else "role-root-keys"
        fields[section] = first
        fields["spare-keys"] = "spare-keys"
        if rows:
            put(section, first, f"{section}:")
        for row in rows:
            path = f"{section}.{row.name}"
            parts = []
            fields[path] = f"role-{row.name}-keys"
            fields[f"{path}.keys"] = f"role-{row.name}-keys"
            parts.append(f"keys: {flow_list(names(row.keys))}")
            if row.threshold.strip():
                parts.append(f"threshold: {scalar(row.threshold, number=True)}")
            fields[f"{path}.threshold"] = f"role-{row.name}-threshold"
            if row.expires.strip():
                parts.append(f"expires: {scalar(row.expires)}")
            fields[f"{path}.expires"] = f"role-{row.name}-expires"
            put(path, f"role-{row.name}-keys", f"  {row.name}: {{{', '.join(parts)}}}")
        if self.spare_keys_none:
            put("spare-keys", "spare-keys", "spare-keys: none")
        fields["accept-risk"] = "accept-risk"
        if self.accept_risk.strip():
            put("accept-risk", "accept-risk", f"accept-risk: {scalar(self.accept_risk)}")

    def _delegations(self, put: Put, fields: dict[str, str]) -> None:
        rows = [
            (row.tag or i, row)
            for i, row in enumerate(self.delegations)
            if row.name.strip() or row.keys.strip()
        ]
        first = (self.delegations[0].tag or 0) if self.delegations else 0
        fields["delegations"] = f"delegation-{first}-name"
        if rows:
            put("delegations", f"delegation-{first}-name", "delegations:")
        for n, (i, row) in enumerate(rows):
            path = f"delegations[{n}]"
            put(path, f"delegation-{i}-name", f"  - name: {scalar(row.name)}")
            fields[f"{path}.name"] = f"delegation-{i}-name"
            out_lines = [
                (f"{path}.keys", f"delegation-{i}-keys", f"    keys: {flow_list(names(row.keys))}"),
            ]
            if row.threshold.strip():
                out_lines.append(
                    (
                        f"{path}.threshold",
                        f"delegation-{i}-threshold",
                        f"    threshold: {scalar(row.threshold, number=True)}",
                    )
                )
            fields[f"{path}.threshold"] = f"delegation-{i}-threshold"
            out_lines.append(
                (
                    f"{path}.paths",
                    f"delegation-{i}-paths",
                    f"    paths: {flow_list(names(row.paths))}",
                )
            )
            if row.terminating:
                out_lines.append(
                    (f"{path}.terminating", f"delegation-{i}-terminating", "    terminating: true")
                )
            for p, f, line in out_lines:
                put(p, f, line)
        fields["targets-expires"] = "targets-expires"
        if self.targets_expires.strip():
            put(
                "targets-expires",
                "targets-expires",
                f"targets-expires: {scalar(self.targets_expires)}",
            )


def recover_draft(
    flavor: str,
    *,
    stamp: str,
    lost: str,
    roles: tuple[RoleRow, ...],
    algorithm: str = "ed25519",
    sign_with: str = "",
    part: FlavorPart | None = None,
) -> Draft:
    """A recovery of any flavor to start from: the ``lost`` role's key made anew here.

    ``roles`` are the rows of the roles table (their keys left empty: kept); the
    custody copies and the current bundle are the operator's to fill in."""
    key = f"{lost}-2"
    return Draft(
        kind="recover",
        flavor=flavor,
        title=f"Recovery - replace the lost {lost} key",
        output=f"media/{stamp}-{'' if flavor == 'tuf' else flavor + '-'}recover",
        keyholders="online-team",
        keys=[KeyRow(key, "online-team", algorithm)],
        roles=[RoleRow(row.name, key if row.name == lost else row.keys, row.threshold,
                       row.expires) for row in roles],
        sign_with=sign_with,
        part=part,
    )
