"""The TUI operator: a question waits for its answer, and never past a stop."""

from __future__ import annotations

import threading

import pytest

from ceremony.errors import CeremonyAbandonedError, CeremonyError
from ceremony.operator import Confirmation, Secret, SecretRequest
from ceremony.tui.operator import OperatorAsked, TuiOperator, settle


def asking(operator, call):
    outcome = {}

    def run():
        try:
            outcome["answer"] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_the_answer_on_screen_is_the_answer():
    asked = []
    operator = TuiOperator(lambda message: asked.append(message) or True)
    thread, outcome = asking(
        operator, lambda: operator.confirm(Confirmation("confirm/x", "Go on?"))
    )
    while not asked:
        pass
    assert isinstance(asked[0], OperatorAsked)
    settle(asked[0].answer, True)
    thread.join(5)
    assert outcome == {"answer": True}


def test_leaving_ends_the_wait_with_a_clean_stop():
    asked = []
    operator = TuiOperator(lambda message: asked.append(message) or True)
    request = SecretRequest("passphrase/root-alice", "root-alice", "Passphrase", new=True)
    thread, outcome = asking(operator, lambda: operator.secret(request))
    while not asked:
        pass
    operator.leave()
    thread.join(5)
    assert not thread.is_alive()
    assert isinstance(outcome["error"], CeremonyAbandonedError)
    with pytest.raises(CeremonyAbandonedError):  # and nothing more is asked
        operator.confirm(Confirmation("confirm/y", "Again?"))


def test_a_closed_screen_cannot_be_asked():
    operator = TuiOperator(lambda message: False)
    with pytest.raises(CeremonyAbandonedError):
        operator.confirm(Confirmation("confirm/x", "Go on?"))


def test_a_passphrase_the_script_puts_in_the_environment_is_not_asked():
    operator = TuiOperator(
        lambda message: pytest.fail("asked"), environ={"ROOT_PASS": "from the env"}
    )
    request = SecretRequest("passphrase/k", "k", "Passphrase", env="ROOT_PASS")
    secret = operator.secret(request)
    assert isinstance(secret, Secret) and secret.reveal() == "from the env"
    with pytest.raises(CeremonyError, match="MISSING_PASS"):
        operator.secret(SecretRequest("passphrase/k", "k", "Passphrase", env="MISSING_PASS"))
