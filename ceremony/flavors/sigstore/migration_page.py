"""MIGRATION.md: what a migrate-dct bundle changes, GUN by GUN, and the steps that follow.

For each group: its cosign key and, for each GUN, the DCT root it replaces
and the image globs each admission controller is given; then the commands
for CI (cosign beside docker trust), the admission policies, and where the
runbook (docs/runbooks/leaving-dct.md) goes on from there. Plain text, no
secrets.
"""

from __future__ import annotations

from ceremony.flavors.sigstore.clients_page import cosign_key_section, policies_section
from ceremony.flavors.sigstore.migration import (
    kyverno_globs,
    policy_controller_globs,
    replaced_root,
)
from ceremony.flavors.sigstore.plan import MigrationGroup
from ceremony.signed_repository import SignedRepository


def migration_page(
    dct_bundle: str,
    groups: tuple[MigrationGroup, ...],
    known: dict[str, SignedRepository],
    keyids: dict[str, str],
    policies: tuple[str, str],
    on_tokens: frozenset[str] = frozenset(),
) -> str:
    lines = [
        "# Leaving Docker Content Trust",
        "",
        f"The GUNs below, read from the verified DCT bundle `{dct_bundle}`, are signed",
        "from now on by the cosign keys of this bundle. The transcript records the same",
        "(`key-succeeds`, one line a GUN).",
        "",
    ]
    for group in groups:
        lines += [f"## {group.key} (cosign key {keyids[group.key][:16]})", ""]
        for gun in group.guns:
            lines += [
                f"- `{gun}`",
                f"  - replaces {replaced_root(known[gun])}",
                f"  - Kyverno: {', '.join(f'`{g}`' for g in kyverno_globs(gun))}",
                "  - policy-controller: "
                + ", ".join(f"`{g}`" for g in policy_controller_globs(gun)),
            ]
        lines.append("")
    staying = sorted(set(known) - {gun for group in groups for gun in group.guns})
    if staying:
        lines += [
            "## Left on DCT",
            "",
            "No group names these; they keep only their DCT signatures: "
            + ", ".join(f"`{gun}`" for gun in staying),
            "",
        ]
    lines += [
        "## During the transition",
        "",
        "CI signs each push twice: `docker trust sign` as before, then cosign with",
        "the group's key (below). Switch the cluster's admission policy once every",
        "image it runs carries both; retire the DCT trust data after that.",
        "docs/runbooks/leaving-dct.md walks through each step.",
    ]
    page = "\n".join(lines) + "\n"
    page += "".join(cosign_key_section(group.key, group.key in on_tokens) for group in groups)
    return page + policies_section(*policies)
