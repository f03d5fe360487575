"""One row of the keys table: a key made (in software or on hardware) or imported.

The first line: name, holder, algorithm (or ``import (public key)`` and its
file). The second: where the key is made. ``software`` may name backup
tokens to copy it into (and their PKCS#11 module); ``pkcs11`` takes the
module, the token's label and/or serial and the key's label on it; ``yubikey`` the
serial, PIV slot and PIN policy. Choosing a backend fills the token fields
still empty from the tokens the home screen saw; the row judges nothing.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, Static

from ceremony.tui.drafts.keys import BACKENDS, IMPORT, PIN_POLICIES, KeyRow
from ceremony.tui.forms.tags import next_tag
from ceremony.tui.room import TokensSeen
from ceremony.tui.widgets import Entry, Note

#: the fields each backend shows on the row's second line
SHOWN = {
    "software": ("backups", "module"),
    "pkcs11": ("token", "serial", "object", "module"),
    "yubikey": ("serial", "slot", "pin-policy"),
}


def algorithm_options() -> list[tuple[str, str]]:
    from hsm.algorithms import ALGORITHMS

    return [(name, name) for name in ALGORITHMS] + [("import (public key)", IMPORT)]


class KeyRowForm(Vertical):
    """One key made or imported here."""

    def __init__(self, row: KeyRow, seen: TokensSeen | None = None) -> None:
        self.tag = row.tag or next_tag()
        super().__init__(classes="table-row key-row")
        self.row = row
        self.seen = seen or TokensSeen()
        self._backend = row.backend  # the backend the serial field was last filled for

    def compose(self) -> ComposeResult:
        t, row = self.tag, self.row
        with Horizontal(classes="field"):
            yield Entry(
                row.name, placeholder="name", id=f"key-{t}-name", classes="w20", compact=True
            )
            yield Entry(
                row.holder, placeholder="holder", id=f"key-{t}-holder", classes="w12",
                compact=True,
            )
            yield Select(
                algorithm_options(), value=row.algorithm, allow_blank=False,
                id=f"key-{t}-algorithm", compact=True,
            )
            yield Entry(
                row.public_key_file, placeholder="public key file", id=f"key-{t}-import",
                classes="wide", compact=True, disabled=row.algorithm != IMPORT,
            )
        with Horizontal(classes="field key-where", id=f"key-{t}-where"):
            yield Static("  made in", classes="w12 where-label")
            yield Select(
                [(name, name) for name in BACKENDS], value=row.backend, allow_blank=False,
                id=f"key-{t}-backend", compact=True,
            )
            yield Entry(row.backups, placeholder="backup token labels (optional)",
                        id=f"key-{t}-backups", classes="w20", compact=True)
            yield Entry(row.token, placeholder="token label", id=f"key-{t}-token",
                        classes="w12", compact=True)
            yield Entry(row.object_label, placeholder="key label", id=f"key-{t}-object",
                        classes="w12", compact=True)
            yield Entry(row.serial, placeholder="serial", id=f"key-{t}-serial",
                        classes="w12", compact=True)
            yield Entry(row.slot, placeholder="slot 9c", id=f"key-{t}-slot",
                        classes="w12", compact=True)
            yield Select(
                [(f"PIN {p}", p) for p in PIN_POLICIES], value=row.pin_policy,
                allow_blank=False, id=f"key-{t}-pin-policy", compact=True,
            )
            yield Entry(row.module, placeholder="PKCS#11 module (full path)",
                        id=f"key-{t}-module", classes="wide", compact=True)
        yield Note(id=f"key-{t}-error", classes="field-error row-error")

    def on_mount(self) -> None:
        self.show_backend(self.row.backend, self.row.algorithm)

    def show_backend(self, backend: str, algorithm: str) -> None:
        """Show the second line's fields for ``backend`` (none for an import)."""
        t = self.tag
        self.query_one(f"#key-{t}-where").display = algorithm != IMPORT
        for name in ("backups", "token", "object", "serial", "slot", "pin-policy", "module"):
            self.query_one(f"#key-{t}-{name}").display = name in SHOWN[backend]
        self.query_one(f"#key-{t}-serial", Input).placeholder = (
            "token serial" if backend == "pkcs11" else "serial"
        )
        self.query_one(f"#key-{t}-module", Input).placeholder = (
            "their PKCS#11 module" if backend == "software" else "PKCS#11 module (full path)"
        )

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        t = self.tag
        algorithm = str(self.query_one(f"#key-{t}-algorithm", Select).value)
        backend = str(self.query_one(f"#key-{t}-backend", Select).value)
        self.query_one(f"#key-{t}-import", Input).disabled = algorithm != IMPORT
        self.show_backend(backend, algorithm)
        if event.select.id == f"key-{t}-backend":
            if backend != self._backend:  # a YubiKey's serial is not a PKCS#11 token's
                self.query_one(f"#key-{t}-serial", Input).value = ""
                self._backend = backend
            self._fill_from_seen(backend)

    def _fill_from_seen(self, backend: str) -> None:
        """Offer the token the home screen saw, where its fields are still empty."""
        t = self.tag

        def offer(field_id: str, value: str) -> None:
            entry = self.query_one(f"#key-{t}-{field_id}", Input)
            if value and not entry.value.strip():
                entry.value = value

        yubikeys = [token for token in self.seen.tokens if "yubikey" in token.model.lower()]
        if backend == "yubikey" and yubikeys:
            offer("serial", yubikeys[0].serial)
        elif backend == "pkcs11" and self.seen.tokens:
            offer("token", self.seen.tokens[0].label)
            offer("module", self.seen.modules[0] if self.seen.modules else "")

    def read(self) -> KeyRow:
        t = self.tag

        def text(name: str) -> str:
            return self.query_one(f"#key-{t}-{name}", Input).value

        return KeyRow(
            name=text("name"), holder=text("holder"),
            algorithm=str(self.query_one(f"#key-{t}-algorithm", Select).value),
            public_key_file=text("import"), tag=t,
            backend=str(self.query_one(f"#key-{t}-backend", Select).value),
            module=text("module"), token=text("token"), object_label=text("object"),
            serial=text("serial"), slot=text("slot"),
            pin_policy=str(self.query_one(f"#key-{t}-pin-policy", Select).value),
            backups=text("backups"),
        )
