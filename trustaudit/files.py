"""Writing a file whole or not at all: the one way reports, summaries and merged files are written.

The text goes to a temporary file in the same folder, which is flushed to disk and renamed over the target: a
reader (a CI step, a browser, a second batch process) sees the previous file or the whole new one, never half a
report, and a failure mid-write (a full disk, an unencodable character, Ctrl-C) leaves the previous file as it
was and no temporary file behind. A link at the target is replaced, never followed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

_UMASK = os.umask(0)  # read once, at import (on the main thread): os.umask cannot be read without setting it
os.umask(_UMASK)


def replace_into_place(path: str | Path, write: Callable[[IO[Any]], None], *, binary: bool = False,
                       mode: int | None = None, fsync: bool = True) -> None:
    """Call ``write(fh)`` on a new temporary file beside ``path``, then rename it over ``path``. The file keeps
    the mode of the one it replaces (else ``0o666`` less the umask, as ``open`` would make it); ``mode`` forces
    one. The folder is made when missing."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = p.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=str(p.parent))
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            write(fh)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomic(path: str | Path, data: str | bytes, *, mode: int | None = None, fsync: bool = True) -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` whole or not at all (see :func:`replace_into_place`)."""
    replace_into_place(path, lambda fh: fh.write(data), binary=isinstance(data, bytes), mode=mode, fsync=fsync)
