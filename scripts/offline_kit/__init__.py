"""The offline kit builder behind ``scripts/offline-kit`` (see ``__main__``).

Run on a connected machine only; nothing here is installed with the tool.
"""
