"""Control characters from a hostile bundle never leave the tool as themselves.

An attacker with the media rewrites the transcript (chained again, the
manifest pointed at it: only the paper record tells) so that the title and
a holder's name carry an escape sequence that retitles the terminal and
clears the screen, a bidirectional override, a zero-width space, a carriage
return and a bell. The printed record (its PDF, read with poppler's
pdftotext, and the text file beside it) shows each escaped.
"""

from __future__ import annotations

from pathlib import Path

from pdf_reading import pdf_text

from hostile.helpers import cli, rechain

TITLE = "T\x1b]0;PWNED\x1b\\itle\x1b[2J\u202eRTL\u200b\r\x07"
WARNING = "h\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"
RAW = ("\x1b", "\u202e", "\u200b", "\r", "\x07")


def spoil(bundle: Path) -> None:
    def edit(events: list[dict]) -> list[dict]:
        for event in events:
            if event.get("event") == "ceremony-started":
                event["title"] = TITLE
            if event.get("event") == "warning":
                event["message"] = WARNING
        return events

    rechain(bundle, edit)


def test_the_printed_record_shows_a_hostile_bundle_s_control_characters_escaped(
        bundle, tmp_path, caplog):
    spoil(bundle)
    ran = cli("record", bundle, "-o", tmp_path / "record.pdf")
    assert ran.code == 0, ran.said
    assert "missing the following glyphs" not in caplog.text  # fpdf's: none was printed
    for text in (pdf_text(tmp_path / "record.pdf"), (tmp_path / "record.txt").read_text()):
        assert not [ch for ch in RAW if ch in text], text[:400]
        assert "T\\x1b]0;PWNED\\x1b\\itle\\x1b[2J\\u202eRTL\\u200b\\x0d\\x07" in text
        assert "h\\x1b]8;;https://evil.example/\\x1b\\link\\x1b]8;;\\x1b\\" in text
