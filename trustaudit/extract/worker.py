"""A second process that extracts pages while this one crawls and extracts others: the machine's other core.

Extraction is CPU-bound Python and holds the GIL, so a thread cannot run it beside the crawl; a process can.
``ExtractWorker.start`` forks this process once the vocabulary is loaded (the child has it, compiled, for
free) and sends the child pages; the child answers with each page's ``PageFacts`` (``extract_page``, a pure
function of the page: the facts are those this process would compute). The parent never blocks on the
child: pages go out and facts come back through non-blocking pipes that the parent reads between its own
extraction steps.

Forking a process that has threads is safe only for a child that needs nothing another thread may hold:
the child only unpickles pages, extracts them and pickles facts, with the vocabulary already built. The
caller forks only from the main thread (a batch runs its scans on threads: never there), on Linux, once
the vocabulary thread has ended. The child ignores SIGINT (a terminal's Ctrl-C goes to the whole process
group: the parent decides), leaves the parent's signal wake-up descriptor alone, and exits when its pipe
reports end-of-file (the parent closed it, or died) or when it is killed (``close``).
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import os
import pickle
import select
import signal
import struct
import sys
import threading
from types import MappingProxyType

from trustaudit.models import FetchedPage

_HEADER = struct.Struct("!Q")
_PIPE_BYTES = 1 << 20  # pipe capacity asked for (Linux F_SETPIPE_SZ): a page's facts fit without a wait
_F_SETPIPE_SZ = 1031


def _mapping(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


def _reduce_mapping(m: MappingProxyType):
    return _mapping, (dict(m),)


# facts hold read-only mappings (MappingProxyType), which pickle cannot send as they are
copyreg.pickle(MappingProxyType, _reduce_mapping)


def can_fork() -> bool:
    """Whether this process may fork an extraction worker now: Linux, the main thread, not disabled
    (``TRUSTAUDIT_FORK=0``)."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.current_thread() is threading.main_thread()
            and os.environ.get("TRUSTAUDIT_FORK", "").strip() != "0")


def _frame(obj) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _grow(fd: int) -> None:
    with contextlib.suppress(OSError):
        import fcntl

        fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_BYTES)


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, _PIPE_BYTES))
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _serve(inbox: int, outbox: int) -> None:
    """The child: (key, page, context) in, (key, facts or None) out, until end-of-file."""
    from trustaudit.extract.page import extract_page

    while True:
        head = _read_exactly(inbox, _HEADER.size)
        if head is None:
            return
        body = _read_exactly(inbox, _HEADER.unpack(head)[0])
        if body is None:
            return
        key, page, context = pickle.loads(body)
        try:
            out = _frame((key, extract_page(page, context)))
        except Exception:  # noqa: BLE001 - the parent extracts the page itself (and sees the failure there)
            out = _frame((key, None))
        view = memoryview(out)
        while view:
            view = view[os.write(outbox, view):]


class ExtractWorker:
    """A forked child extracting the pages it is sent, one at a time. ``send`` queues a page, ``poll`` moves
    bytes both ways without blocking and returns the facts that arrived, ``wait`` blocks until something
    arrives (or ``timeout``), ``close`` kills and reaps the child. ``outstanding``: keys sent, facts not back."""

    def __init__(self, pid: int, to_child: int, from_child: int):
        self.pid = pid
        self._to = to_child
        self._from = from_child
        self._out = bytearray()  # framed pages not yet written to the pipe
        self._in = bytearray()  # bytes of facts read, not yet a whole frame
        self.outstanding: set = set()
        self.broken = False
        self._closed = False

    @classmethod
    def start(cls) -> ExtractWorker | None:
        """Fork the worker (None when the fork fails)."""
        try:
            down_r, down_w = os.pipe()
            up_r, up_w = os.pipe()
        except OSError:
            return None
        for fd in (down_w, up_w):
            _grow(fd)
        # the objects that exist now are the child's too: kept out of its collections, they stay shared with this
        # process instead of each page they sit on being copied when the collector walks them
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            for fd in (down_r, down_w, up_r, up_w):
                os.close(fd)
            return None
        if pid == 0:  # the child
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                with contextlib.suppress(ValueError, OSError):
                    signal.set_wakeup_fd(-1)  # the parent's event loop owns it
                os.close(down_w)
                os.close(up_r)
                _serve(down_r, up_w)
            except BaseException:  # noqa: BLE001 - the child never runs the parent's code after a failure
                code = 1
            finally:
                os._exit(code)
        gc.unfreeze()
        os.close(down_r)
        os.close(up_w)
        os.set_blocking(down_w, False)
        os.set_blocking(up_r, False)
        return cls(pid, down_w, up_r)

    def send(self, key, page: FetchedPage, context) -> bool:
        if self.broken:
            return False
        try:
            self._out += _frame((key, page, context))
        except Exception:  # noqa: BLE001 - a page that cannot be sent is extracted by the parent
            return False
        self.outstanding.add(key)
        self._flush()
        return not self.broken

    def _flush(self) -> None:
        while self._out and not self.broken:
            try:
                n = os.write(self._to, self._out)
            except BlockingIOError:
                return
            except OSError:
                self.broken = True
                return
            del self._out[:n]

    def poll(self) -> list[tuple]:
        """(key, facts or None) of every page whose facts arrived; None: the child could not extract it."""
        self._flush()
        done: list[tuple] = []
        while not self.broken:
            try:
                chunk = os.read(self._from, _PIPE_BYTES)
            except BlockingIOError:
                break
            except OSError:
                self.broken = True
                break
            if not chunk:  # the child is gone
                self.broken = True
                break
            self._in += chunk
        while len(self._in) >= _HEADER.size:
            n = _HEADER.unpack_from(self._in)[0]
            if len(self._in) < _HEADER.size + n:
                break
            body = bytes(self._in[_HEADER.size:_HEADER.size + n])
            del self._in[:_HEADER.size + n]
            try:
                key, facts = pickle.loads(body)
            except Exception:  # noqa: BLE001 - a frame that does not unpickle: the child is not trusted further
                self.broken = True
                break
            self.outstanding.discard(key)
            done.append((key, facts))
        return done

    def wait(self, timeout: float) -> None:
        """Block until facts arrive, the child can take more bytes, or ``timeout`` seconds pass."""
        if self.broken or timeout <= 0:
            return
        with contextlib.suppress(OSError, ValueError):
            select.select([self._from], [self._to] if self._out else [], [], timeout)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for fd in (self._to, self._from):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        self.broken = True
        self.outstanding.clear()
