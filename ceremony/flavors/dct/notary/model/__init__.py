"""A small wire-shaped model of Notary v1 metadata.

Each class mirrors one JSON object of notary's format and has ``from_dict`` /
``to_dict``; fields the model does not know are kept in ``unrecognized`` and
written back, so a read and a write lose nothing. Constructors and
``from_dict`` validate and raise :class:`NotaryFormatError` naming the field.

Modules, one job each: ``wire`` (field readers, times, base64), ``keys``
(keys, signatures, key ids), ``filemeta`` (lengths and hashes), ``signed``
(what every signed part has), ``root``, ``targets``, ``snapshot`` (the
signed parts) and ``metadata`` (one file: the envelope with its signatures).
Nothing here does I/O or holds a private key.
"""

from ceremony.flavors.dct.notary.model.filemeta import FileMeta
from ceremony.flavors.dct.notary.model.keys import PublicKey, Signature, key_id, key_json
from ceremony.flavors.dct.notary.model.metadata import (
    SIGNED_TYPES,
    AnySigned,
    Metadata,
    SignedT,
    is_of_type,
    read_metadata,
)
from ceremony.flavors.dct.notary.model.root import Root, RootRole
from ceremony.flavors.dct.notary.model.signed import BASE_ROLES, TYPES, SignedPart
from ceremony.flavors.dct.notary.model.snapshot import Snapshot, Timestamp
from ceremony.flavors.dct.notary.model.targets import DelegatedRole, Delegations, Targets
from ceremony.flavors.dct.notary.model.wire import (
    b64decode,
    b64encode,
    format_expires,
    parse_expires,
)

__all__ = [
    "BASE_ROLES",
    "SIGNED_TYPES",
    "TYPES",
    "AnySigned",
    "DelegatedRole",
    "Delegations",
    "FileMeta",
    "Metadata",
    "PublicKey",
    "Root",
    "RootRole",
    "Signature",
    "SignedPart",
    "SignedT",
    "Snapshot",
    "Targets",
    "Timestamp",
    "b64decode",
    "b64encode",
    "format_expires",
    "is_of_type",
    "key_id",
    "key_json",
    "parse_expires",
    "read_metadata",
]
