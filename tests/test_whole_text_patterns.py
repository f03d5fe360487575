"""Names, ids and times are checked as whole texts: a pattern ending in ``$`` and
used with ``match`` lets one newline more through ("root-a\\n"), and ``\\d`` takes
any script's digits, which int() then reads. A hostile custody record, bundle or
script could pass such a value where the tool, or notary's Go, would refuse it."""

from __future__ import annotations

import re

import pytest

from ceremony.bundle.writer import STAGING_NAME
from ceremony.custody import share_input
from ceremony.custody.record import _HEX64 as HEX64
from ceremony.custody.record import CEREMONY_ID, KEY_NAME, KeyRecord, RecordFormatError
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.notary.model import keys as notary_keys
from ceremony.flavors.dct.notary.model.wire import EXPIRES
from ceremony.flavors.dct.notary.validate import _ROLE as ROLE
from ceremony.flavors.dct.notary.validate import check_delegation_role
from ceremony.flavors.tuf.verified import _ROOT_NAME as ROOT_NAME


@pytest.mark.parametrize(("pattern", "good"), [
    (HEX64, "ab" * 32),
    (KEY_NAME, "root-a"),
    (CEREMONY_ID, "20261207T010000Z-bootstrap-3f2a9c1e"),
    (notary_keys._PLAIN_KEYTYPE, "ecdsa"),
    (ROLE, "targets/releases"),
    (ROOT_NAME, "metadata/3.root.json"),
    (STAGING_NAME, ".1-bootstrap.incomplete-0123abcd"),
    (share_input._NUMBER, "12"),
    (EXPIRES, "2030-01-01T00:00:00Z"),
])
def test_a_newline_after_a_good_value_is_not_taken(pattern, good):
    assert pattern.match(good)
    assert not pattern.match(good + "\n")


@pytest.mark.parametrize(("pattern", "digits"), [
    (share_input._NUMBER, "١٢"),  # Arabic-Indic twelve
    (EXPIRES, "٢٠٣٠-01-01T00:00:00Z"),
])
def test_only_ascii_digits_are_digits(pattern, digits):
    assert not pattern.match(digits)


def test_a_custody_record_naming_a_key_with_a_newline_is_refused():
    data = {"roles": ["root"], "algorithm": "ed25519", "keyid": "ab" * 32,
            "fingerprint": "ab" * 32}
    assert KeyRecord.from_dict("root-a", data).name == "root-a"
    with pytest.raises(RecordFormatError, match="not a key name"):
        KeyRecord.from_dict("root-a\n", data)


def test_a_delegated_role_with_a_newline_is_refused_naming_it():
    assert check_delegation_role("targets/releases") == "targets/releases"
    with pytest.raises(CeremonyError, match=r"the character '\\n' is not allowed"):
        check_delegation_role("targets/releases\n")


def test_a_field_path_walks_up_to_the_nearest_field():
    from ceremony.script.field_paths import paths_up

    assert list(paths_up("roles.root.keys[2]")) == ["roles.root.keys[2]", "roles.root.keys",
                                                    "roles.root", "roles"]
    assert list(paths_up("keys[2]\n")) == ["keys[2]\n"]  # "[2]" is not its last step
    assert list(paths_up("")) == []


def test_no_pattern_of_the_tool_ends_with_a_bare_dollar():
    """``\\Z`` ends a pattern where the text ends; ``$`` also before a last newline."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    literal = re.compile(r"""\br(["'])((?:(?!\1).)*)\$\1""")
    found = [f"{path.relative_to(root)}:{number}"
             for folder in ("ceremony", "hsm") for path in sorted((root / folder).rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if literal.search(line)]
    assert found == []
