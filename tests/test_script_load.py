"""Loading ceremony scripts strictly: YAML, fields, types, paths, expiries.

Each bad script is the good BOOTSTRAP with one edit, and the test asserts the
exact message an operator reads. Semantic checks live in test_script_checks.py.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from tuf.api.metadata import DelegatedRole

from ceremony.errors import ScriptError
from ceremony.script.expiry import parse_expiry, utc_now
from ceremony.script.load import load_script, load_script_text
from ceremony.script.plan import KeySpec, PassphraseSource, Plan
from tests.sample_scripts import BOOTSTRAP, NOW

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"

# Line numbers matter: the expected messages below name them.


def edit(old: str, new: str, base: str = BOOTSTRAP) -> str:
    """``base`` with its one occurrence of ``old`` replaced by ``new``."""
    assert base.count(old) == 1, f"{old!r} must occur once"
    return base.replace(old, new)


def load_error(text: str, name: str = "bootstrap.yaml") -> str:
    with pytest.raises(ScriptError) as caught:
        load_script_text(text, path=Path(name), now=NOW)
    return str(caught.value)


# -- bad scripts --------------------------------------------------------------

BAD_SCRIPTS = [
    pytest.param(
        edit("flavor: tuf", "flavor: [tuf"),
        "bootstrap.yaml:4:6: this is not valid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence on line 3). Check the indentation, colons and "
        "quotes on that line and the one before it",
        id="malformed-yaml",
    ),
    pytest.param(
        edit("  - name: bob\n", "  - name: bob\n   holder: x\n"),
        "bootstrap.yaml:9:4: this is not valid YAML: expected <block end>, but found "
        "'<block mapping start>' (while parsing a block collection on line 7). Check the "
        "indentation, colons and quotes on that line and the one before it",
        id="malformed-indentation",
    ),
    pytest.param(
        BOOTSTRAP + "\t- x\n",
        "bootstrap.yaml:22:1: this is not valid YAML: found character '\\t' that cannot start "
        "any token (while scanning for the next token). Check the indentation, colons and "
        "quotes on that line and the one before it",
        id="malformed-tab",
    ),
    pytest.param(
        BOOTSTRAP + "\x07\n",
        "bootstrap.yaml:22: the character U+0007 is not allowed in YAML. Remove it; scripts "
        "are plain text",
        id="control-character",
    ),
    pytest.param(
        edit("flavor: tuf\n", "flavor: tuf\nflavor: tuf\n"),
        "bootstrap.yaml:4: flavor: defined twice, on lines 3 and 4. Keep one of them",
        id="duplicate-top-level-key",
    ),
    pytest.param(
        edit("  root: {", "  targets: {keys: [targets], threshold: 1, expires: 1d}\n  root: {"),
        "bootstrap.yaml:20: roles.targets: defined twice, on lines 18 and 20. Keep one of them",
        id="duplicate-nested-key",
    ),
    pytest.param(
        edit("{name: targets, algorithm: ed25519}", "{name: targets, algorithm: ed25519, name: x}"),
        "bootstrap.yaml:14: keys[3].name: defined twice, on line 14. Keep one of them",
        id="duplicate-key-in-flow-mapping",
    ),
    pytest.param(
        BOOTSTRAP + "---\nformat: 1\n",
        "bootstrap.yaml:22: a second YAML document starts here, and a script is one document. "
        "Remove the '---' and everything after it, or merge it into the first document",
        id="trailing-document",
    ),
    pytest.param(
        BOOTSTRAP + "...\n---\n",
        "bootstrap.yaml:23: a second YAML document starts here, and a script is one document. "
        "Remove the '---' and everything after it, or merge it into the first document",
        id="trailing-empty-document",
    ),
    pytest.param(
        "",
        "bootstrap.yaml: the script is empty. Write the ceremony in it; see "
        "docs/reference/scripts.md",
        id="empty",
    ),
    pytest.param(
        "# nothing but a comment\n",
        "bootstrap.yaml: the script is empty. Write the ceremony in it; see "
        "docs/reference/scripts.md",
        id="only-a-comment",
    ),
    pytest.param(
        "- format: 1\n",
        "bootstrap.yaml:1: expected a mapping of fields (name: value), got a list. A script is "
        "a mapping of fields, starting with format: 1",
        id="top-level-list",
    ),
    pytest.param(
        edit("{name: targets, algorithm", "{name: targets, algoritm"),
        "bootstrap.yaml:14: keys[3].algoritm: unknown field 'algoritm' (did you mean "
        "'algorithm'?). The fields allowed here are: name, holder, algorithm, backend, import, "
        "module, token-label, token-serial, object-label, serial, slot, pin-policy, "
        "touch-policy, driver, prepare, attestation-intermediates, backup-tokens",
        id="unknown-key-field",
    ),
    pytest.param(
        BOOTSTRAP + "colour: blue\n",
        "bootstrap.yaml:22: colour: unknown field 'colour'. The fields allowed here are: format, "
        "ceremony, flavor, title, rehearsal, network, output, output-media, keyholders, keys, "
        "passphrases, pins, accept-risk, policy, request-expires, bags, roles, spare-keys, custody",
        id="unknown-top-level-field",
    ),
    pytest.param(
        edit("  timestamp: {keys: [timestamp]", "  timestmap: {keys: [timestamp]"),
        "bootstrap.yaml:21: roles.timestmap: unknown role 'timestmap' (did you mean "
        "'timestamp'?). The roles allowed here are: root, targets, snapshot, timestamp",
        id="unknown-role",
    ),
    pytest.param(
        BOOTSTRAP + "current: ../media/old\n",
        "bootstrap.yaml:22: current: a bootstrap ceremony has no current field (it belongs to "
        "rotate-root, delegate, recover, renew and decommission). Remove it; "
        "docs/reference/scripts.md lists "
        "the fields of a bootstrap",
        id="field-of-another-kind",
    ),
    pytest.param(
        edit("threshold: 2", "threshold: two"),
        "bootstrap.yaml:18: roles.root.threshold: expected a whole number, got 'two'. Write the "
        "threshold as a number, e.g. 2",
        id="threshold-text",
    ),
    pytest.param(
        edit("threshold: 2", "threshold: true"),
        "bootstrap.yaml:18: roles.root.threshold: expected a whole number, got true. Write the "
        "threshold as a number, e.g. 2",
        id="threshold-bool",
    ),
    pytest.param(
        edit("threshold: 2", "threshold: 2.0"),
        "bootstrap.yaml:18: roles.root.threshold: expected a whole number, got 2.0. Write the "
        "threshold as a number, e.g. 2",
        id="threshold-float",
    ),
    pytest.param(
        edit("title: Bootstrap of the example repository", "title: 2026"),
        "bootstrap.yaml:4: title: expected text, got 2026. Write it as text; put it in quotes "
        "if it looks like a number",
        id="title-number",
    ),
    pytest.param(
        BOOTSTRAP + "rehearsal: yes\n",
        "bootstrap.yaml:22: rehearsal: expected true or false, got 'yes'. Write true or false",
        id="yaml-1.1-yes-is-not-true",
    ),
    pytest.param(
        BOOTSTRAP + "network: on\n",
        "bootstrap.yaml:22: network: expected one of forbidden, allowed, got 'on'. Write one "
        "of: forbidden, allowed",
        id="network-on",
    ),
    pytest.param(
        edit("keyholders:\n  - name: alice\n", "keyholders:\n  - alice\n"),
        "bootstrap.yaml:7: keyholders[0]: expected a mapping of fields (name: value), got "
        "'alice'. Write each keyholder as {name: alice}",
        id="keyholder-not-a-mapping",
    ),
    pytest.param(
        edit("[root-alice, root-bob, root-carol]", "root-alice"),
        "bootstrap.yaml:18: roles.root.keys: expected a list, got 'root-alice'. Write a list "
        "of names, e.g. [root-alice, root-bob]",
        id="role-keys-not-a-list",
    ),
    pytest.param(
        edit("title: Bootstrap of the example repository\n", ""),
        "bootstrap.yaml:1: title: this required field is missing. Add title: a line saying "
        "what this ceremony is, for people",
        id="missing-title",
    ),
    pytest.param(
        edit("format: 1\n", ""),
        "bootstrap.yaml:1: format: this required field is missing. Add format: 1 at the top",
        id="missing-format",
    ),
    pytest.param(
        edit(", threshold: 1, expires: 180d}", ", expires: 180d}"),
        "bootstrap.yaml:19: roles.targets.threshold: this required field is missing. Add "
        "threshold: how many of the keys must sign",
        id="missing-threshold",
    ),
    pytest.param(
        edit("{name: targets, algorithm: ed25519}", "{name: targets}"),
        "bootstrap.yaml:14: keys[3].algorithm: this required field is missing. Add algorithm: "
        "to make the key here, or import: PATH to bring its public key",
        id="key-neither-made-nor-imported",
    ),
    pytest.param(
        edit("pub.pem}", "pub.pem, algorithm: ed25519}"),
        "bootstrap.yaml:16: keys[5].algorithm: an imported key has no algorithm: its public "
        "key comes from the import file and its private part stays where it is. Remove "
        "algorithm:, or remove import: to make the key here",
        id="imported-key-with-algorithm",
    ),
    pytest.param(
        edit("{name: root-bob,", "{name: Root_Bob,"),
        "bootstrap.yaml:12: keys[1].name: 'Root_Bob' is not a valid name. Names use lowercase "
        "letters, digits and hyphens and start with a letter or digit, e.g. root-alice",
        id="bad-key-name",
    ),
    pytest.param(
        # the ceremony made every key before this one, then could not write keys/offline/NAME.age
        edit("{name: root-bob,", "{name: " + "b" * 251 + ","),
        "bootstrap.yaml:12: keys[1].name: the name 'bbbbbbbbbbbbbbbb'... is 251 characters long: "
        "files are named after it (NAME.age, NAME.pem, cosign/NAME.key) and a file name holds "
        "at most 255, so the ceremony could not write them. Use a name of at most 250 "
        "characters",
        id="key-name-too-long-for-a-file-name",
    ),
    pytest.param(
        edit("  - name: carol", "  - name: -carol"),
        "bootstrap.yaml:9: keyholders[2].name: '-carol' is not a valid name. Names use "
        "lowercase letters, digits and hyphens and start with a letter or digit, e.g. root-alice",
        id="bad-keyholder-name",
    ),
    pytest.param(
        edit("[targets], threshold", "[targets, 'bad name'], threshold"),
        "bootstrap.yaml:19: roles.targets.keys[1]: 'bad name' is not a valid name. Names use "
        "lowercase letters, digits and hyphens and start with a letter or digit, e.g. root-alice",
        id="bad-name-in-role",
    ),
    pytest.param(
        edit("format: 1", "format: 2"),
        "bootstrap.yaml:1: format: this version of ceremony reads format 1 scripts, not format "
        "2. Write format: 1, or use the version of ceremony the script was written for",
        id="format-2",
    ),
    pytest.param(
        edit("flavor: tuf", "flavor: dtc"),
        "bootstrap.yaml:3: flavor: expected one of tuf, dct, sigstore, got 'dtc'. Write flavor: "
        "tuf, or flavor: dct for Docker Content Trust, or flavor: sigstore for Sigstore",
        id="flavor-unknown",
    ),
    pytest.param(
        edit("ceremony: bootstrap", "ceremony: rotate"),
        "bootstrap.yaml:2: ceremony: expected one of bootstrap, rotate-root, delegate, recover, "
        "renew, decommission, update-trust, migrate-dct, got 'rotate'. Write one of: bootstrap, "
        "rotate-root, delegate, recover, renew, decommission, update-trust, migrate-dct",
        id="unknown-kind",
    ),
    pytest.param(
        edit("expires: 1y", "expires: 1 year"),
        "bootstrap.yaml:18: roles.root.expires: expected a date (2027-11-30), a UTC time "
        "(2027-11-30T12:00:00Z) or a length from now (90d, 12w, 1y), got '1 year'. Write the "
        "expiry in one of those forms",
        id="expiry-unknown-form",
    ),
    pytest.param(
        edit("expires: 1y", "expires: 2027-02-30"),
        "bootstrap.yaml:18: roles.root.expires: '2027-02-30' is not a real date and time. "
        "Check the month, day and hour",
        id="expiry-not-a-date",
    ),
    pytest.param(
        edit("expires: 1y", "expires: 365"),
        "bootstrap.yaml:18: roles.root.expires: expected a date (2027-11-30), a UTC time "
        "(2027-11-30T12:00:00Z) or a length from now (90d, 12w, 1y), got 365. Write the expiry "
        "in one of those forms",
        id="expiry-bare-number",
    ),
    pytest.param(
        edit("  root: {keys: [root-alice", "  root: &root {keys: [root-alice")
        + "spare: *root\n",
        "bootstrap.yaml:22: spare: the alias *root repeats a value from elsewhere. Write the "
        "value out in full so that reviewers see it where it is used",
        id="alias",
    ),
    pytest.param(
        edit("title: Bootstrap", "title: !secret Bootstrap"),
        "bootstrap.yaml:4: title: the YAML tag !secret is not allowed. Remove the tag (the '!' "
        "part); write the value plainly",
        id="tag",
    ),
    pytest.param(
        edit("threshold: 2", "threshold: !!int 0x10"),
        "bootstrap.yaml:18: roles.root.threshold: '0x10' does not fit its tag "
        "tag:yaml.org,2002:int. Remove the tag (the '!' part); write the value plainly",
        id="standard-tag-that-does-not-fit",
    ),
    pytest.param(
        BOOTSTRAP + "passphrases:\n  root-alice: {env: root_alice}\n",
        "bootstrap.yaml:23: passphrases.root-alice.env: 'root_alice' is not an environment "
        "variable name. Variable names use capital letters, digits and _, e.g. "
        "ROOT_ALICE_PASSPHRASE",
        id="env-var-name",
    ),
    pytest.param(
        BOOTSTRAP + "passphrases:\n  root-alice: [prompt]\n",
        "bootstrap.yaml:23: passphrases.root-alice: expected prompt or {env: VAR}, got a list. "
        "Write prompt, or {env: VAR} to read it from an environment variable",
        id="passphrase-source-shape",
    ),
]


@pytest.mark.parametrize(("script", "message"), BAD_SCRIPTS)
def test_bad_script_is_refused_with_exact_message(script: str, message: str) -> None:
    assert load_error(script) == message


def test_errors_without_a_path_name_the_script_generically() -> None:
    with pytest.raises(ScriptError) as caught:
        load_script_text(edit("threshold: 2", "threshold: two"), now=NOW)
    assert str(caught.value).startswith("<script>:18: roles.root.threshold: ")


def test_malformed_yaml_error_carries_no_traceback_text() -> None:
    with pytest.raises(ScriptError) as caught:
        load_script_text("a: [b\n", now=NOW)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert "<unicode string>" not in str(caught.value)


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    script = tmp_path / "latin1.yaml"
    script.write_bytes(BOOTSTRAP.replace("example", "caf\xe9").encode("latin-1"))
    with pytest.raises(ScriptError, match=r"^latin1\.yaml: the script is not UTF-8 text"):
        load_script(script, now=NOW)


def test_missing_file(tmp_path: Path) -> None:
    script = tmp_path / "nowhere.yaml"
    with pytest.raises(ScriptError) as caught:
        load_script(script, now=NOW)
    assert str(caught.value) == (
        f"{script}: the script cannot be read: No such file or directory. "
        "Check the path and that the file is readable"
    )


# -- YAML 1.1 surprises are plain values --------------------------------------


def test_leading_zero_is_decimal_not_octal() -> None:
    plan = load_script_text(edit("threshold: 2", "threshold: 02"), now=NOW)
    assert plan.role("root").threshold == 2


def test_dates_stay_text_until_expiry_reads_them() -> None:
    plan = load_script_text(edit("expires: 1y", "expires: 2027-11-30"), now=NOW)
    assert plan.role("root").expires == datetime(2027, 11, 30, tzinfo=UTC)


def test_no_is_a_name_not_false() -> None:
    script = edit("holder: carol", "holder: no", edit("  - name: carol", "  - name: no"))
    plan = load_script_text(script, now=NOW)
    assert [holder.name for holder in plan.keyholders] == ["alice", "bob", "no"]
    assert plan.key("root-carol").holder == "no"


# -- good scripts -------------------------------------------------------------


def test_bootstrap_text_loads_into_plan(tmp_path: Path) -> None:
    plan = load_script_text(BOOTSTRAP, base_dir=tmp_path, now=NOW)
    assert isinstance(plan, Plan)
    assert (plan.kind, plan.flavor) == ("bootstrap", "tuf")
    assert plan.title == "Bootstrap of the example repository"
    assert plan.script_path is None
    assert plan.script_text == BOOTSTRAP
    assert plan.script_sha256 == hashlib.sha256(BOOTSTRAP.encode("utf-8")).hexdigest()
    assert plan.output == (tmp_path / "out" / "2026-11-bootstrap").resolve()
    assert plan.output.is_absolute()
    assert (plan.rehearsal, plan.allow_network, plan.spare_keys) == (False, False, None)
    assert [holder.name for holder in plan.keyholders] == ["alice", "bob", "carol"]
    assert plan.key("root-carol") == KeySpec(
        name="root-carol", source="generate", algorithm="ecdsa-p256", holder="carol", line=13
    )
    assert plan.key("timestamp") == KeySpec(
        name="timestamp",
        source="import",
        public_key_file=(tmp_path / "online" / "timestamp.pub.pem").resolve(),
        line=16,
    )
    root = plan.role("root")
    assert root.keys == ("root-alice", "root-bob", "root-carol")
    assert (root.threshold, root.line) == (2, 18)
    assert root.expires == NOW + timedelta(days=365)
    assert [role.name for role in plan.roles] == ["root", "targets", "snapshot", "timestamp"]
    assert plan.role("timestamp").expires == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert (plan.current, plan.sign_with) == (None, ())
    assert (plan.details.delegations, plan.targets_expires) == ((), None)


def test_roles_come_in_top_level_order_whatever_the_script_order() -> None:
    moved = edit(
        "  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 1y}\n", ""
    ) + "  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 1y}\n"
    plan = load_script_text(moved, now=NOW)
    assert [role.name for role in plan.roles] == ["root", "targets", "snapshot", "timestamp"]


def test_text_without_path_or_base_dir_resolves_against_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    plan = load_script_text(BOOTSTRAP, now=NOW)
    assert plan.output == (tmp_path / "out" / "2026-11-bootstrap").resolve()


def test_text_with_path_resolves_against_its_folder(tmp_path: Path) -> None:
    plan = load_script_text(BOOTSTRAP, path=tmp_path / "scripts" / "boot.yaml", now=NOW)
    assert plan.script_path == (tmp_path / "scripts" / "boot.yaml").resolve()
    assert plan.output == (tmp_path / "scripts" / "out" / "2026-11-bootstrap").resolve()


def test_load_script_hashes_the_exact_file_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "ceremony-scripts"
    folder.mkdir()
    script = folder / "bootstrap.yaml"
    script_bytes = BOOTSTRAP.replace("\n", "\r\n").encode("utf-8")
    script.write_bytes(script_bytes)
    plan = load_script(script, now=NOW)
    assert plan.script_sha256 == hashlib.sha256(script_bytes).hexdigest()
    assert plan.script_path == script.resolve()
    assert plan.output == (folder / "out" / "2026-11-bootstrap").resolve()
    timestamp_pem = (folder / "online" / "timestamp.pub.pem").resolve()
    assert plan.key("timestamp").public_key_file == timestamp_pem


def test_optional_fields_and_passphrase_sources() -> None:
    script = edit("threshold: 2", "threshold: 3") + (
        "rehearsal: true\n"
        "network: allowed\n"
        "spare-keys: none\n"
        "passphrases:\n"
        "  root-alice: prompt\n"
        "  root-bob: {env: ROOT_BOB_PASSPHRASE}\n"
    )
    plan = load_script_text(script, now=NOW)
    assert (plan.rehearsal, plan.allow_network, plan.spare_keys) == (True, True, "none")
    assert plan.key("root-alice").passphrase == PassphraseSource("prompt")
    assert plan.key("root-bob").passphrase == PassphraseSource("env", "ROOT_BOB_PASSPHRASE")
    assert plan.key("root-carol").passphrase == PassphraseSource("prompt")
    assert plan.passphrase_for("root-bob") == PassphraseSource("env", "ROOT_BOB_PASSPHRASE")
    assert plan.passphrase_for("anyone-else") == PassphraseSource("prompt")


def test_plan_points_back_into_the_script() -> None:
    plan = load_script_text(BOOTSTRAP, path=Path("bootstrap.yaml"), now=NOW)
    assert plan.where("roles.root.threshold") == "bootstrap.yaml:18: roles.root.threshold"
    assert plan.where("keys[5].import") == "bootstrap.yaml:16: keys[5].import"
    # a field the script left out points at the nearest field around it
    assert plan.where("keys[5].holder") == "bootstrap.yaml:16: keys[5].holder"
    assert plan.where("sign-with") == "bootstrap.yaml:1: sign-with"


# -- the examples in docs/examples ---------------------------------------------


def test_bootstrap_example() -> None:
    path = EXAMPLES / "bootstrap.yaml"
    plan = load_script(path, now=NOW)
    assert plan.kind == "bootstrap"
    assert plan.script_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert plan.output == (EXAMPLES / ".." / "media" / "2026-11-bootstrap").resolve()
    assert plan.role("root").threshold == 2
    assert all(plan.key(name).source == "generate" for name in plan.role("root").keys)


def test_rotate_root_example() -> None:
    plan = load_script(EXAMPLES / "rotate-root.yaml", now=NOW)
    assert plan.kind == "rotate-root"
    assert plan.current == (EXAMPLES / ".." / "media" / "2026-11-bootstrap").resolve()
    assert plan.output == (EXAMPLES / ".." / "media" / "2027-05-rotation").resolve()
    assert plan.sign_with == ("root-alice", "root-carol")
    assert [role.name for role in plan.roles] == ["root", "timestamp"]
    assert plan.key("timestamp-2").passphrase == PassphraseSource("env", "TIMESTAMP_2_PASSPHRASE")


def test_delegate_example() -> None:
    plan = load_script(EXAMPLES / "delegate.yaml", now=NOW)
    assert plan.kind == "delegate"
    assert plan.current == (EXAMPLES / ".." / "media" / "2027-05-rotation").resolve()
    assert plan.sign_with == ("targets",)
    assert plan.key("repo-alpine").public_key_file == EXAMPLES / "keys" / "alpine.pub.pem"
    assert plan.key("repo-alpine").public_key_file.is_file()
    alpine, debian = plan.details.delegations
    assert (alpine.name, alpine.keys, alpine.paths, alpine.terminating) == (
        "alpine",
        ("repo-alpine",),
        ("alpine/*", "alpine/*/*", "alpine/*/*/*"),
        True,
    )
    assert debian.paths == ("debian/*", "debian/*/*", "debian-security/*", "debian-security/*/*")
    # as TUF clients match them (python-tuf's own matcher, which ngclient asks)
    role = DelegatedRole(name="alpine", keyids=[], threshold=1, terminating=True,
                         paths=list(alpine.paths))
    assert all(role.is_delegated_path(path)
               for path in ("alpine/x.apk", "alpine/v3/x.apk", "alpine/v3/main/x.apk"))
    one_level = DelegatedRole(name="alpine", keyids=[], threshold=1, terminating=True,
                              paths=["alpine/*"])
    assert not one_level.is_delegated_path("alpine/v3/x.apk")
    for nothing in ("alpine/", "/alpine/*"):  # validate refuses them (test_script_checks.py)
        role = DelegatedRole(name="alpine", keyids=[], threshold=1, terminating=True,
                             paths=[nothing])
        assert not any(role.is_delegated_path(path)
                       for path in ("alpine/x.apk", "alpine/v3/x.apk"))
    assert plan.targets_expires == NOW + timedelta(days=90)
    assert plan.passphrase_for("targets") == PassphraseSource("prompt")


# -- expiry -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2027-11-30", datetime(2027, 11, 30, tzinfo=UTC)),
        ("2027-11-30T12:05:09Z", datetime(2027, 11, 30, 12, 5, 9, tzinfo=UTC)),
        ("1d", datetime(2026, 11, 27, 17, 30, tzinfo=UTC)),
        ("2w", datetime(2026, 12, 10, 17, 30, tzinfo=UTC)),
        ("1y", datetime(2027, 11, 26, 17, 30, tzinfo=UTC)),
        ("0d", NOW),
    ],
)
def test_expiry_forms(written: str, expected: datetime) -> None:
    expiry = parse_expiry(written, now=NOW)
    assert expiry == expected
    assert expiry.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "written", ["2027-11-30 12:00:00Z", "2027-11-30T12:00:00", "1Y", "-1d", "1m", "d"]
)
def test_expiry_refuses_other_forms(written: str) -> None:
    with pytest.raises(ScriptError, match="^roles.root.expires: expected a date"):
        parse_expiry(written, now=NOW, where="roles.root.expires")


def test_expiry_too_far() -> None:
    with pytest.raises(ScriptError, match="is too far in the future"):
        parse_expiry("99999999y", now=NOW)


def test_now_loses_microseconds_and_becomes_utc() -> None:
    moment = datetime(2026, 11, 26, 18, 30, 5, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert utc_now(moment) == datetime(2026, 11, 26, 17, 30, 5, tzinfo=UTC)
    assert parse_expiry("1d", now=moment).microsecond == 0
    assert utc_now(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert utc_now().tzinfo == UTC
