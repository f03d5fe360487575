"""A delegation's new targets.json, checked in preflight: its size and its order.

``ceremony verify`` (and python-tuf's ngclient) refuse a targets.json above
5,000,000 bytes. A delegate ceremony listing 800 delegations of 100 keys each
writes one of some 6 MB: ``run`` refused it only as it sealed, after every key
was made. Preflight now builds the new file's signed part before anything is
asked and refuses it, naming what it holds; ``run`` stops before a passphrase.
The figure is a lower bound, close to the real file: measured on the rehearsal's
own delegation, it falls short of the targets.json that ceremony wrote by its
signature and the few bytes of a key made that day.

TUF clients ask delegated roles in the order targets.json lists them. A role the
script replaces keeps its place, a new one goes after all of them: a script listing
them otherwise was signed in an order nobody reviewed, and is now refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import PreflightError
from ceremony.flavors.tuf.current import read_current
from ceremony.flavors.tuf.new_targets_check import measured_targets
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.script.plan import Plan

KEYS = [f"k{n}" for n in range(100)]


def delegate_script(folder: Path, current: Path) -> Path:
    """A rehearsal delegate on ``current`` making the 100 keys of KEYS, delegated to
    by one role."""
    script = folder / "delegate.yaml"
    script.write_text(
        "format: 1\nceremony: delegate\nflavor: tuf\ntitle: many delegations\n"
        f"rehearsal: true\nnetwork: allowed\noutput-media: any-device\ncurrent: {current}\n"
        "output: out\nsign-with: [targets]\nkeyholders: [{name: online-team}]\nkeys:\n"
        + "".join(f"  - {{name: {k}, holder: online-team, algorithm: ed25519}}\n" for k in KEYS)
        + f"delegations:\n  - {{name: d0, keys: [{', '.join(KEYS)}], threshold: 1, "
        'paths: ["d0/*"]}\ntargets-expires: 30d\n'
    )
    return script


def with_delegations(plan: Plan, count: int, each: Callable[[Any, int], Any] = (
    lambda first, n: dataclasses.replace(first, name=f"d{n}", paths=(f"d{n}/*",))
)) -> Plan:
    """``plan`` delegating to ``count`` roles like its first, ``each`` making the n-th
    (made in memory: a script of this size takes the YAML reader some seconds)."""
    first = plan.details.delegations[0]
    delegations = tuple(each(first, n) for n in range(count))
    return dataclasses.replace(
        plan, details=dataclasses.replace(plan.details, delegations=delegations)
    )


@pytest.fixture
def many(rehearsal, tmp_path) -> Plan:
    folder, _operator, _events = rehearsal
    return with_delegations(load_script(delegate_script(tmp_path, folder / "1-bootstrap")), 800)


PROBLEM = (
    "the new targets.json delegates to 800 roles with 100 keys (listed 80,000 times) and "
    "800 path patterns, which take at least "
)


def test_preflight_refuses_a_targets_file_past_the_limit(many):
    failures = preflight(many).failures
    assert [c.check for c in failures] == ["size of targets.json"]
    assert failures[0].detail.startswith(PROBLEM)
    assert failures[0].detail.endswith(
        "bytes, more than the 5,000,000 a metadata file may have (TUF clients and "
        "`ceremony verify` refuse a larger one): name fewer keys and paths in delegations: "
        "(a delegated role can delegate on in its own metadata)"
    )


class NoSecret(RehearsalOperator):
    """An operator never to be asked a secret: preflight stops the ceremony first."""

    def secret(self, request):
        pytest.fail(f"asked {request.key} for a secret")


def stops_in_preflight(plan: Plan, folder: Path, check: str) -> None:
    """``run`` of ``plan`` stops in preflight at ``check``, before any key is asked for,
    leaving ``folder`` (its script's) as it was."""
    with pytest.raises(PreflightError, match=check):
        list(run_ceremony(plan, NoSecret()))
    assert list(folder.iterdir()) == [folder / "delegate.yaml"]


def test_run_stops_in_preflight_before_any_key(many, tmp_path):
    stops_in_preflight(many, tmp_path, "size of targets.json")


def test_the_figure_is_the_rehearsal_targets_file_but_its_signature(rehearsal):
    folder = rehearsal[0]
    plan = load_script(folder / "2-delegate.yaml")
    _targets, least = measured_targets(plan, read_current(folder / "1-bootstrap"))
    written = (folder / "2-delegate" / "metadata" / "targets.json").stat().st_size
    # its ed25519 signature and keyid, laid out (some 230 bytes), and the 4 bytes the
    # ed25519 key made that day has beyond the fewest MIN_KEY_BYTES counts
    assert 200 < written - least < 260


def test_a_delegation_within_the_limit_passes(many):
    assert preflight(with_delegations(many, 600)).failures == []


def reordering(folder: Path, current: Path, *names: str) -> Path:
    """A rehearsal delegate on ``current`` (the rehearsal's 2-delegate: alpha, then
    beta) listing ``names`` in that order, each to the current key repo-alpha."""
    script = folder / "reorder.yaml"
    script.write_text(
        "format: 1\nceremony: delegate\nflavor: tuf\ntitle: reorder\nrehearsal: true\n"
        f"network: allowed\noutput-media: any-device\ncurrent: {current}\noutput: out\n"
        "sign-with: [targets]\ndelegations:\n"
        + "".join(f"  - {{name: {name}, keys: [repo-alpha], threshold: 1, "
                  f'paths: ["{name}/*"], terminating: true}}\n' for name in names)
        + "targets-expires: 30d\n"
    )
    return script


@pytest.mark.parametrize(("names", "first", "listed_before"), [
    (("beta", "alpha"), "alpha", "beta"),  # both replaced: they keep the current order
    (("gamma", "alpha"), "alpha", "gamma"),  # a new role goes after the current ones
])
def test_a_delegation_order_the_new_file_would_not_keep_is_refused(
    rehearsal, tmp_path, names, first, listed_before
):
    plan = load_script(reordering(tmp_path, rehearsal[0] / "2-delegate", *names))
    failures = preflight(plan).failures
    assert [(c.check, c.detail) for c in failures] == [(
        f"delegations.{listed_before}",
        f"{listed_before} is listed before {first}, but the new targets.json would list "
        f"{first} first: {first} is a delegated role of targets.json version 2 and keeps "
        "its place there, each new role going after those, and TUF clients ask delegated "
        f"roles in the order listed (a terminating one ends the search); list {first} "
        f"before {listed_before} in delegations:",
    )]


def test_the_order_the_new_file_keeps_passes(rehearsal, tmp_path):
    plan = load_script(reordering(tmp_path, rehearsal[0] / "2-delegate", "alpha", "gamma"))
    assert preflight(plan).failures == []
