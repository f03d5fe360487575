"""Recovering a custody bundle's keys: shares from custodians, then the bundle.

"collect-shares" asks the Operator for one share at a time (typed words, a
text file, or a QR code in an image) until a threshold is in, then for any
more the operator gives: each is checked as fully as the rest (it must
combine into the same secret), reported, and not used. A refused
share (a changed or swapped word, a duplicate, another ceremony's share, a
damaged file) is reported with the collector's exact reason, and the shares
already collected are kept. "open-custody" recovers the identity (asking
for the SLIP-39 passphrase when the record says one was used; a wrong one is
caught by the recipient check and asked again), decrypts the bundle from
the first good copy (damaged copies are reported), and checks every key
against its recorded fingerprint and against the current root: a key the
current bundle names differently, or too few root keys to sign, stops the
recovery before anything is signed. The recovered keys then sign as the
current bundle's keys do.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from ceremony.custody import (
    FoundCopies,
    KeyMismatchError,
    Restored,
    ShareCollector,
    ShareError,
    WrongSecretError,
    open_archive,
)
from ceremony.custody.identity import CustodyIdentity
from ceremony.custody.passphrase import open_with_passphrase
from ceremony.custody.progress import Progress
from ceremony.custody.record import ShareSetRecord
from ceremony.engine.context import Context
from ceremony.engine.custody_preflight import find_copies
from ceremony.engine.secrets import ask_secret
from ceremony.engine.step import Step
from ceremony.errors import CeremonyAbandonedError, CeremonyError
from ceremony.events import (
    CustodyOpened,
    Event,
    KeyRecovered,
    ShareAccepted,
    ShareRefused,
)
from ceremony.events import Warning as WarningEvent
from ceremony.operator import Secret, SecretKind, SecretRequest, ShareAnswer, ShareRequest
from ceremony.script.plan import PassphraseSource
from ceremony.steps.custody_state import state

MAX_REFUSED = 20  # then the recovery stops: something is wrong beyond a typo
PASSPHRASE_TRIES = 3


def recovery_steps(matches: str) -> list[Step]:
    """A recovery's first two steps, the same in every flavor: the shares, then the
    custody bundle they open, whose keys are matched with ``matches`` (the flavor's
    words for the current root's keys)."""
    return [
        Step(
            "collect-shares",
            "Collect the custodians' shares",
            collect,
            say_aloud="Each custodian, in turn, opens their sealed sheet and reads or scans it; "
            "say the bag number aloud first.",
            check_by_eye="Each bag is intact and its number is the one written in the paper "
            "log when the share was handed out.",
        ),
        Step(
            "open-custody",
            "Open the custody bundle and check every key",
            open_custody,
            # a key rotated away since the custody was made is expected, not a fault
            check_by_eye=f"Each recovered key that is {matches} names its roles; one "
            "rotated away since the custody was made says it has none, and is not used.",
        ),
    ]


def collect(ctx: Context) -> Iterator[Event]:
    found, missing = find_copies(ctx.plan, ctx.current)
    st = state(ctx)
    st.recovered = found.record
    st.found = found
    for note in missing:
        yield WarningEvent(f"custody copy not used: {note}")
    for note in found.notes:  # the copies vouch for themselves: say so
        yield WarningEvent(note)
    if found.record.rehearsal:  # preflight refused it unless this is a rehearsal too
        yield WarningEvent(
            f"the custody bundle of ceremony {found.record.ceremony_id} is a REHEARSAL's: "
            "its keys are practice keys, never to be trusted in production"
        )
    shares = found.record.shares
    if not isinstance(shares, ShareSetRecord):
        return  # sealed to a passphrase, no shares: open_custody asks for it
    ask = getattr(ctx.operator, "share", None)
    if ask is None:
        raise CeremonyError(
            "this front end cannot collect custody shares yet",
            todo="run the recovery with `ceremony run`; nothing was changed",
        )
    collector = ShareCollector(found.record)
    st.collector = collector
    refused, problem, attempt = 0, "", 1
    while True:
        number, complete = collector.next_number, collector.progress().complete
        answer = ask(ShareRequest(
            id=f"share/{number}",
            ceremony_id=found.record.ceremony_id,
            set_id=shares.identifier,
            number=number,
            progress=_beyond(collector) if complete else collector.progress().describe(),
            attempt=attempt,
            problem=problem,
            beyond_threshold=complete,
            check_words=lambda typed: collector.check_partial(typed, source="typed"),
            sheet_of=collector.sheet_of,
        ))
        if answer is None and complete:
            return
        if answer is None:
            raise CeremonyAbandonedError(
                f"no more shares were given: {collector.progress().describe()}",
                where="share collection",
                todo="nothing was changed; run the recovery again with enough custodians",
            )
        try:
            progress = _add(ctx, collector, answer)
        except ShareError as error:
            refused += 1
            problem, attempt = error.message(), attempt + 1
            yield ShareRefused(number=number, source=answer.source, reason=error.message())
            if refused >= MAX_REFUSED:
                raise CeremonyError(
                    f"{refused} shares were refused", where="share collection",
                    todo="nothing was changed; check that the sheets are this ceremony's "
                    "and run the recovery again",
                ) from None
            continue
        problem, attempt = "", 1
        said = progress.describe()
        if complete and collector.combines(number):
            said = ("beyond the threshold, so not used; checked: it is of this set and "
                    "combines with the others into the same secret")
        elif complete:
            said = ("beyond the threshold, so not used; checked: its words and its set (its "
                    "group has too few shares to check that it combines)")
        yield ShareAccepted(number=number, source=answer.source, progress=said)


def _beyond(collector: ShareCollector) -> str:
    """What a request for a share beyond the threshold says."""
    extra = collector.beyond_threshold
    given = f"; {extra} more given and checked" if extra else ""
    return (
        f"enough shares are collected to recover{given}; any other share given is checked "
        "and reported, not used"
    )


def _add(ctx: Context, collector: ShareCollector, answer: ShareAnswer) -> Progress:
    if answer.how == "typed":
        words = answer.words.reveal() if answer.words is not None else ""
        ctx.remember_secret(Secret(" ".join(words.split())))
        return collector.add(words, source="typed")
    if answer.how == "file" and answer.path is not None:
        return collector.add_file(answer.path)
    if answer.how == "image" and answer.path is not None:
        return collector.add_image(answer.path)
    raise CeremonyError(f"a share was offered as {answer.how!r}, not typed, file or image")


def open_custody(ctx: Context) -> Iterator[Event]:
    restored = yield from restore(ctx)
    yield from check_and_attach(ctx, restored)
    if ctx.plan.custody is None:  # no new shares today: the old ones are now known
        yield WarningEvent(shares_seen(state(ctx).found))


def shares_seen(found: FoundCopies | None) -> str:
    """What a recovery that seals no new custody leaves behind, and what to do."""
    record = found.record if found is not None else None
    name = f"custody bundle {record.ceremony_id}" if record is not None else "custody bundle"
    given = ("its passphrase was typed" if record is not None and record.passphrase_only
             else "the shares given today have now been seen")
    return (
        f"{given} in this room, and no new custody bundle is sealed today: the {name} is "
        "only as safe as everyone present. Seal new custody soon (a rotate-root with "
        "custody:, signed with these root keys), then retire this one on each of its media "
        "(`ceremony custody retire COPY --reason ...`)"
    )


def restore(ctx: Context) -> Generator[Event, None, Restored]:
    """Open the custody bundle (shares or passphrase); returns the restored
    keys, not yet checked against the current root (check_and_attach)."""
    st = state(ctx)
    found = st.found
    assert found is not None  # collect-shares found the copies
    record = found.record
    if record.passphrase_only:
        restored = _open_with_passphrase(ctx, found)
    else:
        assert st.collector is not None  # collect-shares collected the shares
        identity = _recover_identity(ctx, st.collector)
        try:
            restored = open_archive(found, identity)
        finally:
            identity.forget()
            st.collector = None  # the shares leave memory
    yield CustodyOpened(
        custody_id=record.ceremony_id,
        copy=str(restored.used),
        problems=tuple(str(p) for p in restored.problems),
    )
    return restored


def _passphrase(
    ctx: Context,
    request_id: str,
    key: str,
    prompt: str,
    source: PassphraseSource | None,
    attempt: int,
) -> tuple[Secret, bool]:
    """The passphrase asked for, and whether it came from the environment."""
    secret = ask_secret(ctx, SecretRequest(
        id=request_id, key=key, prompt=prompt, attempt=attempt,
        env=source.name if source is not None and source.kind == "env" else "",
        kind=SecretKind.CUSTODY_PASSPHRASE if key == "custody-passphrase"
        else SecretKind.SHARE_PASSPHRASE,
    ))
    return secret, source is not None and source.kind == "env"


def _retry(ctx: Context, from_env: bool, attempt: int) -> bool:
    return not from_env and attempt < PASSPHRASE_TRIES and getattr(ctx.operator, "can_retry", True)


def _recover_identity(ctx: Context, collector: ShareCollector) -> CustodyIdentity:
    record = collector.record
    # collect-shares made the collector with the record of a bundle with shares
    assert record is not None and isinstance(record.shares, ShareSetRecord)
    assert ctx.plan.recover_from is not None  # a recovery's script says where from
    source = ctx.plan.recover_from.slip39_passphrase
    for attempt in range(1, PASSPHRASE_TRIES + 1):
        passphrase, from_env = Secret(""), False
        if record.shares.passphrase:
            passphrase, from_env = _passphrase(
                ctx, "passphrase/slip39", "slip39-passphrase",
                f"SLIP-39 passphrase of the custody shares of ceremony {record.ceremony_id}",
                source, attempt,
            )
        try:
            return collector.recover(passphrase.reveal())
        except WrongSecretError:
            if not record.shares.passphrase or not _retry(ctx, from_env, attempt):
                raise
        finally:
            passphrase.forget()
    raise AssertionError("unreachable")  # the loop returns or raises


def _open_with_passphrase(ctx: Context, found: FoundCopies) -> Restored:
    assert ctx.plan.recover_from is not None  # a recovery's script says where from
    source = ctx.plan.recover_from.passphrase
    for attempt in range(1, PASSPHRASE_TRIES + 1):
        passphrase, from_env = _passphrase(
            ctx, "passphrase/custody", "custody-passphrase",
            f"Passphrase of the custody bundle of ceremony {found.record.ceremony_id}",
            source, attempt,
        )
        try:
            return open_with_passphrase(found, passphrase.reveal())
        except WrongSecretError:
            if not _retry(ctx, from_env, attempt):
                raise
        finally:
            passphrase.forget()
    raise AssertionError("unreachable")  # the loop returns or raises


def check_and_attach(ctx: Context, restored: Restored) -> Iterator[Event]:
    """Every recovered key against the current state: a key the current bundle
    names differently, or too few root keys to sign each current root, stops
    the recovery; the keys the current root(s) use become today's signers."""
    where = f"custody bundle {restored.record.ceremony_id}"
    ids = {key.name: ctx.flavor.key_id(key.private_key.public_key()) for key in restored.keys}
    for key in restored.keys:
        named = ctx.keys.get(key.name)
        if named is not None and named.keyid != ids[key.name]:
            raise KeyMismatchError(
                f"key {key.name} in the custody bundle has id {ids[key.name][:8]}, but the "
                f"current bundle's {key.name} is {named.keyid[:8]}",
                where=where,
                todo="this custody bundle is not of this repository's ceremonies: use no key "
                "from it; bring the right copies",
            )
    for label, result in ctx.building_on.root_thresholds(set(ids.values())):
        if not result.met:
            raise KeyMismatchError(
                f"the recovered root keys give {label} {result.words()}: its keys do not "
                "match this root",
                where=where,
                todo="bring the custody bundle of a ceremony that made this root's keys; "
                "nothing was signed",
            )
    st = state(ctx)
    for key in restored.keys:
        keyid = ids[key.name]
        roles = ctx.building_on.roles_of(keyid)
        record = ctx.key_by_keyid(keyid)
        if record is not None and roles:
            record.signer = key.software_key(record.location)
            st.keys_recovered.append(record.name)
        else:
            st.unattached[key.name] = key
        yield KeyRecovered(key=key.name, keyid=keyid, current_roles=roles)
