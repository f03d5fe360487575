"""Whether a set of keys meets a role's threshold: one answer, used everywhere.

Preflight (can today's keys sign?), signing (the meters), recovery (can the
custody bundle's keys sign this root?) and verify (did the keys sign?) all
ask the same question of a role: which of its keys count, how many it needs,
and which are missing. :class:`ThresholdResult` is that answer, in the style
of python-tuf's ``VerificationResult``; :func:`threshold_words` says it the
one way people read it: "2 signatures, threshold 1 (met)".
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles a string
# annotation, and a process's first compile() costs `ceremony verify` a millisecond
# (docs/design/performance.md, perfstart).

from collections.abc import Collection, Iterable
from typing import NamedTuple


class ThresholdResult(NamedTuple):
    """``signed``: the role's keys that count; ``unsigned``: its keys that do not."""

    need: int
    signed: frozenset[str]
    unsigned: frozenset[str]

    @property
    def have(self) -> int:
        return len(self.signed)

    @property
    def met(self) -> bool:
        return self.have >= self.need

    @property
    def missing(self) -> int:
        """How many more keys must count before the threshold is met."""
        return max(self.need - self.have, 0)

    def __bool__(self) -> bool:
        return self.met

    def words(self, noun: str = "signature") -> str:
        return threshold_words(self.have, self.need, noun)


def threshold_result(
    role_keyids: Iterable[str], need: int, present: Collection[str]
) -> ThresholdResult:
    """The result for a role of ``role_keyids`` needing ``need``, counting the
    ones in ``present`` (keys that signed, or that are here to sign)."""
    keys = frozenset(role_keyids)
    signed = frozenset(keyid for keyid in keys if keyid in present)
    return ThresholdResult(need=need, signed=signed, unsigned=keys - signed)


def threshold_words(have: int, need: int, noun: str = "signature") -> str:
    """``2 signatures, threshold 1 (met)``; ``1 signature, threshold 2 (1 more needed)``."""
    counted = f"{have} {noun}" + ("" if have == 1 else "s")
    state = "met" if have >= need else f"{need - have} more needed"
    return f"{counted}, threshold {need} ({state})"
