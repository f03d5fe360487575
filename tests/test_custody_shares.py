"""SLIP-39 shares: split, recover from every threshold subset, and every way a
share offered for recovery can be wrong, each with its exact message."""

from __future__ import annotations

import itertools

import pytest
import shamir_mnemonic
from custody_helpers import another_set, holds_share_words, make, runs_of_words

from ceremony.custody import (
    DuplicateShareError,
    ForeignShareError,
    NotEnoughSharesError,
    ShareChecksumError,
    ShareCollector,
    ShareFormatError,
    SharePlan,
    SharePlanError,
    UnknownWordError,
    WrongSecretError,
)
from ceremony.custody.identity import CustodyIdentity
from ceremony.custody.shares import split_identity
from ceremony.custody.words import complete, diagnose, suggest


@pytest.fixture(scope="module")
def custody():
    return make(SharePlan.of(3, 5))


@pytest.fixture(scope="module")
def other_custody(custody):
    return another_set(custody)


def sheet(custody, number):
    return custody.shares.shares[number - 1]


# splitting ---------------------------------------------------------------

@pytest.mark.parametrize(
    "groups, group_threshold, message",
    [
        (((4, 3),), 1, "the plan asks for 4 of 3 shares; SLIP-39 needs 1 <= m <= n <= 16. "
                       "change the threshold or the number of custodians"),
        (((1, 3),), 1, "the plan is 1 of 3: SLIP-39 does not make several shares any one of "
                       "which recovers the secret. use 1 of 1 and copy that sheet, or raise "
                       "the threshold"),
        (((2, 17),), 1, "the plan asks for 2 of 17 shares; SLIP-39 needs 1 <= m <= n <= 16. "
                        "change the threshold or the number of custodians"),
        (((2, 3), (2, 3)), 3, "the group threshold 3 must be 1 to 2, the number of groups. "
                              "change the group threshold in the ceremony script"),
    ],
)
def test_impossible_plans_are_refused(groups, group_threshold, message):
    with pytest.raises(SharePlanError) as error:
        SharePlan(groups, group_threshold)
    assert str(error.value) == message


def test_a_share_is_33_words_and_names_its_place_in_the_plan(custody):
    shares = custody.shares.shares
    assert [(s.number, s.total, s.member, s.member_threshold) for s in shares] == [
        (n, 5, n, 3) for n in range(1, 6)
    ]
    assert all(len(s.words) == 33 for s in shares)
    assert shares[0].checksum_words == shares[0].words[-3:]
    assert "words" not in repr(shares[0])
    assert not any(holds_share_words(s.words, repr(custody.shares)) for s in shares)


def test_the_passphrase_must_be_printable_ascii():
    with pytest.raises(SharePlanError, match="not printable ASCII"):
        split_identity(CustodyIdentity.generate(), SharePlan.of(2, 3), "pässword")


# recovering --------------------------------------------------------------

def test_every_3_of_5_subset_recovers_the_identity(custody):
    subsets = list(itertools.combinations(custody.shares.shares, 3))
    assert len(subsets) == 10
    for subset in subsets:
        collector = ShareCollector(custody.record)
        for share in subset:
            collector.add(share.mnemonic, source=f"sheet {share.number}")
        identity = collector.recover()
        assert identity.recipient == custody.record.recipient
        identity.forget()


def test_any_slip39_implementation_recovers_the_same_secret(custody):
    words = [s.mnemonic for s in custody.shares.shares[2:]]
    collector = ShareCollector(custody.record)
    for share in words:
        collector.add(share)
    identity = collector.recover()
    assert shamir_mnemonic.combine_mnemonics(words) == identity.secret()


def test_groups_two_of_three_sites_two_of_three_people():
    plan = SharePlan(((2, 3), (2, 3), (2, 3)), group_threshold=2)
    custody = make(plan)
    group = custody.shares.group
    for first, second in itertools.combinations((1, 2, 3), 2):
        for pair_a, pair_b in [((0, 1), (1, 2)), ((0, 2), (0, 1))]:
            collector = ShareCollector(custody.record)
            for i in pair_a:
                collector.add(group(first)[i].words)
            for i in pair_b:
                collector.add(group(second)[i].words)
            assert collector.recover().recipient == custody.record.recipient


def test_too_few_shares_says_how_many_more(custody):
    collector = ShareCollector(custody.record)
    assert collector.progress().describe() == "0 of 3 shares collected; 3 more shares needed"
    collector.add(sheet(custody, 1).words)
    collector.add(sheet(custody, 4).words)
    with pytest.raises(NotEnoughSharesError) as error:
        collector.recover()
    assert str(error.value) == (
        "share collection: not enough shares yet: 2 of 3 shares collected; 1 more share "
        "needed. collect more shares, then recover"
    )
    assert error.value.progress.fewest_more == 1


def test_too_few_shares_in_groups_says_which_group():
    custody = make(SharePlan(((2, 3), (2, 3), (3, 4)), group_threshold=2))
    collector = ShareCollector(custody.record)
    for share in custody.shares.group(1)[:2] + custody.shares.group(3)[:1]:
        collector.add(share.words)
    with pytest.raises(NotEnoughSharesError) as error:
        collector.recover()
    assert str(error.value) == (
        "share collection: not enough shares yet: 1 more group to complete (at least 2 more "
        "shares); group 1 complete; group 2: 0 of 2, 2 more; group 3: 1 of 3, 2 more. "
        "collect more shares, then recover"
    )


def test_without_a_record_the_first_share_sets_the_expectations(custody, other_custody):
    collector = ShareCollector()
    assert collector.progress().describe() == "no share collected yet"
    collector.add(sheet(custody, 2).words)
    with pytest.raises(ForeignShareError) as error:
        collector.add(sheet(other_custody, 3).words)
    assert str(error.value) == (
        f"share 2: it belongs to another share set (set id "
        f"{other_custody.shares.facts.identifier}), not set id "
        f"{custody.shares.facts.identifier}, as share 1 was. this sheet is from another "
        "ceremony or bundle: ask for this ceremony's share"
    )
    collector.add(sheet(custody, 3).words)
    collector.add(sheet(custody, 5).words)
    assert collector.recover().recipient == custody.record.recipient


# bad shares, each with its exact error --------------------------------------

def test_a_changed_word_is_pinpointed(custody):
    collector = ShareCollector(custody.record)
    collector.add(sheet(custody, 1).words, source="typed")
    words = list(sheet(custody, 2).words)
    words[9] = next(w for w in ("academic", "acid", "acne") if w != words[9])
    with pytest.raises(ShareChecksumError) as error:
        collector.add(words, source="typed")
    assert str(error.value) == (
        "share 2 (typed): the checksum fails: word 10 looks wrong. compare word 10 with the "
        "sheet and type it again"
    )
    assert (error.value.number, error.value.changed, error.value.swapped) == (2, 10, None)
    assert collector.count == 1  # the good share is kept
    assert collector.check_partial(words[:32]) == 1  # as typed: checked once the 33rd is in
    with pytest.raises(ShareChecksumError) as partial:
        collector.check_partial(words)
    assert (partial.value.changed, partial.value.swapped) == (10, None)
    assert collector.check_partial(sheet(custody, 2).words) == 0


def test_two_swapped_words_are_pinpointed(custody):
    collector = ShareCollector(custody.record)
    words = list(sheet(custody, 3).words)
    i = next(i for i in range(11, 30) if words[i] != words[i + 1])
    words[i], words[i + 1] = words[i + 1], words[i]
    with pytest.raises(ShareChecksumError) as error:
        collector.add(" ".join(words), source="shares.txt")
    assert str(error.value) == (
        f"share 1 (shares.txt): the checksum fails: words {i + 1} and {i + 2} look swapped. "
        f"compare words {i + 1} and {i + 2} with the sheet and type them in its order"
    )
    assert error.value.swapped == (i + 1, i + 2)


def test_swaps_far_apart_and_changes_anywhere_are_found(custody):
    from ceremony.custody.words import WORD_INDEX

    indices = [WORD_INDEX[w] for w in sheet(custody, 4).words]
    for position in range(33):
        changed = list(indices)
        changed[position] ^= 0x155
        assert diagnose(changed, False).changed == position + 1
    swapped = list(indices)
    a, b = next((a, b) for a, b in [(0, 32), (2, 17), (5, 30)] if indices[a] != indices[b])
    swapped[a], swapped[b] = swapped[b], swapped[a]
    assert diagnose(swapped, False).swapped == (a + 1, b + 1)


def test_three_wrong_words_are_not_guessed_at(custody):
    collector = ShareCollector(custody.record)
    words = list(sheet(custody, 1).words)
    for i in (6, 14, 22):
        words[i] = "zero" if words[i] != "zero" else "zone"
    with pytest.raises(ShareChecksumError) as error:
        collector.add(words)
    assert str(error.value) == (
        "share 1: the checksum fails: more than one word is wrong. compare every word with "
        "the sheet, in order, and type the share again"
    )


def test_a_word_not_in_the_list_gets_suggestions_as_data(custody):
    collector = ShareCollector(custody.record)
    words = list(sheet(custody, 1).words)
    typo = words[6][:-1] + ("x" if words[6][-1] != "x" else "y")
    words[6] = typo
    with pytest.raises(UnknownWordError) as error:
        collector.add(words, source="typed")
    assert str(error.value) == (
        "share 1 (typed): word 7 is not in the SLIP-39 word list. compare with the sheet: "
        "the first four letters of each word are enough to tell it apart"
    )
    assert error.value.positions == (7,)
    assert sheet(custody, 1).words[6] in error.value.suggestions[7]
    assert typo not in str(error.value)


def test_a_duplicate_share_is_refused(custody):
    collector = ShareCollector(custody.record)
    collector.add(sheet(custody, 4).words, source="alice")
    collector.add(sheet(custody, 2).words, source="bob")
    with pytest.raises(DuplicateShareError) as error:
        collector.add(sheet(custody, 4).words, source="carol")
    assert str(error.value) == (
        'share 3 (carol): it is the sheet "Share 4 of 5" again, already given as share 1. '
        "each share counts once: ask another custodian for theirs"
    )
    assert collector.count == 2


def test_a_share_from_another_ceremony_is_refused(custody, other_custody):
    collector = ShareCollector(custody.record)
    collector.add(sheet(custody, 1).words)
    with pytest.raises(ForeignShareError) as error:
        collector.add(sheet(other_custody, 2).words, source="sheet of dave")
    assert str(error.value) == (
        f"share 2 (sheet of dave): it belongs to another share set (set id "
        f"{other_custody.shares.facts.identifier}), not ceremony "
        f"20261126T173000Z-bootstrap-3f2a9c1e (set id {custody.shares.facts.identifier}). "
        "this sheet is from another ceremony or bundle: ask for this ceremony's share"
    )


def test_a_share_with_a_missing_word_or_a_cut_short_file(custody):
    collector = ShareCollector(custody.record)
    with pytest.raises(ShareFormatError) as error:
        collector.add(sheet(custody, 1).words[:32])
    assert str(error.value) == (
        "share 1: it has 32 words; a custody share has 33. a word is missing or extra (or the "
        "file is cut short): compare with the numbered words on the sheet"
    )


def test_a_wrong_passphrase_is_caught_against_the_record():
    custody = make(SharePlan.of(2, 3), passphrase="correct horse battery staple")
    for wrong in ("correct horse battery stapler", ""):
        collector = ShareCollector(custody.record)
        for share in custody.shares.shares[1:]:
            collector.add(share.words)
        with pytest.raises(WrongSecretError) as error:
            collector.recover(wrong)
        assert str(error.value) == (
            "share collection: the shares combine, but into a different key than the one the "
            "bundle was sealed to: the SLIP-39 passphrase is wrong (SLIP-39 accepts any "
            "passphrase and gives another key); custody.json says this set was split with a "
            "passphrase. type the passphrase again; nothing was changed and the shares are kept"
        )
        assert collector.count == 2
    assert collector.recover("correct horse battery staple").recipient == custody.record.recipient


# typing word by word ------------------------------------------------------

def test_completion_and_suggestions():
    assert complete("acad") == ("academic",)
    assert complete("ACA") == ("academic",)
    assert len(complete("")) == 1024
    assert suggest("acdemic")[0] == "academic"
    assert suggest("acadamic")[0] == "academic"
    assert suggest("academics")[0] == "academic"


def test_check_partial_catches_problems_before_the_last_word(custody, other_custody):
    collector = ShareCollector(custody.record)
    words = sheet(custody, 2).words
    assert collector.check_partial(words[:5]) == 28
    with pytest.raises(UnknownWordError) as error:
        collector.check_partial([*words[:3], "qwerty"])
    assert error.value.positions == (4,)
    with pytest.raises(ForeignShareError, match="first two words say it belongs to another"):
        collector.check_partial(other_custody.shares.shares[0].words[:2])
    collector.add(words)
    with pytest.raises(DuplicateShareError) as error:
        collector.check_partial(words[:4])
    assert str(error.value) == (
        'share 2: it is the sheet "Share 2 of 5" again, already given as share 1. check words '
        "1 to 4 against the sheet; if they match, each share counts once: ask another "
        "custodian for theirs"
    )


# no secret in any message ----------------------------------------------------

def test_no_error_message_holds_share_words(custody, other_custody):
    share = sheet(custody, 1)
    runs = runs_of_words(share.words) | runs_of_words(sheet(custody, 2).words)
    messages = []
    collector = ShareCollector(custody.record)
    bad_inputs = [
        list(share.words[:20]),
        [*share.words[:32], "acid" if share.words[32] != "acid" else "acne"],
        [*share.words[:5], "blorp", *share.words[6:]],
        list(other_custody.shares.shares[0].words),
    ]
    for bad in bad_inputs:
        with pytest.raises(Exception) as error:
            collector.add(bad)
        messages.append(str(error.value))
    collector.add(share.words)
    with pytest.raises(DuplicateShareError) as error:
        collector.add(share.words)
    messages.append(str(error.value))
    with pytest.raises(NotEnoughSharesError) as error:
        collector.recover()
    messages.append(str(error.value))
    for message in messages:
        assert not any(run in message for run in runs), message
        assert custody.record.recipient not in message


def test_pasted_text_may_carry_word_numbers(custody):
    collector = ShareCollector(custody.record)
    share = sheet(custody, 5)
    pasted = "\n".join(f"{n:02d} {w}" for n, w in enumerate(share.words, 1))
    collector.add(pasted, source="pasted")
    assert collector.count == 1


def test_two_different_shares_claiming_the_same_place(custody):
    import dataclasses

    real = shamir_mnemonic.Share.from_mnemonic(sheet(custody, 2).mnemonic)
    forged = dataclasses.replace(real, value=bytes(len(real.value))).mnemonic()
    collector = ShareCollector()
    collector.add(sheet(custody, 2).words)
    with pytest.raises(DuplicateShareError) as error:
        collector.add(forged)
    assert str(error.value) == (
        "share 2: it claims to be the sheet numbered 2, like share 1, but its words differ. one "
        "of the two is not from this share set: compare both with their sheets and ask for "
        "another custodian's share"
    )
