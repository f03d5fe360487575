"""The next share of a recovery: its words typed (masked), or a file path.

It gives back a ShareAnswer, ``NO_MORE_SHARES`` when the custodians have no
more to give, or None (stop the ceremony). Words are checked as they are
typed by the engine's own collector, and a problem is named by share number
and word position at once. Neither the words nor suggestions for them are
ever shown (the words typed so far show as numbered masks, to count them
and to see which one is wrong), and the fields are cleared as the answer
goes. A wrong word is corrected in place: Ctrl+W removes one word, and
Enter after a failing checksum keeps the words and selects the one the
checksum points at, so typing replaces just that word.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static
from textual.widgets.input import Selection

from ceremony.operator import Secret, ShareAnswer, ShareRequest
from ceremony.tui.modals.question import QuestionModal
from ceremony.tui.widgets import Entry, Note, SecretEntry


class NoMoreShares(Enum):
    """The answer "the custodians have no more shares to give"."""

    NO_MORE_SHARES = "no more shares"


NO_MORE_SHARES = NoMoreShares.NO_MORE_SHARES


class ShareWordsEntry(SecretEntry):
    """The share's words, masked; Tab completes the word being typed."""

    BINDINGS = [Binding("tab", "complete_word", "Complete word", id="share-complete")]

    def action_complete_word(self) -> None:
        screen = self.screen
        if isinstance(screen, ShareModal):
            screen.complete_word(self)

    def action_delete_left_word(self) -> None:
        """Ctrl+W: remove the one word left of the cursor (a masked field
        otherwise removes everything, to hide where words begin; here the
        words are counted on screen anyway)."""
        if not self.selection.is_empty:
            self.delete_selection()
            return
        before = self.value[: self.cursor_position]
        kept = before.rstrip()
        start = len(kept) - len(kept.split()[-1]) if kept.split() else 0
        self.delete(start, self.cursor_position)

    def select_word(self, position: int) -> None:
        """Select the word at 1-based ``position``: what is typed next replaces it."""
        spans = word_spans(self.value)
        if 1 <= position <= len(spans):
            start, end = spans[position - 1]
            self.focus()
            self.selection = Selection(start, end)


def word_spans(value: str) -> list[tuple[int, int]]:
    """Where each word of ``value`` starts and ends (character offsets)."""
    import re

    return [(m.start(), m.end()) for m in re.finditer(r"\S+", value)]


def masked_words(count: int, marked: tuple[int, ...] = (), per_line: int = 10) -> Content:
    """The words typed so far as numbered masks, all of one width (nothing of
    a word shows, not even its length); ``marked`` positions stand out."""
    parts: list[Content | tuple[str, str]] = []
    for n in range(1, count + 1):
        cell = f"{n:>2}·•••"
        parts.append((cell, "$text-error bold reverse" if n in marked else ""))
        parts.append(("\n" if n % per_line == 0 and n < count else " ", ""))
    return Content.assemble(*parts)


class ShareModal(QuestionModal[ShareAnswer | NoMoreShares]):
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
        self.marked: tuple[int, ...] = ()  # the positions the problem points at

    def compose(self) -> ComposeResult:
        from ceremony.custody.words import SHARE_WORDS

        r = self.request
        with Vertical(classes="dialog", id="share-dialog"):
            yield Static(self.title_for(None), id="share-title", classes="dialog-title")
            yield Static(r.progress, classes="question")
            if r.problem:
                yield Static(r.problem, classes="error-line")
            yield Static(
                f"Type its {SHARE_WORDS} words (not shown); Tab completes a word.", classes="hint"
            )
            yield ShareWordsEntry(placeholder="words of the share", id="share-words")
            yield Note(id="share-words-typed", classes="words-typed")
            yield Note(id="share-words-state", classes="words-state")
            yield Static(
                "or the path of its text sheet or of a photo of its QR code:", classes="hint"
            )
            yield Entry(placeholder="/media/…/share-01.txt", id="share-file")
        yield Footer()

    def title_for(self, sheet: tuple[int, int] | None) -> str:
        """The share by its sheet's number, as printed on it, never by the
        order shares are typed in (unknown until its first four words are in)."""
        if sheet is None:
            return "Next share (its sheet's number shows after its first 4 words)"
        number, count = sheet
        return f"Share {number} of {count} (sheet {number})"

    # Checking word by word ---------------------------------------------------

    @on(Input.Changed, "#share-words")
    def _words_changed(self, event: Input.Changed) -> None:
        self.check(event.value)

    def check(self, value: str, *, finished: bool = False) -> None:
        """Check the words typed so far; say how many are in, or what is wrong.

        The word still being typed (no space after it yet) is only checked
        for being the start of some SLIP-39 word, unless ``finished``."""
        from ceremony.custody.errors import ShareChecksumError, ShareError, UnknownWordError
        from ceremony.custody.words import SHARE_WORDS, complete

        state = self.query_one("#share-words-state", Note)
        self.word_problem, self.remaining, self.marked = "", None, ()
        words = value.split()
        typed = self.query_one("#share-words-typed", Note)
        if not words:
            state.say("")
            typed.say("")
            return
        done = words if finished or value[-1:].isspace() else words[:-1]
        sheet = self.request.sheet_of(done) if self.request.sheet_of is not None else None
        self.query_one("#share-title", Static).update(self.title_for(sheet))
        number = f"Share {sheet[0]} of {sheet[1]}" if sheet else "This share"
        if self.request.check_words is not None:
            try:
                self.remaining = self.request.check_words(done)
            except UnknownWordError as error:
                self.marked = tuple(error.positions)
                listed = ", ".join(map(str, error.positions))
                plural = "s" if len(error.positions) > 1 else ""
                self.word_problem = (
                    f"{number}, word{plural} {listed}: not in the SLIP-39 word list. "
                    "Compare with the sheet: the first four letters of each word tell it apart."
                )
            except ShareError as error:
                todo = f" {error.todo[:1].upper()}{error.todo[1:]}." if error.todo else ""
                self.word_problem = f"{number}: {error.what}.{todo}"
                if isinstance(error, ShareChecksumError):
                    self.marked = error.swapped or ((error.changed,) if error.changed else ())
                    if self.marked:
                        self.word_problem += " Enter selects it: type the word to replace it."
        if not self.word_problem and len(done) < len(words) and not complete(words[-1]):
            self.marked = (len(words),)
            self.word_problem = (
                f"{number}, word {len(words)}: no SLIP-39 word starts with these "
                "letters. Compare with the sheet."
            )
        typed.say(masked_words(len(words), self.marked))
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
        state.say(
            f"Word {position}: {len(options)} words start with these letters; type more of it."
        )

    # Answering -----------------------------------------------------------------

    def action_submit(self) -> None:
        from ceremony.custody.words import SHARE_WORDS

        words = self.query_one("#share-words", Input).value
        path = self.query_one("#share-file", Input).value.strip()
        if words.strip():
            self.check(words, finished=True)
            if self.word_problem:  # the words stay; the cursor goes to the one to fix
                if self.marked:
                    self.query_one("#share-words", ShareWordsEntry).select_word(self.marked[0])
                self.notify(self.word_problem, severity="error")
                return
            if self.remaining:
                self.notify(
                    f"{self.remaining} of this share's {SHARE_WORDS} words "
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
