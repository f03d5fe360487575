"""Checks of Docker Content Trust inputs, with the errors an operator reads.

GUNs are Docker repository names (``registry.example.com/team/app``);
delegation roles are ``targets/<name>`` with notary's own character rules;
root certificates must pass what notary's server and clients check (CN equal
to the GUN, not a CA, ECDSA P-256/P-384 or RSA >= 2048 bits, not SHA-1, not
expired, valid from no later than tomorrow) plus this tool's own rule that a
new root certificate is valid for more than six months. A root that expires
within six months only earns a warning: notary then tries to re-sign root on
every publish, which fails without the (offline) root key.

Warnings are returned as strings, never printed. Nothing here does I/O.
"""

from __future__ import annotations

import functools
import posixpath
import re
import warnings
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID

from ceremony.flavors.dct.folders import MOST_GUN_PARTS
from ceremony.flavors.dct.notary.errors import DctError

MAX_GUN_LENGTH = 255

# A GUN is a root certificate's CN and may have 255 characters; cryptography warns,
# on stderr, of a CN longer than the 64 X.509 suggests. Notary's Go reads any
# length (tests/test_dct_ceremony.py runs a 107-character GUN through every
# ceremony against the real server), so the warning is noise an operator would
# read as an error: the checks below say what matters, in the operator's words.
warnings.filterwarnings("ignore", message="Attribute's length must be", category=UserWarning)
SIX_MONTHS = timedelta(days=183)

_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
# a path part's runs possessive: what follows a run never starts with what it
# would give back, so no match is lost (a test holds it to _PATH_PART)
_POSSESSIVE_PATH_PART = r"[a-z0-9]++(?:(?:[._]|__|-++)[a-z0-9]++)*+"
_GUN_CHARS = re.compile(r"[a-zA-Z0-9._:/-]")
_ROLE = re.compile(r"^[-a-z0-9_/]+\Z")

GUN_HELP = (
    "A GUN is a Docker repository name such as registry.example.com/team/app: an "
    "optional registry host[:port], then /-separated lowercase parts of letters and "
    "digits joined by '.', '_' or '-'"
)


@functools.lru_cache(maxsize=4096)
def _is_gun(gun: str) -> bool:
    """Docker's reference grammar, ``[domain[:port]/]path(/path)*``, in at most
    MOST_GUN_PARTS parts."""
    return (len(gun) <= MAX_GUN_LENGTH and gun.count("/") < MOST_GUN_PARTS
            and _gun_pattern().fullmatch(gun) is not None)


@functools.cache
def _gun_pattern() -> re.Pattern[str]:
    """The grammar in one match (compiled when first needed). No part holds a
    "/", so the parts are those of a split; a first part that is only a domain
    needs a path after it (a test holds it to the parts checked one by one)."""
    path = _POSSESSIVE_PATH_PART
    return re.compile(rf"(?:{path}|{_DOMAIN}(?=/))(?:/{path})*+")


def check_gun(gun: str) -> str:
    """``gun`` when it is a valid Docker repository name, else a clear error."""
    if not isinstance(gun, str) or not gun:
        raise DctError("the GUN is empty", todo=GUN_HELP)
    if _is_gun(gun):
        return gun
    where = f"GUN {gun!r}"
    for position, character in enumerate(gun, 1):
        if not _GUN_CHARS.match(character):
            raise DctError(
                f"the character {character!r} at position {position} is not allowed in a GUN",
                where=where,
                todo=GUN_HELP,
            )
    if len(gun) > MAX_GUN_LENGTH:
        raise DctError(
            f"the GUN is {len(gun)} characters long, more than {MAX_GUN_LENGTH}", where=where
        )
    if (parts := gun.count("/") + 1) > MOST_GUN_PARTS:
        raise DctError(
            f"the GUN has {parts} parts, more than the {MOST_GUN_PARTS} a bundle holds (each "
            "part is a folder on the media)", where=where,
            todo=f"Use a repository name of at most {MOST_GUN_PARTS} /-separated parts",
        )
    raise DctError("the GUN is not a valid Docker repository name", where=where, todo=GUN_HELP)


def check_delegation_role(name: str, parent: str = "targets") -> str:
    """``name`` when notary accepts it as a delegated role under ``parent``."""
    where = f"delegation role {name!r}"
    todo = (
        "Name delegations targets/<name>, with lowercase letters, digits, '-', '_' and '/', "
        "for example targets/releases"
    )
    if not isinstance(name, str) or not name.startswith("targets/"):
        raise DctError("a delegated role must start with targets/", where=where, todo=todo)
    if not _ROLE.match(name):
        bad = next(ch for ch in name if not re.match(r"[-a-z0-9_/]", ch))
        raise DctError(
            f"the character {bad!r} is not allowed in a role name", where=where, todo=todo
        )
    if posixpath.normpath(name) != name or len(name) >= 256:
        raise DctError(
            "the role name has empty, '.' or '..' parts, a trailing '/' or is too long",
            where=where,
            todo=todo,
        )
    if posixpath.dirname(name) != parent:
        raise DctError(
            f"the role is not a direct child of {parent}", where=where,
            todo=f"Delegate it from {posixpath.dirname(name)} instead, or rename it",
        )
    return name


def check_root_key_type(public_key: PublicKeyTypes, where: str) -> None:
    """Refuse key types notary does not take for a root certificate."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if isinstance(public_key.curve, (ec.SECP256R1, ec.SECP384R1)):
            return
        raise DctError(
            f"the root key is ECDSA on {public_key.curve.name}, which notary does not accept",
            where=where,
            todo="Use an ECDSA P-256 root key",
        )
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size >= 2048:
            return
        raise DctError(
            f"the root key is RSA of {public_key.key_size} bits; notary needs 2048 or more",
            where=where,
            todo="Use an ECDSA P-256 root key, or RSA of 3072 or 4096 bits",
        )
    kind = type(public_key).__name__.replace("PublicKey", "").replace("_", "")
    raise DctError(
        f"the root key is {kind}, which notary does not accept in a root certificate",
        where=where,
        todo="Docker Content Trust root keys must be ECDSA P-256 (or P-384, or RSA >= 2048 "
        "bits); make or choose such a key for this GUN",
    )


_SHA1 = {
    SignatureAlgorithmOID.RSA_WITH_SHA1,
    SignatureAlgorithmOID.ECDSA_WITH_SHA1,
    SignatureAlgorithmOID.DSA_WITH_SHA1,
}


def root_expiry_warning(expires: datetime, now: datetime, what: str) -> str | None:
    """A warning when ``expires`` falls within six months of ``now``."""
    if expires - now < SIX_MONTHS:
        return (
            f"{what} expires on {expires:%Y-%m-%d}, within six months: notary will try to "
            "re-sign root on every publish and fail without the offline root key; plan a "
            "root ceremony before then"
        )
    return None


def common_name_of(certificate: x509.Certificate) -> str | None:
    """The certificate's (first) CN, or None when it has none."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        return None
    value = names[0].value
    # a CN is a string; only attributes of the BIT STRING type come back as bytes
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def check_root_certificate(
    certificate: x509.Certificate,
    gun: str,
    now: datetime | None = None,
    *,
    new: bool = True,
) -> list[str]:
    """Check a root certificate for ``gun``; return warnings, raise on what notary refuses.

    ``new`` certificates (made in this ceremony) must be valid for more than
    six months; an existing one only earns a warning.
    """
    return check_root_certificate_at(root_certificate_window(certificate, gun), gun, now, new=new)


def root_certificate_window(
    certificate: x509.Certificate, gun: str, public_key: PublicKeyTypes | None = None
) -> tuple[datetime, datetime]:
    """What :func:`check_root_certificate` checks that no clock changes (its
    name, CA flag, key, signature algorithm), raising on what notary refuses;
    its validity window (not before, not after), for :func:`check_root_certificate_at`.
    ``public_key``: the certificate's own, when the caller has it parsed already."""
    where = f"root certificate for {gun}"
    common_name = common_name_of(certificate) or ""
    wildcard = common_name.endswith("*") and gun.startswith(common_name.rstrip("*"))
    if common_name != gun and not wildcard:
        raise DctError(
            f"its common name is {common_name!r}, which does not match the GUN {gun!r}",
            where=where,
            todo="Notary accepts a root certificate only for the GUN named in its CN: "
            "make a certificate for this GUN",
        )
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = constraints.value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if is_ca:
        raise DctError(
            "it is a CA certificate (CA:TRUE), which notary does not accept as a root key",
            where=where,
            todo="Use a leaf certificate (CA:FALSE) for the root key",
        )
    check_root_key_type(public_key if public_key is not None else certificate.public_key(), where)
    if certificate.signature_algorithm_oid in _SHA1:
        raise DctError("it is signed with SHA-1, which notary refuses", where=where)
    not_before = certificate.not_valid_before_utc
    not_after = certificate.not_valid_after_utc
    if not_before > not_after:
        raise DctError("its validity window ends before it begins", where=where)
    return not_before, not_after


def check_root_certificate_at(
    window: tuple[datetime, datetime], gun: str, now: datetime | None = None, *, new: bool = True
) -> list[str]:
    """The clock's part of :func:`check_root_certificate`, for the validity
    ``window`` of a certificate :func:`root_certificate_window` found sound."""
    now = now or datetime.now(UTC)
    where = f"root certificate for {gun}"
    not_before, not_after = window
    if not_before > now + timedelta(days=1):
        raise DctError(
            f"it is valid only from {not_before:%Y-%m-%d %H:%M}Z, more than a day from now",
            where=where,
            todo="Check the ceremony computer's clock",
        )
    if not_after <= now:
        raise DctError(
            f"it expired on {not_after:%Y-%m-%d}",
            where=where,
            todo="Make a new root certificate and rotate root to it",
        )
    warnings: list[str] = []
    if not_after - now <= SIX_MONTHS:
        if new:
            raise DctError(
                f"it would expire on {not_after:%Y-%m-%d}, within six months",
                where=where,
                todo="Give root certificates a validity of more than six months "
                "(notary's default is 10 years)",
            )
        warnings.append(
            f"{where} expires on {not_after:%Y-%m-%d}, within six months: rotate root before then"
        )
    return warnings
