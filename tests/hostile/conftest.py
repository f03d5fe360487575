"""Bundles and scripts the hostile cases start from, made by the tool itself.

One real bootstrap (the session's small headless bootstrap, tests/conftest.py)
and one rotation of it (``ceremony run``, software keys, two root versions)
are made once for the whole package; each case copies
the rotated bundle before it changes anything. Bundles whose root history
must be signed in ways the tool never signs (a rolled-back or short root)
come from tests/bundle_factory.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_run_headless import PASS, rotation, small_bootstrap
from test_verify_dct import make_dct_bundle

from hostile.helpers import REAL_WORK, cli


@pytest.fixture(scope="package")
def sealed(tmp_path_factory, headless_bootstrap) -> Path:
    """The folder of a sealed bootstrap (``out``: small_bootstrap's, made once for
    the session, copied) and its rotation (``rotated``)."""
    folder = tmp_path_factory.mktemp("sealed")
    shutil.copytree(headless_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        assert cli("run", rotation(folder, "out", "rotated"), "--yes", seconds=REAL_WORK).code == 0
    return folder


@pytest.fixture
def bundle(sealed, tmp_path) -> Path:
    """A copy of the rotated bundle (root versions 1 and 2), for one case to spoil."""
    return Path(shutil.copytree(sealed / "rotated", tmp_path / "bundle"))


@pytest.fixture(scope="package")
def sealed_dct(tmp_path_factory) -> Path:
    """A sealed dct bootstrap of two GUNs (tests/test_verify_dct.py makes it)."""
    return make_dct_bundle(tmp_path_factory.mktemp("sealed-dct"))


@pytest.fixture
def dct_bundle(sealed_dct, tmp_path) -> Path:
    return Path(shutil.copytree(sealed_dct, tmp_path / "bundle"))


@pytest.fixture
def passphrases(monkeypatch):
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def script(tmp_path, passphrases) -> Path:
    """A small bootstrap script (with its imported public keys) that validates."""
    return small_bootstrap(tmp_path)
