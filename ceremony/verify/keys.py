"""Public keys named in metadata, loaded once each, and signature checks.

A TUF key object (``keytype``, ``scheme``, ``keyval.public``) becomes a
``cryptography`` public key. Loading is cached on the key's content, not on
its keyid alone: a hostile bundle could reuse one keyid for two different
keys, and the cache must never let one stand in for the other. Each key also
gets an identity (its DER SubjectPublicKeyInfo), so the same public key
written under two keyids is recognised and counted once toward a threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from ceremony.verify.errors import UnusableKeyError
from ceremony.verify.spki import ED25519_SPKI_PREFIX, load_pem_public_key, spki_der
from hsm.algorithms import ALGORITHMS, Algorithm

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

MIN_RSA_BITS = 2048

# (keytype, scheme) -> the allow-list entry whose checks apply. The bare
# scheme as keytype is the older spelling some published roots still use.
_SCHEMES: dict[tuple[str, str], Algorithm] = {
    ("ed25519", "ed25519"): ALGORITHMS["ed25519"],
    ("ecdsa", "ecdsa-sha2-nistp256"): ALGORITHMS["ecdsa-p256"],
    ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"): ALGORITHMS["ecdsa-p256"],
    ("ecdsa", "ecdsa-sha2-nistp384"): ALGORITHMS["ecdsa-p384"],
    ("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"): ALGORITHMS["ecdsa-p384"],
    ("rsa", "rsassa-pss-sha256"): ALGORITHMS["rsa-3072"],
}


class PublicKey:
    """A loaded public key: how to check its signatures, and who it is."""

    __slots__ = ("algorithm", "algorithm_name", "crypto_key", "identity")

    def __init__(
        self, algorithm: Algorithm, algorithm_name: str, crypto_key: PublicKeyTypes,
        identity: bytes,
    ) -> None:
        self.algorithm = algorithm  # whose check_signature applies
        self.algorithm_name = algorithm_name  # for people: ed25519, ecdsa-p256, rsa-3072 ...
        self.crypto_key = crypto_key
        self.identity = identity  # DER SubjectPublicKeyInfo: equal for equal keys

    def __repr__(self) -> str:
        return f"PublicKey({self.algorithm_name}, {self.identity.hex()[-16:]})"

    def verifies(self, signature: bytes, payload: bytes) -> bool:
        return self.algorithm.check_signature(self.crypto_key, signature, payload)


def _load(keytype: str, scheme: str, public: str) -> PublicKey:
    algorithm = _SCHEMES.get((keytype, scheme))
    if algorithm is None:
        raise UnusableKeyError(
            f"keytype {keytype[:30]!r} with scheme {scheme[:40]!r} is not one ceremony can check"
        )
    crypto_key: PublicKeyTypes
    if algorithm.keytype == "ed25519":
        try:
            raw = bytes.fromhex(public)
            crypto_key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise UnusableKeyError("its ed25519 public key is not 32 bytes of hex") from None
        # spki_der(crypto_key), from the 32 bytes it was made of (a root chain loads
        # a thousand keys)
        return PublicKey(algorithm, "ed25519", crypto_key, ED25519_SPKI_PREFIX + raw)
    else:
        try:
            crypto_key = load_pem_public_key(public.encode("utf-8"))
        except (ValueError, UnsupportedAlgorithm, UnicodeEncodeError):
            raise UnusableKeyError("its public key is not a PEM public key") from None
        if algorithm.keytype == "ecdsa":
            curve = algorithm.curve
            if (
                not isinstance(crypto_key, ec.EllipticCurvePublicKey)
                or curve is None
                or not isinstance(crypto_key.curve, curve)
            ):
                raise UnusableKeyError(f"its public key is not on the curve {scheme} names")
            name = algorithm.name
        else:
            from cryptography.hazmat.primitives.asymmetric import rsa

            if not isinstance(crypto_key, rsa.RSAPublicKey):
                raise UnusableKeyError("its public key is not an RSA key")
            if crypto_key.key_size < MIN_RSA_BITS:
                raise UnusableKeyError(
                    f"its RSA key has {crypto_key.key_size} bits, fewer than {MIN_RSA_BITS}"
                )
            name = f"rsa-{crypto_key.key_size}"
    identity = spki_der(crypto_key)
    return PublicKey(algorithm, name, crypto_key, identity)


def identity_of_pem(pem: bytes) -> tuple[str, bytes]:
    """The algorithm name and identity of a PEM SubjectPublicKeyInfo file."""
    name, crypto_key = key_of_pem(pem)
    return name, spki_der(crypto_key)


def key_of_pem(pem: bytes) -> tuple[str, PublicKeyTypes]:
    """The algorithm name and public key of a PEM SubjectPublicKeyInfo file."""
    try:
        crypto_key = load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm):
        raise UnusableKeyError("not a PEM public key") from None
    if isinstance(crypto_key, ed25519.Ed25519PublicKey):
        name = "ed25519"
    elif isinstance(crypto_key, ec.EllipticCurvePublicKey):
        name = {"secp256r1": "ecdsa-p256", "secp384r1": "ecdsa-p384"}.get(
            crypto_key.curve.name, f"ecdsa-{crypto_key.curve.name}"
        )
    else:
        from cryptography.hazmat.primitives.asymmetric import rsa

        if isinstance(crypto_key, rsa.RSAPublicKey):
            name = f"rsa-{crypto_key.key_size}"
        else:
            name = type(crypto_key).__name__
    return name, crypto_key


def usual_key_fields(key: object) -> tuple[str, str, str] | None:
    """For a key object of the usual shape, exactly ``{"keytype": str,
    "keyval": {"public": str}, "scheme": str}``, its three strings; else None."""
    if type(key) is dict and len(key) == 3:
        keyval = key.get("keyval")
        if type(keyval) is dict and len(keyval) == 1:
            keytype, scheme, public = key.get("keytype"), key.get("scheme"), keyval.get("public")
            if type(keytype) is str and type(scheme) is str and type(public) is str:
                return keytype, scheme, public
    return None


def _memo_key(key: object) -> object:
    """What tells a parsed JSON key object from every other: for the usual
    shape (:func:`usual_key_fields`), the three strings (a tuple); for any
    other, its repr (a string: never equal to a tuple), which differs whenever
    the values do (``1`` from ``true``)."""
    return usual_key_fields(key) or repr(key)


class KeyRing:
    """Every public key seen while verifying one bundle, each loaded once,
    and each key object's keyid computed once (root versions repeat keys)."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, str, str], PublicKey | str] = {}
        self._keyids: dict[object, str] = {}
        self._known: dict[object, tuple[str, PublicKey | str]] = {}

    def keyid(self, key: object, compute: Callable[[object], str]) -> str:
        """``compute(key)``, worked out once per distinct key object. The memo
        is keyed on the object's value (:func:`_memo_key`); ``compute``'s
        errors are not remembered."""
        text = _memo_key(key)
        keyid = self._keyids.get(text)
        if keyid is None:
            keyid = self._keyids[text] = compute(key)
        return keyid

    def known(self, key: object, compute: Callable[[object], str]) -> tuple[str, PublicKey | str]:
        """``compute(key)`` and the loaded key (or, when it cannot be loaded,
        why not in words), worked out once per distinct key object, on its
        value as :meth:`keyid` does; ``compute``'s errors are not remembered."""
        text = _memo_key(key)
        found = self._known.get(text)
        if found is None:
            keyid = compute(key)
            try:
                loaded: PublicKey | str = self.load(key)
            except UnusableKeyError as error:
                loaded = str(error)
            found = self._known[text] = (keyid, loaded)
        return found

    def load(self, key: object) -> PublicKey:
        """The loaded key for a TUF key object, or :class:`UnusableKeyError`."""
        if not isinstance(key, dict):
            raise UnusableKeyError("it is not a JSON object")
        keytype, scheme, keyval = key.get("keytype"), key.get("scheme"), key.get("keyval")
        if not isinstance(keytype, str) or not isinstance(scheme, str):
            raise UnusableKeyError("it has no keytype or scheme")
        public = keyval.get("public") if isinstance(keyval, dict) else None
        if not isinstance(public, str):
            raise UnusableKeyError("it has no keyval.public")
        content = (keytype, scheme, public)
        loaded = self._loaded.get(content)
        if loaded is None:
            try:
                loaded = _load(keytype, scheme, public)
            except UnusableKeyError as error:
                loaded = str(error)
            self._loaded[content] = loaded
        if isinstance(loaded, str):
            raise UnusableKeyError(loaded)
        return loaded
