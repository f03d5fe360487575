"""Ceremony scripts: reviewed YAML files loaded strictly into a Plan."""
