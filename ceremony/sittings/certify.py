"""A new key's own sitting: what its flavor needs beside its public key (``ceremony certify``).

A keyholder who adds a key to a rotation signed in several sittings makes it
on their token or as an age-encrypted key file, and sends only its public
key. Where a root names its keys by something only the key itself can sign
(Docker Content Trust: a self-signed certificate for each GUN), this sitting
makes that too: it verifies the keyholder's own copy of the current bundle,
opens the key as a signing sitting opens one (its key file, or its token by
the public key sent), asks the flavor's adapter for the material, and closes
the key. :func:`certify_to_file` writes the result whole to a new file (as
``ceremony certify`` and the UI's Certify screen do); it holds nothing
secret.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ceremony.engine.context import Context
from ceremony.engine.current import refuse_no_folder
from ceremony.engine.public_keys import read_public_key
from ceremony.errors import CeremonyError
from ceremony.inspect import flavor_at
from ceremony.operator import Operator
from ceremony.script.plan import Plan
from ceremony.sittings.adapter import RequestKey
from ceremony.sittings.sign import KeyChoice, chosen_record, open_chosen, refuse_taken, write_whole
from hsm.signer import public_pem


def certify_key(
    current: Path, choice: KeyChoice, public: Path, *, operator: Operator,
    clock: Callable[[], datetime], expires: datetime | None = None,
) -> bytes:
    """The file a request imports for ``choice``'s key (its public key at ``public``),
    made with that key for the state of the verified bundle at ``current``;
    ``expires``: when what it makes stops being valid (None: the flavor's default)."""
    if not choice.where:
        raise CeremonyError(
            f"no place given for key {choice.name}",
            todo=f"say where it lives: --key {choice.name}=pkcs11:URI or "
            f"--key {choice.name}=PATH of its key file",
        )
    refuse_no_folder(current)  # before flavor_at, which looks at what is there
    flavor = flavor_at(current)
    adapter = flavor.sittings()
    state = adapter.read_current(current, clock())
    public_key = read_public_key(public, choice.name)
    flavor.check_public_key(public_key, choice.name)
    plan = Plan(kind="certify", flavor=flavor.name, title=f"certify key {choice.name}",
                script_path=None, script_sha256="", script_text="", output=public,
                rehearsal=state.rehearsal)  # no script at this sitting: only the flavor
    ctx = Context(plan, flavor, operator, clock)
    ctx.current = state
    key = RequestKey(choice.name, flavor.key_id(public_key), "", public_pem(public_key))
    try:
        record = chosen_record(ctx, key, choice)
        for _event in open_chosen(ctx, record, choice):
            pass
        assert record.signer is not None  # just opened
        return adapter.certify(state, record.signer, choice.name, ctx.started, expires)
    finally:
        ctx.close_keys()
        ctx.forget_secrets()


def certify_to_file(
    output: Path, current: Path, choice: KeyChoice, public: Path, *, operator: Operator,
    clock: Callable[[], datetime], expires: datetime | None = None,
) -> bytes:
    """:func:`certify_key`, written whole at ``output`` (a new file: refused before
    the key is opened, and again before writing); the bytes written."""
    refuse_no_folder(current)  # the inputs' refusals first, then the output's
    refuse_taken(output, "a certificate file")
    data = certify_key(current, choice, public, operator=operator, clock=clock, expires=expires)
    refuse_taken(output, "a certificate file")
    write_whole([(output, data)], output, "certificate file")
    return data


def next_step(output: Path, name: str) -> str:
    """What the keyholder does with the file written, in one sentence's tail."""
    return (f"carry it to the coordinator, whose script imports {name} from it "
            f"(import: {output.name})")
