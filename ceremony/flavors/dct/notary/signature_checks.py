"""The checks every offline operation's result passes before it leaves.

A role's metadata must carry its threshold of valid signatures by the keys
the root lists for it (:func:`check_signed`), and not one bad signature
besides: one that does not verify, names a key the role does not list, or
repeats a key (:func:`refuse_bad_signatures`), for a faulty token must not
publish a bad signature even when the others meet the threshold. A new root
is checked against both roots' thresholds (:func:`check_new_root`). Each
refusal is a DctError naming the role, the key and the GUN. Nothing here
does I/O.
"""

from __future__ import annotations

from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.model import Metadata, PublicKey, Root, SignedT
from ceremony.flavors.dct.notary.root import check_rotation
from ceremony.flavors.dct.notary.signing import verify_role, verify_signature


def check_signed(metadata: Metadata[SignedT], root: Root, role: str, gun: str) -> None:
    """Raise DctError unless the keys ``root`` lists for ``role`` give ``metadata``
    the role's threshold of valid signatures, and none of its signatures is bad
    (:func:`refuse_bad_signatures`)."""
    keys = role_keys(root, role)
    result = verify_role(metadata, keys, root.roles[role].threshold, role)
    if not result.met:
        raise DctError(
            f"the {role} metadata has {result.words('valid signature')}",
            where=gun,
            todo="A key or token returned a bad signature, or too few keys signed; nothing "
            "was written",
        )
    refuse_bad_signatures(metadata, keys, role, gun, counted=result.have)


def refuse_bad_signatures(
    metadata: Metadata[SignedT],
    keys: dict[str, PublicKey],
    role: str,
    gun: str,
    counted: int = -1,
) -> None:
    """Raise DctError naming the key of any signature on ``metadata`` that
    does not verify with the key of ``keys`` it names, that names no key of
    ``keys``, or that repeats a key. ``counted``: how many signatures
    :func:`verify_role` already found valid; when that is all of them,
    nothing is verified twice."""
    if counted == len(metadata.signatures):
        return
    payload = metadata.signed_bytes()
    seen: set[str] = set()
    for signature in metadata.signatures:
        key = keys.get(signature.keyid)
        if key is None:
            problem = "is by a key the role does not list"
        elif signature.keyid in seen:
            problem = "repeats a key that already signed"
        elif not verify_signature(key, signature, payload):
            problem = "does not verify"
        else:
            seen.add(signature.keyid)
            continue
        raise DctError(
            f"the {role} metadata's signature by key {signature.keyid[:12]} {problem}",
            where=gun,
            todo="That key or its token returned a bad signature; nothing was written. Stop "
            "and check the key backend before signing again",
        )


def role_keys(root: Root, role: str) -> dict[str, PublicKey]:
    """The keys ``root`` lists for ``role``, by id."""
    return {keyid: root.keys[keyid] for keyid in root.roles[role].keyids}


def check_new_root(current: Root, metadata: Metadata[Root], gun: str) -> None:
    """Raise DctError unless ``metadata`` is ``current``'s next version with both
    thresholds met (:func:`check_rotation`) and not one bad signature, by the
    current root keys or its own (:func:`refuse_bad_signatures`)."""
    check_rotation(current, metadata)
    root_keys = {**role_keys(current, "root"), **role_keys(metadata.signed, "root")}
    refuse_bad_signatures(metadata, root_keys, "root", gun)
