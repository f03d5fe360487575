"""Custody in a ceremony: seal the software keys, write the copies and the sheets.

When a bootstrap, rotate-root or recover script has a ``custody:`` section,
three steps run after the metadata is signed and before the export bundle is
written: this module's "custody-bundle" (seal every root and targets key
whose private part is in memory into an age bundle, write it to each medium,
split its identity into SLIP-39 shares and write one sheet per share, PDF
and text, to the sheets' medium), then custody_handout.py's "hand-out" and
"test-restore". A failure in any of them stops the ceremony: the engine then
runs the cleanups registered here, which remove the copies and sheets
written, so nothing half-made is left behind. Copies and sheets are written
with an INCOMPLETE mark that the engine removes only once the bundle is
sealed: a kill (no cleanup) leaves them marked, refused by recovery and
named as leftovers.

Share words live in memory only until the test restore; they reach no event,
message or file but the sheets. The transcript is told to refuse them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ceremony.bundle.leftovers import SHEETS_PREFIX
from ceremony.custody import CustodyKey, SharePlan, make_custody, write_copies
from ceremony.custody.copies import EncryptedArchive
from ceremony.custody.media import remove_directory, write_directory
from ceremony.custody.passphrase import encrypt_with_passphrase
from ceremony.custody.record import ShareSetRecord
from ceremony.custody.recovery_doc import beside_copy
from ceremony.custody.shares import ShareSet
from ceremony.engine.context import Context
from ceremony.engine.secrets import ask_secret
from ceremony.engine.step import Step
from ceremony.errors import CeremonyError
from ceremony.events import CustodySealed, Event, ShareSheetsWritten
from ceremony.events import Warning as WarningEvent
from ceremony.operator import Confirmation, Secret, SecretKind, SecretRequest
from ceremony.script.plan import PassphraseSource, Plan
from ceremony.steps import handout as custody_handout
from ceremony.steps.common import confirm
from ceremony.steps.custody_state import custody_spec, state


def keys_for_custody(ctx: Context) -> tuple[list[CustodyKey], list[str]]:
    """The keys whose private part is here, of the roles the flavor seals
    (``Flavor.custody_roles``: the offline keys of the roots signed today), and
    the names of the root keys whose private part is not here."""
    roles_of = ctx.flavor.custody_roles(ctx)
    keys: list[CustodyKey] = []
    absent: list[str] = []
    for name, record in ctx.keys.items():
        roles = roles_of(record)
        if not roles:
            continue
        take = getattr(record.signer, "private_key_for_custody", None)
        if take is not None:
            keys.append(CustodyKey(name, roles, take()))
        elif "root" in roles:
            absent.append(name)
    return keys, absent


def put_in_custody(ctx: Context, *, roots: bool = True) -> Iterator[Event]:
    """Seal the keys; ``roots``: the ceremony signs a root, so custody without a
    root key is refused (False for a kind with no root, such as Sigstore's
    migrate-dct, whose custody holds its cosign keys)."""
    custody = custody_spec(ctx)
    keys, absent = keys_for_custody(ctx)
    for name in absent:
        yield WarningEvent(
            f"root key {name} is not in this custody bundle: its private part is not in "
            "memory today (its keyholder keeps it, or it lives on a token)"
        )
    if roots and not any("root" in key.roles for key in keys):
        raise CeremonyError(
            "no root key's private part is in memory, so there is nothing to put in custody",
            todo="remove custody: from the script, or open the root keys (sign-with) today",
        )
    if not keys:
        raise CeremonyError(
            "no key's private part is in memory (every key lives on a token), so there is "
            "nothing to put in custody",
            todo="remove custody: from the script",
        )
    places = ", ".join(str(m) for m in custody.media)
    if custody.sheets is not None:
        places += f"; share sheets to {custody.sheets}"
    yield from confirm(ctx, Confirmation(
        id="confirm/custody",
        question=f"Seal {', '.join(k.name for k in keys)} into the custody bundle?",
        detail=f"Copies go to {places}.",
    ))
    if custody.mode == "passphrase-only":
        yield from _encrypt_to_passphrase(ctx, keys)
    else:
        yield from _encrypt_to_shares(ctx, keys)


def _ask_new_secret(
    ctx: Context, request_id: str, key: str, prompt: str, source: PassphraseSource | None
) -> Secret:
    return ask_secret(ctx, SecretRequest(
        id=request_id, key=key, prompt=prompt, new=True,
        env=source.name if source is not None and source.kind == "env" else "",
        kind=SecretKind.CUSTODY_PASSPHRASE if key == "custody-passphrase"
        else SecretKind.SHARE_PASSPHRASE,
    ))


def _encrypt_to_shares(ctx: Context, keys: list[CustodyKey]) -> Iterator[Event]:
    custody, st = custody_spec(ctx), state(ctx)
    passphrase = Secret("")
    if custody.passphrase is not None:
        passphrase = _ask_new_secret(
            ctx, "passphrase/slip39", "slip39-passphrase",
            "New SLIP-39 passphrase for the custody shares (every recovery will need it)",
            custody.passphrase,
        )
    made = make_custody(
        keys, ceremony_id=ctx.id, root_version=ctx.flavor.custody_root_version(ctx),
        plan=SharePlan(custody.groups, custody.group_threshold),
        passphrase=passphrase.reveal(), rehearsal=ctx.plan.rehearsal,
    )
    for share in made.shares.shares:
        ctx.remember_secret(Secret(share.mnemonic))
    st.record, st.shares, st.passphrase = made.record, made.shares, passphrase
    yield from _write_copies(ctx, made.sealed, made.shares.plan.describe())
    yield from _write_sheets(ctx, made.shares)


def _encrypt_to_passphrase(ctx: Context, keys: list[CustodyKey]) -> Iterator[Event]:
    st = state(ctx)
    passphrase = _ask_new_secret(
        ctx, "passphrase/custody", "custody-passphrase",
        "New passphrase for the custody bundle (it alone opens every key in it)",
        custody_spec(ctx).passphrase,
    )
    sealed = encrypt_with_passphrase(
        keys,
        passphrase.reveal(),
        ceremony_id=ctx.id,
        root_version=ctx.flavor.custody_root_version(ctx),
        rehearsal=ctx.plan.rehearsal,
    )
    st.record, st.passphrase = sealed.record, passphrase
    yield from _write_copies(ctx, sealed, "one passphrase, no shares")


def _write_copies(ctx: Context, sealed: EncryptedArchive, scheme: str) -> Iterator[Event]:
    st = state(ctx)
    copies = write_copies(sealed, custody_spec(ctx).media, beside_copy(ctx.plan.rehearsal))
    for path in copies:
        ctx.cleanups.append(functools.partial(remove_directory, path))
    ctx.marked.extend(copies)  # INCOMPLETE until the bundle is sealed
    st.copies = copies
    record = sealed.record
    # how the identity was split; None for a bundle sealed to a passphrase only
    shares = record.shares if isinstance(record.shares, ShareSetRecord) else None
    yield CustodySealed(
        custody_id=record.ceremony_id,
        keys=tuple(k.name for k in record.keys),
        keyids=tuple(k.keyid for k in record.keys),
        bundle_sha256=record.bundle_sha256,
        copies=tuple(str(p) for p in copies),
        scheme=scheme,
        set_id=shares.identifier if shares is not None else None,
        slip39_passphrase=shares is not None and shares.passphrase,
    )


def _write_sheets(ctx: Context, shares: ShareSet) -> Iterator[Event]:
    # drawing sheets loads fpdf2, fontTools, Pillow and qrcode: only a ceremony that
    # hands out shares pays for them (in time and memory, next to scrypt's 256 MiB)
    from ceremony.custody.sheets import share_sheet_pdf, share_sheet_text, sheet_name

    custody, st = custody_spec(ctx), state(ctx)
    assert custody.sheets is not None  # the loader requires sheets: for shares
    files: dict[str, bytes] = {}
    rehearsal = ctx.plan.rehearsal
    for share in shares.shares:
        custodian = custody.custodians[share.number - 1] if custody.custodians else ""
        files[sheet_name(share, "pdf")] = share_sheet_pdf(
            share, st.sealed, custody.paper, custodian=custodian, rehearsal=rehearsal)
        files[sheet_name(share, "txt")] = share_sheet_text(
            share, st.sealed, custodian=custodian, rehearsal=rehearsal).encode()
    folder = write_directory(custody.sheets / f"{SHEETS_PREFIX}{ctx.id}", files, marked=True)
    files.clear()
    ctx.cleanups.append(lambda: remove_directory(folder))
    ctx.marked.append(folder)  # INCOMPLETE until the bundle is sealed
    st.sheets_folder = folder
    for share in shares.shares:
        st.sheet_pdfs[share.number] = folder / sheet_name(share, "pdf")
        st.sheet_texts[share.number] = folder / sheet_name(share, "txt")
    yield ShareSheetsWritten(
        folder=str(folder), sheets=tuple(sheet_name(s, "pdf") for s in shares.shares)
    )


def steps(plan: Plan, *, roots: bool = True) -> list[Step]:
    """The custody steps for ``plan``: none without a custody section. ``roots``:
    whether the kind signs a root, whose keys custody must then hold."""
    if plan.custody is None:
        return []
    shares = plan.custody.mode != "passphrase-only"
    sealing = Step(
        "custody-bundle",
        "Seal the keys into the custody bundle"
        + (" and print the share sheets" if shares else ""),
        functools.partial(put_in_custody, roots=roots),
        say_aloud="Read aloud the media the copies go to, and the bundle's sha256 once written.",
        check_by_eye="Only the custody media and the sheets' medium are inserted.",
    )
    handing = Step(
        "hand-out",
        "Hand out the shares, one custodian at a time",
        custody_handout.hand_out,
        say_aloud="Call each custodian by name; they type words 31 to 33 of their sheet, "
        "unseen and unspoken, then read their bag's number aloud.",
        check_by_eye="Each custodian seals their sheet in a numbered tamper-evident bag.",
    )
    testing = Step(
        "test-restore",
        "Test restore the custody bundle",
        custody_handout.test_restore,
        check_by_eye="Every key on screen matched, from shares other than the first ones.",
    )
    return [sealing, handing, testing] if shares else [sealing, testing]
