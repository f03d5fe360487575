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


def test_no_module_outside_the_ui_loads_a_ui_toolkit_even_lazily():
    """Every module of ceremony and hsm but the UI's, imported together: since
    import-linter sees function-level imports too (and forbids the core any
    import of ceremony.tui but the CLI's one door), a lazy import made later
    can only reach modules imported here."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import ceremony, hsm\n"
        "names = []\n"
        "for package in (ceremony, hsm):\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        if not info.name.startswith(('ceremony.tui', 'ceremony.__main__')):\n"
        "            names.append(info.name)\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(len(names), ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, bad = out.stdout.split(" ", 1)
    assert int(count) > 200 and bad.strip() == ""


def test_a_whole_ceremony_run_headless_loads_no_ui_toolkit(tmp_path):
    """The lazy imports a run takes (the engine, steps, verify, inspect): a toy
    flavor's rehearsal, then verify and inspect of its bundle, from the CLI."""
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from toy_flavor import TOY\n"
        "from ceremony.flavor import register\n"
        "from ceremony.cli import main\n"
        "register(TOY)\n"
        f"out = {str(tmp_path / 'r')!r}\n"
        "assert main(['rehearse', '--flavor', 'toy', '--out', out]) == 0\n"
        "assert main(['verify', out + '/toy-bundle']) == 0\n"
        "assert main(['inspect', out + '/toy-bundle', '--json']) == 0\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print('UI:' + ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "UI:"
