"""The parts of a draft ceremony script, one module each (custody, ...).

Each part holds what its form shows as typed, and writes its block of the
YAML through draft.py's ``put``, naming the form field every YAML path came
from. None judges anything: the script loader does. Imports no UI toolkit.
"""
