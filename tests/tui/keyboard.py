"""Filling a form in as an operator does: Tab to a field, type, Space for a switch.

Long values (paths) arrive as a terminal paste does, in one event: a key
press costs a Pilot tens of milliseconds, and the field takes both alike.
"""

from __future__ import annotations

from textual import events

from .conftest import wait_for


async def tab_to(pilot, field_id: str, *, limit: int = 200) -> None:
    """Press Tab, or Shift+Tab when that is shorter, until ``field_id`` has the cursor."""
    for _ in range(limit):
        screen = pilot.app.screen
        focused = screen.focused
        if focused is not None and focused.id == field_id:
            return
        chain = [widget.id for widget in screen.focus_chain]
        here = chain.index(focused.id) if focused is not None and focused.id in chain else 0
        there = chain.index(field_id) if field_id in chain else here + 1
        forward = (there - here) % len(chain)
        await pilot.press("tab" if forward <= len(chain) - forward else "shift+tab")
    raise AssertionError(f"Tab never reached #{field_id}")


async def type_in(pilot, field_id: str, text: str, *, clear: bool = True) -> None:
    """Tab to ``field_id`` and type ``text`` (after clearing what it held)."""
    await tab_to(pilot, field_id)
    if clear and pilot.app.screen.focused.value:
        await pilot.press("end", "ctrl+u")
    if len(text) > 3:
        pilot.app.screen.focused.post_message(events.Paste(text))
        await pilot.pause()
    else:
        await pilot.press(*text)


async def switch_on(pilot, field_id: str) -> None:
    await tab_to(pilot, field_id)
    if not pilot.app.screen.focused.value:
        await pilot.press("space")


async def choose_in(pilot, field_id: str, value: str) -> None:
    """Tab to the list ``field_id``, open it with Enter and move to ``value`` with the
    arrows, then Enter."""
    await tab_to(pilot, field_id)
    select = pilot.app.screen.focused
    values = [option for _, option in select._options]
    steps = values.index(value) - values.index(select.value)
    await pilot.press("enter", *(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()
    assert select.value == value, f"#{field_id} holds {select.value!r}, not {value!r}"


async def review_and_save(pilot) -> str:
    """Ctrl+R to review the form's script, Ctrl+S to save it; the saved text, which is
    checked to be the form's own."""
    from ceremony.tui.screens.review import ReviewScreen

    form = pilot.app.screen
    shown = form.rendered.text
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen),
                   f"the review ({form.problem})")
    review = pilot.app.screen
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: review.saved, "the script saved")
    saved = review.path.read_text()
    assert saved == shown  # the script saved is what the form showed
    return saved
