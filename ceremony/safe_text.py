"""Text from a script or the media made harmless wherever it is shown.

A script, a bundle, a request or a signature file can carry text (a title, a
key name, a path, a field) holding terminal control sequences: ones that
clear the screen, move the cursor, rewrite a line, retitle the window or
make a link, right above the sha256 a witness compares; or bidirectional
overrides and zero-width characters that make one name read as another.
:func:`terminal_safe` shows each control or format character (C0 but
newline and tab, DEL, C1, bidi overrides, zero-width ones) as its escape
(``\\x1b``, ``\\u202e``). The headless commands pass all they write through
it (cli/output.py), the printed records all they print (records/), the
terminal UI what it shows from the media. :func:`hidden_named` names the
same characters in text an operator writes (a script, a sitting's words), which
the script loader and the sittings' commands refuse. :func:`json_safe` writes them
as JSON escapes in a JSON text (a transcript line): the record holds the same values
and shows none of them raw to an auditor reading it.

Nothing here decides what is shown; it only makes it harmless.
"""

from __future__ import annotations

_KEPT = frozenset("\n\t")
#: what to do about text an operator wrote with hidden characters in it
HIDDEN_TODO = ("Retype that text without them (an editor may not show them): such characters "
               "make text read differently from what it holds")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown escaped."""
    if text.isascii():
        if text.isprintable():
            return text  # the common case, quickly
        # in ASCII, the characters of the refused categories are exactly the ones
        # that are not printable (C0 and DEL): no need of unicodedata, a hundredth of
        # `ceremony verify`'s start-up
        return "".join(ch if ch.isprintable() or ch in _KEPT else _escaped(ch) for ch in text)
    import unicodedata

    return "".join(
        _escaped(ch)
        if ch not in _KEPT and unicodedata.category(ch) in _REFUSED_CATEGORIES
        else ch
        for ch in text
    )


def json_safe(encoded: str) -> str:
    """JSON text ``encoded`` with each character :func:`terminal_safe` escapes written
    as a JSON ``\\u`` escape: the same value, read back (JSON's own encoder already
    escapes C0 controls; these are the rest, which it writes raw unless asked to
    escape everything beyond ASCII)."""
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded  # the common case, quickly: in ASCII, JSON leaves only DEL raw
    return "".join(ch if terminal_safe(ch) == ch else _json_escaped(ch) for ch in encoded)


def _json_escaped(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: JSON writes it as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def hidden_named(text: str, kept: str = "\n\t") -> str:
    """The characters of ``text`` :func:`terminal_safe` escapes (but those in ``kept``),
    each once, in words for an error ("a character that cannot be seen or that
    controls the terminal: \\u202e"); "" when it has none."""
    if text.isascii() and text.isprintable():
        return ""
    found = dict.fromkeys(_escaped(ch) for ch in text if ch not in kept and terminal_safe(ch) != ch)
    if not found:
        return ""
    if len(found) == 1:
        return f"a character that cannot be seen or that controls the terminal: {next(iter(found))}"
    return f"characters that cannot be seen or that control the terminal: {', '.join(found)}"


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
