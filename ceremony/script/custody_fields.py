"""Reading the custody parts of a script: ``custody:`` and ``recover-from:``.

load.py calls these for the kinds that have the fields (bootstrap and
rotate-root: ``custody``; recover: all three). Like the rest of the loader
they read strictly, name the file, line and dotted path in every error, and
never touch the filesystem: whether the media exist, are writable and are
separate devices is preflight's job (engine/custody_preflight.py). What the
fields mean together (thresholds, custodians, risks) is checked in
custody_checks.py.
"""

from __future__ import annotations

from pathlib import Path

from ceremony.printable import unprintable
from ceremony.script.plan import CustodySpec, PassphraseSource, RecoverFromSpec
from ceremony.script.values import read_passphrase, read_path
from ceremony.script.yamlload import Located

MODES = ("shares", "passphrase-only")
PAPER = ("A4", "Letter")
MAX_CUSTODIAN = 60  # characters of a custodian's name, as printed on the sheet
# The risks a passphrase-only custody bundle takes, accepted by name (docs/reference/scripts.md).
RISKS = ("one-person-recovers", "forgotten-means-lost", "offline-guessing")
SHARES_FIELDS = ("mode", "media", "sheets", "shares", "custodians", "slip39-passphrase", "paper")
PASSPHRASE_FIELDS = ("mode", "media", "passphrase", "accept-risks")
RECOVER_FROM_FIELDS = ("copies", "slip39-passphrase", "passphrase")

_HINTS = {
    "media": "Add media: two or more folders, each on its own removable medium, "
    "e.g. [/media/custody-a, /media/custody-b]",
    "sheets": "Add sheets: a folder on another medium than the bundle copies, for the "
    "share sheets to print",
    "shares": "Add shares: how the custodians' shares recover the bundle, e.g. "
    "{threshold: 3, of: 5}",
    "accept-risks": "Add accept-risks: [" + ", ".join(RISKS) + "] after reading each risk "
    "in docs/reference/scripts.md",
    "copies": "Add copies: the custody bundle's copies (or the media folders holding them), "
    "e.g. [/media/custody-a, /media/custody-b]",
    "threshold": "Add threshold: how many shares recover the bundle",
    "of": "Add of: how many shares are made, one per custodian",
    "groups": "Add groups: a list of {threshold: M, of: N}, one per group",
    "groups-needed": "Add groups-needed: how many groups must each reach their threshold",
}


def read_custody(located: Located, base_dir: Path) -> CustodySpec:
    """The ``custody:`` section of a bootstrap, rotate-root or recover."""
    located.mapping(
        "Write custody as a mapping: media, sheets, shares (see docs/reference/scripts.md)"
    )
    mode_field = located.get("mode")
    mode = mode_field.choice(MODES) if mode_field is not None else "shares"
    _refuse_other_modes_fields(located, mode)
    if mode == "passphrase-only":
        fields = located.fields(
            PASSPHRASE_FIELDS, ("media", "accept-risks"), hints=_HINTS,
            todo="Write custody as {mode: passphrase-only, media: [...], accept-risks: [...]}",
        )
        passphrase = (
            read_passphrase("custody-passphrase", fields["passphrase"])
            if "passphrase" in fields else PassphraseSource()
        )
        return CustodySpec(
            mode=mode,
            media=_read_paths(fields["media"], base_dir),
            passphrase=passphrase,
            accepted_risks=_read_risks(fields["accept-risks"]),
            line=located.line,
        )
    fields = located.fields(
        SHARES_FIELDS, ("media", "sheets", "shares"), hints=_HINTS,
        todo="Write custody as {media: [...], sheets: PATH, shares: {threshold: M, of: N}}",
    )
    groups, group_threshold = _read_shares(fields["shares"])
    return CustodySpec(
        mode=mode,
        media=_read_paths(fields["media"], base_dir),
        sheets=read_path(fields["sheets"], base_dir),
        groups=groups,
        group_threshold=group_threshold,
        custodians=_read_custodians(fields["custodians"]) if "custodians" in fields else (),
        passphrase=(
            read_passphrase("slip39-passphrase", fields["slip39-passphrase"])
            if "slip39-passphrase" in fields else None
        ),
        paper=fields["paper"].choice(PAPER) if "paper" in fields else "A4",
        line=located.line,
    )


def _refuse_other_modes_fields(located: Located, mode: str) -> None:
    """A field of the other mode gets its own message, not "unknown field"."""
    own, other, other_mode = (
        (PASSPHRASE_FIELDS, SHARES_FIELDS, "shares")
        if mode == "passphrase-only" else (SHARES_FIELDS, PASSPHRASE_FIELDS, "passphrase-only")
    )
    for name in located.mapping():
        if name in other and name not in own:
            what = (
                f"a passphrase-only custody bundle has no {name} field: it makes no shares"
                if mode == "passphrase-only"
                else f"custody with shares has no {name} field (it belongs to "
                f"mode: {other_mode})"
            )
            raise located.required(name).error(what, f"Remove {name}:, or change mode:")


def _read_custodians(located: Located) -> tuple[str, ...]:
    """People's names as they are printed on their sheets ("Erin Vasquez"), one line each."""
    todo = "Write the custodians as a list of names, e.g. [Erin Vasquez, Frank Li]"
    names = tuple(" ".join(item.text(todo).split()) for item in located.items(todo))
    for item, name in zip(located.items(todo), names, strict=True):
        if len(name) > MAX_CUSTODIAN or not name.isprintable():
            raise item.error(f"a custodian's name is printed on their sheet: at most "
                             f"{MAX_CUSTODIAN} printable characters", todo)
        if unprintable(name, latin_only=True):  # the sheets' PDF fonts print Latin-1 only
            raise item.error(
                f"{name!r} has letters the share sheet's font cannot print (Latin-1 only)",
                "Write the name in Latin letters as it should appear on the sheet",
            )
    return names


def _read_paths(located: Located, base_dir: Path) -> tuple[Path, ...]:
    items = located.items("Write a list of folders, e.g. [/media/custody-a, /media/custody-b]")
    return tuple(read_path(item, base_dir) for item in items)


def _read_shares(located: Located) -> tuple[tuple[tuple[int, int], ...], int]:
    """``{threshold: M, of: N}``, or ``{groups-needed: G, groups: [{threshold, of}...]}``."""
    todo = "Write shares as {threshold: 3, of: 5}, or with groups (see docs/reference/scripts.md)"
    mapping = located.mapping(todo)
    if "groups" in mapping or "groups-needed" in mapping:
        fields = located.fields(("groups-needed", "groups"), ("groups-needed", "groups"),
                                hints=_HINTS, todo=todo)
        group_threshold = fields["groups-needed"].whole_number(
            "Write how many groups must reach their threshold, e.g. 2"
        )
        items = fields["groups"].items("Write the groups as a list of {threshold: M, of: N}")
        return tuple(_read_group(item) for item in items), group_threshold
    return (_read_group(located),), 1


def _read_group(located: Located) -> tuple[int, int]:
    fields = located.fields(("threshold", "of"), ("threshold", "of"), hints=_HINTS,
                            todo="Write {threshold: M, of: N}, e.g. {threshold: 3, of: 5}")
    threshold = fields["threshold"].whole_number("Write the threshold as a number, e.g. 3")
    count = fields["of"].whole_number("Write how many shares as a number, e.g. 5")
    return threshold, count


def _read_risks(located: Located) -> tuple[str, ...]:
    todo = "List each risk you accept by name: " + ", ".join(RISKS)
    if not isinstance(located.value, list):
        raise located.error(
            "a passphrase-only custody bundle takes risks that must be accepted one by one, "
            "by name, not with a single word",
            todo,
        )
    return tuple(item.choice(RISKS, todo) for item in located.items(todo))


def read_recover_from(located: Located, base_dir: Path) -> RecoverFromSpec:
    """``recover-from:``: the copies, and where the passphrase comes from."""
    fields = located.fields(
        RECOVER_FROM_FIELDS, ("copies",), hints=_HINTS,
        todo="Write recover-from as {copies: [FOLDER, FOLDER]}",
    )
    return RecoverFromSpec(
        copies=_read_paths(fields["copies"], base_dir),
        slip39_passphrase=(
            read_passphrase("slip39-passphrase", fields["slip39-passphrase"])
            if "slip39-passphrase" in fields else None
        ),
        passphrase=(
            read_passphrase("custody-passphrase", fields["passphrase"])
            if "passphrase" in fields else None
        ),
        line=located.line,
    )
