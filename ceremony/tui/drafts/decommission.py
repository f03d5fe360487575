"""The fields of a ``decommission`` draft: the current keys to destroy, and the
files that held them to wipe.

``destroy:`` names current keys (removed from the root, then destroyed on
their tokens or left out of the new bundle); ``wipe:`` names the copies of
their encrypted key files and the custody copies that held them, each list
written only when something is typed. The next root's expiries are the
renewal part's (drafts/renewal.py). Which keys the root can do without, and
which files may be wiped, preflight judges. Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremony.tui.drafts.text import Put, flow_list, names

WIPE = (("key-files", "wipe-key-files"), ("custody-copies", "wipe-custody-copies"))


@dataclass
class Decommission:
    destroy: str = ""  # key names, comma-separated
    key_files: str = ""  # paths, comma-separated
    custody_copies: str = ""  # custody-<id> folders, comma-separated

    def render(self, takes: tuple[str, ...], put: Put, fields: dict[str, str]) -> None:
        fields["destroy"] = "destroy"
        put("destroy", "destroy", f"destroy: {flow_list(names(self.destroy))}")
        if "wipe" not in takes:
            return
        fields["wipe"] = "wipe-key-files"
        lists = {"key-files": names(self.key_files), "custody-copies": names(self.custody_copies)}
        if any(lists.values()):
            put("wipe", "wipe-key-files", "wipe:")
        for name, field_id in WIPE:
            fields[f"wipe.{name}"] = field_id
            if lists[name]:
                put(f"wipe.{name}", field_id, f"  {name}: {flow_list(lists[name])}")
