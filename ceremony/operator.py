"""The Operator: everything the engine needs from a person, in one place.

The engine never prompts. When a ceremony needs a confirmation, a choice, a
secret, a custodian's read-back of a share or a share for a recovery, it
asks its Operator. The headless CLI answers from prompts,
environment variables, a secrets file or an answers file; the terminal UI
answers with screens; rehearsals answer by themselves. A secret travels as a
:class:`Secret`, whose repr and str never show the value, so it cannot leak
into a log line or an exception message by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Protocol

#: the shortest new passphrase of a key; the engine refuses a shorter one
#: however it arrives (prompt, environment, secrets file, the UI)
MIN_PASSPHRASE = 12
#: the shortest new passphrase of a custody bundle: it alone opens every key in it
MIN_CUSTODY_PASSPHRASE = 16


class SecretKind(Enum):
    """What a secret is; it says how it is asked for and how short it may be."""

    KEY_PASSPHRASE = "passphrase"  # a key's passphrase
    CUSTODY_PASSPHRASE = "custody passphrase"  # a passphrase-only custody bundle's
    SHARE_PASSPHRASE = "SLIP-39 passphrase"  # the custody shares' passphrase
    PIN = "PIN"  # a token's PIN
    PUK = "PUK"  # a YubiKey's PIN unblocking key
    MANAGEMENT_KEY = "management key"  # a YubiKey's PIV management key

    @property
    def words(self) -> str:
        """How people call it: "passphrase", "PIN", "management key"."""
        return self.value

    @property
    def minimum(self) -> int:
        """The fewest characters a new secret of this kind may have (0: the
        token sets its own rule)."""
        return {
            SecretKind.KEY_PASSPHRASE: MIN_PASSPHRASE,
            SecretKind.SHARE_PASSPHRASE: MIN_PASSPHRASE,
            SecretKind.CUSTODY_PASSPHRASE: MIN_CUSTODY_PASSPHRASE,
        }.get(self, 0)


class Secret:
    """A passphrase or PIN held in memory; shown as ``<secret>`` everywhere."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def forget(self) -> None:
        self._value = ""


@dataclass(frozen=True)
class Confirmation:
    """A yes/no question. ``typed_word``: the operator must type it to go on
    (irreversible steps)."""

    id: str  # stable, for answers files: "confirm/<step>"
    question: str
    detail: str = ""
    typed_word: str = ""


@dataclass(frozen=True)
class SecretRequest:
    """A passphrase or PIN. ``new``: it is being set, so ask twice."""

    id: str  # stable: "passphrase/<key name>", "pin/<token label>"
    key: str  # the key (or token) it is for, by name
    prompt: str
    new: bool = False
    env: str = ""  # an environment variable the script named, if any
    attempt: int = 1  # 2, 3 ... after a wrong one
    kind: SecretKind = SecretKind.KEY_PASSPHRASE
    problem: str = ""  # why the one given before was refused (never the secret)


@dataclass(frozen=True)
class TextRequest:
    """A short line of public text a person reads and types: a tamper-evident
    bag's serial. Never a secret (it goes into the transcript)."""

    id: str  # stable: "bag/seal/<name>", "bag/open/<name>"
    question: str
    detail: str = ""
    attempt: int = 1
    problem: str = ""  # why the one typed before was refused


@dataclass(frozen=True)
class Choice:
    id: str
    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ShareHandout:
    """One custodian receives one share and reads its checksum words back.

    The screen says who receives which share and where its printed sheet is,
    then asks the custodian to read words ``checksum_positions`` (31-33)
    from the sheet in their hands. The answer is a Secret holding the words
    read, separated by spaces; the engine compares them and asks again
    (``attempt`` 2, 3, with ``problem`` saying why) when they differ. An
    empty Secret means "not read back" (headless ``--yes`` only); the engine
    records it with a warning. ``share`` holds all 33 words for a screen
    that shows the share to its custodian; it is never logged or stored.
    """

    id: str  # stable: "handout/share-03"
    ceremony_id: str  # the ceremony whose custody bundle the share opens
    number: int  # 1..total, as on the sheet
    total: int
    custodian: str  # from the script's custody.custodians, or ""
    group: int  # 1-based; group_count 1 for plain m of n
    group_count: int
    member: int
    member_count: int
    member_threshold: int
    group_threshold: int
    sheet_pdf: str  # where the printable sheet was written
    sheet_text: str
    checksum_positions: tuple[int, ...]
    share: Secret = field(repr=False, compare=False)
    attempt: int = 1
    problem: str = ""


@dataclass(frozen=True)
class ShareRequest:
    """The next share of a recovery, from a custodian.

    ``number`` is the share being collected (1 for the first), ``progress``
    a sentence on what is collected and what is still needed, ``problem``
    why the previous share offered was refused (it never holds a share
    word). ``beyond_threshold``: enough shares are in; another is only
    checked (and reported), never used, and None ends the collection
    without a word said, so a front end asks for one only when the operator
    wants to give more. ``sheet_of`` reads, from the first words typed, which
    sheet the share is (its number, of how many). ``check_words`` checks the
    words typed so far, for a screen that checks as the custodian types: it
    returns how many words are still to come, or raises a ShareError
    (ceremony.custody.errors) naming the word position;
    ``ceremony.custody.words.complete(prefix)`` completes a word.
    """

    id: str  # stable: "share/<number>"
    ceremony_id: str  # the ceremony whose custody bundle is being recovered
    set_id: int  # the SLIP-39 set id printed on every sheet of the set
    number: int
    progress: str
    attempt: int = 1
    problem: str = ""
    beyond_threshold: bool = False
    check_words: Callable[[Sequence[str]], int] | None = field(
        default=None, repr=False, compare=False
    )
    # the sheet the first four words typed name: (number, of how many), as
    # printed on it; None until they are in (public: no secret in it)
    sheet_of: Callable[[Sequence[str]], tuple[int, int] | None] | None = field(
        default=None, repr=False, compare=False
    )


@dataclass(frozen=True)
class ShareAnswer:
    """One share given: ``typed`` words (a Secret, words separated by spaces),
    or the ``path`` of a text ``file`` or of an ``image`` with its QR code."""

    how: str  # "typed" | "file" | "image"
    words: Secret | None = field(default=None, repr=False, compare=False)
    path: Path | None = None

    @property
    def source(self) -> str:
        """Where the share came from, for messages and the transcript."""
        return "typed" if self.how == "typed" else f"{self.how} {self.path}"


#: a person's checks that a scripted answer may stand in for only with a named
#: witness in a production ceremony: the script's sha256 compared with the reviewed
#: copy, and each custodian's checksum words read back ("handout/share-NN")
WITNESSED_CHECKS = ("confirm/script", "handout/")


def is_witnessed_check(request_id: str) -> bool:
    return any(request_id.startswith(check) for check in WITNESSED_CHECKS)


def scripted(operator: object, request_id: str) -> bool:
    """Whether ``operator`` answered ``request_id`` from a script (a headless
    ``--yes`` or answers file) rather than from a person."""
    answered = getattr(operator, "scripted", None)
    return bool(answered(request_id)) if callable(answered) else False


def witness_of(operator: object, request_id: str) -> str:
    """The witness named for a check ``operator`` answered without a person
    (a headless ``--yes`` or answers file), "" when a person answered it."""
    named = getattr(operator, "witness_for", None)
    return str(named(request_id)) if callable(named) else ""


class Operator(Protocol):
    """What a front end provides so the engine can reach a person."""

    def confirm(self, request: Confirmation) -> bool: ...

    def secret(self, request: SecretRequest) -> Secret: ...

    def choose(self, request: Choice) -> str: ...

    def text(self, request: TextRequest) -> str:
        """A line of public text read off something in the room (a bag's serial)."""
        ...

    def hand_out(self, request: ShareHandout) -> Secret:
        """The checksum words the custodian read back from their sheet."""
        ...

    def share(self, request: ShareRequest) -> ShareAnswer | None:
        """The next share for a recovery; None when no more will come."""
        ...
