"""scripts/softhsm-token and scripts/bench_pkcs11.py, run as an operator would."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from softhsm_support import MODULE, TOP


def test_softhsm_token_reads_pins_from_stdin_and_prints_the_environment(tmp_path):
    directory = tmp_path / "rehearsal"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTHSM")}
    result = subprocess.run(
        [str(TOP / "scripts" / "softhsm-token"), str(directory), "rehearsal-root"],
        input="so-pin-4417\nuser-pin-8823\n",
        env={**env, "CEREMONY_PYTHON": sys.executable},
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.splitlines() == [
        f"export SOFTHSM2_CONF={directory}/softhsm2.conf",
        f"export CEREMONY_PKCS11_MODULE={MODULE}",
    ]
    assert "made token 'rehearsal-root'" in result.stderr
    for secret in ("so-pin-4417", "user-pin-8823"):
        assert secret not in result.stdout + result.stderr
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    shown = subprocess.run(
        ["softhsm2-util", "--show-slots"],
        env={**env, "SOFTHSM2_CONF": str(directory / "softhsm2.conf")},
        capture_output=True, text=True, check=True,
    ).stdout
    assert "rehearsal-root" in shown and "User PIN init.:   yes" in shown


def test_softhsm_token_refuses_without_pins(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTHSM")}
    result = subprocess.run(
        [str(TOP / "scripts" / "softhsm-token"), str(tmp_path / "d"), "x"],
        input="", env={**env, "CEREMONY_PYTHON": sys.executable},
        capture_output=True, text=True,
    )
    assert result.returncode == 2 and "no SO PIN" in result.stderr


def test_bench_asks_for_the_pin_once():
    env = {k: v for k, v in os.environ.items() if k != "SOFTHSM2_CONF"}
    result = subprocess.run(
        [sys.executable, str(TOP / "scripts" / "bench_pkcs11.py"), "50"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert "PIN entries: 1 (must be 1)" in result.stdout, result.stderr
    assert "ratio" in result.stdout
