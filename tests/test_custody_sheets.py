"""Share sheets: one page on A4 and Letter, everything a custodian needs on it,
and shares read back from the printed QR codes (rendered with poppler's
pdftoppm, decoded with zbar) and from the plain-text sheet."""

from __future__ import annotations

import re
import subprocess

import pytest
from custody_helpers import CEREMONY_ID, make, need, written

from ceremony.custody import ShareCollector, SharePlan, restore
from ceremony.custody.share_input import read_qr_image
from ceremony.custody.sheets import share_sheet_pdf, share_sheet_text, sheet_name


@pytest.fixture(scope="module")
def custody():
    return make(SharePlan.of(3, 5))


def render(*pdf_paths, dpi=120):
    """Each PDF's pages as grey PNG files, rendered by pdftoppm side by side."""
    need("pdftoppm")
    runs = [
        subprocess.Popen(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(p), str(p.with_suffix(""))]
        )
        for p in pdf_paths
    ]
    assert all(run.wait() == 0 for run in runs)
    return [sorted(p.parent.glob(f"{p.stem}-*.png")) for p in pdf_paths]


@pytest.mark.parametrize("paper, size", [("A4", "595.28 x 841.89"), ("Letter", "612 x 792")])
def test_a_sheet_is_one_page(custody, tmp_path, paper, size):
    need("pdfinfo")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(share_sheet_pdf(custody.shares.shares[0], custody.record, paper))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    assert f"Page size:       {size} pts" in info


def test_a_sheet_says_everything_a_custodian_needs(custody, tmp_path):
    need("pdftotext")
    share = custody.shares.shares[3]
    path = tmp_path / sheet_name(share)
    assert path.name == "share-04-of-05.pdf"
    path.write_bytes(share_sheet_pdf(share, custody.record, "Letter"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for needed in [
        "Share 4 of 5", "any 3 of 5 shares recover the keys", CEREMONY_ID,
        f"Share set id {share.identifier}", custody.record.bundle_sha256,
        *custody.record.root_keyids, "Custodian name", "Signature", "Date",
        "Tamper-evident bag no.", "checksum words", "docs/runbooks/recovery-without-ceremony.md",
    ]:
        assert needed in flat, needed
    for number, word in enumerate(share.words, 1):
        assert re.search(rf"(^|\s){number}\s*{word}(\s|$)", flat), (number, word)
    # the secret travels in the page, never in the document's metadata
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert not any(word in info.split() for word in share.words[4:])


def test_recover_from_the_qr_codes_of_printed_sheets(custody, tmp_path):
    need("pdftoppm")
    copies = written(custody, tmp_path / "media")
    pdfs = []
    for share in custody.shares.shares:
        pdfs.append(tmp_path / sheet_name(share))
        pdfs[-1].write_bytes(share_sheet_pdf(share, custody.record))
    images = {}
    for share, (page,) in zip(custody.shares.shares, render(*pdfs), strict=True):
        images[share.number] = page
        assert read_qr_image(page) == list(share.words)
    collector = ShareCollector(custody.record)
    for number in (2, 4, 5):
        collector.add_image(images[number])
    restored = restore(copies, collector.recover())
    assert [k.fingerprint for k in restored.keys] == [k.fingerprint for k in custody.record.keys]


def test_sheets_for_groups_name_the_group(tmp_path):
    custody = make(SharePlan(((2, 3), (2, 3), (2, 3)), group_threshold=2))
    share = custody.shares.group(2)[2]
    text = share_sheet_text(share, custody.record)
    assert "Share 6 of 9: group 2 of 3, member 3 of 3" in text
    assert "Recovery needs: any 2 of 3 groups; in group 2, any 2 of 3 members" in text
    pdf = tmp_path / "g.pdf"
    pdf.write_bytes(share_sheet_pdf(share, custody.record))
    ((page,),) = render(pdf)
    assert read_qr_image(page) == list(share.words)


def test_the_text_sheet_reads_back_as_a_share(custody, tmp_path):
    collector = ShareCollector(custody.record)
    for share in custody.shares.shares[:3]:
        path = tmp_path / sheet_name(share, "txt")
        path.write_text(share_sheet_text(share, custody.record))
        collector.add_file(path)
    assert collector.recover().recipient == custody.record.recipient


def test_share_files_in_other_shapes(custody, tmp_path):
    share = custody.shares.shares[0]
    numbered = tmp_path / "numbered.txt"
    # numbered words in any order, with comments
    numbered.write_text(
        "# share of alice\n"
        + "\n".join(f"{n}. {w}" for n, w in reversed(list(enumerate(share.words, 1))))
    )
    plain = tmp_path / "plain.txt"
    plain.write_text(share.mnemonic.upper() + "\n")
    collector = ShareCollector(custody.record)
    collector.add_file(numbered)
    with pytest.raises(Exception, match="already given as share 1"):
        collector.add_file(plain)


def test_a_truncated_share_file(custody, tmp_path):
    path = tmp_path / "share.txt"
    path.write_text(share_sheet_text(custody.shares.shares[0], custody.record))
    data = path.read_bytes()
    cut = data.rindex(b"\n", 0, data.index(b"--- share words ---") + 250)  # whole lines only
    path.write_bytes(data[:cut])
    collector = ShareCollector(custody.record)
    with pytest.raises(Exception) as error:
        collector.add_file(path)
    assert str(error.value).startswith(f"share 1 ({path}): it has ")
    assert str(error.value).endswith(
        "words; a custody share has 33. a word is missing or extra (or the file is cut short): "
        "compare with the numbered words on the sheet"
    )


def test_an_image_without_a_qr_code(tmp_path):
    from PIL import Image

    from ceremony.custody import ShareFormatError

    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    with pytest.raises(ShareFormatError) as error:
        ShareCollector().add_image(blank)
    assert str(error.value) == (
        f"share 1 ({blank}): no QR code found in {blank}. scan the sheet again, flat and in "
        "focus (300 dpi), or type the words"
    )


def test_look_of_a_sheet_is_stable_enough_to_read(custody, tmp_path):
    """Render at a low, fax-like resolution: the QR code must still decode."""
    pdf = tmp_path / "low.pdf"
    pdf.write_bytes(share_sheet_pdf(custody.shares.shares[1], custody.record))
    ((page,),) = render(pdf, dpi=90)
    assert read_qr_image(page) == list(custody.shares.shares[1].words)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_fullest_sheet_still_fits_one_page(tmp_path, paper):

    from ceremony.custody.record import KeyRecord

    need("pdfinfo")
    custody = make(SharePlan(((2, 3), (3, 5), (2, 3)), group_threshold=2), passphrase="x")
    record = custody.record.replace(
        ceremony_id="20261126T173000Z-rotate-root-with-a-rather-long-name-3f2a9c1e",
        keys=tuple(KeyRecord(f"root-{i}", ("root",), "ed25519", f"{i:064x}", f"{i:064x}")
                   for i in range(9)),
    )
    path = tmp_path / "full.pdf"
    path.write_bytes(share_sheet_pdf(custody.shares.shares[4], record, paper))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_rehearsal_sheet_is_marked_and_names_its_custodian(custody, tmp_path, paper):
    """The mark is in the PDF's text (top, facts, beside the QR code) and the text
    sheet; the QR code itself stays the 33 words any SLIP-39 tool reads."""
    need("pdftotext")
    share = custody.shares.shares[0]
    path = tmp_path / "rehearsal.pdf"
    path.write_bytes(share_sheet_pdf(share, custody.record, paper, custodian="Dana Okafor",
                                     rehearsal=True))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "REHEARSAL - PRACTICE ONLY, NOT A PRODUCTION SHARE" in flat
    assert "Rehearsal yes: practice keys, never trust them" in flat
    assert "REHEARSAL QR code: the same 33 words" in flat
    assert "Dana Okafor" in flat
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "REHEARSAL Custody share 1 of 5" in info
    ((page,),) = render(path)
    assert read_qr_image(page) == list(share.words)

    sheet = share_sheet_text(share, custody.record, custodian="Dana Okafor", rehearsal=True)
    assert sheet.startswith("REHEARSAL - PRACTICE ONLY, NOT A PRODUCTION SHARE\n")
    assert "Rehearsal:      yes: practice keys, never trust them" in sheet
    assert "Custodian name: Dana Okafor   Signature:" in sheet
    words = tmp_path / "rehearsal.txt"
    words.write_text(sheet)
    collector = ShareCollector(custody.record)
    assert collector.add_file(words)  # the marked text sheet still reads back


def test_a_production_sheet_carries_no_rehearsal_mark(custody, tmp_path):
    need("pdftotext")
    path = tmp_path / "production.pdf"
    path.write_bytes(share_sheet_pdf(custody.shares.shares[0], custody.record))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "REHEARSAL" not in text.upper()
    assert "REHEARSAL" not in share_sheet_text(custody.shares.shares[0], custody.record)
