"""The threshold meters of a running ceremony, and the glance a dialog keeps.

``move_meter`` draws one signing group's count on its meter in the step pane
(made the first time the group is counted), ``clear_meters`` takes them away
when the next ceremony starts; ``glance_of`` is what a dialog over the run
screen keeps in sight meanwhile: every meter in words and the keys made so
far by short id.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from textual.content import Content
from textual.widget import Widget

from ceremony import events as ev
from ceremony.tui.record import meter_label
from ceremony.tui.widgets import ThresholdMeter, meter_line


def move_meter(
    meters: MutableMapping[str, ThresholdMeter], pane: Widget, event: ev.ThresholdMet
) -> None:
    """Show ``event``'s count on its group's meter in ``pane``, mounting it if new."""
    label = meter_label(event)
    meter = meters.get(event.group)
    if meter is None:
        meter = meters[event.group] = ThresholdMeter(label, classes="meter")
        pane.mount(meter)
    pane.display = True
    meter.show(label, event.have, event.need)


def clear_meters(meters: MutableMapping[str, ThresholdMeter], pane: Widget) -> None:
    """Remove every meter from ``pane`` and hide it, for a ceremony that starts."""
    for meter in meters.values():
        meter.remove()
    meters.clear()
    pane.display = False


def glance_of(meters: Iterable[ThresholdMeter], keys: list[tuple[str, str]]) -> Content:
    """The meters, and the keys made so far (name, key id) by short id."""
    parts: list[Content] = [meter_line(m.label, m.have, m.need) for m in meters]
    if keys:
        parts.append(Content.assemble(
            ("Keys  ", "bold"),
            *[part for name, keyid in keys
              for part in ((keyid[:8], "$text-accent bold"), (f" {name}  ", ""))],
        ))
    return Content("\n").join(parts)
