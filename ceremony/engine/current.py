"""What a ceremony builds on: the state its flavor's preflight found, verified.

A rotation, a delegation or a recovery starts from the bundle of the last
ceremony (or, for a flavor that can, from elsewhere: a Docker trust dir).
The flavor reads it once, through ``ceremony verify``'s checks, and hands
over a :class:`CurrentState`: the keys it names, its key files and custody
records from the verified contents in memory (never read from the media a
second time), and, for the core's questions about the root, the thresholds
a set of keys would give each root the ceremony signs. A flavor's own state
(root history, GUNs...) extends it.

:func:`verified_or_expired` is every flavor's one rule for a current bundle:
it must verify, except that a bundle whose only faults are expiries is taken
by a ``renew`` whose script says ``current-root-expired: renew``, and
refused by anything else with a message naming that way out; with an online
signer (this ceremony's, or the one that served the bundle: ``online_signer``
may ask the contents), a file it re-signs (``Problem.online``) may have expired too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ceremony.bundle.path_kinds import is_dir
from ceremony.custody.record import CustodyRecord
from ceremony.engine.keyring import KeyRecord
from ceremony.errors import BundleError
from ceremony.plain_record import PlainRecord
from ceremony.verify.contents import BundleContents
from ceremony.verify.report import VerificationReport

TYPE_CHECKING = False
if TYPE_CHECKING:  # `next` asks no threshold question, and names its bundle as text
    from pathlib import Path

    from ceremony.threshold import ThresholdResult


def refuse_no_folder(path: str | Path) -> None:
    """Every flavor's refusal of a current bundle that is no folder, in words for a
    script's ``current:``, a sitting's ``--current`` and the UI's field alike."""
    if not is_dir(path):
        raise BundleError("no bundle here", where=str(path),
                          todo="give the folder of the current bundle: the last "
                          "ceremony's, or your own copy of it")


class CurrentState(PlainRecord, frozen=False):
    """The verified state a ceremony builds on (a flavor's subclass adds its own)."""

    not_shown = ("contents", "read_elsewhere")

    path: str | Path | None = None  # the bundle (or trust dir) it was read from
    keys: dict[str, KeyRecord] = {}  # a new dict for each (PlainRecord); no signer open
    rehearsal: bool = False
    contents: BundleContents | None = None  # verified, in memory
    # custody records the bundle carries, by custody id: (bytes as on media, record)
    custody_records: dict[str, tuple[bytes, CustodyRecord]] = {}
    # reads a key file when the state is not a verified bundle (a Docker trust dir)
    read_elsewhere: Callable[[str], bytes] | None = None

    def key_file(self, relpath: str) -> bytes:
        """A stored key file's bytes, from the verified contents (or the trust dir)."""
        if self.contents is not None:
            data = self.contents.content(relpath)
            if data is None:
                raise BundleError(
                    "is not in the verified bundle, or too large to be a key file",
                    where=relpath,
                    todo="check that the bundle is whole; run `ceremony verify` on it",
                )
            return data
        if self.read_elsewhere is not None:
            return self.read_elsewhere(relpath)
        raise BundleError("there is no current bundle to read it from", where=relpath)

    def key_by_id(self, keyid: str) -> KeyRecord | None:
        return next((record for record in self.keys.values() if record.keyid == keyid), None)

    def root_thresholds(self, keyids: Iterable[str]) -> list[tuple[str, ThresholdResult]]:
        """For each root a ceremony on this state signs, what ``keyids`` give it
        as its current root keys: ("root version 3", result), one per root."""
        raise NotImplementedError

    def roles_of(self, keyid: str) -> tuple[str, ...]:
        """The roles ``keyid`` has in the current root(s) (a recovered key's)."""
        raise NotImplementedError

    def role_keys(self) -> list[tuple[str, str, set[str], int]]:
        """Every role a decommission may take keys from, in each current root:
        (how messages name the root, the role, its keys' ids as key records name
        them, its threshold)."""
        raise NotImplementedError


#: whether an online signer re-signs what a bundle's verify marks ``Problem.online``:
#: known from the script, or asked of the bundle's contents (who served it)
OnlineSigner = bool | Callable[[BundleContents], bool]


def verified_or_expired(
    report: VerificationReport, path: str | Path, *, renew_expired: bool,
    online_signer: OnlineSigner = False,
) -> tuple[BundleContents, list[str]]:
    """The contents of the current bundle ``report`` verified, and what had expired
    in it (empty: nothing); a BundleError when it does not verify, or has expired
    and ``renew_expired`` is not set (the script's ``current-root-expired: renew``).
    ``online_signer``: the expiry of a file it re-signs is no fault (the ceremony
    signs that file again)."""
    contents = report.contents
    if callable(online_signer):
        online_signer = contents is not None and online_signer(contents)
    problems = [p for p in report.problems if not (online_signer and p.online)]
    expired = [str(problem) for problem in problems if problem.expiry]
    if problems and len(expired) == len(problems) and contents is not None:
        if not renew_expired:
            raise BundleError(
                f"the current bundle has expired: {'; '.join(expired)}",
                where=str(path),
                todo="renew it first: a renew ceremony (ceremony: renew, with "
                "current-root-expired: renew) signs the same root again with new expiries; "
                f"`ceremony next {path} --kind renew -o renew.yaml` writes its script",
            )
        return contents, expired
    if problems or contents is None:
        raise BundleError(
            f"the current bundle does not verify ({len(problems)} problem(s)); "
            f"first: {problems[0]}",
            where=str(path),
            todo=f"run `ceremony verify {path}` and resolve every problem first",
        )
    return contents, []
