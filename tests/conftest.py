"""The real components every test run needs, checked once at the start,
and the rehearsals the session shares.

Tests drive real tools (SoftHSM2, OpenSC, Notary, age, zbar, poppler, tmux).
None is ever skipped for want of one: a missing tool stops the whole run at
once, saying how to install it (scripts/test does it on a fresh machine).

Age files are sealed at a small scrypt work factor in the tests and in the processes
they start (tests/quick_scrypt/sitecustomize.py says why); a test that needs the
tool's own 18 asks for the ``real_scrypt`` fixture.
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from process_watch import ArgvWatch
from quick_scrypt.sitecustomize import make_quick, tool_work_factor
from session_cache import copy_of, made_once

import hsm.age.scrypt

QUICK_SCRYPT = Path(__file__).with_name("quick_scrypt")
TOOL_WORK_FACTOR = tool_work_factor(hsm.age.scrypt)
if os.environ.get("CEREMONY_TEST_SCRYPT") != "real":
    make_quick(hsm.age.scrypt)
    paths = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    if str(QUICK_SCRYPT) not in paths:  # an xdist worker has it from the run's start
        os.environ["PYTHONPATH"] = os.pathsep.join([str(QUICK_SCRYPT), *paths])

# Hypothesis fails an example slower than 200 ms by default: a timed assertion, which a
# loaded machine trips. Speed is judged by scripts/bench, never by a test.
settings.register_profile("ceremony", deadline=None)
settings.load_profile("ceremony")

pytest_plugins = ["file_order"]  # the longest test files go to the workers first

COMMANDS = ("pkcs11-tool", "notary", "notary-server", "age", "zbarimg", "pdftoppm", "tmux")
LIBRARIES = {
    "SoftHSM2": ["/usr/lib/softhsm/libsofthsm2.so"],
    "ykcs11": glob.glob("/usr/lib/*/libykcs11.so*"),
    "libzbar0": glob.glob("/usr/lib/*/libzbar.so.0*"),
}


def pytest_sessionstart(session):
    missing = [c for c in COMMANDS if shutil.which(c) is None]
    missing += [name for name, paths in LIBRARIES.items() if not any(map(os.path.exists, paths))]
    if missing:
        raise pytest.UsageError(
            f"the tests drive real components and these are missing: {', '.join(missing)}. "
            "Run ./scripts/install-test-tools (./scripts/test does it for you)"
        )


@pytest.fixture
def real_scrypt(monkeypatch: pytest.MonkeyPatch) -> int:
    """The tool's own scrypt work factor (18), in this process and the ones it starts."""
    monkeypatch.setattr(hsm.age.scrypt, "WRITE_WORK_FACTOR", TOOL_WORK_FACTOR)
    monkeypatch.setenv("CEREMONY_TEST_SCRYPT", "real")
    return TOOL_WORK_FACTOR


@pytest.fixture(scope="session")
def _rehearsed(tmp_path_factory):
    from ceremony.flavors.tuf.rehearsal import rehearse_tuf
    from ceremony.rehearsal.operator import RehearsalOperator

    folder = tmp_path_factory.mktemp("rehearsal") / "out"
    operator = RehearsalOperator()
    with ArgvWatch() as watch:
        events = list(rehearse_tuf(folder, operator=operator))
    return folder, operator, events, watch


@pytest.fixture(scope="session")
def rehearsal(_rehearsed):
    """One whole TUF rehearsal with custody for the session (four ceremonies,
    ~30 s of scrypt): its folder, its Operator (which holds, in memory, every
    passphrase and share it gave) and its events."""
    return _rehearsed[:3]


@pytest.fixture(scope="session")
def rehearsal_argv(_rehearsed) -> ArgvWatch:
    """The command lines of this process and its children, sampled while the
    rehearsal ran."""
    return _rehearsed[3]


@pytest.fixture(scope="session")
def dct_rehearsal(tmp_path_factory) -> tuple[Path, str]:
    """One ``ceremony rehearse --flavor dct`` for the session (four bundles), and
    what it printed. Tests only add files of their own beside its bundles. Made
    once for the run however many workers take it; each worker gets its own copy."""
    made = made_once(tmp_path_factory, "dct-rehearsal", rehearse_dct)
    folder = copy_of(made / "out", tmp_path_factory.mktemp("dct-rehearsal") / "out")
    return folder, (made / "printed.txt").read_text()


def rehearse_dct(folder: Path) -> None:
    """``ceremony rehearse --flavor dct`` into ``folder/out``; what it printed in
    ``folder/printed.txt``."""
    from ceremony.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["rehearse", "--flavor", "dct", "--out", str(folder / "out")]) == 0
    (folder / "printed.txt").write_text(printed.getvalue())


@pytest.fixture(scope="session")
def policy_bootstrap(tmp_path_factory) -> Path:
    """test_next_script's BOOTSTRAP (a TUF root whose script has a ``policy:``),
    run once for the session at that module's NOW by its OPERATOR (which holds
    the keys' passphrases): a folder holding v1. Several modules read it; each
    takes its own copy, so none sees what another wrote beside it."""
    from test_next_script import BOOTSTRAP, NOW, OPERATOR

    from ceremony.engine import run_ceremony
    from ceremony.script.load import load_script

    folder = tmp_path_factory.mktemp("policy-bootstrap")
    (folder / "bootstrap.yaml").write_text(BOOTSTRAP)
    list(run_ceremony(load_script(folder / "bootstrap.yaml", now=NOW), OPERATOR))
    return folder


@pytest.fixture(scope="session")
def headless_bootstrap_run(tmp_path_factory) -> tuple[Path, str]:
    """test_run_headless's small bootstrap, run once for the session by ``ceremony
    run --yes`` with a witness in its answers (its passphrases from PASS, in the
    environment only while it runs): a folder holding ``out``, and what it printed.
    Made once for the run however many workers take it; read only."""
    folder = made_once(tmp_path_factory, "headless-bootstrap", run_small_bootstrap)
    return folder, (folder.parent / "headless-bootstrap-printed.txt").read_text()


def run_small_bootstrap(folder: Path) -> None:
    """headless_bootstrap_run's bootstrap into ``folder``; what it printed beside
    ``folder`` (so that listings of it stay as they were)."""
    from test_run_headless import PASS, small_bootstrap
    from witness import witnessed

    from ceremony.cli import main

    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        for name, value in PASS.items():
            patch.setenv(name, value)
        assert main(witnessed(["run", str(small_bootstrap(folder)), "--yes"])) == 0
    (folder.parent / "headless-bootstrap-printed.txt").write_text(printed.getvalue())


@pytest.fixture(scope="session")
def headless_bootstrap(headless_bootstrap_run) -> Path:
    """The folder of headless_bootstrap_run, shared by the workers: modules take
    their own copies to write beside it."""
    return headless_bootstrap_run[0]


@pytest.fixture(scope="session")
def dct_inspect_bundle(tmp_path_factory) -> Path:
    """test_inspect_dct's dct bootstrap of two GUNs, made once for the session;
    the modules that take it only read it."""
    from test_inspect_dct import make_bundle

    return make_bundle(tmp_path_factory.mktemp("dct-inspect"))


@pytest.fixture(scope="session")
def sigstore_v1(tmp_path_factory) -> Path:
    """A Sigstore bootstrap (tests/sigstore_instance.py's bootstrap_v1: trust/,
    v1.yaml, v1/), made once for the run however many workers take it. Read
    only: each module takes its own copy (session_cache.copy_of)."""
    from tests.sigstore_instance import bootstrap_v1

    return made_once(tmp_path_factory, "sigstore-v1", bootstrap_v1)
