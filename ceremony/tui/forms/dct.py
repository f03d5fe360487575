"""The Docker Content Trust part of the build form (drafts/dct.py).

GUNs, the folder of the Notary server's keys, the server's published
metadata, a Docker trust dir to import, who signs snapshots, one repository
key per GUN or one shared, and the CI signers of a delegation: the fields
the kind takes, nothing else. The keys, roles and custody above and below
are the common parts'. It judges nothing: the loader does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select, Static

from ceremony.tui.drafts.dct import REPOSITORY_KEY_MODES, SNAPSHOT_MODES, DctPart, SignerRow
from ceremony.tui.forms.field import field
from ceremony.tui.forms.rows import NamedRow, Rows
from ceremony.tui.widgets import Entry

#: each path field: its label, placeholder and hint
PATHS = {
    "server-keys": (
        "Server keys", "e.g. /media/usb/server-keys",
        "The folder scripts/dct-fetch-keys wrote the Notary server's keys to.",
    ),
    "published": (
        "Published", "e.g. /media/usb/state",
        "The folder `scripts/dct-fetch-keys --state` wrote the server's metadata to.",
    ),
    "import-trust": (
        "Import trust dir", "(optional) e.g. /media/usb/laptop-trust",
        "A copy of a laptop's ~/.docker/trust: its root keys sign this rotation too "
        "(its owner types the laptop's root passphrase).",
    ),
}


class SignerRowForm(NamedRow):
    """One CI signer: its name and its keys."""

    def __init__(self, row: SignerRow) -> None:
        super().__init__("signer", "keys", (row.name, row.keys),
                         ("signer, e.g. ci", "its keys (names)"), row.tag)

    def read(self) -> SignerRow:
        return SignerRow(*self.typed(), self.tag)


class DctForm(Vertical):
    """The dct fields a script of this kind takes."""

    def __init__(self, part: DctPart, takes: tuple[str, ...]) -> None:
        super().__init__(id="dct-form", classes="form-part flavor-part")
        self.part = part
        self.takes = takes

    def compose(self) -> ComposeResult:
        p = self.part
        yield Static("Docker Content Trust", classes="section")
        if "guns" in self.takes:
            yield from field(
                "GUNs", Entry(p.guns, placeholder="e.g. registry.example.com/org/app",
                              id="dct-guns", compact=True),
                hint="The Docker repositories (GUNs), comma-separated.",
            )
        values = {"server-keys": p.server_keys, "published": p.published,
                  "import-trust": p.import_trust}
        for name, (label, placeholder, hint) in PATHS.items():
            if name in self.takes:
                yield from field(label, Entry(values[name], placeholder=placeholder,
                                              id=f"dct-{name}", compact=True), hint=hint)
        if "snapshot" in self.takes:
            yield from field(
                "Snapshots by", Select(list(zip(("the server", "a key for CI"), SNAPSHOT_MODES,
                                                strict=True)),
                                       value=p.snapshot, allow_blank=False, id="dct-snapshot",
                                       compact=True),
                hint="Who signs snapshot.json: the Notary server (as Docker sets it up), or a "
                "key made here and handed to CI.",
            )
        if "repository-keys" in self.takes:
            yield from field(
                "Repository keys", Select(list(zip(("one per GUN", "one shared"),
                                                   REPOSITORY_KEY_MODES, strict=True)),
                                          value=p.repository_keys, allow_blank=False,
                                          id="dct-repository-keys", compact=True),
                hint="The targets keys for CI: one for each GUN, as docker trust makes them, "
                "or one for every GUN here.",
            )
        if "signers" in self.takes:
            yield Static("CI signers (targets/<name> and targets/releases)", classes="section")
            yield Rows([SignerRowForm(row) for row in p.signers or [SignerRow()]],
                       lambda: SignerRowForm(SignerRow()), table_id="signer-rows")

    def read(self) -> DctPart:
        def text(name: str) -> str:
            found = self.query(f"#dct-{name}")
            return found.first(Input).value if found else ""

        def choice(name: str, default: str) -> str:
            found = self.query(f"#dct-{name}")
            return str(found.first(Select).value) if found else default

        return DctPart(
            guns=text("guns"), server_keys=text("server-keys"), published=text("published"),
            import_trust=text("import-trust"),
            snapshot=choice("snapshot", SNAPSHOT_MODES[0]),
            repository_keys=choice("repository-keys", REPOSITORY_KEY_MODES[0]),
            signers=[row.read() for row in self.query(SignerRowForm)],
        )
