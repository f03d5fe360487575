"""The rehearsal Operator: answers by itself, keeps its passphrases in memory.

Each key gets a random passphrase that exists only in this process, so a
rehearsal exercises every real step (encrypting, storing, reopening keys)
without anyone typing and without a secret ever reaching disk. The keys a
rehearsal stores can therefore never be opened again: they are practice.
Custodians are played the same way: each share handed out is kept in memory
(its checksum words read back at once), and a recovery gets three of them
back, some typed, some as their text sheet.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from ceremony.operator import (
    Choice,
    Confirmation,
    Secret,
    SecretRequest,
    ShareAnswer,
    ShareHandout,
    ShareRequest,
    TextRequest,
)

# The shares the rehearsal's custodians bring back to a recovery: not the
# ones the test restore used (the last three), half typed, half from files.
RECOVER_WITH = (1, 2, 4)


class RehearsalOperator:
    can_retry = False

    def __init__(self, recover_with: tuple[int, ...] = RECOVER_WITH) -> None:
        self._passphrases: dict[str, str] = {}
        self.questions: list[str] = []
        # custodians' shares, in memory only: custody id -> share number -> words
        self._shares: dict[str, dict[int, str]] = {}
        self._sheets: dict[str, dict[int, str]] = {}
        self._recover_with = recover_with
        self._given: dict[str, list[int]] = {}
        self._bags: dict[str, str] = {}  # serials of the bags sealed, by bag name

    def text(self, request: TextRequest) -> str:
        """A bag sealed gets a made-up serial; a bag opened shows the one it got."""
        self.questions.append(request.id)
        bag = request.id.rsplit("/", 1)[-1]
        if request.id.startswith("bag/seal/"):
            self._bags[bag] = f"REH-{secrets.randbelow(10**8):08d}"
        return self._bags.get(bag, "REH-UNKNOWN")

    def secret(self, request: SecretRequest) -> Secret:
        if request.key not in self._passphrases:
            self._passphrases[request.key] = secrets.token_urlsafe(24)
        return Secret(self._passphrases[request.key])

    def confirm(self, request: Confirmation) -> bool:
        self.questions.append(request.id)
        return True

    def choose(self, request: Choice) -> str:
        return request.options[0]

    def hand_out(self, request: ShareHandout) -> Secret:
        """The custodian keeps the share and reads its checksum words back."""
        self.questions.append(request.id)
        words = request.share.reveal().split()
        self._shares.setdefault(request.ceremony_id, {})[request.number] = " ".join(words)
        self._sheets.setdefault(request.ceremony_id, {})[request.number] = request.sheet_text
        return Secret(" ".join(words[p - 1] for p in request.checksum_positions))

    def share(self, request: ShareRequest) -> ShareAnswer | None:
        """The next custodian's share: typed, or their text sheet as a file."""
        self.questions.append(request.id)
        kept = self._shares.get(request.ceremony_id, {})
        given = self._given.setdefault(request.ceremony_id, [])
        waiting = [n for n in self._recover_with if n in kept and n not in given]
        if not waiting:
            return None
        number = waiting[0]
        given.append(number)
        if len(given) % 2 == 0:
            return ShareAnswer("file", path=Path(self._sheets[request.ceremony_id][number]))
        return ShareAnswer("typed", words=Secret(kept[number]))
