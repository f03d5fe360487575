"""The TUF flavor: root, targets, snapshot and timestamp metadata through python-tuf.

Its answers to the Flavor interface, and ``FLAVOR``, are in flavor.py.
"""
