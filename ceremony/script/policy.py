"""``policy:``: when a root must be renewed and how often each role's keys are replaced.

```yaml
policy:
  renewal-margin: 30d      # ceremony status warns (exit 1) from expiry minus this
  critical-margin: 7d      # and exits 2 from expiry minus this
  rotation: {timestamp: 90d, snapshot: 90d, targets: 90d}   # quarterly
```

Every kind takes it; the bundle keeps the script (ceremony.yaml), so
``ceremony status`` and ``ceremony next`` read the same policy from the
newest bundle (:func:`policy_in_script`, which reads only this block).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from ceremony.plain_record import PlainRecord
from ceremony.script.expiry import length_of
from ceremony.script.yamlload import Located, load_written_yaml

POLICY_FIELDS = ("renewal-margin", "critical-margin", "rotation")
_LENGTH_TODO = "Write a length: 30d, 12w or 1y"


class Policy(PlainRecord):
    """When to act (``policy:``): renew this long before an expiry (warning
    from ``renewal_margin``, critical from ``critical_margin``), and replace
    each role's keys this often (``rotation``, by role: quarterly is 90d).
    A Plan's ``policy``; defined here, not in plan.py, so that ``ceremony status``
    reads a bundle's policy without loading the Plan's classes."""

    renewal_margin: timedelta = timedelta(days=30)
    critical_margin: timedelta = timedelta(days=7)
    rotation: Mapping[str, timedelta] = {}  # a new dict for each Policy (PlainRecord)


def read_policy(located: Located) -> Policy:
    fields = located.fields(
        POLICY_FIELDS, (),
        todo="Write policy: {renewal-margin: 30d, critical-margin: 7d, "
        "rotation: {timestamp: 90d}}",
    )
    defaults = Policy()
    renewal = _length(fields["renewal-margin"]) if "renewal-margin" in fields else None
    critical = _length(fields["critical-margin"]) if "critical-margin" in fields else None
    policy = Policy(
        renewal_margin=defaults.renewal_margin if renewal is None else renewal,
        critical_margin=defaults.critical_margin if critical is None else critical,
        rotation={name: _length(value) for name, value in fields["rotation"].entries()}
        if "rotation" in fields else {},
    )
    if policy.critical_margin > policy.renewal_margin:
        raise located.error(
            "the critical margin is longer than the renewal margin",
            "Make critical-margin shorter: status warns first, then turns critical",
        )
    return policy


def _length(located: Located) -> timedelta:
    length = length_of(located.value) if isinstance(located.value, str) else None
    if length is None:
        raise located.expected("a length (30d, 12w, 1y)", _LENGTH_TODO)
    return length


def policy_in_script(text: str, label: str) -> Policy | None:
    """The ``policy:`` of a script's text (a bundle's ceremony.yaml), read as
    strictly as the loader reads it; None when it has none."""
    top = Located(load_written_yaml(text, label), "", 1, label)
    block = top.get("policy") if isinstance(top.value, dict) else None
    return None if block is None else read_policy(block)

