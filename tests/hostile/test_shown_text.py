"""Control characters from a hostile bundle never leave the tool as themselves.

An attacker with the media rewrites the transcript (chained again, the
manifest pointed at it: only the paper record tells) so that the title and
a holder's name carry an escape sequence that retitles the terminal and
clears the screen, a bidirectional override, a zero-width space, a carriage
return and a bell. The printed record (its PDF, read with poppler's
pdftotext, and the text file beside it) shows each escaped. A signing
request from another sitting, its title and a keyholder's name so written,
is shown escaped in the words every front end shows (the sign and seal
screens draw them as they are given).
"""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from pathlib import Path

from pdf_reading import pdf_text

from ceremony.sittings.request_file import read_request, write_request
from ceremony.sittings.show import request_lines
from hostile.helpers import REAL_WORK, cli, rechain
from hostile.test_sittings_files import ROTATE

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


def test_a_hostile_request_s_words_are_shown_escaped(sealed, tmp_path):
    shutil.copytree(sealed / "out", tmp_path / "out")
    (tmp_path / "rotate.yaml").write_text(textwrap.dedent(ROTATE))
    assert cli("request", tmp_path / "rotate.yaml", "-o", tmp_path / "request",
               seconds=REAL_WORK).code == 0
    request = read_request(tmp_path / "request")
    keys = tuple(dataclasses.replace(key, holder=f"{key.holder}{WARNING}") for key in request.keys)
    write_request(dataclasses.replace(request, title=TITLE, keys=keys), tmp_path / "hostile")
    text = "\n".join(request_lines(read_request(tmp_path / "hostile")))
    assert not [ch for ch in RAW if ch in text], text
    assert "Signing request: T\\x1b]0;PWNED\\x1b\\itle\\x1b[2J\\u202eRTL" in text, text
    assert "(keyholder ah\\x1b]8;;https://evil.example/\\x1b\\link" in text, text
