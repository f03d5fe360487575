"""Preflight's checks as a person reads them: many alike checks as one line.

A check made once for each of many items (the DCT preflight checks every GUN,
some thousands) names its item in ``PreflightChecked.subject``. Shown one
line each, 2,700 identical problems bury the one that differs; so every front
end (``ceremony validate``, the headless run, the terminal UI) shows them
through :func:`grouped`: checks of one run of such checks (no check without a
subject between them) that say the same (same label, same outcome, the same
words once the item is written ``<GUN>``) become one line naming how many, and
which, when there are at least :data:`LEAST`. Checks that say something else
stay lines of their own, each naming its items. Only the display is grouped:
the events, and so the transcript, keep one line for each item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ceremony.events import Event, PreflightChecked

#: alike checks shown as one line from this many on; fewer are shown one by one
LEAST = 4
#: the items a grouped line names; more are counted ("and 2,697 more")
NAMED = 3


def grouped(checks: Iterable[PreflightChecked]) -> list[PreflightChecked]:
    """``checks`` to show, in their order, alike checks of one run each made one
    (at the place of the first); these are for the eye, never recorded."""
    shown: list[PreflightChecked] = []
    run: list[PreflightChecked] = []
    for check in checks:
        if check.subject:
            run.append(check)
            continue
        shown += _grouped_run(run)
        run = []
        shown.append(check)
    return shown + _grouped_run(run)


def _key(check: PreflightChecked) -> tuple[str, bool, str, str, str]:
    return (_stem(check), check.ok, _abstract(check, check.detail), check.reason,
            check.subject_kind)


def _stem(check: PreflightChecked) -> str:
    return check.check.removesuffix(check.subject).rstrip()


def _abstract(check: PreflightChecked, text: str) -> str:
    return text.replace(check.subject, f"<{check.subject_kind or 'item'}>")


def _grouped_run(run: Sequence[PreflightChecked]) -> list[PreflightChecked]:
    keys = [_key(check) for check in run]
    alike: dict[tuple[str, bool, str, str, str], list[PreflightChecked]] = {}
    for key, check in zip(keys, run, strict=True):
        alike.setdefault(key, []).append(check)
    shown: list[PreflightChecked] = []
    for key, check in zip(keys, run, strict=True):
        members = alike[key]
        if len(members) < LEAST:
            shown.append(check)
        elif check is members[0]:  # alike checks at the place of the first
            shown.append(_one_line(members))
    return shown


def _one_line(members: Sequence[PreflightChecked]) -> PreflightChecked:
    first = members[0]
    kind = first.subject_kind or "item"
    count = len(members)
    names = [check.subject for check in members]
    if count > NAMED + 2:  # "and 2 more" would be no shorter than naming them
        listed = f"{', '.join(names[:NAMED])} and {count - NAMED:,} more"
    else:
        listed = f"{', '.join(names[:-1])} and {names[-1]}"
    return PreflightChecked(
        f"{_stem(first)}, {count:,} {kind}s ({listed})",
        first.ok,
        _abstract(first, first.detail),
        first.reason,
    )


class AlikeHeld:
    """For front ends that show events as they come: a run of checks for many
    items is held until it ends, then shown through :func:`grouped`."""

    def __init__(self) -> None:
        self.run: list[PreflightChecked] = []

    def shown(self, event: Event) -> list[Event]:
        """What to show now that ``event`` came: nothing while a run goes on; the
        run, grouped, and then ``event`` once it ends."""
        if isinstance(event, PreflightChecked) and event.subject:
            self.run.append(event)
            return []
        return [*self.rest(), event]

    def rest(self) -> list[PreflightChecked]:
        """The run held so far, grouped (the events ended right after it)."""
        held, self.run = self.run, []
        return grouped(held)
