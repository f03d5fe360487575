"""``ceremony rehearse``: every ceremony of a flavor, made and verified in a folder.

With ``--flavor`` (the first flavor by default) and ``--backend`` (software
or SoftHSM keys) or ``--sittings`` (a request, signatures and a seal, as
people would sit), the flavor's rehearsal runs and each bundle it makes is
verified; with ``--lifecycle``, the TUF lifecycle (bootstrap, expiry,
renewal, rotation, calendar). The exit code says whether every bundle
verifies. Called by main.py.
"""

from __future__ import annotations

import sys

from ceremony.cli.ceremonies import show
from ceremony.cli.exit_codes import ExitCode

# False when the program runs, true for mypy (which reads the name itself)
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Iterator

    from ceremony.events import BundleVerified, Event


def rehearse_command(args: argparse.Namespace) -> int:
    from ceremony.errors import UnknownFlavorError
    from ceremony.events import BundleVerified
    from ceremony.flavor import flavor_named, flavor_names

    names = flavor_names()
    if args.lifecycle:
        return _rehearse_lifecycle(args)
    try:
        flavor = flavor_named(args.flavor or names[0])
    except UnknownFlavorError:
        print(
            f"ceremony: no flavor is called {args.flavor!r}; the flavors are: {', '.join(names)}",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if args.sittings:
        if "sittings" not in flavor.rehearsal_backends:
            print(f"ceremony: --flavor {flavor.name} is not rehearsed in sittings yet",
                  file=sys.stderr)
            return ExitCode.USAGE
        args.backend = "sittings"
    if args.backend not in flavor.rehearsal_backends:
        keys = " or ".join(b for b in flavor.rehearsal_backends if b != "sittings")
        print(f"ceremony: --flavor {flavor.name} rehearses with {keys} keys only", file=sys.stderr)
        return ExitCode.USAGE
    verified: list[BundleVerified] = []

    def watch(events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, BundleVerified):
                verified.append(event)
            yield event

    show(watch(flavor.rehearse(args.out, backend=args.backend)))
    if all(v.ok for v in verified):
        from pathlib import Path

        folder = Path(verified[-1].path).parent
        print(
            f"\nRehearsal complete: {len(verified)} ceremonies "
            f"({flavor.rehearsal_words(args.backend)}), every bundle verifies. Results in {folder}"
        )
        return ExitCode.OK
    return ExitCode.PROBLEMS


def _rehearse_lifecycle(args: argparse.Namespace) -> int:
    from ceremony.events import BundleVerified, PreflightChecked
    from ceremony.rehearsal.lifecycle import rehearse_lifecycle

    if (args.flavor or "tuf") != "tuf" or args.backend != "software":
        print("ceremony: --lifecycle rehearses TUF with software keys only", file=sys.stderr)
        return ExitCode.USAGE
    judged: list[bool] = []

    def watch(events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, BundleVerified | PreflightChecked):
                judged.append(event.ok)
            yield event

    show(watch(rehearse_lifecycle(args.out)))
    if judged and all(judged):
        print("\nLifecycle rehearsal complete: bootstrap, expiry, renewal, rotation, calendar; "
              "every bundle verifies and every status is as expected.")
        return ExitCode.OK
    return ExitCode.PROBLEMS
