"""No hidden characters in a ceremony script.

A script is reviewed by people before it runs, and its words (a title, a name, a
path) go into the transcript and the printed records. A bidirectional override
(U+202E), a zero-width space or a control character makes a line read
differently from what it holds: a reviewer sees one name where the tool reads
another, or a comment hides the field after it ("Trojan Source"). The same
characters written as escapes in a quoted string ("\\u202e", "\\x9b") reach the
transcript as themselves. :func:`refuse_hidden_text` refuses both, naming the
line (and the field) and the characters, escaped, before anything else is read.
Tabs, line ends and a byte order mark at the very start (some editors write one)
are allowed.
"""

from __future__ import annotations

from ceremony.errors import ScriptError
from ceremony.safe_text import HIDDEN_TODO, hidden_named
from ceremony.script.yamlload import Located


def refuse_hidden_text(text: str, top: Located) -> None:
    """Raise ScriptError at the first line of ``text``, or else the first field or
    name of the read script ``top``, holding a hidden character."""
    if not (text.isascii() and text.isprintable()):
        for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
            hidden = hidden_named(line, kept="\t\r")
            if hidden:
                raise ScriptError(f"this line holds {hidden}", where=f"{top.label}:{number}",
                                  todo=HIDDEN_TODO)
    _refuse_in_values(top)


def _refuse_in_values(located: Located) -> None:
    value = located.value
    if isinstance(value, str):
        hidden = hidden_named(value)
        if hidden:
            raise located.error(f"the text holds {hidden}", HIDDEN_TODO)
    elif isinstance(value, dict):
        for name, entry in located.entries():
            hidden = hidden_named(name)
            if hidden:
                raise entry.error(f"the field's name holds {hidden}", HIDDEN_TODO)
            _refuse_in_values(entry)
    elif isinstance(value, list):
        for item in located.items():
            _refuse_in_values(item)

