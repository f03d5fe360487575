"""The cluster policies for cosign keys, checked against the published CRD schemas.

The schemas are vendored as test data (tests/data/sigstore/): policy-controller's
ClusterImagePolicy v1beta1 openAPIV3Schema whole, and the part of Kyverno's
ClusterPolicy v1 schema that covers spec.rules[].verifyImages (the whole CRD is
1.4 MB; each kept subtree is verbatim, see the files' ``$comment``). The
``jsonschema`` package is not in the locks, so :func:`check` here is a small
strict checker of the OpenAPI v3 keywords those schemas use: types, properties
(a field the schema does not name is an error, as the API server's pruning
would drop it silently), required, enum, items, additionalProperties, oneOf,
not, minimum and maxLength; a keyword it does not know fails the test rather
than being skipped. Top-level metadata is ObjectMeta (a DNS-subdomain name),
and apiVersion and kind, which not every CRD schema lists, the tests check by
value. A script's bad repository glob is refused with its words.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ceremony.cli import main
from ceremony.describe_plan import plan_lines
from ceremony.flavors.sigstore.policies import (
    ScopedKey,
    as_kyverno_sees,
    as_policy_controller_sees,
    kyverno_policy,
    policy_controller_policies,
)
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.script.load import load_script
from tests.sigstore_instance import sigstore_script

DATA = Path(__file__).parent / "data" / "sigstore"
KNOWN = {
    "type", "properties", "required", "enum", "items", "additionalProperties", "oneOf",
    "not", "minimum", "maxLength", "description", "default", "format", "$comment",
    "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
}  # fmt: skip
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def schema(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.schema.json").read_text())


def check(value: Any, rule: dict[str, Any], where: str = "") -> list[str]:
    """What is wrong with ``value`` by the OpenAPI v3 ``rule``, one line a problem."""
    unknown = set(rule) - KNOWN
    assert not unknown, f"{where}: the checker does not know {unknown}"
    problems: list[str] = []
    kind = rule.get("type")
    if rule.get("x-kubernetes-int-or-string"):
        ok = isinstance(value, int | str) and not isinstance(value, bool)
        return [] if ok else [f"{where}: not an integer or string"]
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{where}: not an integer"]
    elif kind is not None and not isinstance(value, TYPES[kind]):
        return [f"{where}: not {kind}"]
    if "enum" in rule and value not in rule["enum"]:
        problems.append(f"{where}: {value!r} not one of {rule['enum']}")
    if "minimum" in rule and value < rule["minimum"]:
        problems.append(f"{where}: below {rule['minimum']}")
    if "maxLength" in rule and len(value) > rule["maxLength"]:
        problems.append(f"{where}: longer than {rule['maxLength']}")
    if "not" in rule and not check(value, rule["not"], where):
        problems.append(f"{where}: matches what it must not")
    if "oneOf" in rule:
        matching = sum(not check(value, option, where) for option in rule["oneOf"])
        if matching != 1:
            problems.append(f"{where}: matches {matching} of oneOf's options, not 1")
    if isinstance(value, dict):
        properties = rule.get("properties", {})
        extra = rule.get("additionalProperties")
        for name in rule.get("required", []):
            if name not in value:
                problems.append(f"{where}.{name}: required")
        for name, item in value.items():
            if not where and name == "metadata":  # ObjectMeta: the API server's, not the CRD's
                problems += object_meta(item)
            elif not where and name in ("apiVersion", "kind") and name not in properties:
                problems += [] if isinstance(item, str) else [f".{name}: not string"]
            elif name in properties:
                problems += check(item, properties[name], f"{where}.{name}")
            elif isinstance(extra, dict):
                problems += check(item, extra, f"{where}.{name}")
            elif not rule.get("x-kubernetes-preserve-unknown-fields") and extra is not True:
                problems.append(f"{where}.{name}: not a field of the schema")
    if isinstance(value, list) and "items" in rule:
        for index, item in enumerate(value):
            problems += check(item, rule["items"], f"{where}[{index}]")
    return problems


def object_meta(meta: Any) -> list[str]:
    """A cluster-scoped object's metadata: a name that is a DNS subdomain (RFC 1123)."""
    name = meta.get("name", "") if isinstance(meta, dict) else ""
    ok = re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name)
    return [] if ok and len(name) <= 253 else [f".metadata.name: {name!r} is not a DNS subdomain"]


def cosign_pub() -> str:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


KEYS = [
    ScopedKey("ci-release", cosign_pub(), ("registry.example.internal/release/**",)),
    ScopedKey(
        "ci-nightly",
        cosign_pub(),
        ("registry.example.internal/nightly/**", "registry.example.internal/tools/*"),
    ),
]


def test_the_kyverno_policy_fits_the_clusterpolicy_schema_and_scopes_each_key():
    (policy,) = yaml.safe_load_all(kyverno_policy(KEYS))
    assert check(policy, schema("kyverno-clusterpolicy.v1.verifyimages")) == []
    assert (policy["apiVersion"], policy["kind"]) == ("kyverno.io/v1", "ClusterPolicy")
    rules = policy["spec"]["rules"]
    assert [rule["name"] for rule in rules] == ["cosign-ci-release", "cosign-ci-nightly"]
    for rule, key in zip(rules, KEYS, strict=True):
        (verify,) = rule["verifyImages"]
        assert verify["imageReferences"] == list(key.repositories)
        assert verify["failureAction"] == "Enforce"
        entry = verify["attestors"][0]["entries"][0]["keys"]
        assert entry["publicKeys"] == key.public_pem.strip()
        assert entry["rekor"] == {"ignoreTlog": True}  # no Rekor in a closed network


def test_the_policy_controller_policies_fit_the_clusterimagepolicy_schema():
    policies = list(yaml.safe_load_all(policy_controller_policies(KEYS)))
    rule = schema("clusterimagepolicy.v1beta1")
    for policy, key in zip(policies, KEYS, strict=True):
        assert check(policy, rule) == []
        assert policy["apiVersion"] == "policy.sigstore.dev/v1beta1"
        assert policy["metadata"]["name"] == f"ceremony-cosign-keys-{key.name}"
        assert policy["spec"]["images"] == [{"glob": glob} for glob in key.repositories]
        (authority,) = policy["spec"]["authorities"]
        assert authority["key"]["data"] == key.public_pem.strip()
        assert "ctlog" not in authority  # the controller then skips the transparency log


def test_the_checker_refuses_what_the_schemas_refuse():
    (policy,) = yaml.safe_load_all(kyverno_policy(KEYS[:1]))
    verify = policy["spec"]["rules"][0]["verifyImages"][0]
    verify["failureAction"] = "Block"
    verify["imageReference"] = verify["imageReferences"]
    del policy["spec"]["rules"][0]["name"]
    problems = check(policy, schema("kyverno-clusterpolicy.v1.verifyimages"))
    assert ".spec.rules[0].name: required" in problems
    assert any("failureAction: 'Block' not one of" in p for p in problems), problems
    assert ".spec.rules[0].verifyImages[0].imageReference: not a field of the schema" in problems
    (cip, _) = yaml.safe_load_all(policy_controller_policies(KEYS))
    cip["spec"]["images"] = "registry.example.internal/**"
    assert check(cip, schema("clusterimagepolicy.v1beta1")) == [".spec.images: not array"]


@pytest.mark.parametrize(
    ("repositories", "message"),
    [
        ("[Registry.example/App]", "'Registry.example/App' is not an image repository glob"),
        ("[registry.example.internal]", "'registry.example.internal' is not an image repository"),
        ("[]", "names no repository"),
        ("registry.example.internal/app", "Write repositories: as a list of image globs"),
    ],
)
def test_a_bad_repository_glob_is_refused_in_the_script(tmp_path, capsys, repositories, message):
    entry = f"ci-release, repositories: {repositories}"
    code, output = validate_cosign_key(tmp_path, capsys, entry)
    assert code != 0
    assert message in output


def validate_cosign_key(folder: Path, capsys, entry: str) -> tuple[int, str]:
    """``ceremony validate`` of a bootstrap with one cosign key, ``{name: ENTRY}``."""
    if not (folder / "trust").exists():
        write_standins(folder / "trust", datetime.now(UTC))
    script = sigstore_script(folder)
    script.write_text(script.read_text() + f"cosign-keys:\n  - {{name: {entry}}}\n")
    code = main(["validate", str(script)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("glob", "kyverno", "controller"),
    [
        # Docker Hub's images, as each controller sees them (both globs were the script's)
        ("docker.io/acme/**", "docker.io/acme/**", "index.docker.io/acme/**"),
        ("acme/app/**", "docker.io/acme/app/**", "index.docker.io/acme/app/**"),
        ("docker.io/*", "docker.io/*", "index.docker.io/*"),
        # another registry's, or any registry's, as written
        ("registry.example.internal/r/**", "registry.example.internal/r/**",
         "registry.example.internal/r/**"),
        ("*/team/**", "*/team/**", "*/team/**"),
    ],
)
def test_repository_globs_take_each_controller_s_form(glob, kyverno, controller):
    assert (as_kyverno_sees(glob), as_policy_controller_sees(glob)) == (kyverno, controller)


LONGEST = "c" * 56  # its rule, cosign-LONGEST, has the 63 characters Kyverno's CRD allows


def test_the_longest_key_name_the_script_takes_fits_both_schemas():
    scoped = [ScopedKey(LONGEST, cosign_pub(), ("registry.example.internal/release/**",))]
    (policy,) = yaml.safe_load_all(kyverno_policy(scoped))
    assert check(policy, schema("kyverno-clusterpolicy.v1.verifyimages")) == []
    (cip,) = yaml.safe_load_all(policy_controller_policies(scoped))
    assert check(cip, schema("clusterimagepolicy.v1beta1")) == []
    longer = [ScopedKey(LONGEST + "c", cosign_pub(), ("registry.example.internal/r/**",))]
    (policy,) = yaml.safe_load_all(kyverno_policy(longer))
    problems = check(policy, schema("kyverno-clusterpolicy.v1.verifyimages"))
    assert problems == [".spec.rules[0].name: longer than 63"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            LONGEST + "c",
            f"cosign-keys[0].name: '{LONGEST}c' names the key in the cluster policies, but it "
            "is 57 characters long: its Kyverno rule name (cosign-NAME) would have 64, and "
            "Kubernetes takes at most 63, so kubectl apply would refuse the policy. Give the "
            "key a name of at most 56 characters that ends with a letter or digit",
        ),
        (
            "ci-",
            "cosign-keys[0].name: 'ci-' names the key in the cluster policies, but it ends with "
            "a hyphen: its ClusterImagePolicy (ceremony-cosign-keys-NAME) would too, and a "
            "Kubernetes name ends with a letter or digit, so kubectl apply would refuse it",
        ),
    ],
    ids=["too-long", "trailing-hyphen"],
)
def test_a_key_name_the_policies_cannot_carry_is_refused_in_the_script(
    tmp_path, capsys, name, message
):
    """The bootstrap ran to the end and wrote policies kubectl apply refuses."""
    scope = ", repositories: [registry.example.internal/r/**]"
    code, output = validate_cosign_key(tmp_path, capsys, name + scope)
    assert code != 0
    assert message in output
    # without repositories the key gets no policy, and the name is not refused
    code, output = validate_cosign_key(tmp_path, capsys, name)
    assert "names the key in the cluster policies" not in output
    assert "cosign-keys" not in output


def test_the_plan_shows_each_key_s_repositories(tmp_path):
    script = sigstore_script(tmp_path)
    script.write_text(
        script.read_text()
        + "cosign-keys:\n  - {name: ci-release, repositories: [registry.example.internal/r/**]}\n"
    )
    lines = plan_lines(load_script(script))
    index = lines.index("Cosign    ci-release: ECDSA P-256, cosign/ci-release.key")
    assert lines[index + 1] == "          cluster policies for registry.example.internal/r/**"
