"""The cluster policies of a Sigstore bundle: the keys they trust are the bundle's.

``policies/kyverno-clusterpolicy.yaml`` and ``policies/clusterimagepolicy.yaml``
come together, and every public key either carries (Kyverno's ``publicKeys``,
policy-controller's ``key.data``) is the ``cosign/<name>.pub`` of the same name
in the bundle: a key swapped on the media would admit images nobody here
signed. They are read without YAML aliases (the tool writes none), so a
small hostile file cannot make verify walk millions of repeated parts.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent

from ceremony.flavors.sigstore.policies import KYVERNO, POLICY_CONTROLLER, RULE_PREFIX
from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem, shown

ALIASED = (
    "holds a YAML alias (*name), which the tool never writes: each one repeats a part, "
    "and a few hundred bytes of them name millions of keys; it was changed after the ceremony"
)


class _AliasedError(Exception):
    """A policy file with an alias in it."""


class _NoAliases(yaml.SafeLoader):
    """Safe YAML that stops at the first alias (see :data:`ALIASED`)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            raise _AliasedError
        return super().compose_node(parent, index)


def _documents(data: bytes) -> list[Any]:
    """The YAML documents of a policy file; [] when it is not YAML; _AliasedError."""
    try:
        return list(yaml.load_all(data, Loader=_NoAliases))  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError:
        return []


def _kyverno_keys(documents: list[Any]) -> list[tuple[str, Any]]:
    found = []
    for document in documents:
        for rule in (document or {}).get("spec", {}).get("rules", []) or []:
            name = str(rule.get("name", "")).removeprefix(RULE_PREFIX)
            for verify in rule.get("verifyImages", []) or []:
                for attestor in verify.get("attestors", []) or []:
                    for entry in attestor.get("entries", []) or []:
                        found.append((name, entry.get("keys", {}).get("publicKeys")))
    return found


def _policy_controller_keys(documents: list[Any]) -> list[tuple[str, Any]]:
    return [
        (str(authority.get("name", "")), (authority.get("key") or {}).get("data"))
        for document in documents
        for authority in (document or {}).get("spec", {}).get("authorities", []) or []
    ]


def check_policies(contents: BundleContents, problems: list[Problem]) -> None:
    present = [path for path in (KYVERNO, POLICY_CONTROLLER) if path in contents.files]
    if not present:
        return
    if len(present) == 1:
        missing = POLICY_CONTROLLER if present == [KYVERNO] else KYVERNO
        problems.append(Problem(missing, f"missing: it comes with {present[0]}"))
    for path, keys_of in ((KYVERNO, _kyverno_keys), (POLICY_CONTROLLER, _policy_controller_keys)):
        data = contents.content(path)
        if data is None:
            continue
        try:
            found = keys_of(_documents(data))
        except _AliasedError:
            problems.append(Problem(path, ALIASED))
            continue
        except (AttributeError, TypeError):
            found = []
        if not found:
            problems.append(Problem(path, "names no cosign key: it cannot be read as written"))
        for name, pem in found:
            pub = contents.content(f"cosign/{name}.pub")
            if pub is None:
                problems.append(Problem(path, f"trusts key {shown(name)}, not in cosign/"))
            elif not isinstance(pem, str) or pem.strip() != pub.decode(errors="replace").strip():
                problems.append(
                    Problem(path, f"the key it trusts as {shown(name)} is not cosign/{name}.pub")
                )
