"""Loading a PKCS#11 module (the ``.so`` a token's maker supplies).

A module is loaded once per process, on its own :class:`TokenWorker` thread,
and every later call for any of its tokens runs on that thread. A wrong path
or a file that is not a PKCS#11 library is reported as such, in one sentence.
Nothing here logs in or touches keys.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import pkcs11
import pkcs11.exceptions as p11
from pkcs11 import Slot
from pkcs11 import Token as P11Token

from hsm.pkcs11.errors import ModuleLoadError, NoReaderError, explain
from hsm.pkcs11.token_info import version_text
from hsm.pkcs11.worker import TokenWorker

if TYPE_CHECKING:
    import pkcs11._pkcs11

    # python-pkcs11 names the type of a loaded library only in its stubs
    Library = pkcs11._pkcs11.lib

Result = TypeVar("Result")


@dataclass(frozen=True)
class ModuleInfo:
    path: str
    manufacturer: str
    description: str
    version: str
    cryptoki_version: str


class Module:
    """A loaded PKCS#11 library and the one thread that talks to it."""

    def __init__(self, path: str, realpath: str, worker: TokenWorker, lib: Library) -> None:
        self.path = path  # as the script wrote it
        self.realpath = realpath  # the file actually loaded
        self.worker = worker
        self._lib = lib  # python-pkcs11 object: touched only on the worker

    def call(
        self, doing: str, fn: Callable[[Library], Result], *, token_name: str = "the token"
    ) -> Result:
        """Run ``fn(lib)`` on the worker; PKCS#11 errors come back
        explained (see hsm.pkcs11.errors)."""
        try:
            return self.worker.call(fn, self._lib)
        except p11.PKCS11Error as error:
            raise explain(error, doing, token_name) from None

    def info(self) -> ModuleInfo:
        def read(lib: Library) -> ModuleInfo:
            return ModuleInfo(
                path=self.realpath,
                manufacturer=lib.manufacturer_id.strip(),
                description=lib.library_description.strip(),
                version=version_text(lib.library_version),
                cryptoki_version=version_text(lib.cryptoki_version),
            )

        return self.call("reading the module's description", read)

    def slots_with_tokens(self) -> list[tuple[Slot, P11Token]]:
        """python-pkcs11 (slot, token) pairs for every present token.
        Runs on the worker (call it through :meth:`call`)."""
        return self.call("listing tokens", _present_tokens, token_name=self.describe())

    def describe(self) -> str:
        return f"the PKCS#11 module {self.path}"


def _present_tokens(lib: Library) -> list[tuple[Slot, P11Token]]:
    try:
        slots = lib.get_slots(token_present=True)
    except p11.DeviceError:
        # ykcs11 and some card modules answer this way when nothing is plugged in.
        raise NoReaderError(
            f"the PKCS#11 module {lib.so} sees no reader or device",
            "plug in the token (or its reader), wait a few seconds, and try again",
        ) from None
    found = []
    for slot in slots:
        try:
            found.append((slot, slot.get_token()))
        except (p11.TokenNotPresent, p11.TokenNotRecognised, p11.DeviceRemoved):
            continue
    return found


_modules: dict[str, Module] = {}
_modules_lock = threading.Lock()


def is_loaded(path: str) -> bool:
    """Whether the module at ``path`` was loaded in this process (SoftHSM reads
    its configuration once per process)."""
    with _modules_lock:
        return os.path.realpath(path) in _modules


def load_module(path: str) -> Module:
    """The module at ``path``, loaded (once per process) on its own thread."""
    if not path or not os.path.isabs(path):
        raise ModuleLoadError(
            f"the PKCS#11 module path {path!r} is not an absolute path",
            "write the full path of the module file, e.g. "
            "/usr/lib/softhsm/libsofthsm2.so",
        )
    real = os.path.realpath(path)
    if not os.path.isfile(real):
        raise ModuleLoadError(
            f"there is no PKCS#11 module at {path}",
            "check the path in the ceremony script and that the token maker's "
            "package is installed",
        )
    with _modules_lock:
        module = _modules.get(real)
        if module is not None and not module.worker.closed:
            return module
        worker = TokenWorker(name=f"pkcs11 {os.path.basename(real)}")
        try:
            lib = worker.call(pkcs11.lib, real)
        except p11.PKCS11Error as error:
            worker.close()
            raise ModuleLoadError(
                f"{path} could not be loaded as a PKCS#11 module ({_why(error)})",
                "check that the path names the token maker's PKCS#11 library "
                "(a .so file), not another file",
            ) from None
        module = Module(path, real, worker, lib)
        _modules[real] = module
        return module


def _why(error: BaseException) -> str:
    text = str(error)
    if "C_GetFunctionList" in text:
        return "the file is a library but not a PKCS#11 one"
    if "invalid ELF header" in text or "file too short" in text:
        return "the file is not a library"
    if "No such file" in text:
        return "a file it needs is missing"
    return text.split(": ", 1)[-1] or type(error).__name__


def unload_all() -> None:
    """Stop every module's thread (for tests and the end of a process)."""
    with _modules_lock:
        modules = list(_modules.values())
        _modules.clear()
    for module in modules:
        module.worker.close()
