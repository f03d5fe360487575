"""Sign a request from another sitting: one keyholder's signing sitting.

The keyholder gives the request folder, their own copy of the current
bundle, the keys they sign with and where the signature file goes. The
screen shows the request as ``ceremony inspect`` does, its digest in groups
to read aloud by phone, and whether it extends the bundle they hold. Ctrl+R
runs the core's sitting (ceremony/sittings/sign.py) on the run screen, so
each passphrase or PIN is asked in the run screen's masked prompt, never in
a field here; the summary then says where the signature file was written.
"""

from __future__ import annotations

from textual.app import ComposeResult

from ceremony.errors import CeremonyError
from ceremony.tui.paths import typed_path
from ceremony.tui.screens.sitting import SittingScreen, row, said
from ceremony.tui.widgets import OnOff


class SignScreen(SittingScreen):
    TITLE_TEXT = "Sign a request from another sitting"
    RUN = ("Sign", "Signing", "Sign the checked request; each passphrase is asked masked")

    INTRO = ("Enter reads the request and checks it extends your copy of the current bundle. "
             "Compare its digest with the coordinator by phone, then Ctrl+R signs: each "
             "passphrase or PIN is asked in a masked prompt.")
    FIELDS = (
        ("Keys", "sign-keys", "root-alice, root-dave=pkcs11:… or =FILE"),
        ("Who sits", "sign-sitting", "for the record (default: the key names)"),
        ("Signature to", "sign-output", "/media/…/alice.sig.json (new)"),
    )

    def more_fields(self) -> ComposeResult:
        yield row("", OnOff("QR codes too", False, id="sign-qr", compact=True))

    def start(self) -> None:
        from ceremony.sittings.qr_route import refuse_past_codes
        from ceremony.sittings.sign import KeyChoice, refuse_outputs_taken, requested_keys
        from ceremony.tui.sittings import signing_source

        request, folder, current = self.request, self.folder, self.current
        assert request is not None and folder is not None and current is not None  # ready
        keys_text = self.value("sign-keys")
        output_text = self.value("sign-output")
        if not keys_text:
            self.problem("Name the keys you sign with (Keys): NAME, or NAME=WHERE.")
            return
        if not output_text:
            self.problem("Say where the signature file goes (Signature to): a new file.")
            return
        output = typed_path(output_text, self.app.workdir)
        qr = self.query_one("#sign-qr", OnOff).value
        try:
            keys = [KeyChoice.parse(item) for item in keys_text.split(",")]
            refuse_outputs_taken(output, qr=qr)
            if qr:  # as the sitting itself does, before the run screen
                refuse_past_codes(request.payloads, requested_keys(request, keys), str(folder))
        except CeremonyError as error:
            self.problem(said(error))
            return
        sitting = self.value("sign-sitting") or ", ".join(k.name for k in keys)
        self.run_sitting(
            signing_source(request, folder, current=current, keys=keys, sitting=sitting,
                           output=output, qr=qr, clock=self.app.clock),
            f"Signing sitting · {request.title}", verify=False,
        )
