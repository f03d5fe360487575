"""Preflight: what is wrong with a token is found before the ceremony starts.

The missing-mechanism case is real, not simulated: a second process loads
SoftHSM with a configuration that switches Ed25519 off (``slots.mechanisms``)
and sees the same tokens.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest
from softhsm_support import MODULE, TOP, USER_PIN, softhsm

from hsm.pkcs11 import ModuleLoadError, NoReaderError, open_token, preflight
from hsm.pkcs11.module import load_module

YKCS11 = next(iter(sorted(glob.glob("/usr/lib/*/libykcs11.so*"))), "libykcs11.so")
ALL = ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072", "rsa-4096"]


def test_a_ready_token_has_no_problems_except_softhsm_in_production():
    softhsm()
    assert preflight(MODULE, label="ceremony-main", algorithms=ALL, generate=True) == []
    (problem,) = preflight(
        MODULE, label="ceremony-main", algorithms=ALL, generate=True, production=True
    )
    assert "is a SoftHSM token" in str(problem) and "only in a rehearsal" in str(problem)
    assert problem.blocking


def test_unknown_algorithms_and_tokens_are_problems_not_crashes():
    softhsm()
    (problem,) = preflight(MODULE, label="ceremony-main", algorithms=["dsa-1024"])
    assert "algorithm 'dsa-1024' is not allowed" in str(problem)
    (problem,) = preflight(MODULE, label="nowhere", algorithms=ALL)
    assert "no token with label 'nowhere'" in str(problem)


PROBE = """
import json, os, sys
from hsm.pkcs11 import open_token, preflight
module, label = sys.argv[1], sys.argv[2]
found = preflight(module, label=label, algorithms=["ed25519", "ecdsa-p256"], generate=True)
token = open_token(module, label=label)
token.login(os.environ.pop("TEST_PIN"))
try:
    token.generate_key("ed25519", label="never-made")
    error = None
except Exception as caught:
    error = [type(caught).__name__, str(caught)]
print(json.dumps({"problems": [str(p) for p in found], "error": error}))
"""


def test_a_missing_mechanism_is_named_before_and_during_the_ceremony(tmp_path):
    directory = softhsm()
    config = (directory / "softhsm2.conf").read_text()
    restricted = tmp_path / "no-eddsa.conf"
    # SoftHSM 2.6 ignores the first name of a "-" list: CKM_NONE takes that place.
    restricted.write_text(
        config + "slots.mechanisms = -CKM_NONE,CKM_EDDSA,CKM_EC_EDWARDS_KEY_PAIR_GEN\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE, MODULE, "ceremony-main"],
        env={**os.environ, "SOFTHSM2_CONF": str(restricted), "TEST_PIN": USER_PIN},
        cwd=TOP, capture_output=True, text=True, check=True,
    )
    report = json.loads(result.stdout)
    serial = open_token(MODULE, label="ceremony-main").info.serial
    assert report["problems"] == [
        f"token 'ceremony-main' (serial {serial}) does not offer CKM_EDDSA, needed to sign "
        "with ed25519 keys. choose an algorithm this token supports, or use another "
        "token",
        f"token 'ceremony-main' (serial {serial}) does not offer CKM_EC_EDWARDS_KEY_PAIR_GEN, "
        "needed to generate ed25519 keys. choose an algorithm this token supports, or "
        "use another token",
    ]
    kind, message = report["error"]
    assert kind == "MechanismMissingError"
    assert "does not offer CKM_EDDSA, needed to sign with ed25519 keys" in message


@pytest.mark.parametrize(
    "path, words",
    [
        ("/nonexistent/libpkcs11.so", "there is no PKCS#11 module at /nonexistent"),
        ("relative/lib.so", "is not an absolute path"),
        ("/etc/passwd", "(the file is not a library)"),
        ("/lib/x86_64-linux-gnu/libc.so.6", "(the file is a library but not a PKCS#11 one)"),
    ],
)
def test_a_wrong_module_path_says_what_is_wrong(path, words):
    if path.startswith("/lib") and not os.path.exists(path):
        path = next(
            p for p in ("/usr/lib/x86_64-linux-gnu/libc.so.6",
                        "/usr/lib/aarch64-linux-gnu/libc.so.6")
            if os.path.exists(p)
        )
    with pytest.raises(ModuleLoadError) as caught:
        load_module(path)
    assert words in str(caught.value)
    (problem,) = preflight(path, label="any", algorithms=ALL)
    assert words in str(problem)


def test_no_reader_is_reported_plainly():
    # No YubiKey is attached to the test machine: ykcs11 answers DeviceError.
    try:
        with pytest.raises(NoReaderError) as caught:
            open_token(YKCS11, label="YubiKey PIV")
    except pytest.fail.Exception:
        pytest.skip("a YubiKey seems to be attached")
    assert "sees no reader or device" in str(caught.value)
    assert "plug in the token" in str(caught.value)
