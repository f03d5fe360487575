"""``python -m ceremony``: the same as the ``ceremony`` command."""

from ceremony.cli import main

raise SystemExit(main())
