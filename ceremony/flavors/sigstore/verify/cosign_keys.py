"""The cosign keys of a Sigstore bundle, judged without their passphrases or PINs.

Each ``cosign/<name>.pub`` must be an ECDSA P-256 public key (as cosign
makes) and come with where its private key is: ``<name>.key``, a cosign key
file cosign would read (its PEM type, scrypt parameters, cipher), or
``<name>.uri``, a ``pkcs11:`` URI cosign would take for a key on a token
(and no PIN in it). A ``.key`` or ``.uri`` needs its ``.pub``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ceremony.errors import CeremonyError
from ceremony.flavors.sigstore.cosign_key import read_envelope
from ceremony.flavors.sigstore.cosign_uri import read_cosign_uri
from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem, safe_path

PAIR = "missing: a cosign key comes as a pair"


def check_cosign_keys(contents: BundleContents, problems: list[Problem]) -> None:
    names = {
        path.rsplit(".", 1)[0]
        for path in contents.files
        if path.startswith("cosign/") and path.endswith((".key", ".pub", ".uri"))
    }
    for stem in sorted(names):
        key, uri = contents.content(f"{stem}.key"), contents.content(f"{stem}.uri")
        pub = contents.content(f"{stem}.pub")
        if pub is None:
            problems.append(Problem(safe_path(f"{stem}.pub"), PAIR))
            continue
        if key is None and uri is None:
            problems.append(Problem(safe_path(f"{stem}.key"), f"{PAIR} (or a .uri, on a token)"))
        elif key is not None and uri is not None:
            problems.append(
                Problem(safe_path(f"{stem}.uri"), "beside a .key: a cosign key is in a file "
                        "or on a token, not both")
            )
        if key is not None:
            try:
                read_envelope(key, f"{stem}.key")
            except CeremonyError as error:
                problems.append(Problem(safe_path(f"{stem}.key"), error.what))
        if uri is not None:
            try:
                read_cosign_uri(uri.decode("ascii").strip())
            except (UnicodeDecodeError, ValueError) as error:
                what = str(error) if isinstance(error, ValueError) else "is not ASCII"
                problems.append(Problem(safe_path(f"{stem}.uri"), what))
        try:
            public = serialization.load_pem_public_key(pub)
        except ValueError:
            public = None
        if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
            problems.append(Problem(safe_path(f"{stem}.pub"), "is not an ECDSA P-256 public key"))
