"""Whether a current key named in ``sign-with:`` can sign where this script runs.

A key stored in the bundle (its encrypted key file) or on a token signs in the
room. A key whose public part alone is in the bundle was imported: its
keyholder keeps the private part on their own token or key file and signs at
a sitting of their own (docs/reference/sittings.md), so it counts only in a
script signed in several sittings. Every flavor's preflight asks here.
"""

from __future__ import annotations

from ceremony.engine.keyring import KeyRecord, kept_by_holder
from ceremony.script.kind_fields import SIGNED_IN_SITTINGS
from ceremony.script.plan import Plan


def cannot_sign_here(
    plan: Plan, record: KeyRecord, schemes: tuple[str, ...], stored_in: str
) -> str | None:
    """Why ``record`` cannot sign ``plan`` here (None: it can); ``schemes``: the
    locations the flavor opens in the room, ``stored_in``: where those are, in words."""
    if record.location.startswith(schemes):
        return None
    if kept_by_holder(record):
        if plan.request_expires is not None and plan.kind in SIGNED_IN_SITTINGS:
            return None  # its keyholder signs at their own sitting
        holder = f" {record.holder}" if record.holder else ""
        kept = (f"key {record.name} is kept by its keyholder{holder} (the bundle holds its "
                "public key only), so it signs only at a sitting of its own")
        if plan.kind in SIGNED_IN_SITTINGS:
            return (f"{kept}; sign this script in several sittings: add request-expires: "
                    "(docs/reference/sittings.md)")
        return (f"{kept}, and a {plan.kind} is signed in one sitting; name other keys in "
                "sign-with, or make the change as a rotate-root signed in several sittings "
                "(docs/reference/sittings.md)")
    return (f"key {record.name} lives at {record.location}; only keys stored in {stored_in} "
            "can sign here")
