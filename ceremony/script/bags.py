"""``bags:``: the tamper-evident bags a ceremony seals, and those it opens.

    bags:
      seal:                                  # sealed at the end of this ceremony
        - {name: hsm-a, holds: "token root-hsm-a"}
        - {name: share-1, holds: "share sheet 1 (alice)"}
      open: [hsm-a]                          # sealed by the current bundle's ceremony

Each bag sealed gets its serial typed at sealing (``bag/seal/NAME``); it goes
into the transcript and onto the record. Each bag opened was sealed by the
ceremony of the ``current:`` bundle: preflight finds its serial there, and
asks for the serial on the bag in the room (``bag/open/NAME``). Nothing here
reads a file.
"""

from __future__ import annotations

from ceremony.script.plan import Bag, Bags
from ceremony.script.yamlload import Located

TODO = ("Write bags: {seal: [{name: hsm-a, holds: \"token root-hsm-a\"}], open: [hsm-a]}; "
        "see docs/reference/scripts.md")
MAX_HOLDS = 200


def read_bags(located: Located, *, has_current: bool) -> Bags:
    fields = located.fields(("seal", "open"), todo=TODO)
    sealing = fields["seal"].items(TODO) if "seal" in fields else []
    sealed = tuple(_read_bag(item) for item in sealing)
    _refuse_twice([bag.name for bag in sealed], sealing)
    opening = fields["open"].items("Write a list of names, e.g. [hsm-a, share-1]") \
        if "open" in fields else []
    opened = tuple(item.name() for item in opening)
    _refuse_twice(list(opened), opening)
    if opened and not has_current:
        raise fields["open"].error(
            "bags are opened only at a ceremony that builds on a current bundle: its record "
            "holds their serials",
            "Add current: (the bundle whose ceremony sealed them), or remove bags.open",
        )
    return Bags(seal=sealed, open=opened)


def _read_bag(item: Located) -> Bag:
    todo = 'Write each bag as {name: hsm-a, holds: "token root-hsm-a"}'
    fields = item.fields(("name", "holds"), ("name", "holds"), todo=todo)
    holds = fields["holds"].text("Say what goes in the bag: a token, a custody medium, a sheet")
    if len(holds) > MAX_HOLDS or "\n" in holds.strip():
        raise fields["holds"].error(f"what the bag holds is said in one line of at most "
                                    f"{MAX_HOLDS} characters", todo)
    return Bag(name=fields["name"].name(), holds=holds.strip(), line=item.line)


def _refuse_twice(names: list[str], items: list[Located]) -> None:
    """A name given twice is reported where it is given the second time."""
    seen: set[str] = set()
    for name, item in zip(names, items, strict=True):
        if name in seen:
            raise item.error(f"the bag {name!r} is named twice", "Give every bag a name of its own")
        seen.add(name)
