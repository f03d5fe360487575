"""Test helper: the Python processes the tests start seal age files at a small scrypt
work factor.

The tool seals every software key and passphrase custody with age's scrypt at work
factor 18 (256 MiB, a second or more a try), and reads each back. A test run seals
thousands, and scrypt alone was most of the suite's time. With this folder on
``PYTHONPATH`` (tests/conftest.py puts it there; a test that starts a child on a path
of its own gives it :func:`python_path`), a process that imports
``hsm.age.scrypt`` gets ``WRITE_WORK_FACTOR`` = ``QUICK``: the same code, the same
file format and the same checks, with scrypt's cost at its smallest useful size. The
tool's own value is held by the tests marked ``real_scrypt`` (and by every process
started with ``CEREMONY_TEST_SCRYPT=real``, or without this folder on its path: the
offline kit's, for one). Nothing outside tests/ reads this.
"""

from __future__ import annotations

import os
import sys

QUICK = 10
MODULE = "hsm.age.scrypt"
FOLDER = os.path.dirname(os.path.abspath(__file__))
#: where the tool's own value is kept once the module is made quick
KEPT = "TOOL_WRITE_WORK_FACTOR"


def make_quick(module) -> None:  # type: ignore[no-untyped-def]
    """``hsm.age.scrypt`` sealing at QUICK, its own value kept beside it."""
    module.__dict__.setdefault(KEPT, module.WRITE_WORK_FACTOR)
    module.WRITE_WORK_FACTOR = QUICK


def python_path(*folders: object) -> str:
    """``PYTHONPATH`` for a process a test starts on a path of its own (``folders``):
    this folder first, so that it seals at QUICK too, unless the test asked for the
    tool's own factor (``CEREMONY_TEST_SCRYPT=real``, as the ``real_scrypt`` fixture
    sets). A child given only the checkout sealed at 18, a second or more a seal."""
    quick = [] if os.environ.get("CEREMONY_TEST_SCRYPT") == "real" else [FOLDER]
    return os.pathsep.join([*quick, *map(str, folders)])


def tool_work_factor(module) -> int:  # type: ignore[no-untyped-def]
    """The work factor the tool itself seals at, made quick or not."""
    return module.__dict__.get(KEPT, module.WRITE_WORK_FACTOR)


class _QuickScrypt:
    """Finds nothing itself: when ``hsm.age.scrypt`` is loaded, sets its work factor."""

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != MODULE:
            return None
        sys.meta_path.remove(self)
        try:
            from importlib.util import find_spec
            spec = find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            load(module)
            make_quick(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


# as the interpreter's sitecustomize only (imported by conftest.py, it installs nothing)
if __name__ == "sitecustomize" and os.environ.get("CEREMONY_TEST_SCRYPT") != "real":
    sys.meta_path.insert(0, _QuickScrypt())
