"""The headless core must never load a UI toolkit: it keeps `ceremony --help`
fast and keeps screens out of domain code. Each module is imported in a fresh
interpreter and the test asserts textual and rich were not loaded."""

import subprocess
import sys

import pytest

HEADLESS = [
    "ceremony.cli",
    "ceremony.engine",
    "ceremony.flavors.tuf.kinds.bootstrap",
    "ceremony.flavors.tuf.kinds.rotate_root",
    "ceremony.flavors.tuf.kinds.delegate",
    "ceremony.flavors.tuf.kinds.recover",
    "ceremony.cli.operator",
    "ceremony.script.load",
    "ceremony.verify",
    "ceremony.inspect",
    "ceremony.rehearsal.run",
    "hsm.software",
    "ceremony.cli.tokens",
    "hsm.pkcs11",
    "hsm.yubikey",
    "ceremony.custody",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_load_a_ui_toolkit(module):
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_loads_nothing_heavy():
    code = (
        "import sys\n"
        "from ceremony.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = [m for m in ('tuf', 'cryptography', 'yaml', 'pyrage', 'textual')\n"
        "         if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
