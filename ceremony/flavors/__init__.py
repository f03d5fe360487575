"""The flavors: one package each, registered by name in ``ceremony/flavor.py``."""
