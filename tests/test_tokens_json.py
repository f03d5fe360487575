"""``ceremony tokens --json``: the tokens a module sees, as data, no PIN asked.

Run as a child process with its own SOFTHSM2_CONF, as the home screen runs
it: the token is made first, so the module (loaded only by the child) sees it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from softhsm_support import MODULE, make_token

from ceremony.tui.room import SeenToken, tokens_from_json


def tokens_json(conf: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ceremony", "tokens", "--json", *args],
        env={**os.environ, "SOFTHSM2_CONF": conf},
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


def test_a_softhsm_token_shows_up(tmp_path):
    exported = make_token(tmp_path, "json-shown")
    result = tokens_json(exported["SOFTHSM2_CONF"], "--module", MODULE)
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    [module] = listing["modules"]
    assert module["path"] == MODULE and module["error"] is None
    [token] = [t for t in module["tokens"] if t["initialized"]]
    assert token["label"] == "json-shown"
    assert token["serial"] and token["model"].startswith("SoftHSM")
    assert token["manufacturer"].startswith("SoftHSM") and token["software"] is True
    assert token["pin"] == {
        "initialized": True, "count_low": False, "final_try": False,
        "locked": False, "to_be_changed": False, "protected_path": False,
    }
    assert token["public_keys"] == 0 and token["error"] is None
    # and the home screen reads it
    seen = tokens_from_json(result.stdout)
    assert SeenToken("json-shown", token["serial"], token["model"]) in seen.tokens


def test_a_missing_module_is_said_not_raised(tmp_path):
    exported = make_token(tmp_path, "json-other")
    result = tokens_json(exported["SOFTHSM2_CONF"], "--module", str(tmp_path / "none.so"))
    assert result.returncode == 0, result.stderr
    [module] = json.loads(result.stdout)["modules"]
    assert module["tokens"] == [] and "no PKCS#11 module" in module["error"]


def test_json_asks_no_pin(tmp_path):
    exported = make_token(tmp_path, "json-pin")
    result = tokens_json(exported["SOFTHSM2_CONF"], "--module", MODULE, "--login")
    assert result.returncode == 2 and "--json" in result.stderr


def test_login_away_from_a_terminal_says_how_to_give_the_pin(tmp_path):
    """`ceremony tokens --login` with no terminal and no --secrets asks for the token's
    PIN (not a key's passphrase) by the --secrets line that gives it; `tokens` has no
    script, whose `pins:` the message once sent the operator to."""
    exported = make_token(tmp_path, "login-pin")
    result = subprocess.run(
        [sys.executable, "-m", "ceremony", "tokens", "--module", MODULE, "--login"],
        env={**os.environ, "SOFTHSM2_CONF": exported["SOFTHSM2_CONF"]},
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert result.stderr == (
        "ceremony: no PIN for token 'login-pin'. run at a terminal to be asked, or pass "
        "--secrets FILE with a `pin/login-pin:` line\n"
    )
    # a ceremony's own secrets can still be named in its script
    from ceremony.cli.operator import HeadlessOperator
    from ceremony.errors import CeremonyError
    from ceremony.operator import SecretKind, SecretRequest

    asked = SecretRequest(id="pin/t", key="pin/t", prompt="PIN", kind=SecretKind.PIN)
    with pytest.raises(CeremonyError, match="in the script's `pins:`, or pass --secrets FILE"):
        HeadlessOperator(interactive=False).secret(asked)
