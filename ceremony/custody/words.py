"""SLIP-39 words: checking them as they are typed, and finding a typo.

Helpers for a person typing a share word by word: whether a word is in the
SLIP-39 list, the words a prefix can complete to, the nearest words to a
misspelling (each word is fixed by its first four letters), the share header
(set id, group, member) once its first four words are in, and, when the
checksum fails, which single word or which swapped pair would explain it.

The RS1024 checksum is linear, so a single wrong word or one swap is found by
algebra, not by trying every word. Only positions are ever reported, never a
word of the share. Nothing here prints, prompts or keeps state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from shamir_mnemonic.wordlist import WORDLIST

WORD_INDEX = {word: i for i, word in enumerate(WORDLIST)}
SHARE_WORDS = 33  # a 32-byte secret: 4 header + 26 value + 3 checksum words
HEADER_WORDS = 4
CHECKSUM_WORDS = 3
_CUSTOMIZATION = {False: b"shamir", True: b"shamir_extendable"}
_GEN = (
    0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
    0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120,
)


def normalize(word: str) -> str:
    return word.strip().lower()


def is_word(word: str) -> bool:
    return normalize(word) in WORD_INDEX


def complete(prefix: str) -> tuple[str, ...]:
    """Every SLIP-39 word starting with ``prefix`` (all 1024 for "")."""
    prefix = normalize(prefix)
    return tuple(w for w in WORDLIST if w.startswith(prefix))


def suggest(word: str, limit: int = 3) -> tuple[str, ...]:
    """The SLIP-39 words nearest to a misspelling, best first.

    Words sharing the first four letters come first (they identify a SLIP-39
    word), then the fewest edits (a swap of neighbours counts as one).
    """
    word = normalize(word)
    if not word:
        return ()
    by_prefix = [w for w in WORDLIST if len(word) >= 4 and w.startswith(word[:4])]
    ranked = sorted(WORDLIST, key=lambda w: (_edits(word, w), w))
    best = _edits(word, ranked[0])
    near = [w for w in ranked if _edits(word, w) <= max(best, 2)]
    out: list[str] = []
    for candidate in by_prefix + near:
        if candidate not in out:
            out.append(candidate)
    return tuple(out[:limit])


@lru_cache(maxsize=4096)
def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, change, swap)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


@dataclass(frozen=True)
class ShareHeader:
    """What a share's first four words say (public: no secret in them).

    Numbers are 1-based, as printed on the sheets.
    """

    identifier: int
    extendable: bool
    iteration_exponent: int
    group: int
    group_threshold: int
    group_count: int
    member: int
    member_threshold: int


def read_header(words: Sequence[str]) -> ShareHeader:
    """The header of a share from its first four words (all in the list)."""
    w = [WORD_INDEX[normalize(x)] for x in words[:HEADER_WORDS]]
    if len(w) < HEADER_WORDS:
        raise ValueError("a share header is its first four words")
    id_exp = (w[0] << 10) | w[1]
    params = (w[2] << 10) | w[3]
    nibble = [(params >> shift) & 0xF for shift in (16, 12, 8, 4, 0)]
    return ShareHeader(
        identifier=id_exp >> 5,
        extendable=bool((id_exp >> 4) & 1),
        iteration_exponent=id_exp & 0xF,
        group=nibble[0] + 1,
        group_threshold=nibble[1] + 1,
        group_count=nibble[2] + 1,
        member=nibble[3] + 1,
        member_threshold=nibble[4] + 1,
    )


def read_set_id(words: Sequence[str]) -> tuple[int, bool, int]:
    """(identifier, extendable, iteration exponent) from the first two words."""
    w = [WORD_INDEX[normalize(x)] for x in words[:2]]
    id_exp = (w[0] << 10) | w[1]
    return id_exp >> 5, bool((id_exp >> 4) & 1), id_exp & 0xF


# RS1024 -----------------------------------------------------------------

def _step(checksum: int, value: int) -> int:
    top = checksum >> 20
    checksum = ((checksum & 0xFFFFF) << 10) ^ value
    for bit in range(10):
        if (top >> bit) & 1:
            checksum ^= _GEN[bit]
    return checksum


def _syndrome(indices: Sequence[int], extendable: bool) -> int:
    checksum = 1
    for value in list(_CUSTOMIZATION[extendable]) + list(indices):
        checksum = _step(checksum, value)
    return checksum ^ 1  # zero when the checksum holds


def checksum_holds(indices: Sequence[int], extendable: bool) -> bool:
    return _syndrome(indices, extendable) == 0


def _error_tables(length: int) -> list[list[int]]:
    """table[p][e]: how a change XOR ``e`` at word ``p`` moves the checksum.

    The checksum is linear over GF(2): that change moves it by ``e`` pushed
    through the remaining ``length - 1 - p`` steps, whatever the words are.
    """
    tables: list[list[int]] = [[] for _ in range(length)]
    basis = [1 << bit for bit in range(10)]
    for p in range(length - 1, -1, -1):
        table = [0] * 1024
        for e in range(1, 1024):
            low = (e & -e).bit_length() - 1
            table[e] = table[e & (e - 1)] ^ basis[low]
        tables[p] = table
        basis = [_step(b, 0) for b in basis]
    return tables


@dataclass(frozen=True)
class ChecksumDiagnosis:
    """Which word (1-based) or pair of words would explain a bad checksum."""

    changed: int | None = None
    swapped: tuple[int, int] | None = None


def diagnose(indices: Sequence[int], extendable: bool) -> ChecksumDiagnosis:
    """Find the one changed word or the one swapped pair behind a failing
    checksum. RS1024 detects any three wrong words, so at most one single
    change or (practically) one swap explains a failure; with more damage
    neither is reported."""
    syndrome = _syndrome(indices, extendable)
    if syndrome == 0:
        return ChecksumDiagnosis()
    tables = _error_tables(len(indices))
    for p, table in enumerate(tables):
        try:
            table.index(syndrome, 1)
        except ValueError:
            continue
        return ChecksumDiagnosis(changed=p + 1)
    for i in range(len(indices)):
        for j in range(i + 1, len(indices)):
            e = indices[i] ^ indices[j]
            if e and tables[i][e] ^ tables[j][e] == syndrome:
                return ChecksumDiagnosis(swapped=(i + 1, j + 1))
    return ChecksumDiagnosis()
