"""Judging the build form: the script loader's verdict, shown where it points.

The build screen writes its form out as YAML (draft.py); ``judge`` loads that
text with the script loader itself and puts the loader's message next to the
field it names and at the foot of the form, or a ✓ when the script loads, so
the form says exactly what ``ceremony validate`` would. ``bundle_keys_hint``
names the keys in the current bundle's index, as a hint for Sign with. Nothing
here builds domain objects or writes a file.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widget import Widget

from ceremony.tui.draft import Rendered
from ceremony.tui.forms.field import note_id
from ceremony.tui.widgets import Note

if TYPE_CHECKING:
    from ceremony.errors import ScriptError


def judge(form: Widget, rendered: Rendered, script: Path, now: datetime) -> ScriptError | None:
    """Load ``rendered`` as the script saved at ``script`` and show the verdict on
    ``form``: the loader's error (None: the script loads)."""
    from ceremony.errors import ScriptError
    from ceremony.script.load import load_script_text

    for note in form.query(".field-error").results(Note):
        note.say("")
    for entry in form.query(".-invalid-field"):
        entry.remove_class("-invalid-field")
    try:
        load_script_text(rendered.text, path=script, now=now)
    except ScriptError as error:
        show_problem(form, error, rendered)
        return error
    form.query_one("#form-problem", Note).say(
        Content.assemble(("✓ The script loads. ", "$text-success bold"), "Ctrl+R to review it.")
    )
    form.query_one("#form-problem").add_class("-fine")
    return None


def show_problem(form: Widget, error: ScriptError, rendered: Rendered) -> None:
    """The loader's message at the foot of ``form``, and in words next to the field it names."""
    where = error.where
    path = where.split(": ", 1)[1] if ": " in where else ""
    field_id = rendered.field_for(path) if path else None
    words = f"{error.what}. {error.todo}" if error.todo else error.what
    bar = form.query_one("#form-problem", Note)
    bar.remove_class("-fine")
    bar.say(Content.assemble(("✗ ", "$text-error bold"), str(error)))
    if field_id is None:
        return
    notes = form.query(f"#{note_id(field_id)}")
    if notes:
        notes.first(Note).say(Content.assemble(("✗ ", "bold"), words))
    widgets = form.query(f"#{field_id}")
    if widgets:
        widgets.first().add_class("-invalid-field")


def bundle_keys_hint(text: str, base: Path) -> str:
    """The keys named in the index of the bundle at ``text``, a folder named
    (relative to ``base``), with their holders. It reads one small file."""
    folder = Path(text.strip()).expanduser()
    index = (folder if folder.is_absolute() else base / folder) / "keys" / "index.json"
    try:
        with index.open("rb") as handle:
            data = json.loads(handle.read(256 * 1024))
        keys = data["keys"]
        return "In this bundle: " + ", ".join(
            f"{name}" + (f" ({entry.get('holder')})" if entry.get("holder") else "")
            for name, entry in sorted(keys.items())
            if isinstance(entry, dict)
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "No bundle index found there yet (preflight checks the bundle in full)."
