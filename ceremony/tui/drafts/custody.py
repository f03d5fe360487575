"""The ``custody:`` block of a draft: media, sheets, shares m of n, custodians.

Written only when media are named (no media: no custody bundle). The share
count and threshold are written bare when they are whole numbers, so the
loader reads them as numbers and says so when they are not.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremony.tui.drafts.text import Put, flow_list, names, scalar


@dataclass
class Custody:
    """A custody bundle as the form holds it (text as typed)."""

    media: str = ""
    sheets: str = ""
    threshold: str = "3"
    of: str = "5"
    custodians: str = ""
    slip39_passphrase: bool = False

    def render(self, put: Put, fields: dict[str, str]) -> None:
        fields["custody"] = "custody-media"
        for sub in ("media", "sheets", "shares", "custodians", "slip39-passphrase"):
            fields[f"custody.{sub}"] = {
                "shares": "custody-threshold",
                "slip39-passphrase": "custody-slip39",
            }.get(sub, f"custody-{sub}")
        fields["custody.shares.of"] = "custody-of"
        if not names(self.media):
            return
        put("custody", "custody-media", "custody:")
        put("custody.media", "custody-media", f"  media: {flow_list(names(self.media))}")
        if self.sheets.strip():
            put("custody.sheets", "custody-sheets", f"  sheets: {scalar(self.sheets)}")
        put(
            "custody.shares",
            "custody-threshold",
            f"  shares: {{threshold: {scalar(self.threshold, number=True)}, "
            f"of: {scalar(self.of, number=True)}}}",
        )
        if names(self.custodians):
            put(
                "custody.custodians",
                "custody-custodians",
                f"  custodians: {flow_list(names(self.custodians))}",
            )
        if self.slip39_passphrase:
            put("custody.slip39-passphrase", "custody-slip39", "  slip39-passphrase: prompt")
