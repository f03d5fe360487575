"""Metadata formats: TUF 1.0 (through python-tuf) and Notary v1 (``notary``)."""
