"""The one error the kit builder raises: what went wrong and what to do."""


class KitError(Exception):
    """Building the kit cannot go on; the message says why and what to do."""
