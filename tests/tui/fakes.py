"""A scripted event stream for screenshots: a root rotation, with fixed ids.

It uses no keys and no clock, so every screenshot is the same. ``until``
names where it pauses: after the rotation's meters, at a passphrase prompt,
or at a failure.
"""

from __future__ import annotations

from ceremony import events as ev
from ceremony.errors import CeremonyError
from ceremony.operator import Confirmation, SecretRequest

KEYID_ALICE = "25649aef6c9b78d5605ec76ba8541002ed5d294a25604e95a4a501fdb71febe7"
KEYID_DAVE = "9c1e77b03f2a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
HEAD = "ca5312e5f4ca9da2eda090518f955cbf61188c45ffb420eec2b03ec475817499"
STEPS = (
    "preflight", "open-keys", "new-keys", "root-metadata", "targets-metadata", "write-media",
    "summary",
)


def started() -> list[ev.Event]:
    return [
        ev.CeremonyStarted(
            ceremony_id="20261130T090000Z-rotate-root-4da4a8f5",
            kind="rotate-root",
            flavor="tuf",
            title="Rotation of the example.org root",
            script_sha256="3f2a9c1e77b0" * 5 + "abcd",
            rehearsal=False,
            tool_version="0.1.0",
            steps=STEPS,
        ),
        ev.StepStarted("preflight", "Check the room and the plan",
                       "Read the script's sha256 aloud; a witness compares it with the "
                       "reviewed copy.",
                       "No network cable plugged in; wireless off; only this ceremony's media "
                       "inserted."),
        ev.PreflightChecked("script", True, "sha256 3f2a9c1e77b0…"),
        ev.PreflightChecked("air gap", True, "no network interface is up but loopback"),
        ev.PreflightChecked(
            "current bundle", True, "root version 1 at /media/keys/2026-11-bootstrap verifies"
        ),
        ev.OperatorConfirmed("Does this sha256 match the reviewed copy of the script?", "yes"),
        ev.StepFinished("preflight"),
        ev.StepStarted("open-keys", "Open the current root keys that sign today",
                       "Each keyholder named, in turn, types their passphrase."),
    ]


def opened() -> list[ev.Event]:
    return [
        ev.KeyLoaded("root-alice", KEYID_ALICE, "age-file:keys/offline/root-alice.age"),
        ev.StepFinished("open-keys"),
        ev.StepStarted("new-keys", "Make or import the new keys", "",
                       "Each new keyholder writes down the short key id shown for their key."),
        ev.KeyGenerated("root-dave", KEYID_DAVE, "ed25519", "software",
                        "age-file:keys/offline/root-dave.age", holder="dave"),
        ev.KeyStored("root-dave", KEYID_DAVE, "keys/offline/root-dave.age", "age-scrypt"),
        ev.StepFinished("new-keys"),
        ev.StepStarted("root-metadata", "Build and sign the next root version", "",
                       "Both thresholds, current root and new root, show as met."),
        ev.MetadataBuilt("root", 2, "2027-11-30T09:00:00Z", "ab" * 32),
        # as the engine counts: both meters at 0, then after each signature
        ev.ThresholdMet("root", 2, "old", 0, 2),
        ev.ThresholdMet("root", 2, "new", 0, 2),
        ev.SignatureAdded("root", 2, "root-alice", KEYID_ALICE),
        ev.ThresholdMet("root", 2, "old", 1, 2),
        ev.ThresholdMet("root", 2, "new", 1, 2),
        ev.SignatureAdded("root", 2, "root-dave", KEYID_DAVE),
        ev.ThresholdMet("root", 2, "new", 2, 2),
    ]


SIGNING = 14  # opened()[:SIGNING]: one signature in, the meters at 1 of 2


def fake_rotation(until: str):
    """A source for RunScreen: ``until`` is "running", "signing" (one
    signature in), "meters", "write" (the typed confirmation, meters met),
    "secret", "failed", "sealing" (fails writing the bundle) or "end"."""

    def source(operator):
        yield from started()
        if until == "secret":
            operator.secret(SecretRequest("passphrase/root-alice", "root-alice",
                                          "Passphrase for key root-alice (keyholder alice)"))
        events = opened()
        if until == "running":
            yield from events[:5]
            _wait(operator)
        if until == "signing":
            yield from events[:SIGNING]
            _wait(operator)
        yield from events
        if until == "meters":
            _wait(operator)
        if until == "write":
            yield ev.StepFinished("root-metadata")
            yield ev.StepStarted("write-media", "Write the bundle")
            operator.confirm(Confirmation(
                "confirm/write", "Write the bundle to /media/keys/2026-11-30-rotate-root?",
                "Every signature is checked. After this the keys in memory are destroyed.",
                typed_word="write",
            ))
            _wait(operator)
        if until == "failed":  # as the engine does: say so, clean up, then raise
            error = CeremonyError(
                "root version 2 has 1 signature, threshold 2 (1 more needed) from the current root "
                "(version 1)",
                todo="bring the keyholders of root-bob, root-carol and add them to sign-with",
            )
            yield ev.StepFailed("root-metadata", str(error))
            yield ev.CeremonyAbandoned(
                str(error),
                transcript="/media/keys/2026-11-30-rotate-root.abandoned-20261130T090000Z.jsonl",
            )
            raise error
        yield ev.StepFinished("root-metadata")
        if until == "sealing":  # every step done; writing the bundle fails, as seal() may
            error = CeremonyError("the bundle does not verify in staging: root.json is unsigned")
            for step in STEPS[4:]:
                yield ev.StepStarted(step, step.replace("-", " ").capitalize())
                yield ev.StepFinished(step)
            yield ev.CeremonyFinished("/media/keys/2026-11-30-rotate-root", {})
            yield ev.StepFailed("summary", str(error))
            yield ev.CeremonyAbandoned(str(error), transcript="/media/keys/attempt.jsonl")
            raise error
        yield from custody()
        yield ev.CeremonyFinished("/media/keys/2026-11-30-rotate-root", {
            "root_version": 2, "root_expires": "2027-11-30T09:00:00Z",
            "roles": {  # not in the order the summary shows them: it orders them itself
                "timestamp": {"threshold": 1, "keys": ["online 55667788"]},
                "targets": {"threshold": 1, "keys": ["targets 11223344"]},
                "snapshot": {"threshold": 1, "keys": ["online 55667788"]},
                "root": {"threshold": 2, "keys": ["root-alice 25649aef", "root-bob 0a1b2c3d",
                                                  "root-dave 9c1e77b0"]},
            },
            "targets_version": 1, "targets_expires": "2027-05-29T09:00:00Z"})
        yield ev.BundleSealed("/media/keys/2026-11-30-rotate-root", HEAD, "de" * 32)
        yield ev.BundleVerified("/media/keys/2026-11-30-rotate-root")

    return source


def _wait(operator) -> None:
    """Hold the stream here (as a long step would) until the screen goes."""
    operator.leaving.wait(30)


def custody() -> list[ev.Event]:
    """The new root keys sealed into custody: two copies, 3 of 5 shares handed
    out, a test restore from shares other than the first."""
    copies = ("/media/alice/KEYS-1/custody-4da4a8f5.age", "/media/bob/KEYS-2/custody-4da4a8f5.age")
    return [
        ev.CustodySealed("20261130T090000Z-rotate-root-4da4a8f5", ("root-dave",), (KEYID_DAVE,),
                         "cd" * 32, copies, "any 3 of 5 shares", set_id=7),
        ev.ShareSheetsWritten("/media/alice/KEYS-1/sheets",
                              tuple(f"share-{n:02}.pdf" for n in range(1, 6))),
        *[ev.ShareHandedOut(n, 5, who, read_back=True)
          for n, who in enumerate(("alice", "bob", "carol", "dave", "erin"), 1)],
        ev.RestoreTested("20261130T090000Z-rotate-root-4da4a8f5", (2, 4, 5), copies,
                         ("root-dave",)),
    ]
