"""A root's whole life after its ceremony: when each role expires, when to renew.

``lifetime.py`` is what a flavor says of the metadata at a path (role,
version, expiry); ``status.py`` judges those against the renewal margins
(``ceremony status``). Nothing here prints, and no flavor is named: each is
asked through the Flavor interface (ceremony/flavor.py).
"""
