"""Hostile input, case by case: scripts, operator files, bundles and shares (issue 10)."""
