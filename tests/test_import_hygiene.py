"""The headless core must never load a UI toolkit: it keeps `ceremony --help`
fast and keeps screens out of domain code. Each module is imported in a fresh
interpreter and the test asserts textual and rich were not loaded. A command
loads only what it uses: `--help` and `version` nothing but the standard
library's start-up modules, and the commands that read no metadata none of
the TUF and crypto libraries (run without site, so that the development
venv's editable-install hook, which loads pathlib, is not counted)."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ceremony.cli.main import build_parser, main
from ceremony.cli.quick import SUMMARIES

TOP = Path(__file__).resolve().parent.parent
#: what start-up need not load: the parser and paths, dates, and everything heavy
NOT_AT_START = ("argparse", "pathlib", "datetime", "ipaddress", "urllib", "textwrap", "shutil",
                "typing", "dataclasses", "json", "tuf", "securesystemslib", "cryptography",
                "yaml", "textual", "rich")
#: what a command that reads no metadata never loads
METADATA_LIBRARIES = ("tuf", "securesystemslib", "cryptography")


def loaded_by(argv: list[str], cwd: Path, exit_code: int = 0) -> set[str]:
    """The top-level modules ``ceremony ARGV`` loads in a fresh interpreter
    started without site (the packages found on a plain path)."""
    _, loaded = modules_after(argv, cwd, exit_code=exit_code)
    return {module.split(".")[0] for module in loaded}


def modules_after(
    argv: list[str], cwd: Path, check: str = "", exit_code: int = 0
) -> tuple[str, set[str]]:
    """``ceremony ARGV``'s output and every module it loaded (full names), in a fresh
    interpreter started without site; ``check``: lines run after it, before the list."""
    code = (
        "import sys\n"
        f"sys.path[:0] = [{str(TOP)!r}]\n"
        f"sys.path.append({sysconfig.get_paths()['purelib']!r})\n"
        "from ceremony.cli import main\n"
        f"code = main({argv!r})\n"
        f"{check}"
        "print('LOADED', ' '.join(sorted(sys.modules)))\n"
        "raise SystemExit(code)\n"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         cwd=cwd, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert out.returncode == exit_code, out.stdout + out.stderr
    output, _, listed = out.stdout.rpartition("LOADED ")  # the last line
    return output, set(listed.split())


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["version"]])
def test_help_and_version_load_only_the_start_up_modules(argv, tmp_path):
    loaded = loaded_by(argv, tmp_path)
    assert "ceremony" in loaded
    assert sorted(loaded.intersection(NOT_AT_START)) == []


@pytest.mark.parametrize(("argv", "exit_code"), [
    (["version", "--verbose"], 0),
    (["clean", "{tmp}/leftover"], 3),  # found, and no terminal to confirm the removal at
])
def test_commands_that_read_no_metadata_load_no_tuf_or_crypto(argv, exit_code, tmp_path):
    leftover = tmp_path / "leftover"
    leftover.mkdir()
    (leftover / "INCOMPLETE").write_text("a stopped ceremony's staging folder\n")
    loaded = loaded_by([arg.format(tmp=tmp_path) for arg in argv], tmp_path, exit_code)
    assert "argparse" in loaded  # they do parse their command line
    assert sorted(loaded.intersection(METADATA_LIBRARIES)) == []


def test_verify_loads_its_own_checks_only(tmp_path):
    """`ceremony verify` checks signatures with cryptography alone: no YAML, no
    python-tuf or securesystemslib, no events (it runs no ceremony)."""
    from bundle_factory import make_bundle

    bundle = make_bundle(tmp_path / "bundle", versions=2).path
    output, loaded = modules_after(
        ["verify", str(bundle)], tmp_path,
        # only `ceremony verify` as a process freezes what it loaded
        check="import gc\nassert gc.get_freeze_count() == 0\n",
    )
    assert "every check holds" in output, output
    assert "cryptography" in loaded
    heavy = {"yaml", "tuf", "securesystemslib", "ceremony.events", "ceremony.script",
             "ceremony.engine", "fpdf", "argparse", "secrets",
             # cryptography's PEM loader's package: SSH keys and ciphers
             "cryptography.hazmat.primitives.serialization.ssh",
             "cryptography.hazmat.primitives.asymmetric.rsa",
             # ec.ECDSA()'s constructor's import: ciphers, RSA, random; and hashlib's
             # second OpenSSL, paths, threads: none of them needed to check a bundle
             "cryptography.hazmat.backends.openssl.backend", "hashlib", "pathlib",
             "threading",
             # the enums signal.py makes of every signal; the table of every character
             # (verify's report is ASCII)
             "signal", "unicodedata",
             # Python 3.11's datetime.py, which runs its pure-Python twin first; the
             # json package's regular expressions and Python fallbacks
             "datetime", "json",
             # threshold words: for a bundle found wanting, and for ceremony events
             "ceremony.threshold",
             # what a writer asks of a path (pathlib's questions without pathlib) and the
             # no-replace rename's ctypes: verify writes nothing
             "ceremony.bundle.path_kinds", "ctypes"}
    assert sorted(loaded.intersection(heavy)) == []


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory, policy_bootstrap):
    """A folder holding v1, a bundle whose script (ceremony.yaml) has a ``policy:``
    (test_next_script's, made once for the session: our copy)."""
    import shutil

    folder = tmp_path_factory.mktemp("hygiene")
    shutil.copytree(policy_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    return folder


#: what reading a script and writing one must not load when the script is in the plain
#: YAML the tool writes (script/yaml_plain_read.py, yaml_plain_write.py)
PYYAML = ("yaml", "difflib")


def test_status_reads_the_policy_without_the_plan_or_the_engine(bootstrapped):
    """`ceremony status` reads a bundle's ``policy:`` (YAML) and each role's newest file:
    not the Plan's classes, the engine, the events, custody or python-tuf; and neither
    PyYAML (the policy is plain YAML), dataclasses (its records are plain records), the key
    checks (cryptography: it checks no signature) nor json (for --json only)."""
    output, loaded = modules_after(["status", "v1"], bootstrapped)
    assert any(line.split()[1:2] == ["root"] for line in output.splitlines()), output
    assert "ceremony.lifecycle.status" in loaded
    assert "ceremony.script.policy" in loaded  # the bundle's policy was read
    heavy = {"ceremony.script.plan", "ceremony.engine", "ceremony.events", "ceremony.custody",
             "tuf", "securesystemslib", "hsm.signer", "fpdf", *PYYAML, "dataclasses",
             "cryptography", "json", "argparse"}
    top = {module.split(".")[0] for module in loaded}
    assert sorted((loaded | top).intersection(heavy)) == []


def test_next_reads_the_bundle_without_the_engine_or_python_tuf(bootstrapped):
    """`ceremony next` verifies the bundle and writes a script from it: not the engine
    that runs ceremonies, its events, tokens or custody archive, no python-tuf (whose
    Metadata loads every signer securesystemslib has: python-pkcs11, asn1crypto), not
    the script's readers, not PyYAML (it reads and writes plain YAML) nor dataclasses;
    not json (custody records and bags are read with json's C scanner), threshold words,
    custody's errors, the TUF flavor's inspect (only whether the path is TUF's),
    datetime.py, ctypes (the script is named by a hard link), or pathlib (its paths are
    text)."""
    output, loaded = modules_after(
        ["next", "v1", "--kind", "renew", "-o", "renew.yaml"], bootstrapped)
    assert "wrote renew.yaml" in output, output
    assert "ceremony.flavors.tuf.next_script" in loaded
    assert "argparse" not in loaded  # a plain command line (quick.py)
    heavy = {"ceremony.engine.run", "ceremony.engine.context", "ceremony.engine.tokens",
             "ceremony.events", "ceremony.operator", "ceremony.custody.archive",
             "ceremony.custody.copies", "ceremony.custody.collector", "hsm.signer",
             "tuf", "securesystemslib", "pkcs11", "asn1crypto", "secrets",
             "cryptography.hazmat.primitives.serialization.ssh", "fpdf",
             # the script's readers and the Plan's classes: next writes by the lists of
             # fields each kind takes (script/kind_fields.py, flavors/tuf/script_rules.py)
             "ceremony.script.plan", "ceremony.script.fields", "ceremony.flavors.tuf.script",
             *PYYAML,
             # its records (keys, the verified bundle, custody records, bags) are plain records
             "dataclasses",
             # json's package (its regular expressions, Python fallbacks); what next does
             # not ask: threshold words, custody's errors, inspect's facts and text
             "json", "ceremony.threshold", "ceremony.custody.errors",
             "ceremony.flavors.tuf.inspect",
             # datetime.py, which runs its pure-Python twin first (its C module's classes
             # are ceremony/c_datetime.py's)
             "datetime",
             # the script takes its name by a hard link: renameat2 (through ctypes) only
             # where the filesystem makes none
             "ctypes",
             # paths as text from the command line to the file written (cli/quick.py's
             # path_text, bundle/path_kinds.py): pathlib loads urllib.parse and ipaddress
             "pathlib", "urllib", "ipaddress", "fnmatch"}
    top = {module.split(".")[0] for module in loaded}
    assert sorted((loaded | top).intersection(heavy)) == []


def test_custody_records_and_bags_are_read_without_json(tmp_path):
    """What `next` reads of a bundle with custody (custody.json, the transcript's sealed
    bags) it reads with json's C scanner: the json package is not loaded."""
    output, loaded = modules_after(["version"], tmp_path, check=(
        "from ceremony.custody.record import CustodyRecord, RecordFormatError\n"
        "from ceremony.verify.bags import sealed_bags\n"
        "from ceremony.verify.contents import BundleContents\n"
        "try:\n"
        "    CustodyRecord.from_json(b'{\"format\": 1}')\n"
        "except RecordFormatError as error:\n"
        "    print('REFUSED', error)\n"
        "transcript = (b'{\"event\": \"ceremony-started\", \"ceremony_id\": \"c\"}\\n'\n"
        "              b'{\"event\": \"bag-sealed\", \"bag\": \"a\", \"serial\": \"7\"}')\n"
        "print('BAGS', sorted(sealed_bags(BundleContents.from_bytes({'transcript.jsonl': "
        "transcript}))))\n"
    ))
    assert "REFUSED" in output and "BAGS ['a']" in output, output
    assert "json" not in loaded


def test_verify_compiles_no_code(tmp_path):
    """A process's first compile() sets up the interpreter's AST types, a
    millisecond of `ceremony verify`; typing.NamedTuple compiles each string
    annotation (the NamedTuple modules do without `from __future__ import
    annotations`). Only the import system may compile, a source without .pyc."""
    from bundle_factory import make_bundle

    bundle = make_bundle(tmp_path / "bundle", versions=2).path
    code = (
        "import builtins, sys\n"
        f"sys.path[:0] = [{str(TOP)!r}]\n"
        f"sys.path.append({sysconfig.get_paths()['purelib']!r})\n"
        "compiled = []\n"
        "real = builtins.compile\n"
        "def counted(source, filename, *args, **kwargs):\n"
        "    if not str(filename).endswith('.py'):\n"
        "        compiled.append(repr(source)[:60])\n"
        "    return real(source, filename, *args, **kwargs)\n"
        "builtins.compile = counted\n"
        "from ceremony.cli import main\n"
        f"code = main(['verify', {str(bundle)!r}])\n"
        "print('COMPILED', compiled)\n"
        "raise SystemExit(code)\n"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.split("COMPILED ", 1)[1].strip() == "[]"


@pytest.mark.parametrize("argv", [
    ["verify", "b"], ["verify", "b", "--at", "2027-01-31"], ["verify", "--head", "ab cd" * 16, "b"],
    ["verify", "b", "--manifest", "AB" * 32, "--at", "2027-01-31T12:00:00+02:00", "--head",
     "0" * 64],
])
def test_a_plain_verify_command_line_is_read_as_argparse_reads_it(argv):
    """verify's command line is read without argparse when it is plain."""
    from ceremony.cli.quick import quick_verify

    assert vars(quick_verify(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["verify"], ["verify", "b", "c"], ["verify", "b", "--at"], ["verify", "b", "--at", "soon"],
    ["verify", "b", "--at=2027-01-31"], ["verify", "b", "--he", "x"], ["verify", "-h"],
    ["verify", "b", "--head", "-x"], ["verify", "b", "--head", "x", "--head", "y"],
    ["verify", "--", "b"], ["status", "b"], ["verify", "b", "--head", ""],
    ["verify", "b", "--manifest", "ab cd"], ["verify", "b", "--head", "x" * 64],
])
def test_any_other_verify_command_line_goes_to_argparse(argv):
    from ceremony.cli.quick import quick_verify

    assert quick_verify(argv) is None


@pytest.mark.parametrize("argv", [
    ["status", "b"], ["status", "b", "c"], ["status", "b", "--json"], ["status", "--json", "b"],
    ["status", "--json", "b", "c"], ["status", ""], ["status", "json"],
])
def test_a_plain_status_command_line_is_read_as_argparse_reads_it(argv):
    """status's command line is read without argparse when it is paths and --json."""
    from ceremony.cli.quick import quick_status

    assert vars(quick_status(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["status"], ["status", "--json"], ["status", "b", "--json", "c"], ["status", "b", "--js"],
    ["status", "--json", "b", "--json"], ["status", "b", "--at", "2027-01-31"],
    ["status", "b", "--margin", "30"], ["status", "b", "--critical=2"], ["status", "-h"],
    ["status", "--", "b"], ["status", "-b"], ["verify", "b"], ["next", "b"],
])
def test_any_other_status_command_line_goes_to_argparse(argv):
    from ceremony.cli.quick import quick_status

    assert quick_status(argv) is None


def test_status_loads_no_parser(tmp_path):
    """A plain `ceremony status` builds no argparse parser: no command's module but its own."""
    from bundle_factory import make_bundle

    bundle = make_bundle(tmp_path / "bundle", versions=2).path
    output, loaded = modules_after(["status", str(bundle), "--json"], tmp_path)
    assert '"exit_code"' in output, output
    assert sorted(name for name in loaded if name.startswith("ceremony.cli.")) == [
        "ceremony.cli.exit_codes", "ceremony.cli.main", "ceremony.cli.output",
        "ceremony.cli.quick", "ceremony.cli.status"]
    assert "argparse" not in loaded


@pytest.mark.parametrize("argv", [
    ["next", "b", "--kind", "renew", "-o", "n.yaml"],
    ["next", "--kind", "rotate-root", "b", "--output", "n.yaml", "--replace", "timestamp"],
    ["next", "b", "-o", "n.yaml", "--kind", "renew", "--at", "2027-01-31", "--guns", "a,b"],
])
def test_a_plain_next_command_line_is_read_as_argparse_reads_it(argv):
    from ceremony.cli.quick import quick_next

    assert vars(quick_next(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["next", "b", "--kind", "renew"], ["next", "b", "-o", "n.yaml"],
    ["next", "b", "--kind", "rotate", "-o", "n.yaml"],
    ["next", "b", "--kind", "renew", "-o", "n.yaml", "--output", "m.yaml"],
    ["next", "b", "--kind", "renew", "-on.yaml"], ["next", "b", "--kind=renew", "-o", "n"],
    ["next", "b", "--kind", "renew", "-o", "n", "--at", "soon"],
    ["next", "b", "c", "--kind", "renew", "-o", "n"], ["next", "--kind", "renew", "-o", "n"],
    ["next", "b", "--kind", "renew", "-o", "-n"], ["next", "b", "--kin", "renew", "-o", "n"],
    ["status", "b"], ["verify", "b"],
])
def test_any_other_next_command_line_goes_to_argparse(argv):
    from ceremony.cli.quick import quick_next

    assert quick_next(argv) is None


#: what drawing share sheets loads (tens of MiB, next to scrypt's 256 MiB)
SHEET_LIBRARIES = ("fpdf", "fontTools", "PIL", "qrcode")


@pytest.mark.parametrize("module", [
    "ceremony.steps.custody",
    "ceremony.flavors.tuf.kinds.bootstrap",
    "ceremony.flavors.tuf.kinds.rotate_root",
    "ceremony.flavors.tuf.kinds.recover",
])
def test_a_ceremony_loads_the_sheet_libraries_only_to_draw_sheets(module, tmp_path):
    code = (
        f"import sys, {module}\n"
        "print('LOADED', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    loaded = set(out.stdout.split()[1:])
    assert "ceremony" in loaded
    assert sorted(loaded.intersection(SHEET_LIBRARIES)) == []


@pytest.mark.parametrize("columns", ["40", "60", "80", "100", "200"])
def test_quick_help_is_argparse_help_at_every_width(columns, monkeypatch, capsys):
    """Too narrow for its lines as they are, the help comes from argparse itself."""
    monkeypatch.setenv("COLUMNS", columns)
    try:
        code = main(["--help"])
    except SystemExit as stop:  # argparse's --help exits
        code = stop.code
    assert code == 0
    assert capsys.readouterr().out == build_parser().format_help()


def test_every_command_has_its_summary_in_the_quick_help():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(sub.choices) == list(SUMMARIES)


def test_version_answers_as_before(capsys):
    from ceremony import __version__

    assert main(["version"]) == 0
    assert capsys.readouterr().out == f"ceremony {__version__}\n"

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
        "from ceremony.cli.main import build_parser\n"
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
