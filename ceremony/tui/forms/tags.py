"""Tags for the rows of the build form's tables, unique for the process.

A row's field ids carry its tag (``key-<tag>-name``), so a row added or
removed never makes two fields with one id.
"""

from __future__ import annotations

import itertools

_tags = itertools.count(1)


def next_tag() -> str:
    return str(next(_tags))
