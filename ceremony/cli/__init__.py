"""The headless front end: ``ceremony run|validate|verify|inspect|rehearse|tokens``.

``main`` is the console script. With no command it opens the terminal UI.
"""

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.main import build_parser, main

__all__ = ["ExitCode", "build_parser", "main"]
