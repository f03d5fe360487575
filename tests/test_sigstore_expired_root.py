"""An expired root is refused by ``ceremony verify`` and by the clients, side by side.

A root cannot be written already expired (the script's checks refuse an expiry
that is not in the future), so the bootstrap here runs on a clock set two years
back, with its trust material made for that day: every role has expired by
now. The same bundle is then judged by ``ceremony verify``, python-tuf's
ngclient and sigstore-python, over loopback HTTP, and all three refuse it;
neither client stores anything it was served.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sigstore.errors import TUFError
from sigstore.models import ClientTrustConfig
from tuf.api.exceptions import ExpiredMetadataError
from tuf.ngclient import Updater

from ceremony.engine import run_ceremony
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from tests.sigstore_instance import PASS, served, sigstore_script

PAST = datetime.now(UTC).replace(microsecond=0) - timedelta(days=730)


@pytest.fixture(scope="module")
def expired(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sigstore-expired")
    write_standins(folder / "trust", PAST)
    script = sigstore_script(folder, "v1")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        plan = load_script(script, now=PAST)
        list(run_ceremony(plan, RehearsalOperator(), clock=lambda: PAST))
    bundle = folder / "v1"
    assert verify_bundle(bundle, at=PAST + timedelta(days=1)).ok  # sound while it lasted
    return bundle


def test_an_expired_root_is_refused_by_verify_and_both_clients(expired, tmp_path, monkeypatch):
    lines = verify_bundle(expired).lines()
    assert any(line.startswith("metadata/1.root.json: expired ") for line in lines), lines
    assert any(
        line.startswith("mirror/timestamp.json: expired ") and "clients refuse it" in line
        for line in lines
    ), lines

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = expired / "client" / "root.json"
    ng = tmp_path / "ng"
    (ng / "targets").mkdir(parents=True)
    with served(expired / "mirror") as url:
        updater = Updater(
            str(ng), url, str(ng / "targets"), f"{url}/targets/", bootstrap=root.read_bytes()
        )
        with pytest.raises(ExpiredMetadataError, match="Final root.json is expired"):
            updater.refresh()
        with pytest.raises(TUFError, match="Failed to refresh TUF metadata") as refused:
            ClientTrustConfig.from_tuf(url, bootstrap_root=root)
    causes = []
    error: BaseException | None = refused.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(cause, ExpiredMetadataError) for cause in causes), causes
    assert not list((ng / "targets").iterdir())
    assert not list((tmp_path / "data").rglob("trusted_root.json"))
