"""Custody is core: no UI toolkit loaded, no printing, no prompting."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ceremony" / "custody"


def test_custody_never_loads_a_terminal_ui():
    code = (
        "import sys, ceremony.custody, ceremony.custody.sheets, ceremony.custody.share_input;"
        "print(sorted(m for m in ('textual', 'rich', 'ceremony.tui') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_custody_never_prints_or_prompts():
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"print", "input", "breakpoint"}, (
                    f"{path.name}:{node.lineno} calls {node.func.id}()"
                )
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                roots = {n.split(".")[0] for n in names}
                assert not roots & {"getpass", "textual", "rich", "click"}, (
                    f"{path.name}:{node.lineno} imports a prompt or UI module"
                )
