"""``--shard K/N``: a stable 1/N slice of the input.

A shop belongs to shard ``K`` (1-based) when ``sha256(normalised URL) mod N == K - 1``. Membership depends
only on the shop's own URL, never on its position, so adding or removing shops never moves the others.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_SPEC = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{1,6})\s*$")


@dataclass(frozen=True)
class Shard:
    k: int  # 1..n
    n: int

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"

    def contains(self, key: str) -> bool:
        return self.n == 1 or shard_of(key, self.n) == self.k


def shard_of(key: str, n: int) -> int:
    """The 1-based shard a normalised URL falls in."""
    h = int.from_bytes(hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()[:8], "big")
    return h % n + 1


def parse_shard(spec: str) -> Shard:
    """``"2/4"`` -> Shard(2, 4). Raises ValueError with a helpful message."""
    m = _SPEC.match(spec or "")
    if not m:
        raise ValueError(f"--shard takes K/N such as 1/4, not {spec!r}")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1:
        raise ValueError("--shard K/N: N must be at least 1")
    if not 1 <= k <= n:
        hint = " (K counts from 1; with a 0-based index use K = index + 1)" if k == 0 else ""
        raise ValueError(f"--shard K/N: K must be between 1 and {n}, not {k}{hint}")
    return Shard(k, n)
