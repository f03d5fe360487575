"""``ceremony questions SCRIPT``: what a script's ceremony will ask, in order.

For a scripted run (``ceremony run --answers FILE --secrets FILE``) and for the
people preparing the room: each question's id, what it asks, and where a
headless run takes the answer from (the answers file's ``id: answer`` line, the
secrets file's ``name: value`` line, an environment variable the script names,
``--share FILE``). Questions asked only in some cases (a leftover of a stopped
attempt, keys left on a token by a stopped attempt) say when. The list is read
from the plan, step by step in the flavor's order; tests/test_questions.py runs
scripts with exactly these answers to prove it. docs/reference/answers.md
describes every id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ceremony.flavor import flavor_named
from ceremony.script.plan import KeySpec, PassphraseSource, Plan, TokenSpec
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.key_index import read_key_index
from ceremony.verify.limits import KEY_INDEX


@dataclass(frozen=True)
class Question:
    id: str  # the answers file's id, or the secret request's id
    asks: str  # what it asks, in words
    answer: str  # a headless run's answer: "`confirm/script: yes`", "secrets file `root-a:`"
    when: str = ""  # "" for always; otherwise when it is asked

    @property
    def line(self) -> str:
        when = f" [only {self.when}]" if self.when else ""
        return f"{self.id}: {self.asks}{when}\n      headless: {self.answer}"


def confirmation(qid: str, asks: str, word: str = "yes", when: str = "") -> Question:
    return Question(qid, asks, f"answers file `{qid}: {word}`", when)


def secret(qid: str, name: str, asks: str, source: PassphraseSource | None) -> Question:
    if source is not None and source.kind == "env":
        return Question(qid, asks, f"environment variable {source.name} (the script names it)")
    return Question(qid, asks, f"secrets file `{name}: ...`, or typed at the terminal")


def script_questions(plan: Plan) -> list[Question]:
    """The questions ``plan``'s ceremony asks, in the order it asks them."""
    asked: set[str] = set()
    out: list[Question] = []
    for step in flavor_named(plan.flavor).steps(plan):
        for question in STEP_QUESTIONS.get(step.id, _nothing)(plan):
            if question.id not in asked:
                asked.add(question.id)
                out.append(question)
    out.append(confirmation(
        "confirm/destroy-token-keys",
        "Destroy the keys this attempt put on tokens?",
        "destroy",
        when="if the ceremony stops after making keys on a token",
    ))
    return out


def _nothing(plan: Plan) -> Iterator[Question]:  # a step that asks nothing
    return iter(())


def _preflight(plan: Plan) -> Iterator[Question]:
    yield confirmation(
        "confirm/remove-leftover", "Remove what a stopped attempt left beside the output?",
        "remove", when="if a stopped attempt left a staging folder or INCOMPLETE bundle there",
    )
    witness = "" if plan.rehearsal else (
        "; in production a scripted answer needs `witness: NAME` in the answers file"
    )
    for name in plan.bags.open:
        yield Question(f"bag/open/{name}", f"the serial on bag {name}, read before it is "
                       "opened", f"answers file `bag/open/{name}: SERIAL`, or typed at the "
                       "terminal")
    yield Question(
        "confirm/script", "Does this sha256 match the reviewed copy of the script?",
        f"answers file `confirm/script: yes`{witness}",
    )


def _made_keys(plan: Plan, *, root: bool | None) -> Iterator[Question]:
    """Questions for the keys made in this step (``root``: only root keys, only
    the others, or None for every key not made yet)."""
    flavor = flavor_named(plan.flavor)
    for spec in plan.keys:
        if spec.source == "import":
            continue
        is_root = "root" in flavor.key_roles(plan, spec.name)
        if root is not None and is_root != root:
            continue
        yield from _key_questions(plan, spec)


def _key_questions(plan: Plan, spec: KeySpec) -> Iterator[Question]:
    hardware = spec.hardware
    if hardware is None:
        holder = f" (keyholder {spec.holder})" if spec.holder else ""
        yield secret(f"passphrase/{spec.name}", spec.name,
                     f"new passphrase for key {spec.name}{holder}",
                     plan.passphrase_for(spec.name))
        for backup, _label in spec.backup_tokens:
            yield _token_pin(plan, backup)
        return
    token = hardware.token
    if token.yubikey:  # the management key first, new credentials, then the PIN
        serial = str(token.serial)
        what = "new management key (48 hex digits)" if hardware.prepare else "management key"
        yield secret(f"management-key/{serial}", f"management-key/{serial}",
                     f"{what} of YubiKey {serial}", None)
        if hardware.prepare:
            for name in ("pin", "puk"):
                yield secret(f"new-{name}/{serial}", f"new-{name}/{serial}",
                             f"new {name.upper()} of YubiKey {serial}", None)
        yield _pin(plan, f"YubiKey PIV #{serial}", serial)
        return
    yield _token_pin(plan, token)


def _token_pin(plan: Plan, token: TokenSpec) -> Question:
    """The PIN of a PKCS#11 token the script names (by label, or by serial only)."""
    return _pin(plan, token.label or f"<the label of token {token.serial}>", token.serial)


def _pin(plan: Plan, label: str, serial: str | None = None) -> Question:
    """The PIN of the token labelled ``label``; ``pins:`` names it by label or serial."""
    pins = dict(plan.pins)
    source = pins.get(label) or (pins.get(serial) if serial else None)
    return secret(f"pin/{label}", f"pin/{label}", f"PIN of token {label!r}", source)


def _root_keys(plan: Plan) -> Iterator[Question]:
    return _made_keys(plan, root=True)


def _other_keys(plan: Plan) -> Iterator[Question]:
    return _made_keys(plan, root=False)


def _open_keys(plan: Plan) -> Iterator[Question]:
    tokens = _current_tokens(plan)
    for name in plan.sign_with:
        if name in tokens:  # it signs on its token: the token's PIN is asked
            yield _pin(plan, tokens[name])
            continue
        yield secret(f"passphrase/{name}", name, f"passphrase of current key {name}",
                     plan.passphrase_for(name))


def _current_tokens(plan: Plan) -> dict[str, str]:
    """The current bundle's keys that live on a PKCS#11 token, with the token's
    label (from keys/index.json; empty when there is none to read)."""
    from hsm.errors import KeyBackendError
    from hsm.pkcs11.uri import Pkcs11Uri

    if plan.current is None:
        return {}
    try:
        entries = read_key_index((plan.current / KEY_INDEX).read_bytes())
    except (OSError, MalformedJSONError):
        return {}
    tokens = {}
    for name, entry in entries.items():
        location = entry.get("location")
        if isinstance(location, str) and location.startswith("pkcs11:"):
            try:
                label = Pkcs11Uri.parse(location).token
            except KeyBackendError:
                continue
            if label:
                tokens[name] = label
    return tokens


def _custody(plan: Plan) -> Iterator[Question]:
    custody = plan.custody
    assert custody is not None  # the custody steps run only with a custody section
    yield confirmation("confirm/custody", "Seal these keys into the custody bundle?")
    if custody.mode == "passphrase-only":
        yield secret("passphrase/custody", "custody-passphrase",
                     "new passphrase of the custody bundle", custody.passphrase)
    elif custody.passphrase is not None:
        yield secret("passphrase/slip39", "slip39-passphrase",
                     "new SLIP-39 passphrase of the custody shares", custody.passphrase)


def _hand_out(plan: Plan) -> Iterator[Question]:
    custody = plan.custody
    assert custody is not None  # the hand-out runs only with shares
    total = sum(of for _threshold, of in custody.groups)
    for number in range(1, total + 1):
        custodian = custody.custodians[number - 1] if custody.custodians else ""
        who = f" ({custodian})" if custodian else ""
        witness = "" if plan.rehearsal else " and `witness: NAME`"
        yield Question(
            f"handout/share-{number:02d}",
            f"custodian of share {number} of {total}{who}: read back the checksum words",
            f"the custodian at the terminal; or --yes, or answers file "
            f"`handout/share-{number:02d}: not read back`{witness} (recorded NOT read back)",
        )


def _collect(plan: Plan) -> Iterator[Question]:
    yield Question(
        "share/N", "each custodian's share in turn (share/1, share/2, ...) until the "
        "threshold is met", "--share FILE (a text file or a photo of the sheet's QR code), "
        "once per share, in order; or typed at the terminal",
    )


def _open_custody(plan: Plan) -> Iterator[Question]:
    source = plan.recover_from.passphrase if plan.recover_from is not None else None
    if source is not None:
        yield secret("passphrase/custody", "custody-passphrase",
                     "passphrase of the custody bundle", source)
    slip39 = plan.recover_from.slip39_passphrase if plan.recover_from is not None else None
    yield replace(
        secret("passphrase/slip39", "slip39-passphrase", "SLIP-39 passphrase of the shares",
               slip39),
        when="if the shares were made with one",
    )


def _rehome(plan: Plan) -> Iterator[Question]:
    for spec in plan.rehome:
        yield _token_pin(plan, spec.token)


def _write(plan: Plan) -> Iterator[Question]:
    if not plan.destroy:  # a decommission asks it before it destroys anything
        yield _write_confirmation(plan)
    for bag in plan.bags.seal:
        yield Question(f"bag/seal/{bag.name}", f"the serial of bag {bag.name} ({bag.holds}), "
                       "as it is sealed", f"answers file `bag/seal/{bag.name}: SERIAL`, or "
                       "typed at the terminal")


def _write_confirmation(plan: Plan) -> Question:
    return confirmation("confirm/write", f"Write the bundle to {plan.output}?", "write")


def _destroy(plan: Plan) -> Iterator[Question]:
    yield _write_confirmation(plan)
    tokens = _current_tokens(plan)
    for name in plan.destroy:
        if name in tokens and name not in plan.sign_with:
            yield _pin(plan, tokens[name])
    yield confirmation("confirm/destroy", f"Destroy {', '.join(plan.destroy)}?", "destroy")


STEP_QUESTIONS = {
    "preflight": _preflight,
    "root-keys": _root_keys,
    "online-keys": _other_keys,
    "repository-keys": _other_keys,
    "new-keys": lambda plan: _made_keys(plan, root=None),
    "open-keys": _open_keys,
    "collect-shares": _collect,
    "open-custody": _open_custody,
    "rehome-keys": _rehome,
    "custody-bundle": _custody,
    "hand-out": _hand_out,
    "destroy-keys": _destroy,
    "write-media": _write,
}


def questions_command(script: Path) -> int:
    """Print the questions ``script`` asks, numbered, in order."""
    from ceremony.cli.exit_codes import ExitCode
    from ceremony.script.load import load_script

    plan = load_script(script)
    kind = "rehearsal" if plan.rehearsal else "production"
    print(f"{script}: {plan.kind} ({plan.flavor}, {kind}) asks, in this order:")
    for number, question in enumerate(script_questions(plan), 1):
        print(f"  {number:2d}. {question.line}")
    print("An answers file (--answers FILE) holds `id: answer` lines; a secrets file "
          "(--secrets FILE, chmod 600) holds `name: value` lines. See docs/reference/answers.md.")
    return ExitCode.OK
