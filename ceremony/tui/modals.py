"""Modal screens: the engine's questions, errors, and "are you sure?".

Each modal is typed by what it gives back. The operator's questions
(confirmation, passphrase, choice) answer ``None`` when the operator stops
the ceremony instead. Passphrases are typed in masked fields, typed twice
when new, cleared from the fields as soon as they are handed over, and never
shown, logged or put in a message.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static

from ceremony.describe import grouped
from ceremony.operator import (
    SecretKind,
    Choice,
    Confirmation,
    Secret,
    SecretRequest,
    ShareHandout,
    ShareRequest,
)
from ceremony.tui.widgets import Entry, Note, SecretEntry

_HASH = re.compile(r"[0-9a-f]{40,}")


def readable(detail: str) -> str:
    """Hashes in a detail line grouped by four, for reading aloud."""
    return _HASH.sub(lambda m: grouped(m.group(0)), detail)


class AskModal(ModalScreen[bool]):
    """A yes/no question of the UI's own (leave the ceremony? quit?)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="ask-yes"),
        Binding("n,escape", "answer(False)", "No", id="ask-no"),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="ask")
        self.question, self.detail = question, detail
        labels = {"ask-yes": yes, "ask-no": no}
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=labels.get(b.id, b.description)) for b in bindings
            ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            if self.detail:
                yield Static(self.detail, classes="detail")
        yield Footer()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class _OperatorModal(ModalScreen):
    """Shared by the engine's questions: Escape offers to stop the ceremony."""

    def action_stop(self) -> None:
        def stop(sure: bool | None) -> None:
            if sure:
                self.forget()
                self.dismiss(None)

        self.app.push_screen(
            AskModal(
                "Stop the ceremony?",
                "Nothing will be sealed: the staging folder is removed and the "
                "transcript of the attempt is kept beside the output.",
                yes="Stop the ceremony",
                no="Go back",
            ),
            stop,
        )

    def forget(self) -> None:
        """Clear anything typed (passphrases) before the modal goes."""


class ConfirmModal(_OperatorModal):
    """A confirmation; irreversible steps need their word typed."""

    BINDINGS = [
        Binding("enter", "yes", "Yes, go on", id="confirm-yes", priority=True),
        Binding("n", "no", "No", id="confirm-no"),
        Binding("escape", "stop", "Stop", id="confirm-stop"),
    ]

    def __init__(self, request: Confirmation) -> None:
        super().__init__(classes="operator")
        self.request = request

    def compose(self) -> ComposeResult:
        word = self.request.typed_word
        with Vertical(classes="dialog"):
            yield Static("Irreversible step" if word else "Confirm", classes="dialog-title")
            yield Static(self.request.question, classes="question")
            if self.request.detail:
                yield Static(readable(self.request.detail), classes="detail")
            if word:
                yield Static(
                    Content.from_markup("Type [b]$word[/b] and press Enter to go on.", word=word),
                    classes="hint",
                )
                yield Entry(placeholder=word, id="typed-word")
        yield Footer()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "yes" and self.request.typed_word:
            return True if self._typed() == self.request.typed_word else None
        if action == "no" and self.request.typed_word:
            return False  # typing a word: Escape stops instead
        return True

    def _typed(self) -> str:
        try:
            return self.query_one("#typed-word", Input).value.strip()
        except Exception:
            return ""

    @on(Input.Changed, "#typed-word")
    def _typed_changed(self) -> None:
        self.refresh_bindings()

    def action_yes(self) -> None:
        if self.request.typed_word and self._typed() != self.request.typed_word:
            self.notify(f"Type {self.request.typed_word} exactly to go on.", severity="warning")
            return
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


def secret_word(request: SecretRequest) -> str:
    """What the engine asks for, in the operator's words: PIN, management
    key or passphrase (by the request's kind)."""
    if request.kind in (SecretKind.PIN, SecretKind.PUK, SecretKind.MANAGEMENT_KEY):
        return request.kind.words
    return "passphrase"


class SecretModal(_OperatorModal):
    """A passphrase, PIN or management key, masked; a new passphrase typed
    twice. A PIN is typed once: the token stays logged in for the ceremony."""

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="secret-submit", priority=True),
        Binding("escape", "stop", "Stop", id="secret-stop"),
    ]

    def __init__(self, request: SecretRequest, *, tries: int = 3) -> None:
        super().__init__(classes="operator")
        self.request = request
        self.tries = tries
        self.word = secret_word(request)
        # a secret being set is typed twice; a PIN that unlocks a token, once
        self.twice = request.new
        self.minimum = request.kind.minimum

    def compose(self) -> ComposeResult:
        request, word = self.request, self.word
        title = (f"New {word}" if self.twice else word[:1].upper() + word[1:])
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Static(request.prompt, classes="question")
            if self.twice:
                least = f"At least {self.minimum} characters; " if self.minimum else ""
                yield Static(
                    f"Only the keyholder looks at the keyboard. {least}it is asked twice "
                    "and never shown.",
                    classes="detail",
                )
            elif request.kind is SecretKind.PIN:
                token = request.id.removeprefix("pin/")
                yield Static(
                    f"The keyholder of token {token} types its PIN, once: the token stays "
                    "logged in until the ceremony ends. It is never shown or kept.",
                    classes="detail",
                )
            if request.problem:
                yield Static(f"{request.problem}.", classes="error-line")
            elif request.attempt > 1:
                refused = (
                    "The token refused that PIN" if word == "PIN"
                    else f"That {word} did not open the key"
                )
                yield Static(f"{refused}. Try {request.attempt} of {self.tries}.", classes="error-line")
            yield SecretEntry(placeholder=word, id="first")
            if self.twice:
                yield SecretEntry(placeholder="the same again", id="second")
            yield Note(id="secret-problem", classes="error-line")
        yield Footer()

    def _problem(self, text: str) -> None:
        self.query_one("#secret-problem", Note).say(text)

    def action_submit(self) -> None:
        first = self.query_one("#first", Input)
        if not first.value:
            self._problem(f"Type the {self.word} first.")
            first.focus()
            return
        if not self.twice:
            self._hand_over(first.value)
            return
        second = self.query_one("#second", Input)
        if len(first.value) < self.minimum:
            self.forget()
            self._problem(f"A {self.word} needs at least {self.minimum} characters.")
            first.focus()
            return
        if self.focused is first and not second.value:
            second.focus()
            self._problem("")
            return
        if first.value != second.value:
            self.forget()
            self._problem("The two did not match; type both again.")
            first.focus()
            return
        self._hand_over(first.value)

    def _hand_over(self, value: str) -> None:
        secret = Secret(value)
        self.forget()
        self.dismiss(secret)

    def forget(self) -> None:
        for entry in self.query(Input):
            entry.value = ""


class ChoiceModal(_OperatorModal):
    BINDINGS = [Binding("escape", "stop", "Stop", id="choice-stop")]

    def __init__(self, request: Choice) -> None:
        super().__init__(classes="operator")
        self.request = request

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Choose", classes="dialog-title")
            yield Static(self.request.question, classes="question")
            yield OptionList(*self.request.options, id="choices")
        yield Footer()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.request.options[event.option_index])


class ErrorModal(ModalScreen[str]):
    """A failure: what happened, what it means, what to do next."""

    BINDINGS = [
        Binding("enter", "close('home')", "Home", id="error-home", priority=True),
        Binding("escape", "close('stay')", "Read the log", id="error-stay"),
    ]

    def __init__(self, title: str, what: str, todo: str = "", notes: tuple[str, ...] = ()) -> None:
        super().__init__(classes="error")
        self.heading, self.what, self.todo, self.notes = title, what, todo, notes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading, classes="dialog-title")
            with VerticalScroll(classes="error-body"):
                yield Static(Content.from_markup("[b]What happened[/b]  $what", what=self.what))
                if self.todo:
                    yield Static(Content.from_markup("[b]What to do next[/b]  $todo", todo=self.todo))
                for note in self.notes:
                    yield Static(note, classes="detail")
        yield Footer()

    def action_close(self, where: str) -> None:
        self.dismiss(where)


class HandOutModal(_OperatorModal):
    """One share to one custodian: who, which sheet; the checksum words back.

    The share's words are never shown here: the custodian holds the printed
    sheet. The words read back are typed masked and go to the engine, which
    compares them."""

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="handout-submit", priority=True),
        Binding("escape", "stop", "Stop", id="handout-stop"),
    ]

    def __init__(self, request: ShareHandout) -> None:
        super().__init__(classes="operator")
        self.request = request

    def compose(self) -> ComposeResult:
        r = self.request
        who = f" to {r.custodian}" if r.custodian else ""
        first, last = r.checksum_positions[0], r.checksum_positions[-1]
        with Vertical(classes="dialog"):
            yield Static(f"Share {r.number} of {r.total}", classes="dialog-title")
            yield Static(f"Hand share {r.number} of {r.total}{who}.", classes="question")
            yield Static(f"Its printed sheet: {r.sheet_pdf}", classes="detail")
            if r.problem:
                yield Static(r.problem, classes="error-line")
            yield Static(f"Custodian: read words {first} to {last} of your sheet.", classes="hint")
            yield SecretEntry(placeholder="the checksum words", id="words")
        yield Footer()

    def action_submit(self) -> None:
        entry = self.query_one("#words", Input)
        words = Secret(" ".join(entry.value.split()))
        entry.value = ""
        self.dismiss(words)

    def forget(self) -> None:
        self.query_one("#words", Input).value = ""


NO_MORE_SHARES = "no more shares"


class ShareWordsEntry(SecretEntry):
    """The share's words, masked; Tab completes the word being typed."""

    BINDINGS = [Binding("tab", "complete_word", "Complete word", id="share-complete")]

    def action_complete_word(self) -> None:
        self.screen.complete_word(self)


class ShareModal(_OperatorModal):
    """The next share of a recovery: its words typed (masked) or a file path.

    Words are checked as they are typed, one by one, by the engine's own
    collector (``ShareRequest.check_words``): a word not in the SLIP-39 list,
    or first words that say the share is another set's or one already given,
    are named by share number and word position at once. Tab completes a
    word from its first letters (``custody.words.complete``). Neither the
    words nor suggestions for them are ever shown."""

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="share-submit", priority=True),
        Binding("ctrl+n", "no_more", "No more shares", id="share-end"),
        Binding("escape", "stop", "Stop", id="share-stop"),
    ]

    def __init__(self, request: ShareRequest) -> None:
        super().__init__(classes="operator")
        self.request = request
        self.word_problem = ""  # why the words typed so far cannot be right
        self.remaining: int | None = None  # words still to come (None: not checked)

    def compose(self) -> ComposeResult:
        from ceremony.custody.words import SHARE_WORDS

        r = self.request
        with Vertical(classes="dialog"):
            yield Static(f"Share {r.number}", classes="dialog-title")
            yield Static(r.progress, classes="question")
            if r.problem:
                yield Static(r.problem, classes="error-line")
            yield Static(
                f"Type its {SHARE_WORDS} words (not shown); Tab completes a word.", classes="hint"
            )
            yield ShareWordsEntry(placeholder="words of the share", id="share-words")
            yield Note(id="share-words-state", classes="words-state")
            yield Static("or the path of its text sheet or of a photo of its QR code:", classes="hint")
            yield Entry(placeholder="/media/…/share-01.txt", id="share-file")
        yield Footer()

    # Checking word by word ---------------------------------------------------

    @on(Input.Changed, "#share-words")
    def _words_changed(self, event: Input.Changed) -> None:
        self.check(event.value)

    def check(self, value: str, *, finished: bool = False) -> None:
        """Check the words typed so far; say how many are in, or what is wrong.

        The word still being typed (no space after it yet) is only checked
        for being the start of some SLIP-39 word, unless ``finished``."""
        from ceremony.custody.errors import ShareError, UnknownWordError
        from ceremony.custody.words import SHARE_WORDS, complete

        state = self.query_one("#share-words-state", Note)
        self.word_problem, self.remaining = "", None
        words = value.split()
        if not words:
            state.say("")
            return
        done = words if finished or value[-1:].isspace() else words[:-1]
        number = self.request.number
        if self.request.check_words is not None:
            try:
                self.remaining = self.request.check_words(done)
            except UnknownWordError as error:
                listed = ", ".join(map(str, error.positions))
                plural = "s" if len(error.positions) > 1 else ""
                self.word_problem = (
                    f"Share {number}, word{plural} {listed}: not in the SLIP-39 word list. "
                    "Compare with the sheet: the first four letters of each word tell it apart."
                )
            except ShareError as error:
                todo = f" {error.todo[:1].upper()}{error.todo[1:]}." if error.todo else ""
                self.word_problem = f"Share {number}: {error.what}.{todo}"
        if not self.word_problem and len(done) < len(words) and not complete(words[-1]):
            self.word_problem = (
                f"Share {number}, word {len(words)}: no SLIP-39 word starts with these "
                "letters. Compare with the sheet."
            )
        if self.word_problem:
            state.add_class("-error")
            state.say(Content.assemble(("✗ ", "bold"), self.word_problem))
            return
        state.remove_class("-error")
        if self.request.check_words is None:
            state.say(f"{len(done)} words typed.")
        elif self.remaining == 0:
            state.say(Content.assemble(("✓ ", "$text-success bold"),
                                       f"All {SHARE_WORDS} words in, each in the word list. "
                                       "Enter gives the share."))
        else:
            state.say(f"{len(done)} of {SHARE_WORDS} words in, each in the word list.")

    def complete_word(self, entry: Input) -> None:
        """Tab: finish the word being typed when its letters name one word."""
        from ceremony.custody.words import complete

        value = entry.value
        if not value.strip() or value[-1:].isspace():
            self.focus_next()
            return
        head, last = value[: len(value) - len(value.split()[-1])], value.split()[-1]
        position = len(value.split())
        options = complete(last)
        if last.lower() in options:
            options = (last.lower(),)
        if len(options) == 1:
            entry.value = head + options[0] + " "
            entry.cursor_position = len(entry.value)
            return
        state = self.query_one("#share-words-state", Note)
        if not options:
            self.check(value)
            return
        state.remove_class("-error")
        state.say(f"Word {position}: {len(options)} words start with these letters; type more of it.")

    # Answering -----------------------------------------------------------------

    def action_submit(self) -> None:
        from ceremony.custody.words import SHARE_WORDS
        from ceremony.operator import ShareAnswer

        words = self.query_one("#share-words", Input).value
        path = self.query_one("#share-file", Input).value.strip()
        if words.strip():
            self.check(words, finished=True)
            if self.word_problem:
                self.notify(self.word_problem, severity="error")
                return
            if self.remaining:
                self.notify(
                    f"Share {self.request.number}: {self.remaining} of its {SHARE_WORDS} words "
                    "are still to come.",
                    severity="warning",
                )
                return
            answer = ShareAnswer("typed", words=Secret(" ".join(words.split())))
        elif path:
            from ceremony.custody.share_input import answer_for_file

            file = Path(path).expanduser()
            if not file.is_absolute():
                file = Path(getattr(self.app, "workdir", Path.cwd())) / file
            answer = answer_for_file(file)
        else:
            self.notify("Type the words, or a file path.", severity="warning")
            return
        self.forget()
        self.dismiss(answer)

    def action_no_more(self) -> None:
        self.forget()
        self.dismiss(NO_MORE_SHARES)

    def forget(self) -> None:
        for entry in self.query(Input):
            entry.value = ""
