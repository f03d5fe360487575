"""The cosign-keys step: signing key pairs for CI, as cosign.key files or on tokens.

Each key of ``cosign-keys:`` (or of a migrate-dct's groups) is made in
software (ECDSA P-256, as ``cosign generate-key-pair`` makes), written at
once into the bundle as ``cosign/<name>.key`` in cosign's own encrypted
format under a new passphrase its holder types, and opened again from the
written copy before going on (engine/keys.py's make_software_key); or, with
``backend: pkcs11``, generated on its token, where it stays (the bundle gets
``cosign/<name>.uri``, the URI ``cosign sign --key`` takes). ``cosign/<name>.pub``
is written with the bundle (output.py). These keys sign images, not metadata.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from ceremony.custody.record import CustodyRecord
from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.keys import (
    make_software_key,
    new_passphrase,
    new_passphrase_asker,
    write_key_file,
)
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.step import Step
from ceremony.engine.tokens import generate_on_token
from ceremony.events import Event
from ceremony.flavors.sigstore.cosign_key import COSIGN_KEY_FILE
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.script.plan import Plan
from ceremony.steps.custody_state import state
from hsm.signer import public_pem

FOLDER = "cosign"


def _same(value: str, _keyid: str) -> str:
    """A key's name or file, whatever its id (make_software_key asks by id)."""
    return value


def make_cosign_keys(ctx: Context) -> Iterator[Event]:
    details: SigstoreDetails = ctx.plan.details
    for spec in details.cosign_keys:
        if spec.hardware is not None:  # made on its token, never leaves it
            yield from generate_on_token(ctx, spec, spec.hardware, set())
            continue
        path = f"{FOLDER}/{spec.name}.key"
        yield from make_software_key(
            ctx,
            spec,
            name=functools.partial(_same, spec.name),
            roles=set(),
            path=functools.partial(_same, path),
            key_file=COSIGN_KEY_FILE,
            passphrase=new_passphrase_asker(
                ctx,
                spec.name,
                spec.holder,
                f"New passphrase for cosign key {spec.name} (COSIGN_PASSWORD in CI)",
            ),
        )


def cosign_custody_roles(
    ctx: Context, roles_of: Callable[[KeyRecord], tuple[str, ...]]
) -> Callable[[KeyRecord], tuple[str, ...]]:
    """``roles_of`` (the TUF keys), and ("cosign",) for the cosign keys in files."""
    details: SigstoreDetails = ctx.plan.details
    in_files = {spec.name for spec in details.cosign_keys if spec.hardware is None}
    in_files |= set(details.reissue_cosign)
    return lambda record: roles_of(record) or (("cosign",) if record.name in in_files else ())


def check_reissue(plan: Plan, record: CustodyRecord, result: PreflightResult) -> None:
    """Each key of reissue-cosign is a cosign key the custody bundle holds."""
    details: SigstoreDetails = plan.details
    held = {key.name: key for key in record.keys}
    for name in details.reissue_cosign:
        key = held.get(name)
        if key is None or "cosign" not in key.roles:
            cosign = ", ".join(k.name for k in record.keys if "cosign" in k.roles) or "none"
            result.add(
                f"reissue-cosign {name}",
                f"the custody bundle of ceremony {record.ceremony_id} holds no cosign key "
                f"{name} (its cosign keys: {cosign})",
            )
        else:
            result.add(
                f"reissue-cosign {name}", None,
                f"recovered from custody {record.ceremony_id}, written again as "
                f"{FOLDER}/{name}.key under a new passphrase",
            )


def reissue_cosign_keys(ctx: Context) -> Iterator[Event]:
    """Each cosign key of reissue-cosign, back from custody, written again as its
    cosign.key file under a new passphrase its holder types (same key: the policies
    and the .pub stay as they are)."""
    details: SigstoreDetails = ctx.plan.details
    recovered = state(ctx).unattached
    for name in details.reissue_cosign:
        key = recovered.pop(name)
        path = f"{FOLDER}/{name}.key"
        signer = key.software_key(f"{COSIGN_KEY_FILE.scheme}:{path}")
        record = KeyRecord(
            name=name,
            keyid=ctx.flavor.key_id(signer.crypto_public_key),
            algorithm="ecdsa-p256",
            backend=signer.backend,
            location=f"{COSIGN_KEY_FILE.scheme}:{path}",
            public_pem=public_pem(signer.crypto_public_key),
            signer=signer,
        )
        ctx.add_key(record)
        secret = new_passphrase(
            ctx, name, f"New passphrase for cosign key {name} (COSIGN_PASSWORD in CI)"
        )
        yield from write_key_file(ctx, record, signer, path, COSIGN_KEY_FILE, secret)


REISSUE_STEP = Step(
    "reissue-cosign",
    "Write the recovered cosign keys again under new passphrases",
    reissue_cosign_keys,
    say_aloud="The holder of each reissued cosign key types its new passphrase twice; CI "
    "gets the new file and passphrase, the public key stays.",
)


COSIGN_STEP = Step(
    "cosign-keys",
    "Make the cosign signing keys for CI",
    make_cosign_keys,
    say_aloud="The holder of each cosign key types its new passphrase twice; CI will read "
    "it as COSIGN_PASSWORD.",
)
