"""The cluster's admission policies for the cosign keys, scoped per repository.

For each cosign key whose script entry names ``repositories:`` (image globs),
the bundle gets, under ``policies/``:

- ``kyverno-clusterpolicy.yaml``: one Kyverno ``ClusterPolicy`` (kyverno.io/v1)
  with a ``verifyImages`` rule per key: its globs as ``imageReferences``, its
  public key inline, no transparency log or SCT (a closed network has no
  Rekor), enforced, image digests pinned;
- ``clusterimagepolicy.yaml``: one sigstore policy-controller
  ``ClusterImagePolicy`` (policy.sigstore.dev/v1beta1) per key, its globs as
  ``images`` and the key inline as its one authority (no ``ctlog``: the
  controller then skips the transparency log).

Both are plain YAML made from data; the tests check them against the
published CRD schemas. Each names things after its key (Kyverno's rule
``cosign-NAME``, the ClusterImagePolicy ``ceremony-cosign-keys-NAME``), so a
key's name must fit both (:func:`policy_name_problem`, asked by the script's
checks before any key is made).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

FOLDER = "policies"
KYVERNO = f"{FOLDER}/kyverno-clusterpolicy.yaml"
POLICY_CONTROLLER = f"{FOLDER}/clusterimagepolicy.yaml"
POLICY_NAME = "ceremony-cosign-keys"
#: each key's Kyverno rule is this and its name
RULE_PREFIX = "cosign-"
#: the longest Kyverno rule name (maxLength of spec.rules[].name in the ClusterPolicy CRD)
KYVERNO_RULE_NAME_MAX = 63
#: the longest cosign key name the policies can carry (its rule name then has 63 characters)
POLICY_KEY_NAME_MAX = KYVERNO_RULE_NAME_MAX - len(RULE_PREFIX)


def policy_name_problem(name: str) -> str:
    """Why a cosign key named ``name`` cannot be scoped in the cluster policies, "" when
    it can: Kubernetes refuses its Kyverno rule name over 63 characters, and an object
    name (``ceremony-cosign-keys-NAME``) that does not end with a letter or digit."""
    if len(name) > POLICY_KEY_NAME_MAX:
        return (
            f"is {len(name)} characters long: its Kyverno rule name ({RULE_PREFIX}NAME) would "
            f"have {len(RULE_PREFIX) + len(name)}, and Kubernetes takes at most "
            f"{KYVERNO_RULE_NAME_MAX}, so kubectl apply would refuse the policy"
        )
    if name.endswith("-"):
        return (
            f"ends with a hyphen: its ClusterImagePolicy ({POLICY_NAME}-NAME) would too, and "
            "a Kubernetes name ends with a letter or digit, so kubectl apply would refuse it"
        )
    return ""


_DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")


def _hub_path(reference: str) -> str | None:
    """The repository path (or glob) of a Docker Hub image reference (``library/``
    added for an official image); None for one of another registry. As Docker reads
    a name, its first part is a registry only when it holds a '.' or ':', is
    ``localhost`` or has an upper-case letter (or, in a glob, a '*'): ``team/app``
    and ``nginx`` are Docker Hub's (``docker.io/team/app``, ``docker.io/library/nginx``)."""
    host, slash, path = reference.partition("/")
    if not slash or not (
        host in _DOCKER_HUB or any(c in host for c in ".:*") or host == "localhost"
        or host != host.lower()
    ):
        path = reference  # no registry: Docker Hub
    elif host not in _DOCKER_HUB:
        return None
    return path if "/" in path or "*" in path else f"library/{path}"


def as_kyverno_sees(reference: str) -> str:
    """An image reference or glob in the form Kyverno matches images in (Docker Hub's
    as ``docker.io/...``)."""
    hub = _hub_path(reference)
    return reference if hub is None else f"docker.io/{hub}"


def as_policy_controller_sees(reference: str) -> str:
    """An image reference or glob in the form policy-controller matches images in
    (Docker Hub's as ``index.docker.io/...``)."""
    hub = _hub_path(reference)
    return reference if hub is None else f"index.docker.io/{hub}"


@dataclass(frozen=True)
class ScopedKey:
    """A cosign key's name, public key (PEM) and the repositories it signs for:
    image globs as Kyverno reads them, and as policy-controller does when its
    form differs (Docker Hub: ``index.docker.io/...``)."""

    name: str
    public_pem: str
    repositories: tuple[str, ...]
    controller_images: tuple[str, ...] = ()

    @property
    def images(self) -> tuple[str, ...]:
        return self.controller_images or self.repositories


class _Dumper(yaml.SafeDumper):
    """Safe YAML, with a PEM (any text of several lines) as a literal block, and never
    an anchor or alias (verify refuses them: verify/policies.py)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def _dump(documents: Sequence[dict[str, Any]]) -> bytes:
    text = yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, default_flow_style=False)
    return text.encode()


def kyverno_policy(keys: Sequence[ScopedKey]) -> bytes:
    rules = [
        {
            "name": f"{RULE_PREFIX}{key.name}",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
            "verifyImages": [
                {
                    "imageReferences": list(key.repositories),
                    "failureAction": "Enforce",
                    "mutateDigest": True,
                    "verifyDigest": True,
                    "attestors": [
                        {
                            "count": 1,
                            "entries": [
                                {
                                    "keys": {
                                        "publicKeys": key.public_pem.strip(),
                                        "rekor": {"ignoreTlog": True},
                                        "ctlog": {"ignoreSCT": True},
                                    }
                                }
                            ],
                        }
                    ],
                }
            ],
        }
        for key in keys
    ]
    policy = {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": POLICY_NAME},
        "spec": {"background": False, "webhookTimeoutSeconds": 30, "rules": rules},
    }
    return _dump([policy])


def policy_controller_policies(keys: Sequence[ScopedKey]) -> bytes:
    return _dump(
        [
            {
                "apiVersion": "policy.sigstore.dev/v1beta1",
                "kind": "ClusterImagePolicy",
                "metadata": {"name": f"{POLICY_NAME}-{key.name}"},
                "spec": {
                    "images": [{"glob": glob} for glob in key.images],
                    "authorities": [
                        {
                            "name": key.name,
                            "key": {"data": key.public_pem.strip(), "hashAlgorithm": "sha256"},
                        }
                    ],
                },
            }
            for key in keys
        ]
    )
