"""The data in ``rules/`` (shipped inside the wheel as ``trustaudit/rules``) and what is built from it.

Reading: ``load_yaml(relpath)`` parses each YAML file once per process (libyaml's C loader when present).

Building: turning ``rules/`` into matchers (the phrase index, page-kind and ID-label alternations, widget
tables) costs a few tenths of a second per process. A builder decorated with ``@cached_build("name")`` runs
once per process (its result is kept in memory, read-only) and its result is also stored on disk in
``<cache dir>/<name>-<fingerprint>.pickle``, the way Python caches bytecode. Only plain data is stored: a
compiled pattern is pickled as its source and flags (``re.Pattern``'s own pickling) and compiled again when
loaded, so the cache never depends on the regex engine's internals. The parsed YAML of every rule file is one
such build (``rules-yaml``). The fingerprint covers the content of every file under ``rules/``, every module
of the package, its version and the Python version: a changed rule or extractor simply misses the cache.

Safety: the cache directory is created private (0700); a file is only read if it belongs to the current user
and nobody else can write to it or to its directory (a pickle runs code when loaded). Anything unexpected (a
corrupt or truncated file, a read-only or missing directory) means "build it again", never an error.
``TRUSTAUDIT_CACHE_DIR`` moves the cache, ``TRUSTAUDIT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


class RuleError(ValueError):
    """A rule file is malformed; the message names the file, the key and what would be valid (raised by the
    rule validation, ``ruleschema``, and by the engine; defined here so that neither imports the other)."""


def rules_dir() -> Path:
    """The rules folder: inside the installed package, or the source checkout's ``rules/``."""
    for cand in (_PACKAGE / "rules", _PACKAGE.parent / "rules"):
        if (cand / "checks").is_dir():
            return cand
    raise FileNotFoundError("trustaudit rules folder not found (broken installation)")


# ------------------------------------------------------------------------------------ YAML


def _parse(path: Path) -> Any:
    # imported here: a scan reads the parsed rules from the build cache and never needs the YAML parser;
    # libyaml's C loader when available (the rule set loads in a fraction of the pure-Python time)
    import yaml

    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def is_yaml_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the YAML parser (asked without importing it: a scan never loads it)."""
    return type(exc).__module__.partition(".")[0] == "yaml"


def _parse_all() -> dict[str, Any]:
    import yaml

    root = rules_dir()
    out = {}
    for path in sorted(root.rglob("*.yaml")):
        try:
            out[path.relative_to(root).as_posix()] = _parse(path)
        except (OSError, yaml.YAMLError):
            continue  # left out: load_yaml reads it again and raises the real error where it is used
    return out


@functools.cache
def load_yaml(relpath: str) -> Any:
    """Load one YAML file under rules/ (cached; the data is read-only)."""
    bundle = _bundle()
    if relpath in bundle:
        return bundle[relpath]
    return _parse(rules_dir() / relpath)


# ------------------------------------------------------------------------------------ builds, cached


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
    """Everything a cached build depends on: rules data, package code, interpreter."""
    from trustaudit import __version__

    h = hashlib.blake2b(digest_size=12)
    h.update(f"{__version__}|{sys.version}|{sys.implementation.name}|{pickle.HIGHEST_PROTOCOL}".encode())
    for root, pattern in ((rules_dir(), "*.yaml"), (_PACKAGE, "*.py")):
        for path in sorted(root.rglob(pattern)):
            h.update(str(path.relative_to(root)).encode() + b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


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


class LazyPattern:
    """A compiled regular expression loaded from the build cache, compiled when it is first used.

    CPython compiles patterns in pure Python (the phrase trie alone takes tens of milliseconds), and a scan uses
    only some of the vocabulary's patterns (the page kinds an anchor can name, the e-mail obfuscations a page
    hints at ...): the others are never compiled. Stands in for ``re.Pattern`` wherever the loaded data is
    read (attributes and methods are the compiled pattern's); pickled as source and flags, like a pattern."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:  # the first use of anything but pattern / flags
        rx = re.compile(self.pattern, self.flags)
        for attr in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner"):
            self.__dict__[attr] = getattr(rx, attr)  # later calls find them without this method
        self.__dict__["groups"] = rx.groups
        self.__dict__["groupindex"] = rx.groupindex
        self.__dict__["compiled"] = rx
        return getattr(rx, name)

    def __reduce__(self):
        return LazyPattern, (self.pattern, self.flags)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern[:60]!r}, {self.flags})"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("re", "_compile"):  # how re.Pattern pickles itself: compile on first use instead
            return LazyPattern
        return super().find_class(module, name)


def _load(path: Path) -> tuple[bool, Any]:
    if not path.exists() or not _safe_to_read(path):
        return False, None
    try:
        with path.open("rb") as fh:
            return True, _Unpickler(fh).load()
    except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt, whatever is wrong with it
        log.debug("build cache %s unreadable; rebuilding", path, exc_info=True)
        return False, None


def _store(path: Path, name: str, obj: Any) -> None:
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
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
        log.debug("build cache %s not written", path, exc_info=True)


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
    """Decorate a zero-argument builder of read-only data: built once per process (a second thread asking
    meanwhile waits for the first one's result), cached on disk."""

    def deco(fn: Callable[[], T]) -> Callable[[], T]:
        lock = threading.Lock()
        done: list[T] = []

        @functools.wraps(fn)
        def wrapper() -> T:
            if done:
                return done[0]
            with lock:
                if not done:
                    done.append(load_or_build(name, fn))
            return done[0]

        wrapper.build = fn  # type: ignore[attr-defined]  # the uncached builder, for tests
        wrapper.cache_clear = done.clear  # type: ignore[attr-defined]
        return wrapper

    return deco


@functools.cache
def _bundle() -> dict[str, Any]:
    """Every YAML file under rules/, parsed once and kept in the build cache."""
    return load_or_build("rules-yaml", _parse_all)
