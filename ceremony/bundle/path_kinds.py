"""What is at a path, asked as pathlib asks it, of a path as text or a Path.

`ceremony next` takes its paths as text from its command line to the file it
writes (pathlib, with urllib.parse and ipaddress, is a tenth of its start-up).
These are ``Path.is_dir()``, ``is_file()``, ``is_symlink()`` and ``exists() or
is_symlink()`` of the same path: a name that is not there (or not reachable:
no such file, a file where a folder should be, a loop of links) is False, as is
a name holding a NUL; any other error (a folder that cannot be searched, a name
too long) is raised, as pathlib raises it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

#: the errors pathlib takes for "nothing there" (its _IGNORED_ERRNOS)
_NOTHING_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def _status(look: Callable[[str | Path], os.stat_result], path: str | Path
            ) -> os.stat_result | None:
    try:
        return look(path)
    except OSError as error:
        if error.errno not in _NOTHING_THERE:
            raise
        return None
    except ValueError:  # a NUL in the name
        return None


def is_dir(path: str | Path) -> bool:
    """``Path(path).is_dir()``: a folder, or a link to one."""
    status = _status(os.stat, path)
    return status is not None and stat.S_ISDIR(status.st_mode)


def is_file(path: str | Path) -> bool:
    """``Path(path).is_file()``: a plain file, or a link to one."""
    status = _status(os.stat, path)
    return status is not None and stat.S_ISREG(status.st_mode)


def is_symlink(path: str | Path) -> bool:
    """``Path(path).is_symlink()``."""
    status = _status(os.lstat, path)
    return status is not None and stat.S_ISLNK(status.st_mode)


def name_taken(path: str | Path) -> bool:
    """``Path(path).exists() or Path(path).is_symlink()``: anything has that name (a
    file, a folder, a link, even one to nothing)."""
    return _status(os.stat, path) is not None or is_symlink(path)
