"""A rate limit for anonymous endpoints (the CAP import): a token bucket per client, in bounded memory.

Each client (its address; an IPv6 client by its /64, which one subscriber usually holds whole) has a bucket of
`burst` requests refilled at `per_minute`. The table keeps at most `max_clients` buckets, dropping the one
used longest ago when full, so a flood from many addresses costs a fixed amount of memory (and a dropped
client only starts again with a full bucket). One table per process: with several worker processes the
limit applies per process, which keeps it a bound, not an exact figure.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class RateLimiter:
    def __init__(self, name: str, max_clients: int = 10_000) -> None:
        self.name = name
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)
        self._lock = threading.Lock()

    def limits(self) -> tuple[float, float]:
        """(requests per minute, burst), from settings each time (tests and operators change them)."""
        per_minute, burst = getattr(settings, "TTDN_RATE_LIMITS", {}).get(self.name, (30, 10))
        return max(float(per_minute), 0.001), max(float(burst), 1.0)

    def take(self, key: str, now: float | None = None) -> int:
        """Spend one request of the client's bucket: 0 when allowed, else the seconds until one is free."""
        per_minute, burst = self.limits()
        rate = per_minute / 60.0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._buckets.pop(key, (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0
            else:
                wait = max(1, math.ceil((1.0 - tokens) / rate))
            self._buckets[key] = (tokens, now)  # the most recently used go last
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


cap_import = RateLimiter("cap_import")
