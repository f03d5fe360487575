"""The ``bags:`` block of a draft: the tamper-evident bags sealed, and those opened.

Every kind takes bags (ceremony/script/bags.py): one row a bag sealed at the
end of the ceremony (its name, and in one line what goes in: a token, a
custody medium, a sheet), and the names of the bags the current bundle's
ceremony sealed that this one opens. Written only when something is typed;
the loader judges the rest (a bag named twice, bags opened with no current
bundle). Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.tui.drafts.text import Put, filled, flow_list, names, put_named, scalar


@dataclass
class BagRow:
    """A bag sealed here: one row of the bags table."""

    name: str = ""
    holds: str = ""
    tag: str = ""  # the form row it came from (field ids bag-<tag>-name ...)

    def is_empty(self) -> bool:
        return not (self.name.strip() or self.holds.strip())


@dataclass
class Bags:
    seal: list[BagRow] = field(default_factory=list)
    opened: str = ""  # names, comma-separated

    def render(self, put: Put, fields: dict[str, str]) -> None:
        tag, rows = filled(self.seal)
        first = f"bag-{tag}-name"
        fields["bags"] = fields["bags.seal"] = first
        fields["bags.open"] = "bags-open"
        if not rows and not names(self.opened):
            return
        put("bags", first, "bags:")
        if rows:
            put("bags.seal", first, "  seal:")
        put_named("bags.seal", "bag", "holds",
                  [(tag, row.name, scalar(row.holds)) for tag, row in rows],
                  put, fields, indent="    ")
        if names(self.opened):
            put("bags.open", "bags-open", f"  open: {flow_list(names(self.opened))}")
