"""TUF metadata that more than one flavor signs: a lower layer than the flavors.

The TUF flavor and the Sigstore flavor both sign python-tuf metadata (a
Sigstore instance's trust root is a TUF repository). Flavors may not import
each other, so what both use lives here, once: the ceremony's TUF work
(work.py), signing against thresholds (signing.py) and the bytes and events
of a built file (metadata.py). Nothing here knows a flavor by name.
"""
