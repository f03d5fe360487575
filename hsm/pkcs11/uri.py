"""RFC 7512 ``pkcs11:`` URIs: how a ceremony names a token and a key on it.

A URI names a token by label, serial, model or manufacturer and a key by its
label (``object``) and its ``id`` (CKA_ID). The query may carry the module's
path. Parsing is strict: an unknown or repeated attribute, bad
percent-encoding or a ``type`` outside the RFC's list is an error that says
which part is wrong. Two things are refused on purpose: ``pin-value`` and
``pin-source`` (a PIN comes from the operator, never from a script) and
``slot-id`` (slot numbers change between boots; name the token instead).

This module does no PKCS#11 calls and never sees a secret.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote_to_bytes

from hsm.pkcs11.errors import UriError

SCHEME = "pkcs11:"

# Path attributes (RFC 7512 section 2.3) and the field each lands in.
_PATH = {
    "token": "token",
    "serial": "serial",
    "model": "model",
    "manufacturer": "manufacturer",
    "object": "object",
    "id": "id",
    "type": "type",
    "library-manufacturer": "library_manufacturer",
    "library-description": "library_description",
    "library-version": "library_version",
    "slot-description": "slot_description",
    "slot-manufacturer": "slot_manufacturer",
}
_QUERY = {"module-path": "module_path", "module-name": "module_name"}
_TYPES = ("public", "private", "cert", "secret-key", "data")
_UNRESERVED = "-._~"
# Characters RFC 7512 lets stand unencoded besides the unreserved ones.
_PATH_SAFE = _UNRESERVED + ":[]@!$'()*+,=&"
_QUERY_SAFE = _UNRESERVED + ":[]@!$'()*+,=/?|"


@dataclass(frozen=True)
class Pkcs11Uri:
    """A parsed ``pkcs11:`` URI. Every field is optional; ``id`` is bytes."""

    token: str | None = None
    serial: str | None = None
    model: str | None = None
    manufacturer: str | None = None
    object: str | None = None
    id: bytes | None = None
    type: str | None = None
    library_manufacturer: str | None = None
    library_description: str | None = None
    library_version: str | None = None
    slot_description: str | None = None
    slot_manufacturer: str | None = None
    module_path: str | None = None
    module_name: str | None = None
    vendor: dict[str, str] = field(default_factory=dict)  # x-... attributes

    # parsing -------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Pkcs11Uri:
        """The URI in ``text``, or a :class:`UriError` naming what is wrong."""
        if not isinstance(text, str) or not text.lower().startswith(SCHEME):
            raise UriError(
                f"{_short(text)} is not a pkcs11: URI",
                "write it as pkcs11:token=...;id=%01%02?module-path=/path/to/module.so",
            )
        rest = text[len(SCHEME):]
        path, _, query = rest.partition("?")
        # A PIN is refused before anything else, so no message repeats it.
        for part in _split(path, ";") + _split(query, "&"):
            _refuse_pin(part.partition("=")[0].lower())
        seen: set[str] = set()
        values: dict[str, str] = {}
        cka_id: bytes | None = None
        vendor: dict[str, str] = {}
        for parts, known, what in ((_split(path, ";"), _PATH, "attribute"),
                                   (_split(query, "&"), _QUERY, "query attribute")):
            for part in parts:
                name, value = _attribute(part, text)
                _refuse(name, text)
                if name.startswith("x-"):
                    _once(name, vendor, text)
                    vendor[name] = _decode_text(value, name, text)
                    continue
                if name not in known:
                    raise UriError(
                        f"the pkcs11: URI {_short(text)} has an unknown {what} {name!r}",
                        f"use only: {', '.join(known)}",
                    )
                _once(name, seen, text)
                seen.add(name)
                if name == "id" and known is _PATH:
                    cka_id = _decode_bytes(value, name, text)
                else:
                    values[name] = _decode_text(value, name, text)
        if "type" in values and values["type"] not in _TYPES:
            raise UriError(
                f"the pkcs11: URI {_short(text)} has type={values['type']!r}",
                f"type is one of: {', '.join(_TYPES)}",
            )
        fields = {_PATH.get(k) or _QUERY[k]: v for k, v in values.items()}
        return cls(
            token=fields.get("token"),
            serial=fields.get("serial"),
            model=fields.get("model"),
            manufacturer=fields.get("manufacturer"),
            object=fields.get("object"),
            id=cka_id,
            type=fields.get("type"),
            library_manufacturer=fields.get("library_manufacturer"),
            library_description=fields.get("library_description"),
            library_version=fields.get("library_version"),
            slot_description=fields.get("slot_description"),
            slot_manufacturer=fields.get("slot_manufacturer"),
            module_path=fields.get("module_path"),
            module_name=fields.get("module_name"),
            vendor=vendor,
        )

    # formatting ----------------------------------------------------------
    def __str__(self) -> str:
        path = []
        for name, attr in _PATH.items():
            value = getattr(self, attr)
            if value is None:
                continue
            if name == "id":
                path.append("id=" + "".join(f"%{b:02X}" for b in value))
            else:
                path.append(f"{name}={quote(value, safe=_PATH_SAFE)}")
        query = []
        for name, attr in _QUERY.items():
            value = getattr(self, attr)
            if value is not None:
                query.append(f"{name}={quote(value, safe=_QUERY_SAFE)}")
        for name, value in sorted(self.vendor.items()):
            path.append(f"{name}={quote(value, safe=_PATH_SAFE)}")
        text = SCHEME + ";".join(path)
        return text + ("?" + "&".join(query) if query else "")

    def without_module(self) -> Pkcs11Uri:
        """The same URI without the module path (to compare key names)."""
        return replace(self, module_path=None, module_name=None)

    @property
    def names_a_token(self) -> bool:
        return self.token is not None or self.serial is not None


def _short(text: object) -> str:
    text = str(text)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _split(text: str, sep: str) -> list[str]:
    return text.split(sep) if text else []


def _attribute(part: str, text: str) -> tuple[str, str]:
    name, eq, value = part.partition("=")
    if not eq or not name:
        raise UriError(
            f"the pkcs11: URI {_short(text)} has a part {part!r} that is not name=value",
            "separate path attributes with ';' and query attributes with '&'",
        )
    return name.lower(), value


def _refuse_pin(name: str) -> None:
    if name in ("pin-value", "pin-source"):
        raise UriError(
            f"a pkcs11: URI in the script carries a PIN ({name}; the URI is not shown "
            "so that the PIN is not repeated)",
            "remove it: the PIN is typed by the keyholder during the ceremony, never "
            "written in a script",
        )


def _refuse(name: str, text: str) -> None:
    if name == "slot-id":
        raise UriError(
            f"the pkcs11: URI {_short(text)} names a slot-id",
            "slot numbers change between boots and readers: name the token by "
            "token= (label) or serial= instead",
        )


def _once(name: str, seen: Container[str], text: str) -> None:
    if name in seen:
        raise UriError(
            f"the pkcs11: URI {_short(text)} gives {name!r} twice",
            "give each attribute once",
        )


def _decode_bytes(value: str, name: str, text: str) -> bytes:
    for i, ch in enumerate(value):
        if ch == "%":
            hexpart = value[i + 1 : i + 3]
            if len(hexpart) != 2 or any(c not in "0123456789abcdefABCDEF" for c in hexpart):
                raise UriError(
                    f"the pkcs11: URI {_short(text)} has a bad %-escape in {name}",
                    "write each byte as %XX with two hex digits",
                )
    return unquote_to_bytes(value)


def _decode_text(value: str, name: str, text: str) -> str:
    raw = _decode_bytes(value, name, text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UriError(
            f"the pkcs11: URI {_short(text)} has an {name} that is not UTF-8 text",
            "percent-encode the UTF-8 bytes of the name",
        ) from None
