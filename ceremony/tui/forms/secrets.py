"""The part of the build form saying which secrets come from the environment (drafts/secrets.py).

Two tables, a row each (Ctrl+N adds one, Ctrl+O removes the one with the
cursor): the keys whose passphrase, and the tokens (label or serial) whose
PIN, the ceremony reads from an environment variable, and that variable's
name. Every secret not listed is asked at the ceremony. It holds no secret
and judges nothing: the loader does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ceremony.tui.drafts.secrets import FromEnv, Secrets
from ceremony.tui.forms.rows import NamedRow, Rows

INTRO = (
    "Each passphrase and PIN is asked at the ceremony, unless named here with the "
    "environment variable it is read from (the variable's name only; never a secret here)."
)


class FromEnvRowForm(NamedRow):
    """One secret read from the environment: a key's passphrase or a token's PIN."""

    def __init__(self, row: FromEnv, head: str, whose: str) -> None:
        super().__init__(head, "env", (row.name, row.variable),
                         (whose, "environment variable, e.g. ROOT_HSM_A_PIN"), row.tag)

    def read(self) -> FromEnv:
        return FromEnv(*self.typed(), self.tag)


def from_env_rows(rows: list[FromEnv], head: str, whose: str) -> Rows:
    return Rows([FromEnvRowForm(row, head, whose) for row in rows or [FromEnv()]],
                lambda: FromEnvRowForm(FromEnv(), head, whose), table_id=f"{head}-rows")


class SecretsForm(Vertical):
    """``passphrases:`` and ``pins:`` given as ``{env: VAR}``."""

    def __init__(self, secrets: Secrets) -> None:
        super().__init__(id="secrets-form", classes="form-part")
        self.secrets = secrets

    def compose(self) -> ComposeResult:
        s = self.secrets
        yield Static("Secrets from the environment (optional)", classes="section")
        yield Static(INTRO, classes="field-hint")
        yield Static("key                  its passphrase from", classes="columns")
        yield from_env_rows(s.passphrases, "passphrase", "key name")
        yield Static("token (label/serial) its PIN from", classes="columns")
        yield from_env_rows(s.pins, "pin", "token label or serial")

    def read(self) -> Secrets:
        return Secrets(
            passphrases=[row.read() for row in self.query(FromEnvRowForm)
                         if row.head == "passphrase"],
            pins=[row.read() for row in self.query(FromEnvRowForm) if row.head == "pin"],
        )
