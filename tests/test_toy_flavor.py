"""A flavor is an adapter: a toy one, registered from here, runs a whole ceremony.

The toy flavor (toy_flavor.py) signs one JSON file with plain software
keys. Registered at run time, with no change to any file of ceremony/, it is
loaded from a script, preflighted, run by the real engine (keys stored as age
files and read back, the bundle written, sealed and verified), named by
``ceremony verify``, ``inspect`` and ``rehearse``, and refused when tampered
with. The registry forgets it afterwards.
"""

from __future__ import annotations

import json
import shutil

import pytest
from toy_flavor import SCRIPT, TOY

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.errors import ScriptError
from ceremony.flavor import flavor_names, register, unregister
from ceremony.inspect import inspect_file
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle


@pytest.fixture
def toy():
    register(TOY)
    yield TOY
    unregister(TOY.name)


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory):
    """The toy bootstrap, run once for the module: its folder, plan and events.
    The flavor is registered only while it runs; tests that change the bundle
    change a copy."""
    folder = tmp_path_factory.mktemp("toy")
    script = folder / "toy.yaml"
    script.write_text(SCRIPT)
    register(TOY)
    try:
        plan = load_script(script)
        events = list(run_ceremony(plan, RehearsalOperator()))
    finally:
        unregister(TOY.name)
    return folder, plan, events


def test_the_toy_flavor_runs_a_bootstrap_through_the_real_engine(bootstrapped, toy):
    folder, plan, events = bootstrapped
    assert (plan.flavor, plan.kind, [r.name for r in plan.roles]) == ("toy", "bootstrap", ["root"])
    names = [event.name for event in events]
    assert names[0] == "ceremony-started" and names[-1] == "bundle-sealed"
    assert names.count("key-stored") == 3 and names.count("signature-added") == 3
    bundle = folder / "toy-bundle"
    manifest = json.loads((bundle / "MANIFEST.json").read_text())
    assert manifest["flavor"] == "toy"
    assert sorted(manifest["files"]) == sorted(
        ["toy.json", "ceremony.yaml", "REHEARSAL", "transcript.jsonl"]
        + [f"keys/{name}.age" for name in ("root-ann", "root-ben", "root-cy")]
        + [f"keys/public/{name}.pem" for name in ("root-ann", "root-ben", "root-cy")]
    )
    report = verify_bundle(bundle)
    assert report.ok and report.flavor == "toy" and report.root_versions == [1], report.lines()
    facts = inspect_file(bundle)
    assert facts["flavor"] == "toy" and len(facts["signatures"]) == 3


def test_a_tampered_toy_bundle_is_refused_by_verify(bootstrapped, toy, tmp_path):
    shutil.copytree(bootstrapped[0] / "toy-bundle", tmp_path / "toy-bundle")  # ours to spoil
    assert verify_bundle(tmp_path / "toy-bundle").ok  # whole before the change below
    path = tmp_path / "toy-bundle" / "toy.json"
    document = json.loads(path.read_text())
    document["signed"]["threshold"] = 1
    path.chmod(0o644)
    path.write_text(json.dumps(document, sort_keys=True, separators=(",", ":")))
    lines = verify_bundle(tmp_path / "toy-bundle").lines()
    assert any(line.startswith("toy.json: ") and "sha256" in line for line in lines), lines
    assert any("the signature by" in line and "is bad" in line for line in lines), lines


def test_the_cli_knows_the_toy_flavor_while_it_is_registered(toy, tmp_path, capsys):
    assert "toy" in flavor_names()
    out = tmp_path / "rehearsal"
    assert main(["rehearse", "--flavor", "toy", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Rehearsal complete: 1 ceremonies (one toy root), every bundle verifies" in printed
    assert main(["verify", str(out / "toy-bundle")]) == 0
    assert main(["inspect", str(out / "toy-bundle")]) == 0
    assert "toy version 1" in capsys.readouterr().out
    assert main(["status", str(out / "toy-bundle"), "--at", "2000-01-01"]) == 0
    assert main(["status", str(out / "toy-bundle"), "--at", "2200-01-01"]) == 2


def test_a_flavor_not_registered_is_refused_naming_the_ones_there_are(tmp_path):
    script = tmp_path / "toy.yaml"
    script.write_text(SCRIPT)
    with pytest.raises(ScriptError) as refused:
        load_script(script)
    assert "flavor: expected one of tuf, dct, sigstore, got 'toy'" in str(refused.value)
    assert "toy" not in flavor_names()
