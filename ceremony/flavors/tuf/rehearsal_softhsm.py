"""The rehearsal on SoftHSM: root keys on a throwaway token (`--backend softhsm`).

Two SoftHSM tokens are made for the rehearsal in a private temporary
directory with its own ``softhsm2.conf`` (hsm.pkcs11.rehearsal, run in a
child process as scripts/softhsm-token does, the PINs handed over in that
process's environment only): ``rehearsal-root`` holds the root keys,
generated on it, and ``rehearsal-backup`` receives a copy of the targets
key. Their PINs are random and exist only in this process; the rehearsal
Operator answers the PIN requests from memory. Four ceremonies run
(bootstrap, delegate, rotate-root signed by the token keys, and a
decommission that destroys bob's root key on the token) and each bundle is
verified; then the directory, tokens and all, is removed.

SoftHSM reads its configuration once per process, so this must run in a
process that has not loaded SoftHSM yet (the ``ceremony`` command is one).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ceremony.engine import utc_now
from ceremony.errors import CeremonyError
from ceremony.events import Event
from ceremony.flavors.tuf.rehearsal import stand_in_ci_key
from ceremony.flavors.tuf.rehearsal_scripts import DELEGATE as SOFTWARE_DELEGATE
from ceremony.operator import Secret, SecretKind, SecretRequest
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import default_folder, new_folder, run_scripts
from hsm.pkcs11.module import is_loaded
from hsm.pkcs11.rehearsal import write_softhsm_config

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"  # hsm.pkcs11.rehearsal.SOFTHSM_MODULE
ROOT_TOKEN = "rehearsal-root"
BACKUP_TOKEN = "rehearsal-backup"

README = """\
REHEARSAL ON SOFTHSM - NOT FOR PRODUCTION

Made by `ceremony rehearse --backend softhsm`. The root keys were generated on
a throwaway SoftHSM token ("rehearsal-root"), the targets key was also
imported into a second one ("rehearsal-backup"); both tokens lived in a
temporary directory that was removed at the end, with their random PINs. The
software keys were encrypted to random passphrases that existed only in
memory. Nothing here can sign again: it is practice. Read the scripts
(*.yaml) to see how keys on a token are written, and run `ceremony verify` on
any bundle folder.
"""

BOOTSTRAP = """\
# Rehearsal 1 of 4 (SoftHSM): a new TUF root, its root keys made on a token.
format: 1
ceremony: bootstrap
flavor: tuf
title: Rehearsal on SoftHSM - bootstrap a TUF root (3 root keys on a token, threshold 2)
rehearsal: true                  # SoftHSM keeps its keys in files: never in production
output: 1-bootstrap
keyholders:
  - name: alice
  - name: bob
  - name: carol
  - name: online-team
keys:
  - {name: root-alice, holder: alice, algorithm: ecdsa-p256, backend: pkcs11,
     module: MODULE, token-label: rehearsal-root}
  - {name: root-bob, holder: bob, algorithm: ecdsa-p256, backend: pkcs11,
     module: MODULE, token-label: rehearsal-root}
  - {name: root-carol, holder: carol, algorithm: ed25519, backend: pkcs11,
     module: MODULE, token-label: rehearsal-root}
  - name: targets                # made in software, a copy imported into a backup token
    holder: online-team
    algorithm: ed25519
    backup-tokens:
      - {module: MODULE, token-label: rehearsal-backup}
  - {name: snapshot, holder: online-team, algorithm: ed25519}
  - {name: timestamp, holder: online-team, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 180d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
pins:                            # typed by the keyholder, once per token per ceremony
  rehearsal-root: prompt
  rehearsal-backup: prompt
bags:                            # each serial typed as the bag is sealed
  seal:
    - {name: root-token-bag, holds: "token rehearsal-root"}
    - {name: backup-token-bag, holds: "token rehearsal-backup"}
"""

# The same delegation as the software rehearsal's, named for this one (without the
# software bootstrap's bags: this bootstrap seals its tokens' bags instead).
DELEGATE = SOFTWARE_DELEGATE.replace("2 of 4:", "2 of 4 (SoftHSM):").replace(
    "title: Rehearsal -", "title: Rehearsal on SoftHSM -"
).split("\nbags:")[0] + "\n"

ROTATE = """\
# Rehearsal 3 of 4 (SoftHSM): root version 2, signed by two root keys on the token.
format: 1
ceremony: rotate-root
flavor: tuf
title: Rehearsal on SoftHSM - rotate the root (replace a root key and the timestamp key)
rehearsal: true
current: 2-delegate
output: 3-rotate-root
sign-with: [root-alice, root-carol]   # opened on the token by their recorded URI and public key
keyholders:
  - name: dave
  - name: online-team
keys:
  - {name: root-dave, holder: dave, algorithm: ecdsa-p256, backend: pkcs11,
     module: MODULE, token-label: rehearsal-root}
  - {name: timestamp-2, holder: online-team, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-bob, root-dave], threshold: 2, expires: 1y}
  timestamp: {keys: [timestamp-2], threshold: 1, expires: 7d}
"""


DECOMMISSION = """\
# Rehearsal 4 of 4 (SoftHSM): root version 3 without bob's key, then that key is
# destroyed on the token and the token read back to prove it gone.
format: 1
ceremony: decommission
flavor: tuf
title: Rehearsal on SoftHSM - decommission bob's root key (destroyed on the token)
rehearsal: true
current: 3-rotate-root
output: 4-decommission
sign-with: [root-alice, root-dave]    # the root keeps alice and dave: threshold 2 still met
destroy: [root-bob]
"""


def scripts(module: str) -> tuple[tuple[str, str], ...]:
    """The four rehearsal scripts, naming ``module`` for the tokens."""
    return tuple(
        (name, text.replace("MODULE", module))
        for name, text in (
            ("1-bootstrap.yaml", BOOTSTRAP),
            ("2-delegate.yaml", DELEGATE),
            ("3-rotate-root.yaml", ROTATE),
            ("4-decommission.yaml", DECOMMISSION),
        )
    )


class TokenRehearsalOperator(RehearsalOperator):
    """The rehearsal Operator, who also knows the throwaway tokens' PINs."""

    def __init__(self, pins: dict[str, str]) -> None:
        super().__init__()
        self._pins = dict(pins)
        self.pin_requests: list[str] = []

    def secret(self, request: SecretRequest) -> Secret:
        if request.kind is SecretKind.PIN:
            self.pin_requests.append(request.id)
            return Secret(self._pins[request.id.removeprefix("pin/")])
        return super().secret(request)


@contextmanager
def throwaway_tokens(module: str, labels: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Tokens ``labels`` in a private temporary SoftHSM directory, made the
    current SOFTHSM2_CONF; yields their user PINs; removes it all after."""
    if is_loaded(module):  # SoftHSM reads its configuration once per process
        raise CeremonyError(
            "SoftHSM is already loaded in this process with another configuration",
            todo="run `ceremony rehearse --backend softhsm` as a command of its own",
        )
    if not os.path.exists(module):
        raise CeremonyError(
            f"SoftHSM2 is not installed ({module} is missing)",
            todo="install it (Debian: apt install softhsm2), or rehearse with "
            "`ceremony rehearse` (software keys)",
        )
    directory = Path(tempfile.mkdtemp(prefix="ceremony-softhsm-rehearsal-"))
    before = os.environ.get("SOFTHSM2_CONF")
    try:
        config = write_softhsm_config(directory)
        pins = {label: secrets.token_urlsafe(18) for label in labels}
        for label in labels:
            _make_token(module, config, label, pins[label])
        os.environ["SOFTHSM2_CONF"] = str(config)
        yield pins
    finally:
        if before is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = before
        shutil.rmtree(directory, ignore_errors=True)


def _make_token(module: str, config: Path, label: str, user_pin: str) -> None:
    import hsm

    top = str(Path(hsm.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "SOFTHSM2_CONF": str(config),
        "SOFTHSM_SO_PIN": secrets.token_urlsafe(18),  # never needed again
        "SOFTHSM_USER_PIN": user_pin,
        "PYTHONPATH": os.pathsep.join(filter(None, [top, os.environ.get("PYTHONPATH")])),
    }
    made = subprocess.run(
        [sys.executable, "-m", "hsm.pkcs11.rehearsal", module, label],
        env=env, capture_output=True, text=True, check=False,
    )
    if made.returncode != 0:
        raise CeremonyError(
            f"the rehearsal token {label!r} could not be made: "
            + (made.stderr.strip().splitlines() or ["no reason given"])[-1],
            todo="check that SoftHSM2 works (softhsm2-util --show-slots), then run again",
        )


def rehearse_on_softhsm(
    folder: Path | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    module: str = SOFTHSM_MODULE,
) -> Iterator[Event]:
    """The whole rehearsal with root keys on a throwaway SoftHSM token."""
    folder = folder or default_folder(clock())
    with throwaway_tokens(module, (ROOT_TOKEN, BACKUP_TOKEN)) as pins:
        folder = new_folder(folder, README)
        stand_in_ci_key(folder)
        yield from run_scripts(folder, scripts(module), TokenRehearsalOperator(pins), clock)
