"""The rehearsal Operator: answers by itself, keeps its passphrases in memory.

Each key gets a random passphrase that exists only in this process, so a
rehearsal exercises every real step (encrypting, storing, reopening keys)
without anyone typing and without a secret ever reaching disk. The keys a
rehearsal stores can therefore never be opened again: they are practice.
"""

from __future__ import annotations

import secrets

from ceremony.operator import Choice, Confirmation, Secret, SecretRequest


class RehearsalOperator:
    can_retry = False

    def __init__(self) -> None:
        self._passphrases: dict[str, str] = {}
        self.questions: list[str] = []

    def secret(self, request: SecretRequest) -> Secret:
        if request.key not in self._passphrases:
            self._passphrases[request.key] = secrets.token_urlsafe(24)
        return Secret(self._passphrases[request.key])

    def confirm(self, request: Confirmation) -> bool:
        self.questions.append(request.id)
        return True

    def choose(self, request: Choice) -> str:
        return request.options[0]
