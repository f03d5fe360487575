"""`ceremony next` takes its paths as text, held to what pathlib made of them.

From its command line to the file it writes, `ceremony next` names paths as
text, as pathlib writes them (cli/quick.py's ``path_text``), and asks what is
at them as pathlib asks (bundle/path_kinds.py): pathlib, with urllib.parse and
ipaddress, was a tenth of its start-up. Here ``path_text`` is held to
``str(PurePosixPath(...))`` on any text Hypothesis writes of slashes, dots and
names; each question of path_kinds to pathlib's on every kind of name a medium
may hold (a file, a folder, links to either, a dangling link, a loop of links,
a pipe, a name under a file, a name too long, a NUL), answers and errors alike;
and the script written from a bundle named as text to the one written from the
same bundle named as a Path, byte for byte, for each way of writing its path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremony.bundle import path_kinds
from ceremony.cli.quick import path_text
from ceremony.lifecycle.next import next_script_text

PARTS = st.sampled_from(["", ".", "..", "a", "b.yaml", " ", "...", "-x", "é"])


@given(st.lists(PARTS, max_size=8), st.integers(min_value=0, max_value=4))
def test_path_text_is_what_pathlib_writes(parts, slashes):
    word = "/" * slashes + "/".join(parts)
    assert path_text(word) == str(PurePosixPath(word))


def names(folder: Path) -> dict[str, str]:
    """Each kind of name a medium may hold, made in ``folder``: kind -> the path."""
    (folder / "file").write_text("x")
    (folder / "folder").mkdir()
    (folder / "link-to-file").symlink_to(folder / "file")
    (folder / "link-to-folder").symlink_to(folder / "folder")
    (folder / "dangling").symlink_to(folder / "nothing")
    (folder / "loop").symlink_to(folder / "loop")
    os.mkfifo(folder / "pipe")
    return {kind: str(folder / name) for kind, name in [
        ("file", "file"), ("folder", "folder"), ("link to a file", "link-to-file"),
        ("link to a folder", "link-to-folder"), ("dangling link", "dangling"),
        ("loop of links", "loop"), ("pipe", "pipe"), ("nothing", "nothing"),
        ("under a file", "file/x"), ("through a loop", "loop/x"),
        ("name too long", "x" * 300), ("a NUL", "a\0b"), ("here", "."),
    ]}


def answer(ask: Callable[[], bool]) -> object:
    """What ``ask`` answers, or the error it raises (its kind and errno)."""
    try:
        return ask()
    except OSError as error:
        return type(error), error.errno


QUESTIONS = [
    (path_kinds.is_dir, Path.is_dir), (path_kinds.is_file, Path.is_file),
    (path_kinds.is_symlink, Path.is_symlink),
    (path_kinds.name_taken, lambda path: path.exists() or path.is_symlink()),
]


@pytest.mark.parametrize(("ours", "pathlibs"), QUESTIONS, ids=lambda q: getattr(q, "__name__", ""))
def test_path_kinds_answer_as_pathlib(tmp_path, ours, pathlibs):
    for kind, path in names(tmp_path).items():
        expected = answer(lambda path=path: pathlibs(Path(path)))
        assert answer(lambda path=path: ours(path)) == expected, kind
        assert answer(lambda path=path: ours(Path(path))) == expected, kind
    assert answer(lambda: path_kinds.is_dir("x" * 300)) == (OSError, 36)  # raised, as pathlib


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory, policy_bootstrap) -> Path:
    """A folder holding v1 (test_next_script's BOOTSTRAP, made once for the session:
    our copy) and a folder ``out`` for scripts."""
    folder = tmp_path_factory.mktemp("as-text")
    shutil.copytree(policy_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    (folder / "out").mkdir()
    return folder


@pytest.mark.parametrize(("bundle", "script"), [
    ("v1", "renew.yaml"), ("./v1/", "./out//renew.yaml"), ("out/../v1", "out/../renew.yaml"),
    ("v1//", "out/renew.yaml"),
])
@pytest.mark.parametrize("kind", ["renew", "rotate-root"])
def test_a_bundle_named_as_text_gives_the_script_a_path_gives(
        bootstrapped, monkeypatch, bundle, script, kind):
    monkeypatch.chdir(bootstrapped)
    as_path = next_script_text(Path(bundle), kind, Path(script).absolute())
    as_text = next_script_text(path_text(bundle), kind,
                               os.path.join(os.getcwd(), path_text(script)))
    assert as_text == as_path
    assert f"from {Path(bundle)} (root version 1" in as_text
