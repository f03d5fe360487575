"""The first screen paints fast: the app module loads only what home draws.

The engine, the script loader, TUF, cryptography and YAML load when a
ceremony is chosen, never before the home screen is up.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "ceremony.engine",
    "ceremony.script.load",
    "ceremony.verify",
    "tuf",
    "securesystemslib",
    "cryptography",
    "yaml",
    "pyrage",
    "qrcode",
)


def test_the_app_module_loads_nothing_heavy():
    code = (
        "import sys\n"
        "from ceremony.tui.app import make_app\n"
        "make_app()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_core_does_not_know_the_ui():
    code = (
        "import sys\n"
        "import ceremony.engine, ceremony.script.load, ceremony.verify, ceremony.rehearsal.run\n"
        "print(','.join(m for m in sys.modules\n"
        "               if m.split('.')[0] == 'textual' or m.startswith('ceremony.tui')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
