"""A bundle as read from media: the parsed input of the verification core.

The loader fills this in; the checks read only this, never the disk, so each
check can be tested on bytes made in memory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ceremony.verify.problem import Problem


@dataclass(frozen=True)
class MediaFile:
    """One regular file of a bundle."""

    size: int
    sha256: str | None  # None when the file could not be read
    content: bytes | None  # kept only for files the checks parse


@dataclass
class BundleContents:
    """Every file of a bundle by its path inside it ("metadata/1.root.json")."""

    files: dict[str, MediaFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # met while reading
    found: bool = True  # False when there was no bundle to read (none, or too many files)
    entries_seen: int = 0  # files and folders met while reading, against MAX_FILES
    kept_bytes: int = 0  # the bytes kept in memory so far, against KEPT_TOTAL_BYTES
    # entries met but never read (links, pipes, devices, unreadable): each is
    # a problem already, and is not "missing" as well
    refused: set[str] = field(default_factory=set)

    def was_refused(self, path: str) -> bool:
        """Whether ``path``, or a folder on the way to it, was met but not read."""
        parts = path.split("/")
        return any("/".join(parts[:i]) in self.refused for i in range(1, len(parts) + 1))

    def content(self, path: str) -> bytes | None:
        media_file = self.files.get(path)
        return media_file.content if media_file else None

    @classmethod
    def from_bytes(cls, files: dict[str, bytes]) -> BundleContents:
        """Contents made in memory (tests, other tools): every file kept."""
        return cls(
            {
                path: MediaFile(len(data), hashlib.sha256(data).hexdigest(), data)
                for path, data in files.items()
            }
        )
