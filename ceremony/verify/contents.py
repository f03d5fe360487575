"""A bundle as read from media: the parsed input of the verification core.

The loader fills this in; the checks read only this, never the disk, so each
check can be tested on bytes made in memory.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles a string
# annotation, and a process's first compile() costs `ceremony verify` a millisecond
# (docs/design/performance.md, perfstart).

from typing import NamedTuple

from ceremony.verify.digest import sha256_hex
from ceremony.verify.problem import Problem


class MediaFile(NamedTuple):
    """One regular file of a bundle."""

    size: int
    sha256: str | None  # None when the file could not be read
    content: bytes | None  # kept only for files the checks parse


class BundleContents:
    """Every file of a bundle by its path inside it ("metadata/1.root.json").

    A plain class, as are the verification core's other records: dataclasses
    would load inspect, which costs `ceremony verify` a tenth of its start-up."""

    def __init__(
        self,
        files: dict[str, MediaFile] | None = None,
        problems: list[Problem] | None = None,
        found: bool = True,
    ) -> None:
        self.files: dict[str, MediaFile] = {} if files is None else files
        self.problems: list[Problem] = [] if problems is None else problems  # met while reading
        # False when there was no bundle to read (none, or too many files)
        self.found = found
        self.entries_seen = 0  # files and folders met while reading, against MAX_FILES
        self.kept_bytes = 0  # the bytes kept in memory so far, against KEPT_TOTAL_BYTES
        # entries met but never read (links, pipes, devices, unreadable): each is
        # a problem already, and is not "missing" as well
        self.refused: set[str] = set()

    def __repr__(self) -> str:
        return f"BundleContents({len(self.files)} files, problems={self.problems!r})"

    def was_refused(self, path: str) -> bool:
        """Whether ``path``, or a folder on the way to it, was met but not read."""
        if not self.refused:  # the usual bundle: nothing met was left unread
            return False
        parts = path.split("/")
        return any("/".join(parts[:i]) in self.refused for i in range(1, len(parts) + 1))

    def content(self, path: str) -> bytes | None:
        media_file = self.files.get(path)
        return media_file.content if media_file else None

    @classmethod
    def from_bytes(cls, files: dict[str, bytes]) -> "BundleContents":
        """Contents made in memory (tests, other tools): every file kept."""
        return cls(
            {
                path: MediaFile(len(data), sha256_hex(data), data)
                for path, data in files.items()
            }
        )
