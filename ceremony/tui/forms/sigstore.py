"""The Sigstore part of the build form (drafts/sigstore.py).

The instance's trust material as it comes on media (one row a service: a
Fulcio CA chain, a Rekor or CT log key, a TSA chain or an OIDC issuer, its
URL, its file, and an optional validity window on the row's second line),
the mirror's URL, who re-signs snapshot and timestamp (online or offline),
for a kind built on a bundle the services of the current trusted root to
withdraw (a compromised key's, by URL),
the new mirror expiries, cosign keys for CI with the image globs they sign,
a migrate-dct's DCT bundle and groups, and the cosign keys a recovery
reissues from custody: the fields the kind takes.
It judges nothing: the loader does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from ceremony.tui.drafts.sigstore import (
    EXPIRIES,
    SERVICES,
    CosignRow,
    SigstorePart,
    TrustEntry,
)
from ceremony.tui.forms.field import field, switch
from ceremony.tui.forms.rows import Rows
from ceremony.tui.forms.tags import next_tag
from ceremony.tui.widgets import Entry, Note

FILE_HINTS = {"chain": "chain PEM file", "key": "public key PEM file", "": "(no file)"}
SIGNERS = [("online", "online"), ("offline", "offline"), ("not said", "")]
EXPIRY_LABELS = {
    "targets-expires": ("Targets", "180d"),
    "snapshot-expires": ("Snapshot", "30d"),
    "timestamp-expires": ("Timestamp", "7d"),
}


class TrustEntryForm(Vertical):
    """One service: what it is, its URL and file; its window on the second line."""

    def __init__(self, entry: TrustEntry) -> None:
        self.tag = entry.tag or next_tag()
        super().__init__(classes="table-row trust-entry")
        self.entry = entry

    def compose(self) -> ComposeResult:
        t, e = self.tag, self.entry
        with Horizontal(classes="field"):
            yield Select([(name, name) for name in SERVICES], value=e.service,
                         allow_blank=False, id=f"entry-{t}-service", compact=True)
            yield Entry(e.url, placeholder="https://...", id=f"entry-{t}-url", classes="wide",
                        compact=True)
            yield Entry(e.file, placeholder=FILE_HINTS[SERVICES[e.service]],
                        id=f"entry-{t}-file", classes="w20", compact=True,
                        disabled=not SERVICES[e.service])
        with Horizontal(classes="field"):
            yield Static("  valid from", classes="w12 where-label")
            yield Entry(e.valid_from, placeholder="(optional)", id=f"entry-{t}-from",
                        classes="w20", compact=True)
            yield Static(" to", classes="w4")
            yield Entry(e.valid_until, placeholder="(in use)", id=f"entry-{t}-until",
                        classes="w20", compact=True)
        yield Note(id=f"entry-{t}-error", classes="field-error row-error")

    def on_select_changed(self, event: Select.Changed) -> None:
        file_field = SERVICES.get(str(event.value), "")
        entry = self.query_one(f"#entry-{self.tag}-file", Input)
        entry.disabled = not file_field
        entry.placeholder = FILE_HINTS[file_field]

    def read(self) -> TrustEntry:
        t = self.tag

        def text(name: str) -> str:
            return self.query_one(f"#entry-{t}-{name}", Input).value

        return TrustEntry(
            str(self.query_one(f"#entry-{t}-service", Select).value), text("url"),
            text("file"), text("from"), text("until"), t,
        )


class CosignRowForm(Vertical):
    """A cosign key for CI and the images it signs, or a migrate-dct group and its GUNs."""

    def __init__(self, row: CosignRow, head: str, scope: str) -> None:
        self.tag = row.tag or next_tag()
        super().__init__(classes="table-row")
        self.row, self.head, self.scope = row, head, scope

    def compose(self) -> ComposeResult:
        t, r, h = self.tag, self.row, self.head
        with Horizontal(classes="field"):
            yield Entry(r.name, placeholder="key name", id=f"{h}-{t}-name", classes="w20",
                        compact=True)
            yield Entry(r.holder, placeholder="holder", id=f"{h}-{t}-holder", classes="w12",
                        compact=True)
            yield Entry(r.scope, placeholder=self.scope, id=f"{h}-{t}-scope", classes="wide",
                        compact=True)
        yield Note(id=f"{h}-{t}-error", classes="field-error row-error")

    def read(self) -> CosignRow:
        t, h = self.tag, self.head

        def text(name: str) -> str:
            return self.query_one(f"#{h}-{t}-{name}", Input).value

        return CosignRow(text("name"), text("holder"), text("scope"), t)


def cosign_rows(rows: list[CosignRow], head: str, scope: str) -> Rows:
    return Rows([CosignRowForm(row, head, scope) for row in rows or [CosignRow()]],
                lambda: CosignRowForm(CosignRow(), head, scope), table_id=f"{head}-rows")


class SigstoreForm(Vertical):
    """The sigstore fields a script of this kind takes."""

    def __init__(self, part: SigstorePart, takes: tuple[str, ...], keyholders: str) -> None:
        super().__init__(id="sigstore-form", classes="form-part flavor-part")
        self.part = part
        self.takes = takes
        self.keyholders = keyholders

    def compose(self) -> ComposeResult:
        p = self.part
        if "groups" in self.takes:
            yield Static("Leave Docker Content Trust", classes="section")
            yield from field(
                "DCT bundle", Entry(p.dct_bundle, placeholder="e.g. ../media/dct-rotate-root",
                                    id="sigstore-dct-bundle", compact=True),
                hint="The newest DCT bundle: its GUNs move to cosign keys, a key a group.",
            )
            yield from field("Keyholders", Entry(self.keyholders, placeholder="ci-team",
                                                 id="keyholders", compact=True))
            yield Static("group (key)           holder       GUNs", classes="columns")
            yield cosign_rows(p.groups, "group", "GUNs it signs from now on")
        expiries = [name for name in EXPIRIES if name in self.takes
                    and not (name == "targets-expires" and "root-expires" in self.takes)]
        if expiries:
            yield Static("The mirror's new expiries", classes="section")
        for name in expiries:
            label, example = EXPIRY_LABELS[name]
            yield from field(label, Entry(p.expires.get(name, ""), placeholder=f"e.g. {example}",
                                          id=f"sigstore-{name}", compact=True))
        if "reissue-cosign" in self.takes:
            yield Static("Cosign keys from custody (optional)", classes="section")
            yield from field(
                "Reissue", Entry(p.reissue, placeholder="e.g. ci-release",
                                 id="sigstore-reissue-cosign", compact=True),
                hint="Cosign keys the custody bundle holds, comma-separated: each is written "
                "again under a new passphrase its holder types (the same key and .pub).",
            )
        if "cosign-keys" in self.takes:
            yield Static("Cosign keys for CI (optional; no OIDC, no Rekor)", classes="section")
            yield Static("name                 holder       image globs", classes="columns")
            yield cosign_rows(p.cosign_keys, "cosign",
                              "images, e.g. registry.example.internal/team/**")
        if "trust" in self.takes:
            yield from self._trust(p)
        elif "current" in self.takes:  # trust: carried as written (Ctrl+L), but for withdraw:
            yield Static("Trust material (carried as written, below)", classes="section")
            yield from self._withdraw(p)

    def _trust(self, p: SigstorePart) -> ComposeResult:
        yield Static("Trust material (public, from media)", classes="section")
        yield from field(
            "Mirror URL", Entry(p.mirror, placeholder="e.g. https://tuf.example.internal",
                                id="sigstore-mirror", compact=True),
            hint="Where mirror/ will be served: the instance's TUF URL.",
        )
        yield from field(
            "Re-signed by", Select(SIGNERS, value=p.mirror_signer, allow_blank=False,
                                   id="sigstore-mirror-signer", compact=True),
            hint="Who re-signs snapshot and timestamp: online, a server holding their keys; "
            "offline, only ceremonies (long expiries); not said: the expiries tell.",
        )
        yield from switch("Legacy per-file targets too (older cosign)", p.legacy_targets,
                          "sigstore-legacy-targets")
        yield Static("service        URL                                   file",
                     classes="columns")
        yield Rows([TrustEntryForm(entry) for entry in p.entries or [TrustEntry()]],
                   lambda: TrustEntryForm(TrustEntry()), table_id="entry-rows")
        if "current" in self.takes:  # a bootstrap has no current trusted root
            yield from self._withdraw(p)

    def _withdraw(self, p: SigstorePart) -> ComposeResult:
        yield from field(
            "Withdraw", Entry(p.withdraw, placeholder="(none) e.g. https://rekor.example",
                              id="sigstore-withdraw", compact=True),
            hint="Only for a compromised key: URLs of the current trusted root's "
            "services to stop trusting now, comma-separated. Keep a retired one as "
            "a row with a 'to' date.",
        )

    def read(self) -> SigstorePart:
        def text(field_id: str) -> str:
            found = self.query(f"#{field_id}")
            return found.first(Input).value if found else ""

        signer = self.query("#sigstore-mirror-signer")
        legacy = self.query("#sigstore-legacy-targets")
        return SigstorePart(
            mirror=text("sigstore-mirror"),
            mirror_signer=str(signer.first(Select).value) if signer else "",
            legacy_targets=legacy.first(Checkbox).value if legacy else False,
            entries=[row.read() for row in self.query(TrustEntryForm)],
            expires={name: text(f"sigstore-{name}") for name in EXPIRIES},
            cosign_keys=[row.read() for row in self.query(CosignRowForm)
                         if row.head == "cosign"],
            dct_bundle=text("sigstore-dct-bundle"),
            groups=[row.read() for row in self.query(CosignRowForm) if row.head == "group"],
            reissue=text("sigstore-reissue-cosign"),
            withdraw=text("sigstore-withdraw"),
        )
