"""The page in the bundle that tells the instance's users the exact commands.

cosign and sigstore-python each learn to trust the instance from the root
made at the ceremony: cosign with ``initialize --mirror --root
--root-checksum``, sigstore-python with ``trust-instance`` (TUF) or
``--trust-config`` (the ClientTrustConfig, no TUF). Plain text, no secrets.
"""

from __future__ import annotations


def clients_page(
    mirror_url: str,
    root_sha256: str,
    root_version: int,
    cosign_keys: list[str],
    policies: tuple[str, str] | None = None,
    on_tokens: frozenset[str] = frozenset(),
) -> str:
    """``policies``: the Kyverno and policy-controller files, when the bundle has them;
    ``on_tokens``: the cosign keys made on a PKCS#11 token."""
    page = _trust_page(mirror_url, root_sha256, root_version) + "".join(
        cosign_key_section(name, name in on_tokens) for name in cosign_keys
    )
    return page + (policies_section(*policies) if policies else "")


def policies_section(kyverno: str, policy_controller: str) -> str:
    return f"""
## The cluster's admission policies

Review them, then apply the one for the admission controller the cluster runs
(each lets in only images its keys signed, in the repositories named for them).
Kyverno:

    kubectl apply -f {kyverno}

sigstore policy-controller:

    kubectl apply -f {policy_controller}
"""


def cosign_key_section(name: str, on_token: bool = False) -> str:
    if on_token:
        return f"""
## cosign key {name}, on its PKCS#11 token (no OIDC, no Rekor)

The key never left its token. CI signs through the token with the URI in
`cosign/{name}.uri` (a cosign built with PKCS#11 support), the token's PIN in
COSIGN_PKCS11_PIN; anyone verifies with `cosign/{name}.pub`:

    cosign sign --key "$(cat cosign/{name}.uri)" --tlog-upload=false IMAGE
    cosign verify --key cosign/{name}.pub --insecure-ignore-tlog IMAGE
"""
    return f"""
## cosign key {name} (no OIDC, no Rekor)

CI signs with `cosign/{name}.key`, its passphrase in COSIGN_PASSWORD; anyone
verifies with `cosign/{name}.pub`:

    cosign sign --key cosign/{name}.key --tlog-upload=false IMAGE
    cosign verify --key cosign/{name}.pub --insecure-ignore-tlog IMAGE
    cosign sign-blob --key cosign/{name}.key --tlog-upload=false FILE > FILE.sig
    cosign verify-blob --key cosign/{name}.pub --signature FILE.sig \\
        --insecure-ignore-tlog FILE
"""


def _trust_page(mirror_url: str, root_sha256: str, root_version: int) -> str:
    return f"""\
# Trusting this Sigstore instance

Serve the `mirror/` folder, as it is, at {mirror_url}
(`N.root.json`, `timestamp.json` and `targets/` at its top). Hand out
`client/root.json` (root version {root_version}) over a channel people trust,
with its sha256:

    {root_sha256}

## cosign

    cosign initialize --mirror {mirror_url} --root client/root.json \\
        --root-checksum {root_sha256}

## sigstore-python

Through TUF (the client follows later root versions and trust updates):

    sigstore --instance {mirror_url} trust-instance client/root.json
    sigstore --instance {mirror_url} verify identity ...

Without TUF (the trust is what this bundle holds, and is not updated):

    sigstore --trust-config client/trust_config.json verify identity ...

## Check before you hand out

    sha256sum client/root.json     # must print the sha256 above
    ceremony verify .              # the whole bundle, mirror included
"""
