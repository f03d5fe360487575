"""An expired root is refused by ``ceremony verify`` and by the clients, side by side.

A root cannot be written already expired (the script's checks refuse an expiry
that is not in the future, and the root must outlive every role it signs), so
the bootstrap here gives every role an expiry a little after the run and the
test waits for it to pass: then the same bundle is judged by ``ceremony
verify``, python-tuf's ngclient and sigstore-python, over loopback HTTP, and
all three refuse it; neither client stores anything it was served.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sigstore.errors import TUFError
from sigstore.models import ClientTrustConfig
from tuf.api.exceptions import ExpiredMetadataError
from tuf.ngclient import Updater

from ceremony.cli import main
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.verify import verify_bundle
from tests.sigstore_instance import PASS, served, sigstore_script
from tests.witness import witnessed

WINDOW = timedelta(seconds=45)  # longer than the run takes on a busy machine


@pytest.fixture(scope="module")
def expired(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sigstore-expired")
    now = datetime.now(UTC)
    write_standins(folder / "trust", now)
    end = (now + WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")
    script = sigstore_script(folder, "v1")
    text = script.read_text()
    for length in ("1y", "180d", "7d"):
        text = text.replace(f"expires: {length}", f"expires: {end}")
    script.write_text(text)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        assert main(witnessed(["run", str(script), "--yes"])) == 0
    bundle = folder / "v1"
    assert verify_bundle(bundle).ok  # sound while it lasted
    while datetime.now(UTC) <= now + WINDOW + timedelta(seconds=1):
        time.sleep(0.5)
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
