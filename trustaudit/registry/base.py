"""What every register module shares: the cache, the request budget, pacing, the deadline, HTTP and its errors.

A source implements ``ask(rid) -> RegistryRecord`` (the request itself, raising :class:`Unavailable` for an
answer that says nothing about the number); callers use ``lookup(rid)``, which wraps it:

1. a fresh cached answer is returned as it is (``cached=True``, ``checked_at`` of the original answer);
2. when another scan (thread or process) is asking the same register about the same number, wait for its answer;
3. a register that answered 429 is not asked again before its Retry-After; a register with a daily quota is
   not asked once this machine's budget for the day is spent;
4. requests to one register are spaced ``min_interval_s`` apart across processes, never past the deadline;
5. the answer is stored with the register's time-to-live (a definite one) or the short error time-to-live.

``lookup`` never raises (except ``CancelledError`` when the caller gives up at its deadline).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from trustaudit.registry import data
from trustaudit.registry.cache import Store, utc_iso
from trustaudit.registry.config import RegistryConfig
from trustaudit.registry.models import RegId, RegistryRecord, RegStatus

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 4_000_000  # a register's JSON answer (a KRS extract is tens of kB)
WAIT_POLL_S = 0.1


class Unavailable(Exception):
    """The register gave no usable answer: the number's status is unknown."""

    def __init__(self, reason: str, *, retry_after: float | None = None, cache: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.cache = cache  # False: do not even keep this for error_ttl (e.g. our own deadline)


@dataclass
class Context:
    """What one :func:`verify` call gives its sources."""

    config: RegistryConfig
    store: Store
    client: httpx.AsyncClient
    deadline: float | None = None  # time.monotonic() value
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)  # claims are per verify call
    semaphores: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    # the connection gate's ``trust_url``: a register address the user configured may be private or loopback
    trust: Callable[[str], Awaitable[Any]] | None = None

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def semaphore(self, key: str, n: int) -> asyncio.Semaphore:
        sem = self.semaphores.get(key)
        if sem is None:
            sem = self.semaphores[key] = asyncio.Semaphore(n)
        return sem


_CONTROL = dict.fromkeys(i for i in range(0x20) if i not in (9, 10, 13)) | {0x7F: None} | dict.fromkeys(
    range(0x80, 0xA0))


def one_line(text: object, limit: int = 200) -> str:
    """Register text is as untrusted as page text: control characters (terminal escapes) go, whitespace runs
    become one space, long texts are cut."""
    s = " ".join(str(text).translate(_CONTROL).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def parse_retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return min(float(value), 86400.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, min(when.timestamp() - time.time(), 86400.0))
    except (TypeError, ValueError, IndexError, OverflowError):
        return default


class Source:
    """Base of every register module."""

    id: str = ""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.spec = data.sources()[self.id]
        self.ns = ctx.config.cache_ns(self.id)

    # ------------------------------------------------------------------ to implement

    def key(self, rid: RegId) -> str:
        return f"{rid.scheme}:{rid.value}"

    async def ask(self, rid: RegId) -> RegistryRecord:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers for subclasses

    @property
    def base_url(self) -> str:
        return self.ctx.config.url(self.id)

    def record(self, status: RegStatus, **kw: Any) -> RegistryRecord:
        kw.setdefault("checked_at", utc_iso())
        for k in ("name", "address", "detail", "legal_form", "error", "registered_on", "removed_on"):
            if isinstance(kw.get(k), str):
                kw[k] = one_line(kw[k], 400) or (None if k != "detail" else "")
        if kw.get("linked_ids"):
            kw["linked_ids"] = {one_line(a, 40): one_line(b, 60) for a, b in kw["linked_ids"].items()}
        if status is RegStatus.UNKNOWN and "manual_check" not in kw:
            kw["manual_check"] = data.manual_for(self.spec.manual)
        return RegistryRecord(source=self.id, status=status, **kw)

    def unknown(self, reason: str, **kw: Any) -> RegistryRecord:
        return self.record(RegStatus.UNKNOWN, error=one_line(reason), **kw)

    def pacing_key(self, url: str) -> str:
        return self.ns

    async def request(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
                      json_body: Any = None, headers: Mapping[str, str] | None = None,
                      auth: httpx.Auth | tuple[str, str] | None = None) -> tuple[int, Any, httpx.Headers]:
        """One HTTP request within the deadline: (status, parsed JSON or None, headers). Raises Unavailable
        for a timeout, a connection error, HTTP 429 (and blocks the register for its Retry-After) or an
        oversized answer."""
        await self._pace(url)
        timeout = self.spec.timeout
        rem = self.ctx.remaining()
        cut = rem is not None and rem < timeout  # the scan's deadline, not the register, limits this request
        if rem is not None:
            timeout = min(timeout, max(0.05, rem))
        hdrs = {"User-Agent": self.ctx.config.user_agent, "Accept": "application/json"}
        hdrs.update(headers or {})
        try:
            async with self.ctx.client.stream(
                method, url, params=params, json=json_body, headers=hdrs, auth=auth if auth is not None else
                httpx.USE_CLIENT_DEFAULT, timeout=timeout, follow_redirects=True,
            ) as resp:
                body = bytearray()
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES:
                        raise Unavailable(f"answer larger than {MAX_ANSWER_BYTES // 1_000_000} MB")
        except httpx.TimeoutException:
            if cut:
                raise Unavailable(f"no answer before the scan's deadline ({timeout:.1f} s left)", cache=False) from None
            raise Unavailable(f"no answer within {timeout:.0f} s") from None
        except httpx.HTTPError as exc:
            raise Unavailable(f"could not connect: {one_line(exc) or type(exc).__name__}") from None
        status = resp.status_code
        if status == 429:
            wait = parse_retry_after(resp.headers.get("retry-after"), self.spec.block_s)
            self.ctx.store.block(self.pacing_key(url), time.time() + wait, "HTTP 429")
            raise Unavailable(f"rate-limited by the register (HTTP 429); not asked again for {wait:.0f} s",
                              retry_after=wait)
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(bytes(body).decode(resp.encoding or "utf-8", errors="replace"))
            except (ValueError, RecursionError):
                parsed = None
        return status, parsed, resp.headers

    def _check_blocked(self, key: str) -> None:
        blocked = self.ctx.store.blocked(key)
        if blocked is not None:
            until, why = blocked
            raise Unavailable(f"register asked to slow down ({why}); not asked again until {utc_iso(until)}")

    async def _pace(self, url: str) -> None:
        key = self.pacing_key(url)
        self._check_blocked(key)
        latest = None
        rem = self.ctx.remaining()
        if rem is not None:
            latest = time.time() + rem - 0.2
        slot = self.ctx.store.reserve_slot(key, self.spec.min_interval_s, latest)
        if slot is None:
            raise Unavailable("the register's request spacing leaves no time before the deadline", cache=False)
        delay = slot - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
            self._check_blocked(key)  # a 429 may have come back while this request waited its turn

    # ------------------------------------------------------------------ the public interface

    async def lookup(self, rid: RegId) -> RegistryRecord:
        key = self.key(rid)
        store = self.ctx.store
        try:
            hit = store.get(self.ns, key)
            if hit is not None:
                return RegistryRecord.from_cache(hit)
            # someone else is asking right now: wait for their answer (or for their claim to lapse)
            lease = self.spec.timeout + 5.0
            while not store.claim(self.ns, key, lease, self.ctx.owner):
                await asyncio.sleep(WAIT_POLL_S)
                hit = store.get(self.ns, key)
                if hit is not None:
                    return RegistryRecord.from_cache(hit)
            try:
                rec = await self._ask_once(rid)
            finally:
                store.release(self.ns, key, self.ctx.owner)
            return rec
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a register module bug must not fail the scan
            log.warning("registry %s failed on %s", self.id, rid, exc_info=True)
            return self.unknown(f"internal error: {type(exc).__name__}: {one_line(exc)}")

    async def _ask_once(self, rid: RegId) -> RegistryRecord:
        key = self.key(rid)
        store = self.ctx.store
        async with self.ctx.semaphore(self.id, self.spec.concurrency):
            # another waiter of this process may have stored it meanwhile
            hit = store.get(self.ns, key)
            if hit is not None:
                return RegistryRecord.from_cache(hit)
            if self.spec.daily_limit is not None and not store.spend(self.ns, self.spec.daily_limit):
                rec = self.unknown(f"this machine's daily budget of {self.spec.daily_limit} requests to the "
                                   "register is spent (the register blocks addresses that ask more)")
                return rec
            try:
                rec = await self.ask(rid)
            except Unavailable as exc:
                rec = self.unknown(exc.reason)
                if exc.cache:
                    store.put(self.ns, key, rec.to_cache(), self.spec.error_ttl_s)
                return rec
        ttl = self.spec.ttl_s if rec.status.definite else self.spec.error_ttl_s
        store.put(self.ns, key, rec.to_cache(), ttl)
        return rec
