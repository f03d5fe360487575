"""Handing the shares out, and the test restore that ends custody in a ceremony.

Hand-out goes one custodian at a time through the Operator (a ShareHandout
request): the custodian takes their sheet and reads its checksum words
(31-33) back; words that do not match are asked for again, three times at
most. The test restore then does what a recovery will do, from the text
sheets as written to their medium and with a threshold of shares other than
the first ones (the last of each group): collect, recover the identity,
open every copy and match every key. A failure stops the ceremony before
the export bundle is written. Last, share words are dropped from memory,
and a custody bundle replaced today (a recovery's) is declared retired.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from ceremony.custody import trial_restore
from ceremony.custody.passphrase import trial_restore_with_passphrase
from ceremony.custody.record import ShareSetRecord
from ceremony.custody.share_input import ShareInputError, read_text_file
from ceremony.custody.words import normalize
from ceremony.engine.context import Context
from ceremony.errors import CeremonyError, MediaError
from ceremony.events import Event, RestoreTested, ShareHandedOut, SharesRetired
from ceremony.events import Warning as WarningEvent
from ceremony.operator import Secret, ShareHandout, witness_of
from ceremony.steps.custody_state import custody_spec, state
from ceremony.steps.rehome import retire_reason

READ_BACK_TRIES = 3


def hand_out(ctx: Context) -> Iterator[Event]:
    st = state(ctx)
    ask = getattr(ctx.operator, "hand_out", None)
    if ask is None:
        raise CeremonyError(
            "this front end cannot hand out custody shares yet",
            todo="run the ceremony with `ceremony run`; nothing was sealed",
        )
    custodians = custody_spec(ctx).custodians
    assert st.shares is not None  # the sealing step split the identity into shares
    for share in st.shares.shares:
        custodian = custodians[share.number - 1] if custodians else ""
        expected = tuple(share.checksum_words)
        first = len(share.words) - len(expected) + 1
        problem = ""
        for attempt in range(1, READ_BACK_TRIES + 1):
            answer: Secret = ask(ShareHandout(
                id=f"handout/share-{share.number:02d}",
                ceremony_id=st.sealed.ceremony_id,
                number=share.number,
                total=share.total,
                custodian=custodian,
                group=share.group,
                group_count=share.group_count,
                member=share.member,
                member_count=share.member_count,
                member_threshold=share.member_threshold,
                group_threshold=share.group_threshold,
                sheet_pdf=str(st.sheet_pdfs[share.number]),
                sheet_text=str(st.sheet_texts[share.number]),
                checksum_positions=tuple(range(first, len(share.words) + 1)),
                share=Secret(share.mnemonic),
                attempt=attempt,
                problem=problem,
            ))
            read = tuple(normalize(w) for w in answer.reveal().split())
            if not read:
                yield WarningEvent(
                    f"share {share.number} was handed out without its checksum words read back"
                )
                witness = witness_of(ctx.operator, f"handout/share-{share.number:02d}")
                yield ShareHandedOut(
                    share.number, share.total, custodian, read_back=False, witness=witness
                )
                break
            if read == expected:
                yield ShareHandedOut(share.number, share.total, custodian, read_back=True)
                break
            problem = _mismatch(read, expected, first)
        else:
            who = f" ({custodian})" if custodian else ""
            raise CeremonyError(
                f"the custodian of share {share.number}{who} read back words {first}-"
                f"{len(share.words)} differently {READ_BACK_TRIES} times",
                where=str(st.sheet_pdfs[share.number]),
                todo="check that the sheet in their hands is share "
                f"{share.number} of {share.total} of this ceremony and printed whole; "
                "nothing was sealed, run the ceremony again",
            )


def _mismatch(read: tuple[str, ...], expected: tuple[str, ...], first: int) -> str:
    if len(read) != len(expected):
        return f"{len(read)} words were read back; read words {first} to {first + 2}, all three"
    wrong = [str(first + i) for i, (a, b) in enumerate(zip(read, expected, strict=True)) if a != b]
    if len(wrong) == 1:
        return f"word {wrong[0]} differs from the sheet; read it again, letter by letter"
    listed = f"{', '.join(wrong[:-1])} and {wrong[-1]}"
    return f"words {listed} differ from the sheet; read them again, letter by letter"


def test_restore(ctx: Context) -> Iterator[Event]:
    st = state(ctx)
    record = st.sealed
    try:
        passphrase = st.passphrase
        assert passphrase is not None  # the sealing step keeps it ("" for none) until here
        if record.passphrase_only:
            trial = trial_restore_with_passphrase(record, st.copies, passphrase.reveal())
        else:
            assert st.shares is not None  # sealed with shares, kept until here
            chosen = st.shares.trial_subset()
            from_sheets = [
                dataclasses.replace(s, words=_sheet_words(st.sheet_texts[s.number]))
                for s in chosen
            ]
            trial = trial_restore(record, st.copies, from_sheets, passphrase.reveal())
    finally:
        st.shares = None  # the share words leave memory (as far as Python lets them)
        if st.passphrase is not None:
            st.passphrase.forget()
    yield RestoreTested(
        custody_id=record.ceremony_id,
        shares_used=trial.shares_used,
        copies_checked=tuple(str(p) for p in trial.copies_checked),
        keys_matched=trial.keys_matched,
    )
    if st.recovered is not None and st.recovered.ceremony_id != record.ceremony_id:
        old = st.recovered
        st.retired.append(old.ceremony_id)
        yield SharesRetired(
            custody_id=old.ceremony_id,
            set_id=old.shares.identifier if isinstance(old.shares, ShareSetRecord) else None,
            replaced_by=record.ceremony_id,
            reason=retire_reason(ctx, record.ceremony_id),  # recover_actions.py
        )


def _sheet_words(path: Path) -> tuple[str, ...]:
    try:
        return tuple(read_text_file(path))
    except ShareInputError as error:
        raise MediaError(error.what, where=str(path), todo=error.todo) from None
