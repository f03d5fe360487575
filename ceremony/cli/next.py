"""``ceremony next BUNDLE --kind renew|rotate-root [--replace KEYS] [--guns GUNS] [--at DATE]
-o SCRIPT``.

Writes the next ceremony's script from the newest bundle, to be reviewed,
validated and run like any other (ceremony/lifecycle/next.py does the work).
"""

from __future__ import annotations

import os

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import SUMMARIES, path_text

TYPE_CHECKING = False
if TYPE_CHECKING:  # a plain next command line is read without argparse (quick.py)
    import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ceremony.cli.dates import parse_date

    command = sub.add_parser("next", help=SUMMARIES["next"])
    # paths as pathlib writes them, as text (quick.py): next loads no pathlib
    command.add_argument("bundle", type=path_text, metavar="BUNDLE", help="the newest bundle")
    command.add_argument("--kind", required=True, choices=("renew", "rotate-root"),
                         help="renew: same keys, new expiries; rotate-root: replace keys")
    command.add_argument("--replace", metavar="KEYS",
                         help="rotate-root: roles or key names to replace, comma-separated "
                              "(default: the policy's rotation roles, else targets, snapshot "
                              "and timestamp)")
    command.add_argument("--guns", metavar="GUNS",
                         help="DCT: the GUNs to write the script for, comma-separated: one "
                              "group of GUNs sharing their root keys (default: every GUN)")
    command.add_argument("--at", type=parse_date, metavar="DATE",
                         help="as at this date (default now): whether the root has expired")
    command.add_argument("-o", "--output", type=path_text, required=True, metavar="SCRIPT",
                         help="the script to write (never over an existing file)")


def next_command(args: argparse.Namespace) -> int:
    from ceremony.lifecycle.next import next_script_text, write_script

    replace = None
    if args.replace:
        replace = tuple(item.strip() for item in args.replace.split(",") if item.strip())
    guns = tuple(item.strip() for item in (args.guns or "").split(",") if item.strip())
    script = os.path.join(os.getcwd(), args.output)  # Path.absolute(), as text
    text = next_script_text(args.bundle, args.kind, script, replace=replace, at=args.at,
                            guns=guns)
    write_script(args.output, text)
    print(f"wrote {args.output}: review it, then `ceremony validate {args.output}`")
    return ExitCode.OK
