"""What the run screen's step pane says about keys, tokens and the bundle.

Each function turns one engine event into the words of a note on the step
pane: the key card for a key made, imported, opened or recovered (its key id
in groups to read aloud, and where it lives), a token unlocked or logged out
(its serial, to compare with the one on the token), the loud banner while a
YubiKey waits for a touch, and the transcript head once the bundle is sealed.
They draw nothing themselves and keep no state.
"""

from __future__ import annotations

from textual.content import Content

from ceremony import events as ev
from ceremony.tui.widgets import keyid_lines


def key_card(
    event: ev.KeyGenerated | ev.KeyImported | ev.KeyLoaded | ev.KeyRecovered, where: str
) -> Content:
    """A key just made or opened: what it is, ``where`` it lives (empty: not said), its id."""
    if isinstance(event, ev.KeyGenerated):
        holder = f" for {event.holder}" if event.holder else ""
        head = f"New key {event.key}{holder} ({event.algorithm})"
    elif isinstance(event, ev.KeyImported):
        head = f"Imported key {event.key} ({event.algorithm})"
    elif isinstance(event, ev.KeyRecovered):
        roles = ", ".join(event.current_roles) or "no role of the current root"
        head = f"Recovered key {event.key} from custody ({roles})"
    else:
        head = f"Opened key {event.key}"
    lines = keyid_lines(event.keyid)
    return Content.assemble(
        (head + "\n", "bold"),
        *([("where ", "$text-muted"), (where + "\n", "bold")] if where else []),
        ("\n".join(lines) + "\n", "$text-accent"),
        ("short id ", "$text-muted"),
        (event.keyid[:8], "bold"),
        ("  (k: all keys with QR codes)", "$text-muted"),
    )


def token_unlocked(event: ev.TokenLoggedIn) -> Content:
    """A token logged in: its model and serial, to compare with the token and the log."""
    return Content.assemble(
        (f"Token {event.token} unlocked\n", "bold"),
        f"{event.model} by {event.manufacturer}, serial ",
        (event.serial, "bold"),
        f", firmware {event.firmware}.\n",
        ("Compare the serial with the one on the token and in the paper "
         "log. It stays logged in "
         "until the ceremony ends.", "$text-muted"),
    )


def token_closed(event: ev.TokenClosed) -> Content:
    """A token logged out, and the keys kept on it."""
    return Content.assemble(
        (f"Token {event.token} logged out", "bold"),
        f" (serial {event.serial}); keys kept on it: "
        f"{', '.join(event.keys) or 'none'}.",
    )


def touch_banner(event: ev.TouchRequested) -> Content:
    """The engine waits for a touch of a YubiKey: say so loudly."""
    return Content.assemble(
        ("TOUCH YOUR YUBIKEY NOW\n", "bold"),
        (f"{event.message[:1].upper()}{event.message[1:]}.\n", ""),
        ("Its light blinks until it is touched; the keyholder checks it is the "
         "one in front of them.", "not bold"),
    )


def sealed(event: ev.BundleSealed) -> Content:
    """The bundle is sealed: the transcript head, to read aloud."""
    return Content.from_markup(
        "[b]Bundle sealed.[/b] Transcript head, to read aloud:\n$head",
        head="\n".join(keyid_lines(event.transcript_head)),
    )
