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
from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.keys import make_software_key, new_passphrase_asker
from ceremony.engine.step import Step
from ceremony.engine.tokens import generate_on_token
from ceremony.events import Event
from ceremony.flavors.sigstore.cosign_key import COSIGN_KEY_FILE
from ceremony.flavors.sigstore.plan import SigstoreDetails

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


COSIGN_STEP = Step(
    "cosign-keys",
    "Make the cosign signing keys for CI",
    make_cosign_keys,
    say_aloud="The holder of each cosign key types its new passphrase twice; CI will read "
    "it as COSIGN_PASSWORD.",
)
