"""How far collecting shares has come: per group, and what is still needed.

:class:`Progress` is what the share collector reports after each share, and
what an error carries when recovery is asked for too early: per group, how
many shares are in and how many more it needs, and how many groups are
still to complete. Public facts only: numbers, never a share's words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupProgress:
    group: int  # 1-based
    have: int
    threshold: int | None  # None until a share of the group (or the record) says

    @property
    def complete(self) -> bool:
        return self.threshold is not None and self.have >= self.threshold

    @property
    def missing(self) -> int | None:
        return None if self.threshold is None else max(self.threshold - self.have, 0)


@dataclass(frozen=True)
class Progress:
    """How far collection has come: per group, and how many groups still."""

    groups: tuple[GroupProgress, ...]
    group_threshold: int | None  # None before the first share (and no record)

    @property
    def groups_needed(self) -> int | None:
        if self.group_threshold is None:
            return None
        return max(self.group_threshold - sum(g.complete for g in self.groups), 0)

    @property
    def complete(self) -> bool:
        return self.groups_needed == 0

    @property
    def fewest_more(self) -> int | None:
        """The fewest more shares that could complete recovery, when known."""
        needed = self.groups_needed
        if needed is None:
            return None
        open_groups = sorted(g.missing for g in self.groups if not g.complete and g.missing)
        if len(open_groups) < needed:
            return None
        return sum(open_groups[:needed])

    def describe(self) -> str:
        """One or two sentences for the operator (no secret in them)."""
        if self.group_threshold is None:
            return "no share collected yet"
        if self.complete:
            return "enough shares are collected to recover"
        if len(self.groups) == 1:
            g = self.groups[0]
            return (
                f"{g.have} of {g.threshold} shares collected; "
                f"{_count(g.missing, 'more share')} needed"
            )
        states = []
        for g in self.groups:
            if g.complete:
                states.append(f"group {g.group} complete")
            elif g.threshold is None:
                states.append(
                    f"group {g.group}: {g.have} shares (its threshold shows on its first share)"
                )
            else:
                states.append(f"group {g.group}: {g.have} of {g.threshold}, {g.missing} more")
        fewest = self.fewest_more
        lead = f"{_count(self.groups_needed, 'more group')} to complete"
        if fewest is not None:
            lead += f" (at least {_count(fewest, 'more share')})"
        return f"{lead}; " + "; ".join(states)


def _count(n: int | None, noun: str) -> str:
    """``1 more share``, ``2 more shares``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

