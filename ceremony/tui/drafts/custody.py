"""The ``custody:`` block of a draft: shares to custodians, or one passphrase.

Written only when media are named (no media: no custody bundle). With shares
(the default mode): the sheets folder, the paper they are printed on (A4 is
not written: it is the default), shares m of n, or SLIP-39 groups (the first
group is the m of n line, each further group a row; ``groups-needed`` of them
recover), the custodians and whether a SLIP-39 passphrase is asked. With
``mode: passphrase-only``: the passphrase asked and the risks accepted by
name. The share count and threshold are written bare when they are whole
numbers, so the loader reads them as numbers and says so when they are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.tui.drafts.text import Put, filled, flow_list, names, scalar

MODES = ("shares", "passphrase-only")
PAPERS = ("A4", "Letter")
#: a passphrase-only bundle's risks, as the loader names them (custody_fields.RISKS)
RISKS = ("one-person-recovers", "forgotten-means-lost", "offline-guessing")


@dataclass
class ShareGroup:
    """A SLIP-39 group after the first: one row of the groups table."""

    threshold: str = ""
    of: str = ""
    tag: str = ""  # the form row it came from (field ids sharegroup-<tag>-threshold ...)

    def is_empty(self) -> bool:
        return not (self.threshold.strip() or self.of.strip())


@dataclass
class Custody:
    """A custody bundle as the form holds it (text as typed)."""

    media: str = ""
    sheets: str = ""
    threshold: str = "3"
    of: str = "5"
    custodians: str = ""
    slip39_passphrase: bool = False
    mode: str = "shares"  # or passphrase-only
    paper: str = "A4"
    groups_needed: str = ""  # empty: one group, the m of n line
    groups: list[ShareGroup] = field(default_factory=list)  # the groups after the first
    risks: tuple[str, ...] = ()  # passphrase-only: the risks accepted

    def render(self, put: Put, fields: dict[str, str]) -> None:
        fields["custody"] = "custody-media"
        for sub in ("mode", "media", "sheets", "shares", "custodians", "slip39-passphrase",
                    "paper", "passphrase", "accept-risks"):
            fields[f"custody.{sub}"] = {
                "shares": "custody-threshold",
                "slip39-passphrase": "custody-slip39",
                "accept-risks": f"custody-risk-{RISKS[0]}",
                "passphrase": "custody-mode",
            }.get(sub, f"custody-{sub}")
        fields["custody.shares.of"] = "custody-of"
        if not names(self.media):
            return
        put("custody", "custody-media", "custody:")
        if self.mode != "shares":
            put("custody.mode", "custody-mode", f"  mode: {scalar(self.mode)}")
        put("custody.media", "custody-media", f"  media: {flow_list(names(self.media))}")
        if self.mode == "passphrase-only":
            put("custody.passphrase", "custody-mode", "  passphrase: prompt")
            put("custody.accept-risks", f"custody-risk-{RISKS[0]}",
                f"  accept-risks: {flow_list(list(self.risks))}")
            for i, risk in enumerate(self.risks):
                fields[f"custody.accept-risks[{i}]"] = f"custody-risk-{risk}"
            return
        if self.sheets.strip():
            put("custody.sheets", "custody-sheets", f"  sheets: {scalar(self.sheets)}")
        if self.paper != "A4":
            put("custody.paper", "custody-paper", f"  paper: {scalar(self.paper)}")
        self._shares(put, fields)
        if names(self.custodians):
            put(
                "custody.custodians",
                "custody-custodians",
                f"  custodians: {flow_list(names(self.custodians))}",
            )
        if self.slip39_passphrase:
            put("custody.slip39-passphrase", "custody-slip39", "  slip39-passphrase: prompt")

    def _shares(self, put: Put, fields: dict[str, str]) -> None:
        first = f"{{threshold: {scalar(self.threshold, number=True)}, " \
                f"of: {scalar(self.of, number=True)}}}"
        _, more = filled(self.groups)
        if not self.groups_needed.strip() and not more:
            put("custody.shares", "custody-threshold", f"  shares: {first}")
            return
        put("custody.shares", "custody-threshold", "  shares:")
        fields["custody.shares.groups-needed"] = "custody-groups-needed"
        if self.groups_needed.strip():
            put("custody.shares.groups-needed", "custody-groups-needed",
                f"    groups-needed: {scalar(self.groups_needed, number=True)}")
        put("custody.shares.groups", "custody-threshold", "    groups:")
        put("custody.shares.groups[0]", "custody-threshold", f"      - {first}")
        fields["custody.shares.groups[0].threshold"] = "custody-threshold"
        fields["custody.shares.groups[0].of"] = "custody-of"
        for n, (tag, group) in enumerate(more, start=1):
            item = f"custody.shares.groups[{n}]"
            fields[f"{item}.threshold"] = f"sharegroup-{tag}-threshold"
            fields[f"{item}.of"] = f"sharegroup-{tag}-of"
            put(item, f"sharegroup-{tag}-threshold",
                f"      - {{threshold: {scalar(group.threshold, number=True)}, "
                f"of: {scalar(group.of, number=True)}}}")
