"""The errors of the verification layer: what it found unusable on the media.

They never reach an operator as they are: verify turns each into a problem
line naming the file, and inspect into a BundleError (ceremony/errors.py).
"""

from __future__ import annotations


class MalformedJSONError(ValueError):
    """The bytes are not JSON this tool accepts; the message says why."""


class UnusableKeyError(ValueError):
    """A key object that cannot be used to check signatures; says why."""


class TooManyFilesError(Exception):
    """A bundle folder holds more files and folders than any bundle: reading stops."""
