"""Bundles on media: writing them whole, and reading them back as hostile input."""
