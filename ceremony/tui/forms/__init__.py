"""The parts of the build form, one module each (custody, ...).

Each part draws the fields of one part of a draft (ceremony/tui/drafts/) and
reads them back as typed; the build screen judges the whole form with the
script loader and shows each message next to the field it names.
"""
