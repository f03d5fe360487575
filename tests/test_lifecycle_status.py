"""``ceremony status``: every role's expiry judged around each boundary, as a monitor calls it.

The states and exit codes are table-tested at the renewal margin, the
critical margin, the expiry and the expiry's own second, and the expired
rule is held to python-tuf's own (``Metadata.signed.is_expired``) on the
same file. Bundles, published repository folders, single files and DCT
bundles are read; a path that cannot be read exits 3 with its name.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from bundle_factory import make_bundle
from online_repo import publish
from test_inspect_dct import GUNS
from test_inspect_dct import bundle as dct_bundle  # noqa: F401  (a fixture)
from tuf.api.metadata import Metadata

from ceremony.cli import main
from ceremony.lifecycle.status import Margin, Margins, exit_code, judge
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

EXPIRES = datetime(2027, 6, 1, 12, 0, 0, tzinfo=UTC)
SECOND, DAY = timedelta(seconds=1), timedelta(days=1)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return make_bundle(tmp_path_factory.mktemp("status") / "b", versions=2, expires=EXPIRES).path


# (moment relative to the expiry, state, exit code): margins 30 days and 7 days
BOUNDARIES = [
    (-30 * DAY - SECOND, "fine", 0),
    (-30 * DAY, "renew", 1),  # the renew-by date itself: time to renew
    (-7 * DAY - SECOND, "renew", 1),
    (-7 * DAY, "critical", 2),
    (-SECOND, "critical", 2),
    (timedelta(0), "expired", 2),  # the expiry's own second is expired (python-tuf)
    (400 * DAY, "expired", 2),
]


@pytest.mark.parametrize(("offset", "state", "code"), BOUNDARIES)
def test_each_boundary_gives_its_state_and_exit_code(bundle, offset, state, code):
    at = EXPIRES + offset
    statuses = judge([bundle], at=at)
    assert [s.lifetime.role for s in statuses] == ["root", "targets"]
    assert {s.state for s in statuses} == {state}
    assert exit_code(statuses) == code
    assert main(["status", str(bundle), "--at", at.isoformat()]) == code


@pytest.mark.parametrize("offset", [-DAY, -SECOND, timedelta(0), SECOND])
def test_expired_is_python_tufs_rule(bundle, offset):
    at = EXPIRES + offset
    root = Metadata.from_file(str(bundle / "metadata" / "2.root.json"))
    (status,) = [s for s in judge([bundle], at=at) if s.lifetime.role == "root"]
    assert (status.state == "expired") is root.signed.is_expired(at)


def test_json_says_version_expiry_days_left_and_renew_by(bundle, capsys):
    at = EXPIRES - 20 * DAY - timedelta(hours=1)
    assert main(["status", str(bundle), "--at", at.isoformat(), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    root = out["roles"][0]
    assert out["exit_code"] == 1
    assert root == {
        "path": str(bundle), "file": str(bundle / "metadata" / "2.root.json"),
        "role": "root", "scope": None, "version": 2, "expires": "2027-06-01T12:00:00Z",
        "days_left": 20, "renew_by": "2027-05-02T12:00:00Z", "state": "renew",
    }


def test_margins_from_the_command_line(bundle, capsys):
    at = EXPIRES - 40 * DAY
    assert main(["status", str(bundle), "--at", at.isoformat()]) == 0
    assert main(["status", str(bundle), "--at", at.isoformat(), "--margin", "45"]) == 1
    assert main(["status", str(bundle), "--at", at.isoformat(), "--critical", "root=41"]) == 2
    capsys.readouterr()
    assert main(["status", str(bundle), "--at", at.isoformat(), "--margin", "root=45",
                 "--json"]) == 1
    states = {r["role"]: r["state"] for r in json.loads(capsys.readouterr().out)["roles"]}
    assert states == {"root": "renew", "targets": "fine"}


def test_text_shows_a_row_per_role(bundle, capsys):
    main(["status", str(bundle), "--at", "2027-05-30"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["path", "role", "version", "expires", "days", "left",
                                "renew", "by", "state"]
    assert lines[1].split()[1:] == ["root", "2", "2027-06-01T12:00:00Z", "2", "2027-05-02",
                                    "CRITICAL"]


def test_a_published_repository_folder_and_single_files(bundle, tmp_path):
    key = SoftwareKey.generate(ALGORITHMS["ed25519"])
    repo = publish(bundle, tmp_path / "repo", key, key)  # snapshot, timestamp: 1 day
    statuses = judge([repo])
    assert [(s.lifetime.role, s.lifetime.version) for s in statuses] == [
        ("root", 2), ("targets", 1), ("snapshot", 1), ("timestamp", 1)]
    # a day's expiry is fine online (12 hours' margin), critical for a root-like margin
    assert {s.state for s in statuses} == {"fine"}
    assert exit_code(judge([repo], margins=Margins(online=Margin(2 * DAY, DAY)))) == 2
    (single,) = judge([repo / "timestamp.json"])
    assert single.lifetime.role == "timestamp"


def test_a_dct_bundle_has_a_root_and_targets_per_gun(dct_bundle):  # noqa: F811
    statuses = judge([dct_bundle])
    assert [(s.lifetime.name, s.lifetime.version) for s in statuses] == [
        (f"{gun} {role}", 1) for gun in GUNS for role in ("root", "targets")]
    assert 725 <= statuses[0].days_left <= 731 and exit_code(statuses) == 0


def test_an_unreadable_path_exits_3_naming_it(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "junk.json").write_text("{not json")
    assert main(["status", str(tmp_path / "empty")]) == 3
    assert "no root metadata here" in capsys.readouterr().err
    assert main(["status", str(tmp_path / "junk.json")]) == 3
    err = capsys.readouterr().err
    assert "junk.json" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["status", str(tmp_path), "--margin", "soon"])


def test_calendar_lists_each_roles_dates_in_order(bundle, capsys):
    at = EXPIRES - 10 * DAY
    assert main(["calendar", str(bundle), "--text", "--at", at.isoformat()]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["date", "what", "role", "version", "path"]
    body = [line.split() for line in lines[1:]]
    assert [(row[0], row[-3]) for row in body if "root" in row] == [
        ("2027-05-02", "root"), ("2027-05-25", "root"), ("2027-06-01", "root")]
    past = [row for row in body if "(past)" in row]
    assert {" ".join(row[3:5]) for row in past} == {"renew by"} and len(past) == 2


def test_calendar_ics_is_an_icalendar_with_alarms_written_once(bundle, dct_bundle, tmp_path,  # noqa: F811
                                                                capsys):
    ics = tmp_path / "renewals.ics"
    assert main(["calendar", str(bundle), str(dct_bundle), "--ics", str(ics)]) == 0
    assert "wrote 18 dates" in capsys.readouterr().out
    data = ics.read_bytes()
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)  # CRLF, folded
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 3 * 2 + 3 * 2 * len(GUNS)  # root, targets; per GUN root, targets
    assert len({str(e["UID"]) for e in events}) == len(events)
    root = sorted((e for e in events if "root (version 2)" in str(e["SUMMARY"])),
                  key=lambda e: e.decoded("DTSTART"))
    assert [(e.decoded("DTSTART"), str(e["CATEGORIES"].to_ical().decode())) for e in root] == [
        (EXPIRES - 30 * DAY, "renew by"), (EXPIRES - 7 * DAY, "critical from"),
        (EXPIRES, "expires")]
    assert str(root[0]["SUMMARY"]) == "Renew by: root (version 2)"
    assert f"ceremony status {bundle}" in str(root[0]["DESCRIPTION"])
    triggers = [[a.decoded("TRIGGER") for a in e.walk("VALARM")] for e in root]
    assert triggers == [[-7 * DAY, -DAY], [-DAY], [-14 * DAY, -DAY]]
    dct = [str(e["SUMMARY"]) for e in events if "org/app root" in str(e["SUMMARY"])]
    assert sorted(dct)[0] == f"Critical: {GUNS[0]} root (version 1) expires in 7 days"
    # the same dates again: the same UIDs (a calendar program updates, not copies)
    again = tmp_path / "again.ics"
    assert main(["calendar", str(bundle), str(dct_bundle), "--ics", str(again)]) == 0
    assert {str(e["UID"]) for e in icalendar.Calendar.from_ical(again.read_bytes())
            .walk("VEVENT")} == {str(e["UID"]) for e in events}
    # never over a file, never a part of one
    capsys.readouterr()
    assert main(["calendar", str(bundle), "--ics", str(ics)]) == 3
    assert "already there" in capsys.readouterr().err and ics.read_bytes() == data
    assert main(["calendar", str(bundle), "--ics", str(tmp_path / "no" / "x.ics")]) == 3
    assert "could not be written" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.ics", "renewals.ics"]


def test_rehearse_lifecycle_shows_a_roots_whole_life(tmp_path, capsys):
    out = tmp_path / "life"
    assert main(["rehearse", "--lifecycle", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "exit 2 (expected 2): root v1 expired, targets v1 expired" in text
    assert "Lifecycle rehearsal complete" in text
    renew = (out / "2-renew.yaml").read_text()
    assert "current-root-expired: renew" in renew and "targets-expires" in renew
    rotate = (out / "3-rotate.yaml").read_text()
    assert "snapshot-2" in rotate and "timestamp-2" in rotate and "root-alice" in rotate
    calendar = icalendar.Calendar.from_ical((out / "calendar.ics").read_bytes())
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} >= {
        "Renew by: root (version 3)", "Expires: root (version 3)"}
    assert main(["rehearse", "--lifecycle", "--flavor", "dct", "--out", str(tmp_path / "x")]) == 2
    assert "TUF with software keys only" in capsys.readouterr().err
