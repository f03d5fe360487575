"""The fields of a ``renew`` draft: new expiries for the same keys, and the
explicit word that renews a root which has already expired. A decommission
takes the root's (and, for Sigstore, the targets') expiry from it too: only
the fields the kind takes are written.

``current-root-expired: renew`` is written only when the operator ticks it:
the loader and preflight then say, loudly, that an expired root is renewed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremony.tui.drafts.text import Put, scalar


@dataclass
class Renewal:
    root_expires: str = "1y"
    targets_expires: str = ""  # empty: targets keep their expiry
    expired: bool = False  # the current root has expired: renew it anyway

    def render(self, takes: tuple[str, ...], put: Put, fields: dict[str, str]) -> None:
        fields["root-expires"] = "root-expires"
        if self.root_expires.strip():
            put("root-expires", "root-expires", f"root-expires: {scalar(self.root_expires)}")
        if "targets-expires" in takes:
            fields["targets-expires"] = "renew-targets-expires"
            if self.targets_expires.strip():
                put("targets-expires", "renew-targets-expires",
                    f"targets-expires: {scalar(self.targets_expires)}")
        if "current-root-expired" in takes:
            fields["current-root-expired"] = "current-root-expired"
        if self.expired and "current-root-expired" in takes:
            put("current-root-expired", "current-root-expired", "current-root-expired: renew")
