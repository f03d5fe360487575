"""tests/longest_files.txt, the order the two workers take the longest test files in
(tests/file_order.py), names test files that exist, each once: a file renamed or
removed would otherwise quietly lose its place at the front."""

from __future__ import annotations

from pathlib import Path

from file_order import LONGEST, longest_files

TOP = Path(__file__).resolve().parent.parent


def test_every_file_listed_is_a_test_file_named_once():
    named = [name for files in longest_files() for name in files]
    assert named, f"{LONGEST} names no file"
    assert len(set(named)) == len(named), sorted(n for n in named if named.count(n) > 1)
    missing = [name for name in named if not (TOP / name).is_file()]
    assert not missing, f"{LONGEST.name} names files that are not there: {missing}"
    assert all(Path(name).name.startswith("test_") for name in named), named


def test_a_line_is_read_for_its_files_alone(tmp_path):
    listing = tmp_path / "longest.txt"
    listing.write_text("# a comment\n 95  tests/a.py\n\n 60 tests/b.py tests/c.py  # shared\n")
    assert longest_files(listing) == [["tests/a.py"], ["tests/b.py", "tests/c.py"]]
