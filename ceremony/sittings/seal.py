"""The sealing sitting: a request and its signature files in, a sealed bundle out.

Signature files come from any media in any order. Each is checked against
the request: made for this request (its digest), every signature over the
payload's own bytes, by a key the payload's thresholds count, never a key
counted twice, and its transcript segment continuing the request's. The
meters (one per threshold) fill as signatures are counted; the bundle is
sealed only when every threshold is met, its transcript one chain holding
every sitting's segment, and written and verified exactly as a one-sitting
ceremony's (the engine's own seal). Any refusal seals nothing. Before
sealing, a screen counts each path as it is given (:func:`count_sources`):
a path refused counts nothing, and the others go on.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ceremony.bundle.writer import REHEARSAL_NOTE, BundleWriter, output_problem
from ceremony.checked import remembering
from ceremony.engine.context import Context
from ceremony.engine.keyring import KEPT_BY_HOLDER, KeyRecord
from ceremony.engine.keys import know_current_keys
from ceremony.engine.run import name_bundle, ready_to_seal
from ceremony.errors import CeremonyError, MediaError
from ceremony.events import BundleSealed, CeremonyFinished, Event, ThresholdMet
from ceremony.flavor import flavor_named
from ceremony.operator import Operator
from ceremony.signals import Stopped, stop_signals_held
from ceremony.sittings.adapter import SittingsAdapter
from ceremony.sittings.chain import chain_head
from ceremony.sittings.checks import (
    read_extended,
    refuse_expired,
    refuse_replaced,
    request_plan,
)
from ceremony.sittings.context import sitting_context
from ceremony.sittings.qr_route import files_from_images, is_image
from ceremony.sittings.request_file import SigningRequest
from ceremony.sittings.signature_file import (
    SignatureFile,
    parse_signature_file,
    read_signature_file,
)
from hsm.algorithms import algorithm_of_public_key


def seal_request(
    request: SigningRequest,
    folder: Path,
    signature_paths: Sequence[Path],
    *,
    output: Path,
    current: Path,
    clock: Callable[[], datetime],
    operator: Operator | None = None,
    script: Path | None = None,
) -> Iterator[Event]:
    """Count the signature files against ``request`` and seal the bundle at ``output``.
    ``script``: the coordinator's copy of the request's script, so that the paths in
    it (a Sigstore script's trust material) are found beside it; ``operator``: asks
    what the flavor's sealing needs (the passphrases of Sigstore's mirror keys).
    Each signature is checked once: the flavor's own checks of the rotation and
    the verification of the sealed bundle find the answers already made."""
    with remembering():
        yield from collector_eased(_sealed(request, folder, signature_paths, output, current,
                                            clock, operator, script))


#: the cycle collector's thresholds while a seal works (Python's are 700, 10, 10)
SEALING_THRESHOLDS = (50_000, 100, 100)


#: what a seal writes, and who names where: the words of its refusals
SEALED, YOU_SAY = "the sealed bundle", "you say"


def seal_output_problem(output: Path) -> str | None:
    """Why the sealed bundle cannot go to ``output`` (a symbolic link in its path,
    the name taken, no writable folder), or None: the CLI's and the Seal screen's check."""
    return output_problem(output, SEALED, YOU_SAY)


#: what to do when the bundle to seal cannot be written where it was named
NEW_OUTPUT = ("name a new folder for the sealed bundle, on a medium mounted read-write; "
              "nothing was sealed")


def collector_eased(work: Iterator[Event]) -> Iterator[Event]:
    """``work``'s events, Python's cycle collector run less often until ``work``
    ends (:data:`SEALING_THRESHOLDS`), then as it was. A seal holds hundreds of
    thousands of objects (the two bundles read, parsed and judged: some 200 MiB for
    1,000 DCT GUNs) and makes few cycles: each collection of the older generations
    walked them all, a tenth of a seal's time for nothing. The collector still runs
    (a question asked of the operator inside the work, or a screen drawing its
    events, may take minutes), and reference counting frees what it always freed."""
    previous = gc.get_threshold()
    gc.set_threshold(*SEALING_THRESHOLDS)
    try:
        yield from work
    finally:
        gc.set_threshold(*previous)


def _sealed(
    request: SigningRequest,
    folder: Path,
    signature_paths: Sequence[Path],
    output: Path,
    current: Path,
    clock: Callable[[], datetime],
    operator: Operator | None,
    script: Path | None,
) -> Iterator[Event]:
    refuse_expired(request, clock(), folder)
    refuse_replaced(request, folder)
    problem = seal_output_problem(output)  # before any file is read (and at the writing, again)
    if problem:
        raise MediaError(problem, todo=NEW_OUTPUT)
    plan = request_plan(request, script)
    ctx = sitting_context(dataclasses.replace(plan, output=output), clock, operator)
    adapter = flavor_named(plan.flavor).sittings()
    ctx.current = read_extended(adapter, request, current, clock())
    know_request_keys(ctx, request)
    files = gathered(signature_paths)
    tally = Tally(request, adapter)
    yield from tally.meters()  # each at 0 of N
    for path, signatures in files:
        tally.add(path, signatures)
        yield from tally.meters()
    counted = tally.counted
    refuse_below_threshold(request, counted)
    ctx.id = request.ceremony_id
    ctx.work = ctx.flavor.start_work(ctx)
    ctx.transcript.continue_from(request.transcript, request.transcript_head)
    for path, signatures in files:
        ctx.transcript.append({
            "event": "sitting-joined", "file": path, "sitting": signatures.sitting,
            "segment_head": chain_head(signatures.transcript, "segment",
                                       prev=request.transcript_head,
                                       seq=len(request.transcript)),
            "segment": [line.decode() for line in signatures.transcript],
        })
    ctx.writer = BundleWriter(output, what=SEALED, named=YOU_SAY, todo=NEW_OUTPUT)
    try:
        for event in adapter.write_bundle(ctx, request.payloads, counted):
            ctx.transcript.append(event.record())
            yield event
        ctx.bundle.write("ceremony.yaml", request.script_text.encode())
        if request.rehearsal:
            ctx.bundle.write("REHEARSAL", REHEARSAL_NOTE.encode())
        ctx.transcript.append(CeremonyFinished(output=str(output)).record())
        ready_to_seal(ctx)
        with stop_signals_held():  # named and unmarked whole: a stop lands once sealed
            sealed = name_bundle(ctx)
        yield sealed
    except BaseException as error:
        ctx.bundle.discard()  # nothing, once sealed
        if isinstance(error, Stopped) and ctx.bundle.sealed:
            error.done = sealed_words(output)
        raise
    finally:
        ctx.close_keys()
        ctx.forget_secrets()


def sealed_words(output: Path | str) -> str:
    """What stays when a stop lands once the bundle at ``output`` is sealed: it
    verified before it was named, and nothing is undone."""
    return (f"the bundle {output} is sealed and verifies (`ceremony verify {output}`); "
            "nothing was undone")


def stopped_once_sealed(stop: Stopped, shown: Event | None) -> None:
    """A stop that landed while a front end showed ``shown`` (the last event of a
    seal it was given) says what stays when that was the sealed bundle."""
    if isinstance(shown, BundleSealed) and not stop.done:
        stop.done = sealed_words(shown.output)


class Tally:
    """Signatures counted against ``request``'s thresholds, file by file. A file
    refused counts nothing, so a screen can go on counting the others."""

    def __init__(self, request: SigningRequest, adapter: SittingsAdapter | None = None) -> None:
        self.request = request
        self.adapter = adapter or flavor_named(request.flavor).sittings()
        self.counted: dict[str, dict[str, str]] = {p.name: {} for p in request.payloads}
        self.found_in: dict[tuple[str, str], str] = {}  # (payload, keyid) -> file

    def add(self, path: str, signatures: SignatureFile) -> None:
        """Count every signature of the file at ``path``, or none (a CeremonyError)."""
        check_file(self.request, path, signatures, self.adapter)
        new: dict[tuple[str, str], str] = {}
        for entry in signatures.signatures:
            at = (entry.payload, entry.keyid)
            if at in self.found_in or at in new:
                key = self.request.key_by_id(entry.keyid)
                raise CeremonyError(
                    f"{path}: key {key.name if key else entry.key} signed {entry.payload} in "
                    f"{self.found_in.get(at, path)} already: one key counts once",
                    todo="leave out one of the two files or signatures; nothing was sealed",
                )
            new[at] = entry.signature
        for (payload, keyid), signature in new.items():
            self.counted[payload][keyid] = signature
            self.found_in[(payload, keyid)] = path

    def add_all(self, files: Sequence[tuple[str, SignatureFile]]) -> None:
        """Count every file of ``files``, or none of them (a CeremonyError)."""
        counted = {name: dict(keys) for name, keys in self.counted.items()}
        found_in = dict(self.found_in)
        try:
            for path, signatures in files:
                self.add(path, signatures)
        except CeremonyError:
            self.counted, self.found_in = counted, found_in
            raise

    def meters(self) -> Iterator[ThresholdMet]:
        return meters(self.request, self.counted)

    def missing(self) -> str:
        """Who is still missing, in words; "" once every threshold is met."""
        try:
            refuse_below_threshold(self.request, self.counted)
        except CeremonyError as error:
            return error.what
        return ""


@dataclass(frozen=True)
class Source:
    """What one path given to a sealing sitting brought: its signature files
    (by name and sitting), or why it counts nothing."""

    path: Path
    files: tuple[tuple[str, str], ...] = ()
    refusal: CeremonyError | None = None


def count_sources(request: SigningRequest, paths: Sequence[Path]) -> tuple[Tally, list[Source]]:
    """Each path's signature files counted against ``request``, before sealing: a
    path refused counts nothing and the others go on (a sealing screen shows each
    verdict and the meters; only the paths counted are then given to seal). The
    images of QR codes given one by one are read together, as seal reads them: a
    file's codes may come in several images."""
    tally = Tally(request)
    verdicts: dict[int, Source] = {}  # by the path's place: a path may be given twice
    images = [n for n, path in enumerate(paths) if is_image(path)]
    groups = [[n] for n, path in enumerate(paths) if not is_image(path)]
    for group in [*groups, *([images] if images else [])]:
        try:
            files = gathered([paths[n] for n in group])
            if not files:
                raise CeremonyError(f"{paths[group[0]]} holds no signature file (*.json) and "
                                    "no QR code image", todo="give the files `ceremony sign` wrote")
            tally.add_all(files)
        except CeremonyError as error:
            verdicts.update((n, Source(paths[n], refusal=error)) for n in group)
            continue
        made = tuple((name, f.sitting) for name, f in files)
        verdicts.update((n, Source(paths[n], made)) for n in group)
    return tally, [verdicts[n] for n in range(len(paths))]


def expand(paths: Sequence[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the signature files and images in it:
    every entry named as one (a link, a pipe or a device so named too, for the
    reader to refuse by name: none is passed over as if it were not there)."""
    found: list[Path] = []
    for path in paths:
        if _plain_folder(path):
            found += sorted(p for p in path.iterdir() if not p.name.startswith(".")
                            and not _plain_folder(p) and (p.suffix == ".json" or is_image(p)))
        else:
            found.append(path)
    return found


def _plain_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def gathered(paths: Sequence[Path]) -> list[tuple[str, SignatureFile]]:
    """The signature files at ``paths`` (a folder: the files in it): JSON files,
    and images of their QR codes (any order; each file's codes are put back together)."""
    paths = expand(paths)
    files = [(str(path), read_signature_file(path)) for path in paths if not is_image(path)]
    images = [path for path in paths if is_image(path)]
    if images:
        files += [(name, parse_signature_file(data, name))
                  for name, data in files_from_images(images)]
    return files


def check_file(
    request: SigningRequest, path: str, signatures: SignatureFile, adapter: SittingsAdapter
) -> None:
    """Refuse a signature file not made for ``request``, or one signature in it."""
    if signatures.request != request.digest:
        raise CeremonyError(
            f"{path} was signed for request {signatures.request[:16]}..., and this request "
            f"is {request.digest[:16]}...: it is from another request, or the request was "
            "changed after it was signed",
            todo="bring the signature files of this request; nothing was sealed",
        )
    chain_head(signatures.transcript, f"transcript segment of {path}",
               prev=request.transcript_head, seq=len(request.transcript))
    for entry in signatures.signatures:
        payload = request.payload(entry.payload)
        if payload is None or payload.sha256 != entry.payload_sha256:
            raise CeremonyError(
                f"{path}: the signature by {entry.key} is over different bytes than the "
                f"request's {entry.payload}",
                todo="ask that keyholder to sign this request again; nothing was sealed",
            )
        key = request.key_by_id(entry.keyid)
        if key is None or not payload.counts(entry.keyid):
            raise CeremonyError(
                f"{path}: key {entry.key} ({entry.keyid[:8]}) is not one the request counts "
                f"for {payload.name}",
                todo="only the keys `ceremony inspect REQUEST` lists count; nothing was sealed",
            )
        if not adapter.verifies(payload, key, entry.signature):
            raise CeremonyError(
                f"{path}: the signature by {key.name} does not verify over the request's "
                f"{payload.name}: it was made over different bytes, or damaged",
                todo="ask that keyholder to sign this request again; nothing was sealed",
            )


def meters(request: SigningRequest, counted: dict[str, dict[str, str]]) -> Iterator[ThresholdMet]:
    """Where each threshold stands: one meter per group (old, new), over every payload
    (the least-signed payload's count, for a request of many: a DCT GUN each)."""
    labels = [group.label for group in request.payloads[0].groups]
    many = len(request.payloads) > 1
    for label in labels:
        standing = [
            (sum(1 for keyid in group.keyids if keyid in counted[payload.name]), group.threshold)
            for payload in request.payloads for group in payload.groups if group.label == label
        ]
        have = min(have for have, _ in standing)
        need = max(need for _, need in standing)
        what = f"{len(request.payloads)} payloads" if many else request.payloads[0].name
        yield ThresholdMet(role=what, version=0, group=label, have=have, need=need)


def refuse_below_threshold(request: SigningRequest, counted: dict[str, dict[str, str]]) -> None:
    short = []
    for payload in request.payloads:
        for group in payload.groups:
            have = [k for k in group.keyids if k in counted[payload.name]]
            if len(have) >= group.threshold:
                continue
            missing = []
            for keyid in group.keyids:
                if keyid not in counted[payload.name]:
                    key = request.key_by_id(keyid)
                    missing.append(f"{key.name} ({key.holder or 'no keyholder named'})"
                                   if key else keyid[:8])
            short.append(f"{payload.name} has {len(have)} of the {group.threshold} signatures "
                         f"{group.title} needs; still missing: {', '.join(missing)}")
    if short:
        raise CeremonyError(
            "not sealed: " + "; ".join(short),
            todo="bring those keyholders' signature files (`ceremony sign`) and seal again",
        )


def know_request_keys(ctx: Context, request: SigningRequest) -> None:
    """Know the current bundle's keys, and each new key the request names by its
    public key (its private part stays with its keyholder)."""
    know_current_keys(ctx)
    for key in request.keys:
        if ctx.key_by_keyid(key.keyid) is None:
            public_key = load_pem_public_key(key.public_pem.encode())
            ctx.add_key(KeyRecord(
                name=key.name, keyid=key.keyid,
                algorithm=algorithm_of_public_key(public_key).name,
                backend="online", location=KEPT_BY_HOLDER, public_pem=key.public_pem,
                holder=key.holder or None,
            ))
