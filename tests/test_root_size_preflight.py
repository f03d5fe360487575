"""A root that would be too large is refused in preflight, before any passphrase.

A root naming 3,000 imported keys takes more than the 512,000 bytes TUF
clients and ``ceremony verify`` accept. ``validate`` says so, and ``run``
stops in preflight, before a keyholder types anything; nothing is written.
A root well within the limit passes the check.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_run_headless import PASS, public_pem_file, small_bootstrap
from witness import witnessed

from ceremony.cli import main
from ceremony.engine.preflight import preflight
from ceremony.script.load import load_script

KEYS = 3000


@pytest.fixture
def passphrases(monkeypatch):
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


def with_targets_keys(folder: Path, count: int) -> Path:
    script = small_bootstrap(folder)
    (folder / "many").mkdir()
    names = [f"ci-{n}" for n in range(count)]
    for name in names:
        public_pem_file(folder / "many" / f"{name}.pem")
    text = script.read_text()
    text = text.replace("roles:\n", "".join(
        f"  - {{name: {name}, import: many/{name}.pem}}\n" for name in names
    ) + "roles:\n")
    listed = ", ".join(names)
    text = text.replace("targets: {keys: [targets]", f"targets: {{keys: [targets, {listed}]")
    script.write_text(text)
    return script


PROBLEM = (
    "   [FAIL] size of root.json: the new root names 3,005 keys, which take at least 571,080 "
    "bytes, more than the 512,000 a root file may have (TUF clients and `ceremony verify` "
    "refuse a larger one): name fewer keys in roles:\n"
)


def test_validate_refuses_a_root_of_3000_keys(tmp_path, passphrases, capsys):
    script = with_targets_keys(tmp_path, KEYS)
    assert main(["validate", str(script)]) == 1
    assert PROBLEM in capsys.readouterr().out


def test_run_stops_in_preflight_before_any_passphrase(tmp_path, monkeypatch, capsys):
    script = with_targets_keys(tmp_path, KEYS)
    text = script.read_text().replace("{env: ROOT_A_PASS}", "prompt")
    script.write_text(text.replace("{env: ROOT_B_PASS}", "prompt"))
    monkeypatch.setattr("ceremony.cli.prompt.ask_hidden", lambda prompt: pytest.fail(prompt))
    before = {p.name for p in tmp_path.iterdir()}
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    out, err = capsys.readouterr()
    assert PROBLEM in out
    assert err.startswith("ceremony: preflight found 1 problem(s): size of root.json: ")
    assert {p.name for p in tmp_path.iterdir()} == before


def test_a_root_within_the_limit_passes_the_check(tmp_path, passphrases):
    script = with_targets_keys(tmp_path, 100)
    checks = preflight(load_script(script)).checks
    assert [c for c in checks if c.check == "size of root.json"] == []
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
