"""The trust documents of a Sigstore bundle, judged as sigstore-python and cosign read them.

``trusted_root.json`` must carry the media type clients accept (version
0.1) and a ``logId.keyId`` per log that is the sha256 of its key; the
signing config must give at least one CA and one Rekor log; each top-level
copy and ``client/`` file must be the bytes the mirror's targets carry.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ceremony.flavors.sigstore.documents import (
    CLIENT_TRUST_CONFIG_MEDIA_TYPE,
    SIGNING_CONFIG,
    SIGNING_CONFIG_MEDIA_TYPE,
    TRUSTED_ROOT,
    TRUSTED_ROOT_MEDIA_TYPE,
)
from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.problem import Problem, shown
from ceremony.verify.strict_json import parse_json


def _json(path: str, data: bytes | None, problems: list[Problem]) -> Any:
    if data is None:
        problems.append(Problem(path, "missing"))
        return None
    try:
        value = parse_json(data)
    except MalformedJSONError as error:
        problems.append(Problem(path, str(error)))
        return None
    if not isinstance(value, dict):
        problems.append(Problem(path, "is not a JSON object"))
        return None
    return value


def check_documents(
    contents: BundleContents, targets: dict[str, bytes], problems: list[Problem]
) -> None:
    for name in (TRUSTED_ROOT, SIGNING_CONFIG):
        if name in targets and contents.content(name) != targets[name]:
            problems.append(Problem(name, "differs from the copy the mirror's targets carry"))
    root = _json(TRUSTED_ROOT, contents.content(TRUSTED_ROOT), problems)
    if root is not None:
        _check_trusted_root(root, problems)
    config = _json(SIGNING_CONFIG, contents.content(SIGNING_CONFIG), problems)
    if config is not None:
        _check_signing_config(config, problems)
    client_root = contents.content("client/root.json")
    if client_root != contents.content("metadata/root.json"):
        problems.append(Problem("client/root.json", "differs from the newest root"))
    elif client_root is not None:
        digest = hashlib.sha256(client_root).hexdigest()
        if contents.content("client/root.json.sha256") != f"{digest}  root.json\n".encode():
            problems.append(Problem("client/root.json.sha256", "is not the sha256 of root.json"))
    trust = _json(
        "client/trust_config.json", contents.content("client/trust_config.json"), problems
    )
    if trust is not None and (
        trust.get("mediaType") != CLIENT_TRUST_CONFIG_MEDIA_TYPE
        or trust.get("trustedRoot") != root
        or trust.get("signingConfig") != config
    ):
        problems.append(
            Problem(
                "client/trust_config.json",
                "is not the ClientTrustConfig of this trusted_root.json and signing config",
            )
        )


def _check_trusted_root(root: dict[str, Any], problems: list[Problem]) -> None:
    if root.get("mediaType") != TRUSTED_ROOT_MEDIA_TYPE:
        problems.append(
            Problem(
                TRUSTED_ROOT,
                f"media type {shown(root.get('mediaType'))}: "
                f"clients accept only {TRUSTED_ROOT_MEDIA_TYPE!r}",
            )
        )
    for section in ("tlogs", "ctlogs"):
        logs = root.get(section)
        if not isinstance(logs, list) or not logs:
            problems.append(Problem(TRUSTED_ROOT, f"has no {section}"))
            continue
        for index, log in enumerate(logs):
            where = f"{TRUSTED_ROOT}: {section}[{index}]"
            try:
                der = base64.b64decode(log["publicKey"]["rawBytes"], validate=True)
                log_id = log["logId"]["keyId"]
            except (KeyError, TypeError, ValueError):
                problems.append(Problem(where, "has no public key or log id"))
                continue
            want = base64.b64encode(hashlib.sha256(der).digest()).decode()
            if log_id != want:
                problems.append(
                    Problem(
                        where,
                        f"log id {shown(log_id)} is not the sha256 of "
                        f"its key ({want}): clients say 'tlog missing log ID'",
                    )
                )
    if not root.get("certificateAuthorities"):
        problems.append(Problem(TRUSTED_ROOT, "has no certificateAuthorities"))


def _check_signing_config(config: dict[str, Any], problems: list[Problem]) -> None:
    if config.get("mediaType") != SIGNING_CONFIG_MEDIA_TYPE:
        problems.append(
            Problem(
                SIGNING_CONFIG,
                f"media type {shown(config.get('mediaType'))}: "
                f"expected {SIGNING_CONFIG_MEDIA_TYPE!r}",
            )
        )
    for field, words in (("caUrls", "CA"), ("rekorTlogUrls", "Rekor log")):
        if not config.get(field):
            problems.append(
                Problem(
                    SIGNING_CONFIG, f"gives no {words} URL ({field}): sigstore-python refuses it"
                )
            )
