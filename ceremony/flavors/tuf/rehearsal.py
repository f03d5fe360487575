"""The TUF rehearsal: ``ceremony rehearse`` on embedded defaults.

Four ceremonies with software keys into a new folder (rehearsal_scripts.py):
a bootstrap with custody, a delegation, a root rotation and a recovery from
the custodians' shares; with ``--backend softhsm``, three with root keys on a
throwaway SoftHSM token (rehearsal_softhsm.py). The folder gets the scripts,
a stand-in CI public key (its private half is never kept), folders standing
in for the custody media, the bundles and a README saying it is a rehearsal;
every bundle is verified at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ceremony.bundle.files import write_new
from ceremony.engine import utc_now
from ceremony.events import Event
from ceremony.flavors.tuf.rehearsal_scripts import MEDIA, SCRIPTS
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import default_folder, new_folder, run_scripts
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


def rehearse_tuf(
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


def stand_in_ci_key(folder: Path) -> None:
    """A repository key 'made by CI': only its public half is kept."""
    key = SoftwareKey.generate(ALGORITHMS["ed25519"])
    (folder / "ci").mkdir()
    write_new(folder / "ci" / "repo-beta.pub.pem", key.facts().public_pem.encode())
    key.close()
