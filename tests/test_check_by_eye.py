"""Every "check by eye" points at something the screen shows.

A delegate ceremony asks the witnesses to check each delegation's paths and
whether it is terminating: the headless run prints the plan first (its Delegate
lines say both), and ``ceremony inspect`` of the targets.json written shows them
again, for TUF (paths, terminating) and DCT (paths; Notary v1 has no terminating).
"""

from __future__ import annotations

from test_questions import BOOTSTRAP, DELEGATE

from ceremony.cli.main import main

SECRETS = "".join(
    f"{name}: a passphrase long enough\n"
    for name in ("root-alice", "root-bob", "targets", "snapshot", "timestamp", "repo-debian")
)
ANSWERS = "confirm/script: yes\nconfirm/write: write\n"


def test_a_headless_delegation_prints_the_paths_and_terminating_it_asks_to_check(
    tmp_path, capsys
):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(SECRETS)
    secrets.chmod(0o600)
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS)
    bootstrap = tmp_path / "bootstrap.yaml"
    bootstrap.write_text(BOOTSTRAP.split("custody:")[0])
    delegate = tmp_path / "delegate.yaml"
    delegate.write_text(DELEGATE)
    common = ["--answers", str(answers), "--secrets", str(secrets)]
    assert main(["run", str(bootstrap), *common]) == 0
    capsys.readouterr()

    assert main(["run", str(delegate), *common]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "The plan (check it against the reviewed script):"
    shown = lines.index("  Delegate  debian: 1 of repo-debian for debian/*, terminating")
    check = next(n for n, line in enumerate(lines) if "check by eye: Each delegation" in line)
    assert shown < check
    assert lines[check] == (
        "   check by eye: Each delegation's paths and whether it is terminating, in the "
        "plan's Delegate lines shown before the ceremony began, are the reviewed script's."
    )

    assert main(["inspect", str(tmp_path / "out-2" / "metadata" / "targets.json")]) == 0
    inspected = capsys.readouterr().out.splitlines()
    at = inspected.index("delegated paths (a client asks the delegations in this order)")
    assert inspected[at + 1].split() == ["debian", "debian/*", "terminating"]
