"""The one refusal for a flavor whose signing in several sittings is not built yet.

Its ``sittings()`` raises this error, so each flavor says the same words.
"""

from __future__ import annotations

from ceremony.errors import CeremonyError


def not_in_sittings_yet(title: str) -> CeremonyError:
    return CeremonyError(
        f"{title} ceremonies are not signed in several sittings yet",
        todo="run it in one sitting with every keyholder present (`ceremony run SCRIPT`)",
    )
