"""The lock files match pyproject.toml, and the tests run on exactly their bytes.

requirements.lock (runtime) and requirements-dev.lock (runtime, extras and
build backend) must pin every dependency pyproject.toml names, at versions
its specifiers allow, with hashes, the runtime pins identical in both. When
pyproject.toml changes, every failure here says the one command to run.
"""

from __future__ import annotations

import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from tests.lock_pins import TOP, applies
from tests.lock_pins import pins_of as pins_in

# isort: split
# (tests.lock_pins puts scripts/ on the path, so lockfile imports after it)
from lockfile import (
    DEV_LOCK,
    REFRESH_COMMAND,
    RUNTIME_LOCK,
    Pin,
    dependency_lists,
    inputs_sha256,
    normalized,
    read_pins,
    stamp_of,
)

REFRESH = (
    f"Refresh the locks with `{REFRESH_COMMAND}` (it needs PyPI) and commit "
    f"{RUNTIME_LOCK} and {DEV_LOCK}."
)


def pins_of(name: str) -> dict[str, Pin]:
    return pins_in(TOP / name)


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK])
def test_each_lock_was_made_from_the_dependencies_pyproject_lists_now(lock):
    stamp = stamp_of((TOP / lock).read_text(encoding="utf-8"))
    assert stamp == inputs_sha256(TOP / "pyproject.toml"), (
        f"{lock} was made from other dependencies than pyproject.toml lists now. {REFRESH}"
    )


def requirements(kinds: list[str]) -> list[Requirement]:
    lists = dependency_lists(TOP / "pyproject.toml")
    found = []
    for kind in kinds:
        value = lists[kind]
        groups = value.values() if isinstance(value, dict) else [value]
        found += [Requirement(text) for group in groups for text in group]
    return found


@pytest.mark.parametrize(
    "lock, kinds",
    [
        (RUNTIME_LOCK, ["dependencies"]),
        (DEV_LOCK, ["dependencies", "optional-dependencies", "build-system"]),
    ],
)
def test_every_dependency_is_pinned_where_its_specifier_allows(lock, kinds):
    pins = pins_of(lock)
    problems = []
    for requirement in requirements(kinds):
        pin = pins.get(normalized(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is not in {lock}")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement} does not allow the locked {pin.name}=={pin.version}")
    assert not problems, "; ".join(problems) + f". {REFRESH}"


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK])
def test_every_pin_has_hashes(lock):
    unhashed = [pin.name for pin in pins_of(lock).values() if not pin.hashes]
    assert not unhashed, f"{lock} pins {', '.join(unhashed)} without hashes. {REFRESH}"


def test_the_runtime_pins_are_the_same_bytes_in_both_locks():
    runtime, dev = pins_of(RUNTIME_LOCK), pins_of(DEV_LOCK)
    differ = [
        name for name, pin in runtime.items()
        if name not in dev or (dev[name].version, dev[name].hashes) != (pin.version, pin.hashes)
    ]
    assert not differ, f"{DEV_LOCK} pins {', '.join(differ)} unlike {RUNTIME_LOCK}. {REFRESH}"


def test_the_test_venv_holds_exactly_the_dev_lock():
    """scripts/_venv.sh installed the dev lock's pins and nothing else but pip."""
    pins = {name: pin for name, pin in pins_of(DEV_LOCK).items() if applies(pin)}
    installed = {
        normalized(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions(path=[p for p in sys.path if p.startswith(sys.prefix)])
    }
    installed.pop("ceremony", None)
    installed.pop("pip", None)
    assert installed == {name: pin.version for name, pin in pins.items()}, (
        f"the venv {sys.prefix} differs from {DEV_LOCK}; scripts/_venv.sh remakes it "
        f"when the lock changes (delete {sys.prefix} to force it)"
    )


def test_reading_a_lock_keeps_markers_hashes_and_parents():
    text = (
        "# header\n"
        "cffi==2.1.1 ; platform_python_implementation != 'PyPy' \\\n"
        "    --hash=sha256:" + "a" * 64 + " \\\n"
        "    --hash=sha256:" + "b" * 64 + "\n"
        "    # via\n"
        "    #   cryptography\n"
        "    #   pyrage\n"
        "PyYAML==6.0.4 \\\n"
        "    --hash=sha256:" + "c" * 64 + "\n"
        "    # via ceremony (pyproject.toml)\n"
    )
    cffi, pyyaml = read_pins(text)
    assert cffi == Pin("cffi", "2.1.1", "platform_python_implementation != 'PyPy'",
                       ("a" * 64, "b" * 64), ("cryptography", "pyrage"))
    assert pyyaml == Pin("pyyaml", "6.0.4", "", ("c" * 64,), ("ceremony (pyproject.toml)",))
