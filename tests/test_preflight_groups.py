"""Preflight's checks of many GUNs, as a person reads them: alike checks one line.

A DCT script may list thousands of GUNs, and its preflight checks each. `ceremony
validate`, the headless run and the terminal UI show the checks that say the
same for many GUNs as one line (how many, the first GUNs, what is wrong and
what to do), and every check that says something else on its own line, naming
its GUN; the events, and so the transcript, keep one check for each GUN.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given
from hypothesis import strategies as st
from test_dct_fleet_size import bootstrap, gun, run_bootstrap

from ceremony.check_groups import LEAST, grouped
from ceremony.cli import main
from ceremony.engine.preflight import preflight
from ceremony.events import PreflightChecked
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.script.load import load_script

FLEET = 2_700
MISSING = (
    "the Notary server's timestamp key for <GUN> is not on the media. Run "
    "scripts/dct-fetch-keys for this GUN on the online side and bring the media back; "
    "nothing was signed"
)


def server_keys(folder: Path, guns: list[str]) -> None:
    for name in guns:
        (folder / "server-keys" / name).mkdir(parents=True)
        for role in ("timestamp", "snapshot"):
            key = key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            (folder / "server-keys" / name / f"{role}.key").write_text(json.dumps(key.to_dict()))


def test_validate_shows_a_fleet_without_its_server_keys_in_a_few_lines(tmp_path, capsys):
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap([gun(n) for n in range(FLEET)]))
    assert main(["validate", str(script)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) < 25
    (line,) = [line for line in out.splitlines() if "[FAIL]" in line]
    assert line == (
        f"   [FAIL] server keys, 2,700 GUNs ({gun(0)}, {gun(1)}, {gun(2)} and 2,697 more): "
        f"{tmp_path}/server-keys/<GUN>/timestamp.key: {MISSING}"
    )
    assert err == "ceremony: 2,700 preflight problem(s); nothing was done\n"
    assert "Traceback" not in out + err


def test_the_gun_whose_key_file_is_broken_is_named_among_many_fine(tmp_path, capsys):
    guns = [gun(n) for n in range(60)]
    server_keys(tmp_path, guns)
    broken = [guns[7], guns[30], guns[59]]
    for name in broken:
        (tmp_path / "server-keys" / name / "timestamp.key").write_text("not a key\n")
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap(guns))
    assert main(["validate", str(script)]) == 1
    out, err = capsys.readouterr()
    fine = [line for line in out.splitlines() if "[ok] server keys" in line]
    assert fine == [
        f"   [ok] server keys, 57 GUNs ({gun(0)}, {gun(1)}, {gun(2)} and 54 more): the "
        "server's timestamp and snapshot key read from media"
    ]
    failed = [line for line in out.splitlines() if "[FAIL]" in line]
    assert [line.split(":")[0] for line in failed] == [
        f"   [FAIL] server keys {name}" for name in broken
    ]
    for name, line in zip(broken, failed, strict=True):
        assert f"{tmp_path}/server-keys/{name}/timestamp.key" in line
    assert err == "ceremony: 3 preflight problem(s); nothing was done\n"


def test_each_distinct_problem_is_its_own_line_with_its_guns(tmp_path, capsys):
    guns = [gun(n) for n in range(12)]
    server_keys(tmp_path, guns[:6])  # six fine, six missing; one of the fine broken
    (tmp_path / "server-keys" / guns[2] / "timestamp.key").write_text("not a key\n")
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap(guns))
    assert main(["validate", str(script)]) == 1
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if "server keys" in line]
    assert lines[0].startswith(f"   [ok] server keys, 5 GUNs ({gun(0)}, {gun(1)}, {gun(3)}, "
                               f"{gun(4)} and {gun(5)}): ")
    assert lines[1].startswith(f"   [FAIL] server keys {gun(2)}: ")
    assert lines[2] == (
        f"   [FAIL] server keys, 6 GUNs ({gun(6)}, {gun(7)}, {gun(8)} and 3 more): "
        f"{tmp_path}/server-keys/<GUN>/timestamp.key: {MISSING}"
    )
    assert len(lines) == 3
    assert err == "ceremony: 7 preflight problem(s); nothing was done\n"


def test_the_checks_and_their_records_stay_one_for_each_gun(tmp_path):
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap([gun(n) for n in range(FLEET)]))
    result = preflight(load_script(script))
    per_gun = [check for check in result.checks if check.subject]
    assert [check.check for check in per_gun] == [f"server keys {gun(n)}" for n in range(FLEET)]
    assert len(result.failures) == FLEET
    assert per_gun[5].record() == {  # the transcript's form: no grouping, no hint fields
        "event": "preflight-checked",
        "check": f"server keys {gun(5)}",
        "ok": False,
        "detail": f"{tmp_path}/server-keys/{gun(5)}/timestamp.key: "
        + MISSING.replace("<GUN>", gun(5)),
        "reason": "",
    }


def test_a_real_transcript_keeps_a_preflight_line_for_each_gun(tmp_path):
    guns = [gun(n) for n in range(LEAST + 1)]
    run_bootstrap(tmp_path / "fleet", guns, 1)
    lines = [json.loads(line) for line in
             (tmp_path / "fleet" / "out" / "transcript.jsonl").read_text().splitlines()]
    checks = [line for line in lines if line["event"] == "preflight-checked"
              and line["check"].startswith("server keys")]
    assert [line["check"] for line in checks] == [f"server keys {name}" for name in guns]
    assert all(set(line) == {"event", "check", "ok", "detail", "reason", "seq", "prev", "time"}
               for line in checks)  # the display's hints are not recorded


def test_the_headless_run_shows_the_fleet_grouped_and_stops(tmp_path, capsys):
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap([gun(n) for n in range(40)]))
    assert main(["run", "--yes", str(script)]) == 3
    out, err = capsys.readouterr()
    assert f"   [FAIL] server keys, 40 GUNs ({gun(0)}, {gun(1)}, {gun(2)} and 37 more): " in out
    assert out.count("server keys") == 2  # the line, and the step's failure
    assert err.startswith(f"ceremony: preflight found 40 problem(s): server keys, 40 GUNs "
                          f"({gun(0)}, {gun(1)}, {gun(2)} and 37 more): ")
    assert "Traceback" not in out + err


def test_the_terminal_ui_shows_the_fleet_grouped(tmp_path):
    from ceremony.tui.screens.script import preflight_text

    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap([gun(n) for n in range(FLEET)]))
    text = str(preflight_text(preflight(load_script(script))))
    assert text.count("server keys") == 1
    assert (f"✗ server keys, 2,700 GUNs ({gun(0)}, {gun(1)}, {gun(2)} and 2,697 more): "
            f"{tmp_path}/server-keys/<GUN>/timestamp.key: ") in text
    assert "2,700 problem(s): fix them before running." in text


# -- the grouping itself --------------------------------------------------------

ITEMS = st.sampled_from([f"g{n}" for n in range(8)])
CHECKS = st.lists(
    st.one_of(
        st.builds(lambda s, ok, d: PreflightChecked(f"keys {s}", ok, d.replace("*", s), "", s,
                                                    "GUN"),
                  ITEMS, st.booleans(), st.sampled_from(["fine", "bad *", "* gone", "odd"])),
        st.builds(lambda ok: PreflightChecked("output", ok, "free"), st.booleans()),
    ),
    max_size=40,
)


@given(CHECKS)
def test_grouped_lines_stand_for_every_check_and_only_alike_ones(checks):
    shown = grouped(checks)
    singles = [c for c in shown if c.subject or not c.check.startswith("keys,")]
    lines = [c for c in shown if not c.subject and c.check.startswith("keys,")]
    counted = sum(int(c.check.split(", ")[1].split()[0]) for c in lines)
    assert len(singles) + counted == len(checks)
    assert [c for c in checks if not c.subject] == [c for c in singles if not c.subject]
    assert sum(not c.ok for c in singles) + sum(
        int(c.check.split(", ")[1].split()[0]) for c in lines if not c.ok
    ) == sum(not c.ok for c in checks)
    for line in lines:  # every check it stands for says its words, its GUN for <GUN>
        count = int(line.check.split(", ")[1].split()[0])
        assert count >= LEAST
        named = line.check.split(" (", 1)[1].rstrip(")").split(" and ")[0].split(", ")
        for name in named:
            assert any(c.subject == name and c.ok == line.ok
                       and c.detail == line.detail.replace("<GUN>", name) for c in checks)


def test_fewer_than_a_few_alike_checks_stay_one_line_each():
    checks = [PreflightChecked(f"keys g{n}", False, f"g{n} gone", "", f"g{n}", "GUN")
              for n in range(LEAST - 1)]
    assert grouped(checks) == checks
    more = [*checks, PreflightChecked("keys g9", False, "g9 gone", "", "g9", "GUN")]
    (line,) = grouped(more)
    assert (line.check, line.ok, line.detail, line.subject) == (
        "keys, 4 GUNs (g0, g1, g2 and g9)", False, "<GUN> gone", "")
