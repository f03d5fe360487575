"""The headless Operator: answers from files, the environment or a terminal.

Secrets come, in this order, from the environment variable the script names
for them, from the secrets file (``--secrets FILE``: a YAML mapping of key
name to passphrase, readable by its owner only), or from a prompt at the
terminal (typed twice when new, never echoed). Confirmations come from
``--yes``, an answers file (``--answers FILE``: a mapping of question id to
``yes`` or to the typed word) or the terminal. With none of these, the
ceremony stops with an error naming what is missing: it never guesses.
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
)

#: the largest secrets or answers file read: a few lines of `name: value`
MAX_MAPPING_FILE = 64 * 1024


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


class HeadlessOperator:
    def __init__(
        self,
        *,
        secrets_file: Path | None = None,
        answers_file: Path | None = None,
        yes: bool = False,
        interactive: bool | None = None,
        shares: Sequence[Path] = (),
    ) -> None:
        self._secrets = read_private_mapping(secrets_file, "secrets file") if secrets_file else {}
        self._answers = read_private_mapping(answers_file, "answers file") if answers_file else {}
        self._yes = yes
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self._share_files = list(shares)  # --share FILE, given in order to a recovery

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
            raise CeremonyError(
                f"no {_what(request)}",
                todo="run at a terminal to be asked, name an environment variable for it in "
                f"the script's `{'pins' if request.kind is SecretKind.PIN else 'passphrases'}:`, "
                f"or pass --secrets FILE with a `{request.key}:` line",
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
        if self._yes:
            return True
        if request.id in self._answers:
            return self._answers[request.id] == want
        if not self.interactive:
            raise CeremonyError(
                f"no answer for the question {request.id!r}: {request.question}",
                todo=f"run at a terminal, pass --yes, or put `{request.id}: {want}` in "
                "an answers file (--answers FILE)",
            )
        if request.detail:
            print(f"  {request.detail}", file=sys.stderr)
        answer = ask(f"{request.question} Type {want!r} to go on: ").strip()
        return answer == want

    def choose(self, request: Choice) -> str:
        if request.id in self._answers and self._answers[request.id] in request.options:
            return self._answers[request.id]
        if not self.interactive:
            raise CeremonyError(
                f"no answer for the choice {request.id!r}: {request.question}",
                todo=f"put `{request.id}: <one of {', '.join(request.options)}>` "
                "in an answers file",
            )
        while True:
            answer = ask(f"{request.question} ({'/'.join(request.options)}): ").strip()
            if answer in request.options:
                return answer

    def hand_out(self, request: ShareHandout) -> Secret:
        return hand_out_at_terminal(request, interactive=self.interactive, yes=self._yes)

    def share(self, request: ShareRequest) -> ShareAnswer | None:
        if self._share_files:
            return answer_for_file(self._share_files.pop(0))
        return share_at_terminal(request, interactive=self.interactive)
