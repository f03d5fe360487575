"""Text an operator writes holds no hidden characters: a bidirectional override, a
zero-width space or a control character makes a line read differently from what it
holds (a reviewer sees one thing, the tool reads another), and the words reach the
transcript and the printed records as they are. Scripts (raw lines, comments
included, and the values quoted escapes make), a sitting's words and a retired
copy's reason are refused with where and what, escaped; a byte order mark at the
start, tabs and CRLF line ends stay allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ceremony.custody.errors import CustodyError
from ceremony.custody.status import retire
from ceremony.errors import CeremonyError, ScriptError
from ceremony.script.load import load_script_text
from ceremony.sittings.sign import signing

EXAMPLE = (Path(__file__).resolve().parent.parent / "docs" / "examples" / "bootstrap.yaml")


def script(edit) -> str:
    return edit(EXAMPLE.read_text())


def title(text: str):
    return lambda s: "\n".join(f"title: {text}" if line.startswith("title:") else line
                               for line in s.splitlines()) + "\n"


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize("edit, where, shown", [
    (lambda s: s.replace("title:", "# the reviewer reads \u202e this\ntitle:", 1),
     "title-comment", "\\u202e"),
    (title("Rotation\u200b of the root"), "title", "\\u200b"),
    (title('"Rotation \\x9b2J of the root"'), "title-value", "\\x9b"),
    (title('"Rotation \\e]0;PWNED\\a"'), "title-value", "\\x1b, \\x07"),
    (lambda s: s.replace("title:", '"tit\\u2066le": x\ntitle:', 1), "field-name", "\\u2066"),
])
def test_a_script_with_hidden_characters_is_refused_with_where_and_what(
        tmp_path, edit, where, shown):
    text = script(edit)
    with pytest.raises(ScriptError) as caught:
        load_script_text(text, path=tmp_path / "s.yaml")
    message = str(caught.value)
    if where == "title-comment":
        assert f"s.yaml:{line_of(text, '# the reviewer')}: this line holds" in message
    elif where == "title":
        assert f"s.yaml:{line_of(text, 'title:')}: this line holds" in message
    elif where == "title-value":
        assert f"s.yaml:{line_of(text, 'title:')}: title: the text holds" in message
    else:
        assert "the field's name holds" in message
    assert "cannot be seen or that control" in message and shown in message, message
    assert "Retype that text without" in message
    assert "\u202e" not in message and "\x1b" not in message and "\x9b" not in message


@pytest.mark.parametrize("edit", [
    lambda s: "\ufeff" + s,
    lambda s: s.replace("\n", "\r\n"),
    title('"Rotation\tof the root"'),
    title("Rotation of the root, Zürich"),
])
def test_a_byte_order_mark_tabs_crlf_and_letters_are_read(tmp_path, edit):
    plan = load_script_text(script(edit), path=tmp_path / "s.yaml")
    assert plan.kind == "bootstrap"


def test_a_sittings_words_with_hidden_characters_are_refused_before_anything_is_read():
    # refused first: nothing of the request, the bundle or the keys is looked at
    stream = signing(None, Path("/nonexistent"), current=Path("/nonexistent"), keys=(),  # type: ignore[arg-type]
                     operator=None, clock=None, sitting="alice\u202e at the bank")  # type: ignore[arg-type]
    with pytest.raises(CeremonyError) as caught:
        next(stream)
    assert "the sitting's words hold a character that cannot be seen" in str(caught.value)
    assert "\\u202e" in str(caught.value) and "\u202e" not in str(caught.value)


def test_a_retired_copys_reason_with_hidden_characters_is_refused(tmp_path):
    with pytest.raises(CustodyError) as caught:
        retire(tmp_path / "custody-x", "lost\x1b[2J in the flood", datetime.now(UTC))
    assert "the reason holds a character that cannot be seen" in str(caught.value)
    assert "\\x1b" in str(caught.value)
    assert not any(tmp_path.iterdir())
