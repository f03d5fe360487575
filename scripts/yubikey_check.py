"""Check the whole YubiKey path of `ceremony` against a real YubiKey, and say a verdict.

Run by someone holding a YubiKey (firmware 5.7 or later for Ed25519 and RSA
3072/4096), through ``scripts/yubikey-check --serial N``. It uses the same
code a ceremony uses (hsm.yubikey, through yubikit and pcscd) and checks, in
order: pcscd answers and the YubiKey is found; its firmware, form factor,
tries left and factory credentials are read without a PIN; a key is
generated in an EMPTY retired slot (95 unless --slot says otherwise; a slot
that holds a key is never touched) with PIN policy once and touch always;
its attestation is read and verified against the PINNED Yubico roots (the
hierarchy and chain are printed: "Yubico Attestation Root 1" for firmware
5.7.4 and later); the PIN is verified; the key signs TUF root metadata and
python-tuf verifies the signature; then the test key is deleted again
(firmware 5.7 can delete a key; --keep leaves it). The management key and
PIN are typed at the terminal, never on the command line, and never printed.
The last line is the verdict: PASS or FAIL with the step that failed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from tuf.api.metadata import Metadata, Root

from hsm.errors import KeyBackendError
from hsm.yubikey import PivApplet, list_yubikeys, open_yubikey, piv_slot
from hsm.yubikey.key_types import parse_firmware


def run_check(serial: str, *, slot: str, algorithm: str, ask: Callable[[str], str],
              say: Callable[[str], None], keep: bool = False) -> bool:
    """Run every step; True when all passed. ``ask(prompt)`` reads a secret."""
    step = "finding the YubiKey over pcscd"
    made = None
    applet = None
    try:
        seen = list_yubikeys()
        say(f"YubiKeys seen: {', '.join(i.serial for i in seen) or 'none'}")
        applet = PivApplet(open_yubikey(serial), production=False)
        info = applet.device.info
        say(f"YubiKey {info.serial}: firmware {info.firmware}, {info.form_factor}"
            f"{', FIPS series' if info.fips else ''}")
        if (parse_firmware(info.firmware) or (0,)) < (5, 7, 4):
            say("note: firmware before 5.7.4 attests under Yubico PIV Root CA Serial 263751")

        step = "reading tries left and factory credentials (no PIN)"
        tries, factory = applet.tries_left(), applet.credentials().refusals()
        say(f"PIN tries left {tries.pin}, PUK tries left {tries.puk}; factory credentials "
            f"still set: {', '.join(factory) or 'none'}")

        step = f"checking slot {slot} is empty"
        chosen = piv_slot(slot)
        if applet.slot_metadata(chosen) is not None:
            raise KeyBackendError(f"slot {chosen.name} already holds a key",
                                  "choose an empty retired slot with --slot (82 to 95)")

        step = f"generating an {algorithm} key in slot {chosen.name} (touch policy always)"
        management = ask(f"Management key of YubiKey {info.serial} (hex): ")
        made = applet.generate(chosen.name, algorithm, management_key=management,
                               pin_policy="once", touch_policy="always")
        say(f"generated: {algorithm} key in slot {chosen.name}")

        step = "verifying the attestation against the pinned Yubico roots"
        attestation = applet.attest(chosen.name, made.public_key, algorithm=algorithm)
        say(f"attested under {attestation.hierarchy}")
        say("chain: " + " <- ".join(attestation.chain))
        say(f"attested serial {attestation.serial}, firmware {attestation.firmware}, PIN "
            f"{attestation.pin_policy}, touch {attestation.touch_policy}; compare the serial "
            "with the one printed on the YubiKey")
        if not attestation.pinned:
            raise KeyBackendError("the attestation did not chain to a pinned Yubico root")

        step = "verifying the PIN"
        applet.login(ask(f"PIN of YubiKey {info.serial}: "))

        step = "signing TUF root metadata (touch the YubiKey when it blinks)"
        signer = applet.open_slot_key(chosen.name, made.public_key, attestation=attestation,
                                      on_touch=lambda text: say(text))
        root = Root()
        root.add_key(signer.public_key, Root.type)
        metadata = Metadata(root)
        metadata.sign(signer)
        metadata.signed.verify_delegate(Root.type, metadata.signed_bytes, metadata.signatures)
        say("signature verified by python-tuf")
    except (KeyBackendError, ValueError) as error:
        say(f"FAIL: {step}: {error}")
        return False
    finally:
        if applet is not None and made is not None and not keep:
            _delete(applet, slot, ask, say)
        if applet is not None:
            applet.close()
    say(f"PASS: YubiKey {serial} made, attested and signed with an {algorithm} key through "
        "yubikit")
    return True


def _delete(applet: PivApplet, slot: str, ask: Callable[[str], str],
            say: Callable[[str], None]) -> None:
    from yubikit.piv import SLOT

    try:
        applet._authenticate(ask("Management key again, to delete the test key: "))
        applet.call("deleting the test key", applet.piv.delete_key, SLOT(int(slot, 16)))
        say(f"the test key in slot {slot} was deleted")
    except KeyBackendError as error:
        say(f"could not delete the test key in slot {slot}: {error} (ykman piv keys delete "
            f"{slot} removes it)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serial", required=True, help="the YubiKey's serial number")
    parser.add_argument("--slot", default="95", help="an EMPTY retired slot (default 95)")
    parser.add_argument("--algorithm", default="ed25519",
                        choices=["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072", "rsa-4096"])
    parser.add_argument("--keep", action="store_true", help="keep the test key afterwards")
    args = parser.parse_args(argv)
    ok = run_check(args.serial, slot=args.slot, algorithm=args.algorithm,
                   ask=getpass.getpass, say=print, keep=args.keep)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
