"""``ceremony rehearse --sittings``: a root rotation signed in three sittings.

A bootstrap (root-alice, root-bob, root-carol, threshold 2) in one room;
then dave makes his new root key at a sitting of his own (only its public
key travels); the coordinator writes the signing request for root version 2
(root-alice and root-dave, threshold 2); alice and bob sign it together
from their copy of the bundle; dave signs it with his key file; the sealer
seals the bundle from the two signature files, and it is verified. Every
sitting's output is in its own folder of the rehearsal, as it would be on
its own medium.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ceremony.bundle.files import write_new
from ceremony.describe import grouped
from ceremony.events import BundleVerified, Event, SittingFinished
from ceremony.flavors.tuf.rehearsal_scripts import BOOTSTRAP as TUF_REHEARSAL_BOOTSTRAP
from ceremony.operator import SecretRequest
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import default_folder, new_folder, run_scripts
from ceremony.script.load import load_script
from ceremony.sittings.request import make_request
from ceremony.sittings.request_file import write_request
from ceremony.sittings.seal import seal_request
from ceremony.sittings.sign import KeyChoice, sign_request
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

README = """\
REHEARSAL - NOT FOR PRODUCTION

Made by `ceremony rehearse --sittings`: a root rotation signed in three
sittings. Its keys were made with random passphrases that existed only in
memory: they can never be opened again and must never be trusted. Read
2-rotate-root.yaml for a script signed in sittings, `ceremony inspect
media/request` for the request, and run `ceremony verify` on the bundles.
"""

# the embedded rehearsal's bootstrap, in one room, without its custody section
BOOTSTRAP = "# Rehearsal 1 of 2: a new TUF root in one room.\n" + (
    TUF_REHEARSAL_BOOTSTRAP.split("\n", 1)[1].split("custody:\n")[0]
)

ROTATE = """\
# Rehearsal 2 of 2: root version 2, signed in three sittings (ceremony request, sign, seal).
format: 1
ceremony: rotate-root
flavor: tuf
title: Rehearsal - rotate the root in three sittings
rehearsal: true
current: 1-bootstrap
output: 2-rotate-root
request-expires: 14d
sign-with: [root-alice, root-bob]
keyholders: [{name: dave}]
keys:
  - {name: root-dave, holder: dave, import: media/root-dave.pem}
roles:
  root: {keys: [root-alice, root-dave], threshold: 2, expires: 1y}
spare-keys: none
accept-risk: a rehearsal root that every key must sign
"""


def rehearse_in_sittings(
    folder: Path | None, *, clock: Callable[[], datetime]
) -> Iterator[Event]:
    folder = new_folder(folder or default_folder(clock()), README)
    operator = RehearsalOperator()
    yield from run_scripts(folder, (("1-bootstrap.yaml", BOOTSTRAP),), operator, clock)
    media = folder / "media"
    media.mkdir()
    dave = folder / "dave"
    dave.mkdir()
    key = SoftwareKey.generate(ALGORITHMS["ed25519"])  # dave's own sitting: his new key
    passphrase = operator.secret(SecretRequest("passphrase/root-dave", "root-dave", ""))
    write_new(dave / "root-dave.age", key.encrypt(passphrase.reveal()))
    write_new(media / "root-dave.pem", key.facts().public_pem.encode())
    key.close()
    yield SittingFinished("dave makes his key", str(media / "root-dave.pem"))

    write_new(folder / "2-rotate-root.yaml", ROTATE.encode())
    request = make_request(load_script(folder / "2-rotate-root.yaml", now=clock()), clock)
    write_request(request, media / "request")
    yield SittingFinished(f"request, digest {grouped(request.digest)}", str(media / "request"))

    alice = folder / "alice-and-bob"
    shutil.copytree(folder / "1-bootstrap", alice / "current")  # their own copy
    files = []
    for who, keys, current in (
        ("alice and bob", [KeyChoice("root-alice"), KeyChoice("root-bob")], alice / "current"),
        ("dave", [KeyChoice("root-dave", str(dave / "root-dave.age"))], folder / "1-bootstrap"),
    ):
        signed = sign_request(request, media / "request", current=current, keys=keys,
                              operator=operator, clock=clock, sitting=who)
        path = media / f"{who.replace(' ', '-')}.sig.json"
        write_new(path, signed.to_bytes())
        files.append(path)
        yield SittingFinished(who, str(path))
    output = folder / "2-rotate-root"
    yield from seal_request(request, media / "request", files, output=output,
                            current=folder / "1-bootstrap", clock=clock)
    report = verify_bundle(output, at=clock())
    yield BundleVerified(str(output), tuple(str(p) for p in report.problems))
