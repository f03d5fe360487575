"""``ceremony questions SCRIPT`` lists exactly what the ceremony asks, in order.

Each script here runs headless with no terminal and no ``--yes``: an answers file
holding exactly the listed confirmations, a secrets file holding exactly the
listed secrets, the listed shares from ``--share`` files. A recording Operator
notes every question the engine puts; the ceremony must finish, and the ids it
asked must be the listed ones, in the listed order (the questions asked only
when something went wrong are listed with their condition, and not asked).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from test_script_dct import server_key_media

from ceremony.cli.main import main
from ceremony.cli.operator import HeadlessOperator
from ceremony.cli.questions import Question, script_questions
from ceremony.engine import run_ceremony
from ceremony.errors import CeremonyError
from ceremony.operator import (
    Confirmation,
    Secret,
    SecretRequest,
    ShareAnswer,
    ShareHandout,
    ShareRequest,
)
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle

PASSPHRASE = "a passphrase long enough"
GUNS = ("registry.example.com/org/app", "registry.example.com/org/db")

BOOTSTRAP = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: questions bootstrap
rehearsal: true
output: out-1
keyholders: [{name: alice}, {name: bob}]
keys:
  - {name: root-alice, holder: alice, algorithm: ed25519}
  - {name: root-bob, holder: bob, algorithm: ed25519}
  - {name: targets, algorithm: ed25519}
  - {name: snapshot, algorithm: ed25519}
  - {name: timestamp, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-bob], threshold: 1, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 90d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
custody:
  media: [media-a, media-b]
  sheets: sheets
  shares: {threshold: 2, of: 3}
  custodians: [erin, frank, grace]
  slip39-passphrase: prompt
"""

DELEGATE = """\
format: 1
ceremony: delegate
flavor: tuf
title: questions delegate
rehearsal: true
current: out-1
output: out-2
sign-with: [targets]
keys:
  - {name: repo-debian, algorithm: ed25519}
delegations:
  - {name: debian, keys: [repo-debian], threshold: 1, paths: ["debian/*"], terminating: true}
targets-expires: 90d
"""

ROTATE = """\
format: 1
ceremony: rotate-root
flavor: tuf
title: questions rotation
rehearsal: true
current: out-2
output: out-3
sign-with: [root-alice]
keyholders: [{name: carol}]
keys:
  - {name: root-carol, holder: carol, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-carol], threshold: 1, expires: 200d}
"""


RECOVER = """\
format: 1
ceremony: recover
flavor: tuf
title: questions recovery
rehearsal: true
current: out-3
output: out-4
recover-from:
  copies: [media-a, media-b]
  slip39-passphrase: prompt
keyholders: [{name: online}]
keys:
  - {name: targets-2, holder: online, algorithm: ed25519}
replace:
  targets: {keys: [targets-2], threshold: 1, expires: 90d}
"""

DECOMMISSION = """\
format: 1
ceremony: decommission
flavor: tuf
title: questions decommission
rehearsal: true
current: out-4
output: out-5
sign-with: [root-alice]
destroy: [root-carol]
"""


class Recording(HeadlessOperator):
    """The headless Operator, noting the id of every question put to it."""

    def __init__(self, **options: object) -> None:
        super().__init__(interactive=False, **options)  # type: ignore[arg-type]
        self.asked: list[str] = []

    def confirm(self, request: Confirmation) -> bool:
        self.asked.append(request.id)
        return super().confirm(request)

    def secret(self, request: SecretRequest) -> Secret:
        self.asked.append(request.id)
        return super().secret(request)

    def hand_out(self, request: ShareHandout) -> Secret:
        self.asked.append(request.id)
        return super().hand_out(request)

    def share(self, request: ShareRequest) -> ShareAnswer | None:
        self.asked.append(request.id)
        return super().share(request)


def answers_for(
    questions: list[Question], also: tuple[str, ...] = ()
) -> tuple[dict[str, str], dict[str, str]]:
    """The answers and secrets files' lines for the questions always asked, and for
    the ones asked only sometimes that are asked here (``also``)."""
    answers: dict[str, str] = {}
    secrets: dict[str, str] = {}
    for question in questions:
        if question.when and question.id not in also or question.id == "share/N":
            continue
        if question.id.startswith("handout/"):
            answers[question.id] = "not read back"
        elif question.answer.startswith("answers file"):
            answers[question.id] = question.answer.split(": ", 1)[1].split("`")[0]
        else:
            name = question.answer.split("`")[1].removesuffix(": ...")
            secrets[name] = PASSPHRASE
    return answers, secrets


def run_with_the_listed_answers(
    script: Path, shares: tuple[Path, ...] = (), also: tuple[str, ...] = ()
) -> tuple[list[Question], list[str]]:
    """Run ``script`` headless with exactly the answers and secrets its listed
    questions need (and ``shares`` as --share files): (the list, the ids asked)."""
    plan = load_script(script)
    questions = script_questions(plan)
    answers, secrets = answers_for(questions, also)
    answers_file = script.with_name(f"{script.stem}-answers.yaml")
    secrets_file = script.with_name(f"{script.stem}-secrets.yaml")
    answers_file.write_text(yaml.safe_dump(answers))
    secrets_file.write_text(yaml.safe_dump(secrets))
    secrets_file.chmod(0o600)
    operator = Recording(answers_file=answers_file, secrets_file=secrets_file,
                         production=not plan.rehearsal, shares=shares)
    for _event in run_ceremony(plan, operator):
        pass
    return questions, operator.asked


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("questions")
    for name in ("media-a", "media-b", "sheets"):
        (folder / name).mkdir()
    return folder


#: the five ceremonies in turn: each builds on the bundle the one before wrote
IN_TURN = [
    ("bootstrap", BOOTSTRAP, 0, ()),
    ("delegate", DELEGATE, 0, ()),
    ("rotate-root", ROTATE, 0, ()),
    ("recover", RECOVER, 2, ("passphrase/slip39",)),  # the bootstrap's shares have one
    ("decommission", DECOMMISSION, 0, ()),  # `write` asked before `destroy`
]


def run_in(room: Path, name: str, text: str, shares: int, also: tuple[str, ...]
           ) -> tuple[Path, list[Question], list[str]]:
    """Run ceremony ``name`` in ``room``: (its script, its listed questions, the ids asked)."""
    script = room / f"{name}.yaml"
    script.write_text(text)
    sheets = tuple(sorted((room / "sheets").glob("shares-*/share-*.txt"))[:shares])
    return (script, *run_with_the_listed_answers(script, sheets, also))


@pytest.mark.parametrize("name,text,shares,also", IN_TURN)
def test_a_run_with_exactly_the_listed_answers_asks_exactly_the_listed_questions(
    room, name, text, shares, also
):
    for earlier in IN_TURN[:[row[0] for row in IN_TURN].index(name)]:
        if not (room / f"{earlier[0]}.yaml").exists():  # this case run alone
            run_in(room, *earlier)
    script, questions, asked = run_in(room, name, text, shares, also)
    plan = load_script(script)
    expected = [q.id for q in questions if not q.when or q.id in also]
    assert in_turn(asked, shares) == expected
    assert verify_bundle(plan.output).ok


def in_turn(asked: list[str], shares: int) -> list[str]:
    """``asked`` with its run of share requests (share/1, share/2, ...: one per
    share given, and perhaps one more asking whether more come) as ``share/N``."""
    run = [qid for qid in asked if qid.startswith("share/")]
    assert run[:shares] == [f"share/{n}" for n in range(1, shares + 1)]
    assert run == [f"share/{n}" for n in range(1, len(run) + 1)]
    first = asked.index(run[0]) if run else len(asked)
    assert asked[first:first + len(run)] == run  # asked one after the other
    return asked[:first] + (["share/N"] if run else []) + asked[first + len(run):]


def test_the_command_prints_each_question_in_order(tmp_path, capsys):
    script = tmp_path / "bootstrap.yaml"
    script.write_text(BOOTSTRAP)
    assert main(["questions", str(script)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{script}: bootstrap (tuf, rehearsal) asks, in this order:\n")
    numbered = [line.split(". ", 1)[1].split(":")[0] for line in out.splitlines()
                if line[:5].strip().rstrip(".").isdigit()]
    assert numbered == [
        "confirm/remove-leftover", "confirm/script",
        "passphrase/root-alice", "passphrase/root-bob",
        "passphrase/targets", "passphrase/snapshot", "passphrase/timestamp",
        "confirm/custody", "passphrase/slip39",
        "handout/share-01", "handout/share-02", "handout/share-03",
        "confirm/write", "confirm/destroy-token-keys",
    ]
    assert textwrap.dedent("""\
           10. handout/share-01: custodian of share 1 of 3 (erin): read back the checksum words
                 headless: the custodian at the terminal; or --yes, or answers file \
`handout/share-01: not read back` (recorded NOT read back)
        """) in out
    assert "secrets file `slip39-passphrase: ...`" in out


def test_a_hand_out_answered_with_anything_else_is_refused_before_anything_is_made(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("handout/share-01: yes\nwitness: Wendy\n")
    with pytest.raises(CeremonyError) as caught:
        HeadlessOperator(answers_file=answers, interactive=False)
    assert str(caught.value) == (
        f"{answers}: the answers file says 'yes' for handout/share-01. the only scripted "
        "answer to a hand-out is `handout/share-01: not read back`; otherwise the custodian "
        "reads the words at the terminal"
    )


def test_a_dct_bootstrap_asks_exactly_the_listed_questions(tmp_path):
    folder = tmp_path
    server_key_media(folder / "server-keys", *GUNS)
    script = folder / "bootstrap.yaml"
    script.write_text(textwrap.dedent(f"""\
        format: 1
        ceremony: bootstrap
        flavor: dct
        title: questions dct
        rehearsal: true
        output: bundle
        guns: [{", ".join(GUNS)}]
        server-keys: server-keys
        keyholders: [{{name: alice}}, {{name: bob}}, {{name: ci}}]
        keys:
          - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
          - {{name: root-bob, holder: bob, algorithm: ecdsa-p256}}
          - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
        roles:
          root: {{keys: [root-alice, root-bob], threshold: 1, expires: 2y}}
          targets: {{keys: [repo], expires: 1y}}
        """))
    questions, asked = run_with_the_listed_answers(script)
    assert asked == [q.id for q in questions if not q.when]
    assert "passphrase/repo" in asked
