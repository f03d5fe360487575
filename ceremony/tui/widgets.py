"""Small widgets the screens share: entries, the step list, meters, key cards.

Each draws public facts only. Nothing here runs ceremony work; screens feed
these widgets from events.
"""

from __future__ import annotations

import textwrap
from typing import TypeAlias, TypedDict, Unpack

from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Static

from ceremony.describe import grouped_lines

DONE, CURRENT, WAITING, FAILED = "done", "current", "waiting", "failed"
MARKS = {
    DONE: ("✓", "$text-success"),
    CURRENT: ("▶", "$text-accent bold"),
    WAITING: ("·", "$text-muted"),
    FAILED: ("✗", "$text-error bold"),
}

#: a piece of text for ``Content.assemble``: plain, already styled, or (text, style)
TextPart: TypeAlias = str | Content | tuple[str, str]


class WidgetOptions(TypedDict, total=False):
    """What every widget here takes besides its own arguments (as Textual's do)."""

    name: str | None
    id: str | None
    classes: str | None
    disabled: bool


class Entry(Input):
    """An Input that keeps still (no cursor blink) when the app asks it to,
    so snapshots are the same every run.

    While a ceremony waits for a secret, a plain field outside the question
    on screen takes no keys and no paste: what is typed then is a secret on
    its way to its prompt, and must never land in clear text."""

    def on_mount(self) -> None:
        if getattr(self.app, "still", False):
            self.cursor_blink = False

    def refuses(self, event: events.Key | events.Paste) -> bool:
        if getattr(self.screen, "holding_keys", False):  # its screen is about to go
            return True
        waiting = getattr(self.app, "waiting_for_secret", None)
        return bool(waiting and waiting()) and not isinstance(self.screen, ModalScreen)

    async def _on_key(self, event: events.Key) -> None:
        if self.refuses(event):  # dropped: Input's own handler and bindings never see it
            event.prevent_default()
            event.stop()

    def _on_paste(self, event: events.Paste) -> None:
        if self.refuses(event):
            event.prevent_default()
            event.stop()


class OnOff(Checkbox):
    """A checkbox that reads the same in monochrome and in both themes:
    ``[x] Network allowed: on`` or ``[ ] Network allowed: off`` (a colour
    alone never tells a safety switch's state)."""

    def render(self) -> Content:
        label = self._label.stylize_before(self.get_visual_style("toggle--label"))
        if self.value:
            return Content.assemble(("[x] ", "bold"), label, (": on", "bold"))
        return Content.assemble("[ ] ", label, ": off")

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return len("[ ] ") + self._label.cell_length + len(": off")  # the same, on or off


class Note(Static):
    """A line that takes no room while it has nothing to say."""

    def __init__(self, text: str = "", **options: Unpack[WidgetOptions]) -> None:
        super().__init__(text, **options)
        self.display = bool(text)

    def say(self, text: str | Content) -> None:
        self.update(text)
        self.display = bool(text)


class SecretEntry(Entry):
    """A masked field for a passphrase, PIN or share words: never shown, and
    never copied or cut to the clipboard (which the terminal may keep)."""

    def __init__(self, *, placeholder: str = "", **options: Unpack[WidgetOptions]) -> None:
        super().__init__(placeholder=placeholder, password=True, select_on_focus=False, **options)

    def refuses(self, event: events.Key | events.Paste) -> bool:
        return False  # a secret's own field; keys typed before it showed never reach it (app)

    def action_copy(self) -> None:
        """Refused: a secret never leaves the field but to the engine."""

    def action_cut(self) -> None:
        """Refused, as copy is."""


def keyid_lines(keyid: str, per_line: int = 8) -> list[str]:
    """A key id in groups of four, ``per_line`` groups a line, for reading aloud."""
    return grouped_lines(keyid, per_line)


def humanize(step_id: str) -> str:
    """A step's id as words until its real title arrives: root-keys -> Root keys."""
    words = step_id.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


class StepList(Static):
    """The ceremony's steps: done, current, waiting or failed, one a line
    (a long title wraps under itself, not under its mark)."""

    MARK_WIDTH = 6

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__("", **options)
        self.steps: list[tuple[str, str, str]] = []  # (id, title, state)
        self.heading = ""

    def reset(
        self, step_ids: tuple[str, ...], heading: str = "", titles: tuple[str, ...] = ()
    ) -> None:
        self.heading = heading
        titles = titles if len(titles) == len(step_ids) else tuple(map(humanize, step_ids))
        self.steps = [
            (step_id, title, WAITING) for step_id, title in zip(step_ids, titles, strict=True)
        ]
        self.redraw()

    def fail_current(self) -> None:
        """The ceremony ended in error: the step under way is the one that
        failed (unless a step is marked failed already)."""
        if any(state == FAILED for _, _, state in self.steps):
            return
        current = [sid for sid, _, state in self.steps if state == CURRENT]
        if current:
            self.set_state(current[-1], FAILED)

    def set_state(self, step_id: str, state: str, title: str | None = None) -> None:
        for i, (sid, old_title, _) in enumerate(self.steps):
            if sid == step_id:
                self.steps[i] = (sid, title or old_title, state)
                break
        else:  # a step the engine does not list (sealing the bundle): it goes last
            self.steps.append((step_id, title or humanize(step_id), state))
        self.redraw()

    def state_of(self, step_id: str) -> str | None:
        for sid, _, state in self.steps:
            if sid == step_id:
                return state
        return None

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        width = max(self.content_size.width - self.MARK_WIDTH, 12) if self.is_mounted else 24
        parts: list[TextPart] = [(self.heading + "\n\n", "bold")] if self.heading else []
        line_number = 2 if self.heading else 0
        current_line = None
        for n, (_, title, state) in enumerate(self.steps, 1):
            mark, style = MARKS[state]
            text_style = "bold" if state == CURRENT else ("$text-muted" if state == WAITING else "")
            lines = textwrap.wrap(title, width) or [""]
            if state in (CURRENT, FAILED):
                current_line = line_number
            line_number += len(lines)
            parts.append((f"{mark} {n:>2}. ", style))
            parts.append((lines[0] + "\n", text_style))
            for line in lines[1:]:
                parts.append((" " * self.MARK_WIDTH + line + "\n", text_style))
        self.update(Content.assemble(*parts))
        pane = self.parent
        if current_line is not None and self.is_mounted and isinstance(pane, Widget):
            # keep the current step in view when the list is longer than its pane
            self.call_after_refresh(
                lambda: pane.scroll_to(y=max(0, current_line - 2), animate=False, immediate=True)
            )


class ThresholdMeter(Static):
    """Signatures counted against one threshold, as :func:`meter_line` draws it."""

    have = reactive(0)
    need = reactive(0)

    def __init__(self, label: str, **options: Unpack[WidgetOptions]) -> None:
        super().__init__("", **options)
        self.label = label

    def show(self, label: str, have: int, need: int) -> None:
        self.label = label
        self.have, self.need = have, need
        self.redraw()

    def watch_have(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        self.update(meter_line(self.label, self.have, self.need))


def meter_line(label: str, have: int, need: int) -> Content:
    """One threshold as a bar of blocks and in words, short enough for the
    step pane at 80x24: "New root v2      ██ ░░  1 of 2, 1 more needed"."""
    filled = min(have, max(need, 1))
    met = have >= need > 0
    bar = "██ " * filled + "░░ " * (max(need, 1) - filled)
    words = f"{have} of {need}, met ✓" if met else f"{have} of {need}, {need - have} more needed"
    return Content.assemble(
        (f"{label:<16} ", "bold"),
        (bar, "$text-success" if met else "$text-warning"),
        (f" {words}", "$text-success bold" if met else "$text-warning"),
    )


class KeysMade(Static):
    """The keys made or opened so far, one a line: name and short id, to
    write down; it stays on the run screen for the whole ceremony."""

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__("", **options)
        self.display = False

    def show(self, keys: list[tuple[str, str]]) -> None:
        """``keys``: (name, key id) pairs, in the order they came."""
        self.display = bool(keys)
        parts: list[TextPart] = [("Keys so far\n", "bold")]
        for name, keyid in keys:
            parts += [(keyid[:8], "$text-accent bold"), f" {name}\n"]
        self.update(Content.assemble(*parts))


class Spinner(Static):
    """One line saying the tool is working; it turns while it works
    (and keeps still when animations are off, as in snapshots)."""

    FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
    frame = reactive(0)

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__("", **options)
        self.text = ""
        self.turning = False
        self.style = "$text-muted"

    def on_mount(self) -> None:
        if self.app.animation_level != "none":
            self.set_interval(0.12, self._turn)

    def _turn(self) -> None:
        if self.turning:
            self.frame = (self.frame + 1) % len(self.FRAMES)

    def say(self, text: str, *, turning: bool, style: str = "$text-muted") -> None:
        self.text, self.turning, self.style = text, turning, style
        self.redraw()

    def watch_frame(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        mark = self.FRAMES[self.frame] if self.turning else " "
        self.update(Content.assemble((f"{mark} ", "$text-accent"), (self.text, self.style)))


