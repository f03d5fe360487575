"""Running a flavor's rehearsal scripts into a fresh folder, then verifying them.

Every flavor's rehearsal (``Flavor.rehearse``) makes a new folder with a
README that says it is a rehearsal, writes its embedded scripts into it for
people to read, prints each one's run sheet before running it and its
record after (``NAME-runsheet.pdf`` and ``NAME-record.pdf``, each with its
``.txt``), runs each with the rehearsal Operator, and verifies every bundle it
made; this module does those parts for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from ceremony.bundle.files import write_new
from ceremony.engine import run_ceremony
from ceremony.errors import MediaError
from ceremony.events import BundleVerified, Event
from ceremony.operator import Operator
from ceremony.records.files import write_document
from ceremony.records.record import record_document
from ceremony.records.runsheet import runsheet_document
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle


def default_folder(now: datetime) -> Path:
    return Path.cwd() / f"rehearsal-{now.strftime('%Y%m%d-%H%M%S')}"


def new_folder(folder: Path, readme: str) -> Path:
    """Create the rehearsal folder (it must not exist) with its README."""
    folder = folder.absolute()
    try:
        folder.mkdir(mode=0o755)
    except FileExistsError:
        raise MediaError(
            f"{folder} already exists", todo="name a new folder with --out, or move that one"
        ) from None
    except OSError as error:
        raise MediaError(f"cannot create {folder}: {error.strerror}") from None
    write_new(folder / "README-REHEARSAL.txt", readme.encode())
    return folder


def run_scripts(
    folder: Path,
    scripts: Iterable[tuple[str, str]],
    operator: Operator,
    clock: Callable[[], datetime],
) -> Iterator[Event]:
    """Write each (name, text) script into ``folder``, print its run sheet,
    run it, print its record, then verify every bundle the scripts made."""
    bundles: list[Path] = []
    for name, text in scripts:
        script = folder / name
        write_new(script, text.encode())
        plan = load_script(script, now=clock())
        write_document(runsheet_document(plan), folder / f"{script.stem}-runsheet.pdf")
        yield from run_ceremony(plan, operator, clock=clock)
        write_document(record_document(plan.output), folder / f"{script.stem}-record.pdf")
        bundles.append(plan.output)
    for bundle in bundles:
        report = verify_bundle(bundle, at=clock())
        yield BundleVerified(str(bundle), tuple(str(p) for p in report.problems))
