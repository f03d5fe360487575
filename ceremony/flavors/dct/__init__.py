"""The Docker Content Trust flavor: Notary v1 metadata for many GUNs at once.

Its answers to the Flavor interface, and ``FLAVOR``, are in flavor.py.
"""
