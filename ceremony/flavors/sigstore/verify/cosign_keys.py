"""The cosign keys of a Sigstore bundle, judged without their passphrases.

Each ``cosign/<name>.key`` must be a cosign key file cosign would read
(its PEM type, scrypt parameters, cipher), and have its ``<name>.pub``, an
ECDSA P-256 public key (as cosign makes); a ``.pub`` needs its ``.key``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ceremony.errors import CeremonyError
from ceremony.flavors.sigstore.cosign_key import read_envelope
from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem, safe_path


def check_cosign_keys(contents: BundleContents, problems: list[Problem]) -> None:
    names = {
        path.rsplit(".", 1)[0]
        for path in contents.files
        if path.startswith("cosign/") and path.endswith((".key", ".pub"))
    }
    for stem in sorted(names):
        key, pub = contents.content(f"{stem}.key"), contents.content(f"{stem}.pub")
        if key is None or pub is None:
            missing = f"{stem}.key" if key is None else f"{stem}.pub"
            problems.append(Problem(safe_path(missing), "missing: a cosign key comes as a pair"))
            continue
        try:
            read_envelope(key, f"{stem}.key")
        except CeremonyError as error:
            problems.append(Problem(safe_path(f"{stem}.key"), error.what))
        try:
            public = serialization.load_pem_public_key(pub)
        except ValueError:
            public = None
        if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
            problems.append(Problem(safe_path(f"{stem}.pub"), "is not an ECDSA P-256 public key"))
