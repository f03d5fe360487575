"""The passphrase minimum holds however a new passphrase arrives.

A new key passphrase shorter than 12 characters is refused by the engine,
whether it came from an environment variable, a secrets file or a prompt
(where it is asked again, saying why); nothing is sealed, and the short
passphrase appears in no message.
"""

from __future__ import annotations

import os

import pytest
from test_run_headless import small_bootstrap
from witness import witnessed

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.errors import CeremonyError
from ceremony.operator import Confirmation, Secret, SecretRequest
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script

LONG = "correct horse battery 2"


def test_a_short_passphrase_from_the_environment_is_refused(tmp_path, monkeypatch, capsys):
    script = small_bootstrap(tmp_path)
    monkeypatch.setenv("ROOT_A_PASS", "qwzxy")
    monkeypatch.setenv("ROOT_B_PASS", LONG)
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    err = capsys.readouterr().err
    assert err == (
        "ceremony: the new passphrase for root-a has 5 characters; a passphrase needs at "
        "least 12. give a longer passphrase in the environment variable ROOT_A_PASS; nothing "
        "was sealed\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_short_passphrase_from_a_secrets_file_is_refused(tmp_path, monkeypatch, capsys):
    script = small_bootstrap(tmp_path)
    text = script.read_text().replace("root-a: {env: ROOT_A_PASS}", "root-a: prompt")
    script.write_text(text)
    monkeypatch.setenv("ROOT_B_PASS", LONG)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("root-a: qwzxy\n")
    os.chmod(secrets, 0o600)
    code = main(witnessed(["run", str(script), "--yes", "--secrets", str(secrets)]))
    err = capsys.readouterr().err
    assert code == 3, err
    assert "a passphrase needs at least 12" in err and "qwzxy" not in err
    assert not (tmp_path / "out").exists()


class ShortThenLong(RehearsalOperator):
    """Types a short new passphrase first, then a long one: as at a prompt."""

    can_retry = True

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[SecretRequest] = []

    def secret(self, request: SecretRequest) -> Secret:
        self.asked.append(request)
        if request.new and request.attempt == 1:
            return Secret("short")
        return Secret(LONG)

    def confirm(self, request: Confirmation) -> bool:
        return True


def test_a_short_passphrase_at_a_prompt_is_asked_again_saying_why(tmp_path, monkeypatch):
    script = small_bootstrap(tmp_path)
    text = script.read_text().replace("root-a: {env: ROOT_A_PASS}", "root-a: prompt")
    text = text.replace("root-b: {env: ROOT_B_PASS}", "root-b: prompt")
    script.write_text(text)
    operator = ShortThenLong()
    list(run_ceremony(load_script(script), operator))
    again = [r for r in operator.asked if r.attempt == 2]
    assert [r.key for r in again] == ["root-a", "root-b"]
    assert again[0].problem == (
        "the new passphrase for root-a has 5 characters; a passphrase needs at least 12"
    )
    assert (tmp_path / "out" / "MANIFEST.json").is_file()


def test_a_refused_passphrase_stops_with_the_operators_error(tmp_path):
    script = small_bootstrap(tmp_path)
    text = script.read_text().replace("root-a: {env: ROOT_A_PASS}", "root-a: prompt")
    text = text.replace("root-b: {env: ROOT_B_PASS}", "root-b: prompt")
    script.write_text(text)

    class AlwaysShort(ShortThenLong):
        def secret(self, request: SecretRequest) -> Secret:
            return Secret("short") if request.new else Secret(LONG)

    with pytest.raises(CeremonyError, match="a passphrase needs at least 12"):
        list(run_ceremony(load_script(script), AlwaysShort()))
    assert not (tmp_path / "out").exists()
