"""A real SoftHSM2 for the PKCS#11 tests: one private directory per test run.

SoftHSM reads SOFTHSM2_CONF once, when the module is first loaded, and does not
see tokens made afterwards by another process, so every token the tests use
is made up front, by ``scripts/softhsm-token`` (which is tested that way),
before anything loads the module. The PINs are test PINs of a throwaway
token; the directory is removed when the test process ends.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOP = Path(__file__).resolve().parent.parent
SO_PIN = "test-so-pin-0"
USER_PIN = "test-user-pin-0"
# Tokens: "main" for keys made by the tool, "backup" for imports, "spare" for
# tests that plant duplicates with raw python-pkcs11 (another tool's mess).
LABELS = ("ceremony-main", "ceremony-backup", "ceremony-spare")



def make_token(directory: Path, label: str, env: dict | None = None) -> dict[str, str]:
    """Run scripts/softhsm-token; returns the environment it prints."""
    result = subprocess.run(
        [str(TOP / "scripts" / "softhsm-token"), str(directory), label],
        env={
            **os.environ,
            **(env or {}),
            "SOFTHSM_SO_PIN": SO_PIN,
            "SOFTHSM_USER_PIN": USER_PIN,
            "CEREMONY_PYTHON": sys.executable,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    exported = {}
    for line in result.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        exported[name] = value
    return exported


@functools.cache
def softhsm() -> Path:
    """The test run's SoftHSM directory, with every token made, exported."""
    directory = Path(tempfile.mkdtemp(prefix="ceremony-softhsm-"))
    atexit.register(shutil.rmtree, directory, True)
    exported = {}
    for label in LABELS:
        exported = make_token(directory, label)
    os.environ["SOFTHSM2_CONF"] = exported["SOFTHSM2_CONF"]
    # Two tokens with one label, as another tool may leave them (softhsm2-util
    # takes PINs on its command line; these are throwaway test PINs).
    for _ in range(2):
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", "ceremony-twin",
             "--so-pin", SO_PIN, "--pin", USER_PIN],
            env=os.environ, capture_output=True, check=True,
        )
    return directory


FRESH = "CEREMONY_TUI_FRESH_SOFTHSM"


def main_token_visible() -> bool:
    from hsm.errors import KeyBackendError
    from hsm.pkcs11 import open_token

    try:
        open_token(MODULE, label=LABELS[0]).close()
    except KeyBackendError:
        return False
    return True


def ran_fresh(test_file: str, test_name: str) -> bool:
    """Make every token; if this process loaded SoftHSM before they existed (it
    then sees none), run ``test_name`` of ``test_file`` again in a fresh
    interpreter, where they come first, assert it passed and say True: the
    caller returns. False: go on here."""
    softhsm()
    if main_token_visible() or os.environ.get(FRESH):
        return False
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"{test_file}::{test_name}"],
        env={**os.environ, FRESH: "1"}, cwd=TOP, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return True
