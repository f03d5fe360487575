"""Reading a migrate-dct script's own fields: ``dct-bundle:`` and ``groups:``.

A migrate-dct takes a Docker Content Trust bundle's repositories (GUNs) off
DCT: ``dct-bundle:`` names the bundle (read and verified in preflight, by
the DCT flavor), and each entry of ``groups:`` names a cosign key to make
and the GUNs it signs from now on, ``{name: app-team, holder: ci, guns:
[registry.example.internal/team/app]}``. Nothing here touches the files.
"""

from __future__ import annotations

import re

from ceremony.flavors.sigstore.plan import MigrationGroup, SigstoreDetails
from ceremony.flavors.sigstore.script_common import COSIGN_KEY_FIELDS, cosign_key_spec, read_listed
from ceremony.script.flavor_fields import ScriptReading
from ceremony.script.plan import KeySpec
from ceremony.script.values import read_path
from ceremony.script.yamlload import Located

#: a GUN as DCT names it: a repository path, after a registry host[:port] when it has
#: one (no tag, no glob); preflight holds it to the bundle's GUNs
_GUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?(/[a-z0-9][a-z0-9._-]*)*")
GROUPS_TODO = (
    "Write groups: as a list, e.g. [{name: app-team, holder: ci, "
    "guns: [registry.example.internal/team/app]}]"
)


def read_migration(reading: ScriptReading) -> SigstoreDetails:
    fields = reading.fields
    keys: list[KeySpec] = []
    groups: list[MigrationGroup] = []
    for item in fields["groups"].items(GROUPS_TODO):
        entry = item.fields((*COSIGN_KEY_FIELDS, "guns"), ("name", "guns"), todo=GROUPS_TODO)
        keys.append(cosign_key_spec(entry, item))
        groups.append(MigrationGroup(keys[-1].name, read_guns(entry["guns"])))
    if not groups:
        raise fields["groups"].error("names no group", GROUPS_TODO)
    return SigstoreDetails(
        dct_bundle=read_path(fields["dct-bundle"], reading.base_dir),
        groups=tuple(groups),
        cosign_keys=tuple(keys),
    )


def read_guns(located: Located) -> tuple[str, ...]:
    return read_listed(
        located,
        _GUN,
        "Write guns: as a list of the DCT bundle's GUNs, e.g. [registry.example.internal/app]",
        "is not a GUN (a repository path, after a registry host and a slash when it has "
        "one; lower-case letters, digits, . _ - only; no tag and no glob)",
        "names no GUN",
    )
