"""Finding a token: by label and/or serial, never by slot number.

:func:`open_token` loads the module, finds exactly one token by label
and/or serial (never by slot number, which changes between boots) and
returns its :class:`hsm.pkcs11.token.Token`; opening the same token again
returns the same object, so one PIN entry serves every key on it.
:func:`list_tokens` lists what a module sees. Nothing here logs in.
"""

from __future__ import annotations

import threading

from hsm.pkcs11.errors import TokenAmbiguousError, TokenNotFoundError
from hsm.pkcs11.module import load_module
from hsm.pkcs11.token import Token
from hsm.pkcs11.token_info import TokenInfo, token_info
from hsm.pkcs11.uri import Pkcs11Uri

# Tokens open in this process, by (module file, serial, label).
_open: dict[tuple[str, str, str], Token] = {}
_open_lock = threading.Lock()


def _forget(token: Token) -> None:
    with _open_lock:
        for key, value in list(_open.items()):
            if value is token:
                del _open[key]


def list_tokens(module_path: str) -> list[TokenInfo]:
    """Every token the module sees now (no PIN asked)."""
    module = load_module(module_path)
    return [token_info(module.path, t) for _, t in module.slots_with_tokens()]


def open_token(
    module_path: str | None = None,
    *,
    label: str | None = None,
    serial: str | None = None,
    uri: str | Pkcs11Uri | None = None,
) -> Token:
    """The one token matching ``label`` and/or ``serial`` (or the token part
    of ``uri``, whose module-path is used when ``module_path`` is None).

    Opening the same token twice returns the same :class:`Token`, so its
    login (one PIN entry) is shared by every key on it.
    """
    if uri is not None:
        uri = uri if isinstance(uri, Pkcs11Uri) else Pkcs11Uri.parse(uri)
        label = label if label is not None else uri.token
        serial = serial if serial is not None else uri.serial
        module_path = module_path or uri.module_path
    if not module_path:
        raise TokenNotFoundError(
            "no PKCS#11 module path was given for the token",
            "name the module in the ceremony script (module-path=...)",
        )
    if label is None and serial is None:
        raise TokenNotFoundError(
            "the token is named neither by label nor by serial",
            "name it by token label or serial in the ceremony script, never by slot",
        )
    module = load_module(module_path)
    present = module.slots_with_tokens()
    matches = [
        (slot, tok)
        for slot, tok in present
        if (label is None or tok.label.strip() == label)
        and (serial is None or tok.serial.decode("ascii", "replace").strip() == serial)
    ]
    wanted = " and ".join(
        part
        for part in (f"label {label!r}" if label is not None else "",
                     f"serial {serial}" if serial is not None else "")
        if part
    )
    if not matches:
        seen = ", ".join(token_info(module.path, t).name for _, t in present) or "none"
        raise TokenNotFoundError(
            f"no token with {wanted} is present in {module.path} (present: {seen})",
            "insert the right token, or correct the label or serial in the ceremony script",
        )
    if len(matches) > 1:
        seen = ", ".join(token_info(module.path, t).name for _, t in matches)
        raise TokenAmbiguousError(
            f"{len(matches)} tokens match {wanted}: {seen}",
            "remove the tokens not used in this step, or name the token by serial",
        )
    slot, tok = matches[0]
    info = token_info(module.path, tok)
    key = (module.realpath, info.serial, info.label)
    with _open_lock:
        existing = _open.get(key)
        if existing is not None and not existing.closed:
            return existing
        token = Token(module, slot, tok, on_close=_forget)
        _open[key] = token
        return token
