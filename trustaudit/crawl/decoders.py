"""Content-Encoding decoders with a hard bound on every layer's output.

A response may stack encodings (``Content-Encoding: gzip, br`` = gzip applied first, then brotli); each layer
is decoded in turn, and every layer hands on at most ``limit`` bytes in total and at most ``CHUNK`` bytes at a
time: a 2 KB body holding 1 GiB of zeros costs ``limit`` bytes of memory and the CPU to produce them, never
more. Compressed input beyond ``limit`` bytes is not read either. Supported: gzip (x-gzip), deflate (zlib or
raw), br, zstd; ``identity`` is skipped; anything else is refused with a reason (:class:`UnsupportedEncoding`).
"""

from __future__ import annotations

import zlib

CHUNK = 65_536  # bytes handed from one layer to the next at a time
MAX_LAYERS = 4  # more stacked encodings than this are refused (no server needs them)
ZSTD_WINDOW_LOG_MAX = 23  # 8 MiB window, the limit RFC 8878 sets for HTTP content coding


class UnsupportedEncoding(Exception):
    """A Content-Encoding we do not decode (one line)."""


class CorruptBody(Exception):
    """The compressed stream is broken (one line)."""


class _Layer:
    eof = False

    def push(self, data: bytes) -> None:
        raise NotImplementedError

    def pull(self, n: int) -> bytes:
        """At most about ``n`` bytes of output from what was pushed; b"" when it needs more input (or is done)."""
        raise NotImplementedError


class _Zlib(_Layer):
    def __init__(self, encoding: str):
        self.encoding = encoding
        self._wbits = 47 if encoding in ("gzip", "x-gzip") else 15  # 47: gzip or zlib header, detected
        self._d = zlib.decompressobj(self._wbits)
        self._tail = b""
        self._started = False

    def push(self, data: bytes) -> None:
        self._tail = self._tail + data if self._tail else data

    def pull(self, n: int) -> bytes:
        while self._tail and not self.eof:
            try:
                out = self._d.decompress(self._tail, n)
            except zlib.error:
                if self.encoding == "deflate" and not self._started:
                    self._d = zlib.decompressobj(-15)  # raw deflate without the zlib header (old IIS)
                    self._started = True
                    continue
                raise CorruptBody(f"corrupt {self.encoding} stream") from None
            self._started = True
            self._tail = self._d.unconsumed_tail
            if self._d.eof:
                rest = self._d.unused_data
                if rest.strip(b"\x00") and self.encoding != "deflate":  # another gzip member follows
                    self._d = zlib.decompressobj(self._wbits)
                    self._tail = rest + self._tail
                else:
                    self.eof = True
            if out:
                return out
        return b""


class _Brotli(_Layer):
    def __init__(self) -> None:
        import brotli

        self._mod = brotli
        self._d = brotli.Decompressor()
        self._buf = b""

    def push(self, data: bytes) -> None:
        self._buf = self._buf + data if self._buf else data

    def pull(self, n: int) -> bytes:
        try:
            if self._d.is_finished():
                self.eof = True
                return b""
            if self._d.can_accept_more_data():
                if not self._buf:
                    return b""
                data, self._buf = self._buf, b""
                return self._d.process(data, output_buffer_limit=n)
            return self._d.process(b"", output_buffer_limit=n)
        except self._mod.error:
            raise CorruptBody("corrupt br stream") from None


def _zstd_module():
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
    except ImportError:
        from backports import zstd  # type: ignore[no-redef]
    return zstd


class _Zstd(_Layer):
    def __init__(self) -> None:
        self._mod = _zstd_module()
        self._d = self._new()
        self._buf = b""

    def _new(self):
        z = self._mod
        return z.ZstdDecompressor(options={z.DecompressionParameter.window_log_max: ZSTD_WINDOW_LOG_MAX})

    def push(self, data: bytes) -> None:
        self._buf = self._buf + data if self._buf else data

    def pull(self, n: int) -> bytes:
        try:
            while True:
                if self._d.eof:
                    rest = self._d.unused_data + self._buf
                    if not rest:
                        return b""
                    self._d, self._buf = self._new(), rest  # the next frame
                if self._d.needs_input:
                    if not self._buf:
                        return b""
                    data, self._buf = self._buf, b""
                    out = self._d.decompress(data, max_length=n)
                else:
                    out = self._d.decompress(b"", max_length=n)
                if out:
                    return out
        except self._mod.ZstdError as e:
            raise CorruptBody(f"corrupt zstd stream ({e})") from None


def _layer(token: str) -> _Layer:
    if token in ("gzip", "x-gzip", "deflate"):
        return _Zlib(token)
    if token == "br":
        return _Brotli()
    if token == "zstd":
        return _Zstd()
    shown = "".join(c for c in token[:40] if c.isprintable())
    raise UnsupportedEncoding(f"unsupported content encoding {shown!r}")


def encodings_of(header: str | None) -> list[str]:
    """``"gzip, identity, br"`` -> ``["gzip", "br"]`` (in the order they were applied)."""
    return [t for t in (x.strip().lower() for x in (header or "").split(",")) if t and t != "identity"]


class BoundedDecoder:
    """Feed raw body bytes; ``body`` is the decoded body, cut at ``limit`` bytes (``truncated``).

    ``full`` turns True once nothing more will be taken: stop reading the network then."""

    def __init__(self, content_encoding: str | None, limit: int):
        tokens = encodings_of(content_encoding)
        if len(tokens) > MAX_LAYERS:
            raise UnsupportedEncoding(f"{len(tokens)} stacked content encodings (at most {MAX_LAYERS} are read)")
        # tokens[0] was applied first: layers[0] is the innermost and gives the body; raw bytes enter layers[-1]
        self.layers = [_layer(t) for t in tokens]
        self.limit = max(0, limit)
        self._out: list[bytes] = []
        self._size = 0
        self._produced = [0] * len(self.layers)
        self.raw_bytes = 0
        self.truncated = False
        self.full = False

    @property
    def body(self) -> bytes:
        return b"".join(self._out)

    def feed(self, raw: bytes) -> None:
        if self.full or not raw:
            return
        self.raw_bytes += len(raw)
        if not self.layers:
            self._take(raw)
            return
        last_input = False
        if self.raw_bytes > self.limit:  # a compressed body larger than the limit is cut too
            raw = raw[: max(0, len(raw) - (self.raw_bytes - self.limit))]
            self.truncated = last_input = True
        self.layers[-1].push(raw)
        while not self.full:
            piece = self._pull(0, self.limit - self._size + 1)
            if not piece:
                break
            self._take(piece)
        if last_input:
            self.full = True

    def _take(self, data: bytes) -> None:
        room = self.limit - self._size
        if len(data) > room:
            data = data[: max(0, room)]
            self.truncated = self.full = True
        if data:
            self._out.append(data)
            self._size += len(data)

    def _pull(self, idx: int, n: int) -> bytes:
        """At most about ``n`` bytes of the output of ``layers[idx]``, pulling input from the layer outside it."""
        layer = self.layers[idx]
        while True:
            out = layer.pull(n)
            if out:
                self._produced[idx] += len(out)
                if idx > 0 and self._produced[idx] > self.limit:
                    # an inner compressed stream larger than the limit: nothing legitimate does that
                    self.truncated = self.full = True
                return out
            if layer.eof or idx == len(self.layers) - 1 or self.full:
                return b""
            feed = self._pull(idx + 1, CHUNK)
            if not feed:
                return b""
            layer.push(feed)
