"""The run screen's log shows preflight's checks of many GUNs as `ceremony
validate` does: those that say the same as one line, the others one each."""

from __future__ import annotations

from ceremony import events as ev
from ceremony.operator import SecretRequest
from ceremony.tui.modals.secret import SecretModal

from .conftest import play, wait_for
from .fakes import started


def gun(number: int) -> str:
    return f"registry.example.com/fleet/repo-{number:05d}"


def fleet(operator):
    """Preflight's checks of 40 GUNs, one of them apart, then a question."""
    yield from started()[:2]
    for n in range(40):
        detail = "bad key file" if n == 9 else "the server's timestamp key read from media"
        yield ev.PreflightChecked(f"server keys {gun(n)}", n != 9, detail, "", gun(n), "GUN")
    yield ev.PreflightChecked("free space", True, "plenty")
    operator.secret(SecretRequest("passphrase/root-dave", "root-dave", "Passphrase for root-dave",
                                  new=True))
    operator.leaving.wait(30)


def test_the_log_shows_alike_checks_of_many_guns_as_one_line(still_app):
    async def check(app, pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, SecretModal), "the passphrase")
        log = app.run_screen.query_one("#log")
        lines = ["".join(segment.text for segment in strip).strip() for strip in log.lines]
        text = " ".join(lines)  # as wrapped to the log's width
        assert text.count("server keys") == 2
        assert (f"[ok] server keys, 39 GUNs ({gun(0)}, {gun(1)}, {gun(2)} and 36 more): the "
                "server's timestamp key read from media [FAIL] server keys "
                f"{gun(9)}: bad key file [ok] free space: plenty") in text

    play(still_app, fleet, check, (400, 40))
