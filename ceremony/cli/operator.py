"""The headless Operator: answers from files, the environment or a terminal.

Secrets come, in this order, from the environment variable the script names
for them, from the secrets file (``--secrets FILE``: a YAML mapping of key
name to passphrase, readable by its owner only), or from a prompt at the
terminal (typed twice when new, never echoed). Confirmations come from
``--yes``, an answers file (``--answers FILE``: a mapping of question id to
``yes`` or to the typed word; ``handout/share-NN: not read back`` hands a share
out without read-back) or the terminal; ``ceremony questions SCRIPT`` lists the
ids. With none of these, the
ceremony stops with an error naming what is missing: it never guesses.
In a production ceremony (not ``rehearsal: true``) two checks are a person's:
the script's sha256 compared with the reviewed copy, and each custodian's
checksum words read back. ``--yes`` or an answers file may stand in for them
only when the answers file names the person who made them
(``witness: NAME``); the line on screen for each such step and the
transcript name the witness. Without one, the run is refused before it starts.
Custody shares (cli_shares.py): read-back at hand-out from the terminal
(``--yes``: handed out without read-back, recorded); shares for a recovery
from ``--share FILE`` in order, then the terminal.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from ceremony.bundle.reading import open_plain_file, read_at_most
from ceremony.cli.prompt import ask, ask_hidden
from ceremony.cli.shares import hand_out_at_terminal, share_at_terminal
from ceremony.custody.share_input import answer_for_file
from ceremony.errors import CeremonyError, UnsafeFileError, system_reason
from ceremony.operator import (
    Choice,
    Confirmation,
    Secret,
    SecretKind,
    SecretRequest,
    ShareAnswer,
    ShareHandout,
    ShareRequest,
    TextRequest,
    is_witnessed_check,
)

#: the largest secrets or answers file read: a few lines of `name: value`
MAX_MAPPING_FILE = 64 * 1024
#: the answers file's line naming the witness of the checks a scripted answer makes
WITNESS = "witness"
#: the answers file's answer to a hand-out: the share goes out without read-back
NOT_READ_BACK = "not read back"


def read_private_mapping(path: Path, what: str) -> dict[str, str]:
    """A YAML mapping of names to strings, from a plain file only its owner
    reads (never through a link, never a pipe or device, never past its cap)."""
    try:
        file, _size = open_plain_file(path)
        with file:
            mode = os.fstat(file.fileno()).st_mode
            raw = read_at_most(file, MAX_MAPPING_FILE + 1)
    except UnsafeFileError as error:
        raise _unreadable(what, path, error) from None
    except OSError as error:
        raise CeremonyError(
            f"cannot read the {what}: {system_reason(error)}", where=str(path)
        ) from None
    if len(raw) > MAX_MAPPING_FILE:
        raise CeremonyError(
            f"the {what} is larger than the {MAX_MAPPING_FILE:,} bytes it may be",
            where=str(path), todo="give the file of `name: value` lines itself",
        )
    if what == "secrets file" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CeremonyError(
            "the secrets file can be read by others",
            where=str(path),
            todo=f"run `chmod 600 {path}`, and keep it on the offline machine only",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CeremonyError(
            f"the {what} is not UTF-8 text", where=str(path),
            todo="write it as `name: value` lines",
        ) from None
    try:
        twice = _named_twice(yaml.compose(text, Loader=yaml.SafeLoader))
        data = yaml.safe_load(text) or {}
    except (yaml.YAMLError, RecursionError):
        raise CeremonyError(
            f"the {what} is not valid YAML", where=str(path), todo="write it as `name: value` lines"
        ) from None
    if twice is not None:
        raise CeremonyError(
            f"the {what} names {twice!r} twice", where=str(path),
            todo="keep one line for it: which of the two was meant cannot be guessed",
        )
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, (str, bool)) for k, v in data.items()
    ):
        raise CeremonyError(
            f"the {what} must be a mapping of names to text",
            where=str(path),
            todo="write it as `name: value` lines",
        )
    return {k: ("yes" if v is True else "no" if v is False else v) for k, v in data.items()}


def _named_twice(document: yaml.Node | None) -> str | None:
    """The first name a YAML mapping gives twice (the value is never looked at)."""
    if not isinstance(document, yaml.MappingNode):
        return None
    seen: set[str] = set()
    for name, _value in document.value:
        if isinstance(name, yaml.ScalarNode):
            if name.value in seen:
                return str(name.value)
            seen.add(name.value)
    return None


def _unreadable(what: str, path: Path, error: UnsafeFileError) -> CeremonyError:
    if error.reason in ("link", "not plain"):
        return CeremonyError(
            f"the {what} {error.what}", where=str(path),
            todo="give the file itself: only plain files are read, never through a link",
        )
    return CeremonyError(f"cannot read the {what}: {error.system_reason}", where=str(path))


def _what(request: SecretRequest) -> str:
    """What a secret request asks for, in words (never its value)."""
    if request.kind is SecretKind.PIN and request.id.startswith("pin/"):
        return f"PIN for token {request.id.removeprefix('pin/')!r}"
    if request.kind is SecretKind.MANAGEMENT_KEY:
        return f"management key of YubiKey {request.id.removeprefix('management-key/')}"
    if request.kind is SecretKind.KEY_PASSPHRASE:
        return f"passphrase for key {request.key}"
    return f"{request.kind.words} ({request.key})"


def _unanswered(what: str, request_id: str, question: str, todo: str) -> CeremonyError:
    return CeremonyError(f"no answer for the {what} {request_id!r}: {question}", todo=todo)


class HeadlessOperator:
    def __init__(
        self,
        *,
        secrets_file: Path | None = None,
        answers_file: Path | None = None,
        yes: bool = False,
        interactive: bool | None = None,
        shares: Sequence[Path] = (),
        production: bool = True,
        scripted: bool = True,
    ) -> None:
        self._secrets = read_private_mapping(secrets_file, "secrets file") if secrets_file else {}
        self._answers = read_private_mapping(answers_file, "answers file") if answers_file else {}
        self._yes = yes
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self._share_files = list(shares)  # --share FILE, given in order to a recovery
        self._production = production
        self._from_script = scripted  # a script's passphrases: and pins: can name a secret
        self.witness = self._answers.pop(WITNESS, "").strip()
        self._witnessed: set[str] = set()  # the checks a scripted answer stood in for
        self._scripted: set[str] = set()  # the confirmations a scripted answer made
        self._refuse_unwitnessed()
        for qid, answer in self._answers.items():
            if qid.startswith("handout/") and answer != NOT_READ_BACK:
                raise CeremonyError(
                    f"the answers file says {answer!r} for {qid}",
                    where=str(answers_file),
                    todo=f"the only scripted answer to a hand-out is `{qid}: {NOT_READ_BACK}`; "
                    "otherwise the custodian reads the words at the terminal",
                )

    def _refuse_unwitnessed(self) -> None:
        """A production run whose scripted answers would make a person's check,
        with no witness named, is refused before anything is done."""
        scripted = self._yes or any(is_witnessed_check(qid) for qid in self._answers)
        if not self._production or not scripted or self.witness:
            return
        how = "--yes" if self._yes else "the answers file"
        raise CeremonyError(
            f"{how} would make a person's checks (the script's sha256 compared with the "
            "reviewed copy, the custodians' checksum words read back) in a production ceremony, "
            "and no witness is named",
            todo="put `witness: NAME` in an answers file (--answers FILE), naming the person "
            "who compares the sha256 with the reviewed copy and watches each read-back; or run "
            "at a terminal without --yes; see docs/reference/answers.md",
        )

    def scripted(self, request_id: str) -> bool:
        """Whether ``--yes`` or the answers file answered ``request_id``."""
        return request_id in self._scripted

    def witness_for(self, request_id: str) -> str:
        """The witness named for ``request_id`` when a scripted answer made it."""
        return self.witness if request_id in self._witnessed else ""

    def _stand_in(self, request_id: str) -> None:
        """Remember that the witness made a person's check a scripted answer
        stood in for: the engine's line on screen and the transcript name them."""
        if self.witness and is_witnessed_check(request_id):
            self._witnessed.add(request_id)

    @property
    def can_retry(self) -> bool:
        return self.interactive

    def secret(self, request: SecretRequest) -> Secret:
        if request.env:
            value = os.environ.get(request.env, "")
            if not value:
                raise CeremonyError(
                    f"the environment variable {request.env} ({_what(request)}) is not set",
                    todo="set it before the ceremony, or change the script to `prompt`",
                )
            return Secret(value)
        if request.key in self._secrets and request.attempt == 1:
            return Secret(self._secrets[request.key])
        if not self.interactive:
            section = "pins" if request.kind is SecretKind.PIN else "passphrases"
            script = (f"name an environment variable for it in the script's `{section}:`, "
                      if self._from_script else "")  # `tokens` and `certify` have no script
            raise CeremonyError(
                f"no {_what(request)}",
                todo=f"run at a terminal to be asked, {script}or pass --secrets FILE with a "
                f"`{request.key}:` line",
            )
        return self._prompt_secret(request)

    def _prompt_secret(self, request: SecretRequest) -> Secret:
        pin = request.kind is SecretKind.PIN
        refused = "the token refused it" if pin else "it did not open the key"
        again = f" (again, {refused})" if request.attempt > 1 and not request.problem else ""
        if request.problem:
            print(f"  {request.problem}.", file=sys.stderr)
        least, words = request.kind.minimum, request.kind.words
        while True:
            first = ask_hidden(f"{request.prompt}{again}: ")
            if not request.new:
                return Secret(first)
            if len(first) < least:
                print(f"  A {words} needs at least {least} characters.", file=sys.stderr)
                continue
            second = ask_hidden("  Type it again: ")
            if first == second:
                return Secret(first)
            print("  The two did not match; once more.", file=sys.stderr)

    def confirm(self, request: Confirmation) -> bool:
        want = request.typed_word or "yes"
        if self._yes or request.id in self._answers:
            agreed = self._yes or self._answers[request.id] == want
            if agreed:
                self._scripted.add(request.id)
                self._stand_in(request.id)
            return agreed
        if not self.interactive:
            raise _unanswered("question", request.id, request.question,
                              f"run at a terminal, pass --yes, or put `{request.id}: {want}` in "
                              "an answers file (--answers FILE)")
        if request.detail:
            print(f"  {request.detail}", file=sys.stderr)
        answer = ask(f"{request.question} Type {want!r} to go on: ").strip()
        return answer == want

    def choose(self, request: Choice) -> str:
        if request.id in self._answers and self._answers[request.id] in request.options:
            return self._answers[request.id]
        if not self.interactive:
            raise _unanswered("choice", request.id, request.question,
                              f"put `{request.id}: <one of {', '.join(request.options)}>` "
                              "in an answers file")
        while True:
            answer = ask(f"{request.question} ({'/'.join(request.options)}): ").strip()
            if answer in request.options:
                return answer

    def text(self, request: TextRequest) -> str:
        if request.id in self._answers and request.attempt == 1:
            return self._answers[request.id]
        if not self.interactive:
            raise _unanswered("question", request.id, request.question,
                              f"run at a terminal, or put `{request.id}: SERIAL` in an "
                              "answers file (--answers FILE)")
        if request.problem:
            print(f"  {request.problem}.", file=sys.stderr)
        elif request.detail:
            print(f"  {request.detail}", file=sys.stderr)
        return ask(f"{request.question} ")

    def hand_out(self, request: ShareHandout) -> Secret:
        if request.id in self._answers and request.attempt == 1:  # "not read back"
            self._stand_in(request.id)
            return Secret("")  # recorded by the engine as not read back
        words = hand_out_at_terminal(request, interactive=self.interactive, yes=self._yes)
        if not words:
            self._stand_in(request.id)
        return words

    def share(self, request: ShareRequest) -> ShareAnswer | None:
        if self._share_files:
            return answer_for_file(self._share_files.pop(0))
        return share_at_terminal(request, interactive=self.interactive)
