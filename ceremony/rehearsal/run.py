"""Running the whole rehearsal into a fresh folder, then verifying it.

The folder must not exist; it gets the four scripts, a stand-in CI public
key (its private half is never kept), three folders standing in for the
custody media (two for the custody bundle's copies, one for the share
sheets), the four bundles, and a README that says this is a rehearsal.
Each bundle is verified at the end.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from ceremony.bundle.files import write_new
from ceremony.engine import run_ceremony, utc_now
from ceremony.errors import MediaError
from ceremony.events import BundleVerified, Event
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.scripts import MEDIA, SCRIPTS
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

README = """\
REHEARSAL - NOT FOR PRODUCTION

Made by `ceremony rehearse`. The keys here were made with random passphrases
that existed only in memory during the rehearsal: they can never be opened
again and must never be trusted. The one way back to the root keys is the
custody bundle (custody-a/, custody-b/) and the share sheets in
custody-sheets/: the fourth ceremony uses three of them to recover. In a real
ceremony the sheets are printed, handed out and the files destroyed. Read
the scripts (*.yaml) to see how a real ceremony is written, and run
`ceremony verify` on any bundle folder.
"""


def default_folder(now: datetime) -> Path:
    return Path.cwd() / f"rehearsal-{now.strftime('%Y%m%d-%H%M%S')}"


def rehearse(
    folder: Path | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    operator: RehearsalOperator | None = None,
) -> Iterator[Event]:
    folder = new_folder(folder or default_folder(clock()), README)
    stand_in_ci_key(folder)
    for medium in MEDIA:  # stand-ins for the custody media
        (folder / medium).mkdir()
    yield from run_scripts(folder, SCRIPTS, operator or RehearsalOperator(), clock)


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
    folder: Path, scripts, operator, clock: Callable[[], datetime]
) -> Iterator[Event]:
    """Write each (name, text) script into ``folder``, run it, then verify
    every bundle the scripts made."""
    from ceremony.script.load import load_script
    from ceremony.verify import verify_bundle

    bundles = []
    for name, text in scripts:
        script = folder / name
        write_new(script, text.encode())
        plan = load_script(script, now=clock())
        yield from run_ceremony(plan, operator, clock=clock)
        bundles.append(plan.output)
    for bundle in bundles:
        report = verify_bundle(bundle, at=clock())
        yield BundleVerified(str(bundle), tuple(str(p) for p in report.problems))


def stand_in_ci_key(folder: Path) -> None:
    """A repository key 'made by CI': only its public half is kept."""
    key = SoftwareKey.generate(ALGORITHMS["ed25519"])
    (folder / "ci").mkdir()
    write_new(folder / "ci" / "repo-beta.pub.pem", key.facts().public_pem.encode())
    key.close()
