"""Collecting SLIP-39 shares back, one at a time, into the custody identity.

:class:`ShareCollector` takes shares one at a time, checks each as it comes
and refuses a bad one with an error that says which share and why, keeping
the good ones. A wrong SLIP-39 passphrase silently yields another secret;
the collector catches that by comparing the recovered identity's recipient
with the one the bundle's record names. A share given once a threshold is
in (an extra, not used) is checked as fully as the others, and more: it
must combine with the shares already in into the same encrypted secret, so
a share of another set or a forged one is refused, never passed over.

It never prints, prompts or stores anything; no error carries a share's
words or the secret.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import shamir_mnemonic
from shamir_mnemonic import MnemonicError
from shamir_mnemonic.shamir import decode_mnemonics, recover_ems

from ceremony.custody import share_input
from ceremony.custody import words as slip39_words
from ceremony.custody.errors import (
    DuplicateShareError,
    ForeignShareError,
    NotEnoughSharesError,
    ShareChecksumError,
    ShareFormatError,
    ShareInputError,
    SharesDoNotCombineError,
    UnknownWordError,
    WrongSecretError,
)
from ceremony.custody.identity import CustodyIdentity
from ceremony.custody.progress import GroupProgress, Progress
from ceremony.custody.record import CustodyRecord
from ceremony.custody.shares import passphrase_bytes
from ceremony.custody.words import SHARE_WORDS, ShareHeader


class ShareCollector:
    """Collect shares one at a time, checking each as it comes.

    With ``record`` (the bundle's custody.json), a share from another
    ceremony is refused on its first two words, progress is known before
    the first share, and :meth:`recover` checks the recovered identity
    against the recipient the bundle was sealed to, which is what catches a
    wrong SLIP-39 passphrase.
    """

    def __init__(self, record: CustodyRecord | None = None) -> None:
        self.record = record
        self._shares: list[tuple[ShareHeader, shamir_mnemonic.Share, str]] = []
        self._unproven: set[int] = set()  # extras whose group could not combine yet

    @property
    def count(self) -> int:
        return len(self._shares)

    @property
    def next_number(self) -> int:
        """The number the next share will be called by in errors."""
        return len(self._shares) + 1

    # the set this collection is for ---------------------------------------
    def _set(self) -> tuple[int, bool, int, int, int] | None:
        """(identifier, extendable, exponent, group threshold, group count)."""
        if self.record is not None:
            s = self.record.share_set
            return (s.identifier, s.extendable, s.iteration_exponent,
                    s.group_threshold, len(s.groups))
        if self._shares:
            h = self._shares[0][0]
            return (h.identifier, h.extendable, h.iteration_exponent,
                    h.group_threshold, h.group_count)
        return None

    def _for_whom(self) -> str:
        if self.record is not None:
            return f"ceremony {self.record.ceremony_id} (set id {self.record.share_set.identifier})"
        return f"set id {self._shares[0][0].identifier}, as share 1 was"

    # word-by-word checks ---------------------------------------------------
    def check_partial(self, typed: Sequence[str], *, source: str = "") -> int:
        """Check words typed so far; return how many words are still to come.

        Raises UnknownWordError for a word not in the list, and, as soon as
        the first two or four words say so, ForeignShareError (another set)
        or DuplicateShareError (a share already collected). Those early
        refusals assume the first words were typed right; the message says
        to check them. Once every word is in, a failing checksum raises
        ShareChecksumError naming the word (or swapped pair) it points at,
        so the words typed can be kept and just that one corrected.
        """
        number = self.next_number
        typed = [slip39_words.normalize(w) for w in typed if w.strip()]
        self._check_words(typed, number, source)
        if len(typed) > SHARE_WORDS:
            raise ShareFormatError(
                f"{len(typed)} words typed; a custody share has {SHARE_WORDS}",
                number=number, source=source,
                todo="remove the extra words; compare with the numbered words on the sheet",
            )
        expected = self._set()
        if (
            len(typed) >= 2
            and expected is not None
            and slip39_words.read_set_id(typed) != expected[:3]
        ):
            raise ForeignShareError(
                "its first two words say it belongs to another share set, not "
                f"{self._for_whom()}",
                number=number, source=source,
                todo="check words 1 and 2 against the sheet; if they match, this sheet "
                "is from another ceremony: ask for this ceremony's share",
            )
        if len(typed) >= slip39_words.HEADER_WORDS:
            header = slip39_words.read_header(typed)
            self._check_header(header, number, source, early=True)
            indices = [slip39_words.WORD_INDEX[w] for w in typed]
            if len(typed) == SHARE_WORDS and not slip39_words.checksum_holds(
                indices, header.extendable
            ):
                raise self._checksum_error(indices, header, number, source)
        return SHARE_WORDS - len(typed)

    def _check_words(self, typed: Sequence[str], number: int, source: str) -> None:
        unknown = tuple(i for i, w in enumerate(typed, 1) if w not in slip39_words.WORD_INDEX)
        if not unknown:
            return
        listed = ", ".join(str(p) for p in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise UnknownWordError(
            f"word{plural} {listed} {'are' if plural else 'is'} not in the SLIP-39 word list",
            number=number,
            source=source,
            positions=unknown,
            suggestions={p: slip39_words.suggest(typed[p - 1]) for p in unknown},
            todo="compare with the sheet: the first four letters of each word are enough "
            "to tell it apart",
        )

    def _check_header(
        self, header: ShareHeader, number: int, source: str, early: bool, value: bytes | None = None
    ) -> None:
        check = "check words 1 to 4 against the sheet; if they match, " if early else ""
        expected = self._set()
        if expected is not None and (
            (header.identifier, header.extendable, header.iteration_exponent,
             header.group_threshold, header.group_count) != expected
        ):
            raise ForeignShareError(
                f"it belongs to another share set (set id {header.identifier}), not "
                f"{self._for_whom()}",
                number=number, source=source,
                todo=f"{check}this sheet is from another ceremony or bundle: ask for "
                "this ceremony's share",
            )
        if self.record is not None:
            groups = self.record.share_set.groups
            in_plan = header.group <= len(groups) and (
                header.member_threshold == groups[header.group - 1][0]
                and header.member <= groups[header.group - 1][1]
            )
            if not in_plan:
                raise ForeignShareError(
                    f"it says it is member {header.member} of group {header.group} with a "
                    "threshold this ceremony's shares do not have",
                    number=number, source=source,
                    todo=f"{check}this sheet is from another share set: ask for this "
                    "ceremony's share",
                )
        for earlier, (seen, _, _) in enumerate(self._shares, 1):
            if seen.group != header.group:
                continue
            if seen.member_threshold != header.member_threshold:
                raise ForeignShareError(
                    f"it disagrees with share {earlier} on group {header.group}'s threshold",
                    number=number, source=source,
                    todo=f"{check}one of the two sheets is from another share set",
                )
            if seen.member != header.member:
                continue
            if value is not None and value != self._shares[earlier - 1][1].value:
                raise DuplicateShareError(
                    f"it claims to be {self._sheet_title(header)}, like share {earlier}, but "
                    "its words differ",
                    number=number, source=source,
                    todo="one of the two is not from this share set: compare both with "
                    "their sheets and ask for another custodian's share",
                )
            raise DuplicateShareError(
                f"it is {self._sheet_title(header)} again, already given as share {earlier}",
                number=number, source=source,
                todo=f"{check}each share counts once: ask another custodian for theirs",
            )

    def sheet_of(self, typed: Sequence[str]) -> tuple[int, int] | None:
        """The sheet a share's first four words name: (its number, how many
        sheets the set has), as printed on it; None until they are all in
        (or when the set is not this ceremony's, or not known)."""
        if len(typed) < slip39_words.HEADER_WORDS or self.record is None:
            return None
        try:
            header = slip39_words.read_header(typed)
        except (KeyError, ValueError):  # a word not in the list: check_words says which
            return None
        return self._sheet_number(header)

    def _sheet_number(self, header: ShareHeader) -> tuple[int, int] | None:
        if self.record is None:
            return None
        groups = self.record.share_set.groups
        number = sum(n for _, n in groups[: header.group - 1]) + header.member
        return number, self.record.share_set.share_count

    def _sheet_title(self, header: ShareHeader) -> str:
        """How the person holding it knows this share's sheet."""
        sheet = self._sheet_number(header)
        if sheet is not None:
            return f'the sheet "Share {sheet[0]} of {sheet[1]}"'
        if header.group_count == 1:
            return f"the sheet numbered {header.member}"
        return f"member {header.member} of group {header.group}"

    # whole shares --------------------------------------------------------
    def add(self, share: str | Sequence[str], *, source: str = "") -> Progress:
        """Take one whole share (its words, as text or a list) and check it.

        Text may carry word numbers and ``#`` comments (as in a text file).

        On success returns the new progress; on a bad share raises a
        ShareError naming the share's number (and ``source``) and keeps every
        share collected before it.
        """
        number = self.next_number
        if isinstance(share, str):
            try:
                typed = share_input.words_from_text(share)
            except ShareInputError as error:
                raise ShareFormatError(
                    error.what, number=number, source=source, todo=error.todo
                ) from None
        else:
            typed = [slip39_words.normalize(w) for w in share if w.strip()]
        self._check_words(typed, number, source)
        if len(typed) != SHARE_WORDS:
            raise ShareFormatError(
                f"it has {len(typed)} words; a custody share has {SHARE_WORDS}",
                number=number, source=source,
                todo="a word is missing or extra (or the file is cut short): compare with "
                "the numbered words on the sheet",
            )
        indices = [slip39_words.WORD_INDEX[w] for w in typed]
        header = slip39_words.read_header(typed)
        try:
            parsed = shamir_mnemonic.Share.from_mnemonic(" ".join(typed))
        except MnemonicError:
            if not slip39_words.checksum_holds(indices, header.extendable):
                raise self._checksum_error(indices, header, number, source) from None
            raise ShareFormatError(
                "its words pass the checksum but do not form a valid SLIP-39 share",
                number=number, source=source,
                todo="this is not a share this tool made; ask for the custodian's sheet",
            ) from None
        self._check_header(header, number, source, early=False, value=parsed.value)
        if self.progress().complete and not self._check_extra(header, parsed, number, source):
            self._unproven.add(number)
        self._shares.append((header, parsed, source))
        return self.progress()

    def combines(self, number: int) -> bool:
        """False for a share beyond the threshold whose group had too few shares
        to check that it combines (its words and its set were checked)."""
        return number not in self._unproven

    @property
    def beyond_threshold(self) -> int:
        """How many of the shares collected are not needed to recover."""
        return self.count - len(self._chosen())

    def _chosen(self) -> list[tuple[ShareHeader, shamir_mnemonic.Share]]:
        """The shares recovery uses: the first of each group, up to its
        threshold, in the first groups to complete, up to the group threshold."""
        progress = self.progress()
        chosen: list[tuple[ShareHeader, shamir_mnemonic.Share]] = []
        groups_used = 0
        for g in progress.groups:
            if not g.complete or groups_used == progress.group_threshold:
                continue
            members = [(h, p) for h, p, _ in self._shares if h.group == g.group]
            chosen.extend(members[: g.threshold])
            groups_used += 1
        return chosen

    def _check_extra(
        self, header: ShareHeader, share: shamir_mnemonic.Share, number: int, source: str
    ) -> bool:
        """Refuse a share beyond the threshold that does not combine, in place
        of one already in, into the same encrypted secret (no passphrase is
        needed to compare: both are the secret as SLIP-39 encrypts it); False
        when its group has too few shares yet to combine at all."""
        chosen = self._chosen()
        base = [p for _, p in chosen]
        in_group = [p for h, p in chosen if h.group == header.group]
        in_group += [
            p for h, p, _ in self._shares if h.group == header.group and p not in in_group
        ]
        if len(in_group) + 1 < header.member_threshold:
            return False  # its group has too few shares to combine: words and set checked
        others = sorted({h.group for h, _ in chosen} - {header.group})
        others = others[: header.group_threshold - 1]
        substitute = [p for h, p in chosen if h.group in others]
        substitute += [share, *in_group[: header.member_threshold - 1]]
        try:
            expected = recover_ems(decode_mnemonics(p.mnemonic() for p in base))
            found = recover_ems(decode_mnemonics(p.mnemonic() for p in substitute))
            fits = found.ciphertext == expected.ciphertext
        except MnemonicError:
            fits = False
        if not fits:
            raise ForeignShareError(
                "its words pass their checksum and name this set, but it does not combine "
                "with the shares already given into the same secret: it is not a share of "
                "this set",
                number=number, source=source,
                todo="the threshold is already in and this share is not used; set this "
                "sheet aside and find out where it came from",
            )
        return True

    def add_file(self, path: Path) -> Progress:
        """Take one share from a text file (see share_input.words_from_text)."""
        return self._add_from(share_input.read_text_file, path)

    def add_image(self, path: Path) -> Progress:
        """Take one share from the QR code in an image file (photo or scan)."""
        return self._add_from(share_input.read_qr_image, path)

    def _add_from(self, reader: Callable[[Path], list[str]], path: Path) -> Progress:
        try:
            typed = reader(path)
        except ShareInputError as error:
            raise ShareFormatError(
                error.what, number=self.next_number, source=str(path), todo=error.todo
            ) from None
        return self.add(typed, source=str(path))

    def _checksum_error(
        self, indices: Sequence[int], header: ShareHeader, number: int, source: str
    ) -> ShareChecksumError:
        expected = self._set()
        extendable = expected[1] if expected is not None else header.extendable
        found = slip39_words.diagnose(indices, extendable)
        if found.changed is None and found.swapped is None and expected is None:
            found = slip39_words.diagnose(indices, not extendable)
        if found.swapped is not None:
            a, b = found.swapped
            what = f"the checksum fails: words {a} and {b} look swapped"
            todo = f"compare words {a} and {b} with the sheet and type them in its order"
        elif found.changed is not None:
            what = f"the checksum fails: word {found.changed} looks wrong"
            todo = f"compare word {found.changed} with the sheet and type it again"
        else:
            what = "the checksum fails: more than one word is wrong"
            todo = "compare every word with the sheet, in order, and type the share again"
        return ShareChecksumError(
            what, number=number, source=source,
            changed=found.changed, swapped=found.swapped, todo=todo,
        )

    def progress(self) -> Progress:
        expected = self._set()
        if expected is None:
            return Progress((), None)
        thresholds: dict[int, int] = {}
        if self.record is not None:
            thresholds = {g: m for g, (m, _) in enumerate(self.record.share_set.groups, 1)}
        have: dict[int, int] = {}
        for header, *_ in self._shares:
            have[header.group] = have.get(header.group, 0) + 1
            thresholds[header.group] = header.member_threshold
        return Progress(
            tuple(
                GroupProgress(g, have.get(g, 0), thresholds.get(g))
                for g in range(1, expected[4] + 1)
            ),
            expected[3],
        )

    def recover(self, passphrase: str = "") -> CustodyIdentity:
        """The identity the collected shares hold (use it in a ``with``
        block, or call ``forget()``, so it leaves memory when done).

        Raises NotEnoughSharesError (saying what is missing) before a
        threshold is in, SharesDoNotCombineError when checked shares still do
        not fit together, and, with a record, WrongSecretError when the
        result is not the bundle's identity: a wrong SLIP-39 passphrase.
        """
        progress = self.progress()
        if not progress.complete:
            raise NotEnoughSharesError(
                f"not enough shares yet: {progress.describe()}",
                progress=progress,
                where="share collection",
                todo="collect more shares, then recover",
            )
        chosen = [p.mnemonic() for _, p in self._chosen()]
        try:
            secret = shamir_mnemonic.combine_mnemonics(chosen, passphrase_bytes(passphrase))
        except MnemonicError:
            raise SharesDoNotCombineError(
                "the shares each passed their checksum but do not combine",
                where="share collection",
                todo="one of them was damaged in more words than the checksum can catch: "
                "try again with other custodians' shares",
            ) from None
        finally:
            chosen.clear()
        identity = CustodyIdentity(secret)
        del secret
        if self.record is not None and identity.recipient != self.record.recipient:
            identity.forget()
            raise wrong_secret(self.record)
        return identity


def wrong_secret(record: CustodyRecord | None) -> WrongSecretError:
    """The error for shares that combine into an identity that does not open
    the bundle: with SLIP-39 that is a wrong passphrase (or none given)."""
    hint = ""
    if record is not None:
        hint = (
            "; custody.json says this set was split with a passphrase"
            if record.shares.passphrase
            else "; custody.json says this set was split without a passphrase: leave it empty"
        )
    return WrongSecretError(
        "the shares combine, but into a different key than the one the bundle was sealed to: "
        "the SLIP-39 passphrase is wrong (SLIP-39 accepts any passphrase and gives "
        "another key)" + hint,
        where="share collection",
        todo="type the passphrase again; nothing was changed and the shares are kept",
    )

