"""What the custody steps of one ceremony know, kept on the Context.

One CustodyState per ceremony (``ctx.custody``), made on first use: the
custody bundle sealed today, its copies and sheets, the shares until the
test restore drops them, and for a recovery the bundle the keys came from,
its copies, the shares collected, and the bundles retired today (whose
records the export bundle no longer carries). Its summary holds public facts
only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ceremony.custody import FoundCopies, ShareCollector
from ceremony.custody.archive import RecoveredKey
from ceremony.custody.record import CustodyRecord
from ceremony.custody.shares import ShareSet
from ceremony.engine.context import Context
from ceremony.operator import Secret
from ceremony.script.plan import CustodySpec


@dataclass
class CustodyState:
    """What the custody steps of one ceremony know (Context.custody)."""

    record: CustodyRecord | None = None  # the bundle sealed today
    copies: tuple[Path, ...] = ()
    sheets_folder: Path | None = None
    sheet_texts: dict[int, Path] = field(default_factory=dict)  # share number -> text sheet
    sheet_pdfs: dict[int, Path] = field(default_factory=dict)
    shares: ShareSet | None = field(default=None, repr=False)  # until the test restore
    passphrase: Secret | None = field(default=None, repr=False)  # SLIP-39 or bundle's
    retired: list[str] = field(default_factory=list)  # custody ids retired today
    recovered: CustodyRecord | None = None  # recover: the bundle the keys came from
    keys_recovered: list[str] = field(default_factory=list)  # recover: root keys, by name
    found: FoundCopies | None = field(default=None, repr=False)  # recover: its copies
    collector: ShareCollector | None = field(default=None, repr=False)  # recover: shares in
    # recover: keys the custody bundle gave back that no current role uses (a flavor's
    # own, such as cosign keys), by name, until a step of that flavor takes them
    unattached: dict[str, RecoveredKey] = field(default_factory=dict, repr=False)

    @property
    def sealed(self) -> CustodyRecord:
        """The record of the bundle sealed today, for the steps after the sealing."""
        assert self.record is not None, "no custody bundle was sealed yet"
        return self.record

    def summary(self) -> dict[str, object]:
        """Public facts for the ceremony's summary."""
        facts: dict[str, object] = {}
        if self.record is not None:
            facts["sealed"] = self.record.ceremony_id
            facts["bundle_sha256"] = self.record.bundle_sha256
            facts["keys"] = [k.name for k in self.record.keys]
            facts["copies"] = [str(p) for p in self.copies]
            if self.sheets_folder is not None:
                facts["sheets"] = str(self.sheets_folder)
        if self.recovered is not None:
            facts["recovered_from"] = self.recovered.ceremony_id
        if self.retired:
            facts["retired"] = list(self.retired)
        return facts


def state(ctx: Context) -> CustodyState:
    if ctx.custody is None:
        ctx.custody = CustodyState()
    custody: CustodyState = ctx.custody
    return custody


def custody_spec(ctx: Context) -> CustodySpec:
    """The script's ``custody:`` section: the custody steps run only when it has one."""
    spec = ctx.plan.custody
    assert spec is not None, "a custody step ran for a script without custody:"
    return spec
