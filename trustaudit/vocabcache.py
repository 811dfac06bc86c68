"""Compiled vocabulary, cached on disk the way Python caches bytecode in ``.pyc`` files.

Turning ``rules/`` into matchers costs about half a second per process: YAML parsing, and above all compiling
a few very large regular expressions (the phrase trie, page-kind and ID-label alternations), because CPython
compiles patterns in pure Python. That is paid by every CLI scan and by every batch worker, for data that only
changes when ``rules/`` or trustaudit itself changes.

So each expensive builder (``@cached_build("name")``) stores its result in
``<cache dir>/<name>-<fingerprint>.pickle``. The fingerprint covers the content of every file under ``rules/``,
every module of the package and its version, the Python version and the regex engine's version (``_sre.MAGIC``), so a changed
rule, a changed extractor or another interpreter simply misses the cache. Compiled patterns are pickled as the
regex engine's code (computed once when the file is written) and rebuilt with ``_sre.compile`` when loaded,
which skips the pure-Python parser and compiler; if that ever fails, the pattern is compiled normally.

Safety: the cache directory is created private (0700); a file is only read if it belongs to the current user
and nobody else can write to it or to its directory. Anything unexpected (a corrupt or truncated file, a
read-only or missing directory) means "build it again", never an error. ``TRUSTAUDIT_CACHE_DIR`` moves the
cache, ``TRUSTAUDIT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import hashlib
import io
import logging
import os
import pickle
import re
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    if os.environ.get("TRUSTAUDIT_NO_CACHE", "").strip() not in ("", "0"):
        return None
    env = os.environ.get("TRUSTAUDIT_CACHE_DIR", "").strip()
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "trustaudit"


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """Everything a cached build depends on: rules data, package code, interpreter and regex engine."""
    from trustaudit.resources import rules_dir

    try:
        import _sre

        magic = f"{_sre.MAGIC}-{_sre.CODESIZE}"
    except (ImportError, AttributeError):
        magic = "no-sre"
    h = hashlib.blake2b(digest_size=12)
    from trustaudit import __version__

    h.update(f"{__version__}|{sys.version}|{sys.implementation.name}|{magic}|{pickle.HIGHEST_PROTOCOL}".encode())
    for root, pattern in ((rules_dir(), "*.yaml"), (_PACKAGE, "*.py")):
        for path in sorted(root.rglob(pattern)):
            h.update(str(path.relative_to(root)).encode() + b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


# ------------------------------------------------------------------------------------ patterns as engine code


def _rebuild_pattern(pattern: str, flags: int, code: list[int], groups: int, groupindex: dict,
                     indexgroup: tuple) -> re.Pattern[str]:
    try:
        import _sre

        return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
    except Exception:  # noqa: BLE001 - another engine version or a damaged file: compile it the normal way
        return re.compile(pattern, flags)


def _reduce_pattern(p: re.Pattern) -> tuple:
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        flags = p.flags
        if isinstance(p.pattern, str):
            flags &= ~re.UNICODE  # implied for str patterns; the parser adds it back
        parsed = _parser.parse(p.pattern, flags)
        code = _compiler._code(parsed, flags)
        state = parsed.state
        indexgroup = [None] * state.groups
        for name, i in state.groupdict.items():
            indexgroup[i] = name
        args = (p.pattern, flags | state.flags, [int(x) for x in code], state.groups - 1, dict(state.groupdict),
                tuple(indexgroup))
        probe = _rebuild_pattern(*args)  # never store code this interpreter would not take back
        if probe.pattern != p.pattern or probe.flags != p.flags or probe.groups != p.groups:
            raise ValueError("pattern did not round-trip")
        return _rebuild_pattern, args
    except Exception:  # noqa: BLE001
        return re.compile, (p.pattern, p.flags)


def _dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[re.Pattern] = _reduce_pattern
    pickler.dispatch_table = table
    pickler.dump(obj)
    return buf.getvalue()


# ------------------------------------------------------------------------------------ files


def _safe_to_read(path: Path) -> bool:
    """Only our own files, in a directory nobody else can write to (a pickle runs code when loaded)."""
    try:
        st = path.stat()
        dst = path.parent.stat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):
        return stat.S_ISREG(st.st_mode)
    uid = os.getuid()
    return (
        stat.S_ISREG(st.st_mode)
        and st.st_uid == uid
        and dst.st_uid == uid
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        and not dst.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def path_for(name: str) -> Path | None:
    d = cache_dir()
    if d is None:
        return None
    try:
        return d / f"{name}-{fingerprint()}.pickle"
    except OSError:
        return None


def _load(path: Path) -> tuple[bool, Any]:
    if not path.exists() or not _safe_to_read(path):
        return False, None
    try:
        with path.open("rb") as fh:
            return True, pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt, whatever is wrong with it
        log.debug("vocabulary cache %s unreadable; rebuilding", path, exc_info=True)
        return False, None


def _store(path: Path, name: str, obj: Any) -> None:
    try:
        data = _dumps(obj)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)  # atomic: a parallel reader sees the old file or the whole new one
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        for old in path.parent.glob(f"{name}-*.pickle"):  # builds of other rule / code versions
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
    except Exception:  # noqa: BLE001 - no cache (read-only home, full disk, unpicklable): just slower
        log.debug("vocabulary cache %s not written", path, exc_info=True)


def load_or_build(name: str, build: Callable[[], T]) -> T:
    path = path_for(name)
    if path is not None:
        ok, obj = _load(path)
        if ok:
            return obj
    obj = build()
    if path is not None:
        _store(path, name, obj)
    return obj


def cached_build(name: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Decorate a zero-argument builder of read-only data: built once per process, cached on disk."""

    def deco(fn: Callable[[], T]) -> Callable[[], T]:
        @functools.lru_cache(maxsize=1)
        @functools.wraps(fn)
        def wrapper() -> T:
            return load_or_build(name, fn)

        wrapper.build = fn  # type: ignore[attr-defined]  # the uncached builder, for tests
        return wrapper

    return deco
