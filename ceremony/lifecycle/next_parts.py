"""What every flavor's ``ceremony next`` shares: the last script, its periods, the text.

A flavor's ``next_script`` refuses to build a rotation on an expired
bundle with :func:`refuse_expired`, starts its fields with :func:`opening`,
takes :func:`renewal`'s fields or a rotation's :func:`root_role`, ends with
:func:`closing` (which also opens the tamper-evident bags the bundle's
ceremony sealed) and heads the text with :func:`head_lines`. It reads the
script the bundle keeps
(``ceremony.yaml``) with :func:`last_script`, takes each role's expiry
length from it with :func:`period`, names new keys with :func:`new_name`,
carries fields (:func:`carried`) and the passphrase sources of the keys that sign with
:func:`carried_passphrases`, and writes head comments and fields as the
script's text with :func:`script_text`. A flavor that adapts another's
script (Sigstore over TUF) reads that text back with :func:`read_text`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from ceremony.errors import CeremonyError
from ceremony.script.expiry import length_of
from ceremony.script.kind_fields import SIGNED_IN_SITTINGS
from ceremony.script.yaml_plain_write import dump_plain
from ceremony.script.yamlload import load_written_yaml
from ceremony.verify.bags import sealed_bags
from ceremony.verify.contents import BundleContents
from ceremony.verify.limits import OTHER_MAX_BYTES
from ceremony.verify.loader import read_file_within

TYPE_CHECKING = False
if TYPE_CHECKING:  # `ceremony next` gives its paths as text, as pathlib writes them
    from pathlib import Path

_NUMBERED = re.compile(r"(.*)-([0-9]+)")


def refuse_expired(bundle: str | Path, kind: str, expired: list[str], what: str) -> None:
    """A renew builds on an expired bundle (``expired`` says what had expired);
    any other kind is refused, naming the renew. ``what``: "root version 3"."""
    if expired and kind != "renew":
        raise CeremonyError(
            f"{what} has expired ({'; '.join(expired)}): a {kind} cannot build on it",
            where=str(bundle),
            todo="renew it first: ceremony next BUNDLE --kind renew -o renew.yaml",
        )


def opening(
    flavor: str, kind: str, what: str, bundle: str | Path, output: str | Path,
    folder: str | Path,
) -> dict[str, object]:
    """The first fields of every next script; ``what`` ends its title, and the
    paths are written from the script's ``folder``."""
    return {
        "format": 1,
        "ceremony": kind,
        "flavor": flavor,
        "title": f"{'Renewal' if kind == 'renew' else 'Rotation'} {what}",
        "current": os.path.relpath(bundle, folder),
        "output": os.path.relpath(output, folder),
    }


def renewal(last: Mapping[str, object], expired: bool,
            defaults: Mapping[str, str]) -> dict[str, object]:
    """A renew's own fields: the root's new expiry, and its consent to renew an
    expired root when ``expired``."""
    fields: dict[str, object] = {"root-expires": period(last, "root", defaults)}
    if expired:
        fields["current-root-expired"] = "renew"
    return fields


def root_role(last: Mapping[str, object], keys: list[str], threshold: int,
              defaults: Mapping[str, str]) -> dict[str, object]:
    """A rotation's ``roles.root``: the same keys and threshold, the last length."""
    return {"keys": keys, "threshold": threshold, "expires": period(last, "root", defaults)}


def head_lines(bundle: str | Path, about: str, keys: list[str], threshold: int) -> list[str]:
    """The first comment lines: where the script came from (``about``: the root's
    version and expiry), to review it, and which keys may sign."""
    return [
        f"Written by `ceremony next` from {bundle} ({about}).",
        "Review every line before the ceremony.",
        f"sign-with: any {threshold} of the current root keys: {', '.join(keys)}.",
    ]


def room_first(root_keys: list[str], kept: set[str], threshold: int) -> list[str]:
    """``sign-with``: ``threshold`` of ``root_keys``, the keys that sign in the room
    (stored in the bundle or on a token) before those ``kept`` by their keyholders
    (imported at sittings: each signs at a sitting of its own)."""
    ordered = [k for k in root_keys if k not in kept] + [k for k in root_keys if k in kept]
    return ordered[:threshold]


def away_lines(fields: dict[str, object], kind: str, kept: set[str]) -> list[str]:
    """When ``sign-with`` needs keys kept by their keyholders: a rotate-root signed in
    several sittings (``request-expires:`` written, each new key imported from the
    public key its holder makes), or, for another kind, what to do instead; the head
    lines saying so (none when every signer signs in the room)."""
    signers = fields.get("sign-with")
    away = [k for k in signers if k in kept] if isinstance(signers, list) else []
    if not away:
        return []
    named = (f"{away[0]} is kept by its keyholder" if len(away) == 1
             else f"{', '.join(away)} are kept by their keyholders")
    if kind not in SIGNED_IN_SITTINGS:
        return [f"{named}, and a {kind} is signed in one sitting, where only keys stored in "
                "the bundle or on a token sign: make the change as a rotate-root signed in "
                "several sittings (`ceremony next --kind rotate-root`; "
                "docs/reference/sittings.md)."]
    fields["request-expires"] = "14d"
    lines = [f"{named}: this rotation is signed in several sittings (request-expires:): "
             "`ceremony request`, each keyholder's `ceremony sign`, then `ceremony seal` "
             "(docs/reference/sittings.md)."]
    keys = fields.get("keys")
    made = [key for key in keys if isinstance(key, dict) and "algorithm" in key] \
        if isinstance(keys, list) else []
    for key in made:  # a request holds no private key: each new key is imported
        del key["algorithm"]
        key["import"] = f"{key['name']}.pem"
    if made:
        lines.append(f"{', '.join(str(key['name']) for key in made)}: each made by its "
                     "holder at their own sitting; put its public key beside this script as "
                     "the .pem named.")
    return lines


def closing(fields: dict[str, object], last: Mapping[str, object],
            contents: BundleContents | None = None) -> None:
    """The last fields: the passphrase sources of the keys in ``sign-with``, the
    ``policy:`` as it was, and ``bags: {open: [...]}`` naming each bag the
    bundle's ceremony sealed (its transcript, in ``contents``, holds their
    serials; preflight checks each against the bag in the room)."""
    signers = fields.get("sign-with")
    if isinstance(signers, list) and (passphrases := carried_passphrases(last, signers)):
        fields["passphrases"] = passphrases
    if "policy" in last:
        fields["policy"] = last["policy"]
    if sealed := list(sealed_bags(contents)):
        fields["bags"] = {"open": sealed}


def last_script(contents: BundleContents | None) -> dict[str, object]:
    """The bundle's own script (ceremony.yaml), from contents verify read, as plain
    data; empty if unreadable."""
    return _script(contents.content("ceremony.yaml") if contents is not None else None)


def last_script_at(bundle: Path) -> dict[str, object]:
    """The script a bundle already verified keeps (ceremony.yaml), read from media;
    for a flavor adapting another's script, which read the contents."""
    script = bundle / "ceremony.yaml"
    if not script.is_file():
        return {}
    return _script(read_file_within(script, OTHER_MAX_BYTES, "a ceremony script"))


def _script(data: bytes | None) -> dict[str, object]:
    try:
        value = load_written_yaml(data.decode(), "ceremony.yaml") if data else {}
    except (CeremonyError, UnicodeDecodeError):
        return {}
    return plain(value) if isinstance(value, dict) else {}


def plain(value: object) -> dict[str, object]:
    """YamlMapping and YamlList as dict and list (yaml.safe_dump writes those)."""
    def convert(item: object) -> object:
        if isinstance(item, dict):
            return {str(k): convert(v) for k, v in item.items()}
        if isinstance(item, list):
            return [convert(v) for v in item]
        return item

    converted = convert(value)
    assert isinstance(converted, dict)
    return converted


def period(last: Mapping[str, object], role: str, defaults: Mapping[str, str]) -> str:
    """The length the last script gave ``role``'s expiry (``roles.ROLE.expires`` or
    ``ROLE-expires``), else ``defaults[role]``; a date is not a length, so it too
    gives way to the default."""
    roles = last.get("roles")
    spec = roles.get(role) if isinstance(roles, dict) else None
    expires = spec.get("expires") if isinstance(spec, dict) else None
    if expires is None:
        expires = last.get(f"{role}-expires")
    if isinstance(expires, str) and length_of(expires) is not None:
        return expires
    return defaults[role]


def new_name(old: str, taken: Iterable[str]) -> str:
    """The name of the key replacing ``old``: ``timestamp-1`` -> ``timestamp-2``,
    ``repo`` -> ``repo-2``, skipping names ``taken``."""
    names = set(taken)
    match = _NUMBERED.fullmatch(old)
    stem, number = (match.group(1), int(match.group(2))) if match else (old, 1)
    while f"{stem}-{number + 1}" in names:
        number += 1
    return f"{stem}-{number + 1}"


def carried(
    last: Mapping[str, object], names: Iterable[str], allowed: Iterable[str], kind: str
) -> dict[str, object]:
    """The fields ``names`` of the last script that a script of ``kind`` takes
    (``allowed``); a renew makes no new root key, so it has no risk to accept."""
    takes = set(allowed) - ({"accept-risk"} if kind == "renew" else set())
    return {name: last[name] for name in names if name in last and name in takes}


def carried_passphrases(
    last: Mapping[str, object], signers: Iterable[str]
) -> dict[str, object] | None:
    """The last script's passphrase sources (``env:``, ``file:``; never a passphrase)
    for the keys that sign this time; None when it gave none for them."""
    sources = last.get("passphrases")
    if not isinstance(sources, dict):
        return None
    carried = {name: sources[name] for name in signers if name in sources}
    return carried or None


def script_text(head: Iterable[str], fields: Mapping[str, object]) -> str:
    """The script: ``head`` as comment lines, then the fields in their order."""
    comments = "".join(f"# {line}\n" for line in head)
    text = dump_plain(fields)  # the bytes PyYAML would write, without loading it
    if text is None:
        import yaml

        text = yaml.safe_dump(dict(fields), sort_keys=False, default_flow_style=None, width=100)
    return comments + text


def read_text(text: str) -> tuple[list[str], dict[str, object]]:
    """A script :func:`script_text` wrote, read back: its head lines and its fields."""
    head = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        head.append(line[2:] if line.startswith("# ") else line[1:])
    import yaml

    fields = yaml.safe_load(text)
    assert isinstance(fields, dict)
    return head, fields
