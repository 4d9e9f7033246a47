"""One bounded HTTP GET: a size cap, a deadline for the whole answer (a host dripping a byte a second is cut
off), redirects followed by hand (http and https only, a few hops), conditional GET, an optional proxy.

Nothing here touches the database: politeness and robots.txt are the poller's (ttdn.monitoring.poll).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:  # imported where a request is made: every process imports this module at start-up
    import urllib3

USER_AGENT = "TTDN-monitor/1.0 (+press monitoring of a provincial department)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A fetch that gave nothing usable; the message is for the source's page, in the user's language."""

    def __init__(self, message: str, *, status: int = 0, retry_after: float | None = None,
                 permanent: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        # Asking again will not help (a bad address, a redirect loop, a page too large).
        self.permanent = permanent


@dataclass
class Response:
    url: str  # after redirects
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def max_bytes() -> int:
    return int(getattr(settings, "TTDN_MONITORING_MAX_BYTES", 5 * 1024 * 1024))


def deadline_seconds() -> float:
    return float(getattr(settings, "TTDN_MONITORING_TIMEOUT", 20.0))


_pools: dict[str, urllib3.PoolManager] = {}


def _pool() -> urllib3.PoolManager:
    import urllib3

    proxy = getattr(settings, "TTDN_MONITORING_PROXY", "") or ""
    pool = _pools.get(proxy)
    if pool is None:
        pool = urllib3.ProxyManager(proxy) if proxy else urllib3.PoolManager()
        _pools[proxy] = pool
    return pool


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Only http and https addresses can be fetched: %(url)s") % {"url": url[:200]},
                         permanent=True)
    return url


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def get(url: str, *, etag: str = "", last_modified: str = "", limit: int | None = None,
        timeout: float | None = None) -> Response:
    """GET `url`; raise FetchError for anything but a usable 200 or a 304."""
    import urllib3

    limit = limit or max_bytes()
    budget = timeout or deadline_seconds()
    deadline = time.monotonic() + budget
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = check_url(url)
    for _hop in range(MAX_REDIRECTS + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(_("The host took longer than %(s)d seconds.") % {"s": budget})
        try:
            raw = _pool().request(
                "GET", current, headers=headers, redirect=False, retries=False, preload_content=False,
                decode_content=True, timeout=urllib3.Timeout(connect=min(left, 10.0), read=min(left, 10.0)))
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(_("The host could not be reached: %(error)s") % {
                "error": type(exc).__name__}) from exc
        try:
            if raw.status in (301, 302, 303, 307, 308):
                location = raw.headers.get("Location")
                if not location:
                    raise FetchError(_("A redirect without a Location."), status=raw.status)
                current = check_url(urljoin(current, location))
                continue
            answer_headers = {k.lower(): v for k, v in raw.headers.items()}
            if raw.status == 304:
                return Response(current, 304, b"", answer_headers)
            if raw.status in (429, 503):
                raise FetchError(_("The host asked us to slow down (HTTP %(status)d).") % {"status": raw.status},
                                 status=raw.status, retry_after=retry_after(raw.headers.get("Retry-After")))
            if raw.status != 200:
                raise FetchError(_("The host answered HTTP %(status)d.") % {"status": raw.status},
                                 status=raw.status)
            declared = raw.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(_("The page is larger than %(n)d bytes.") % {"n": limit}, status=200,
                                 permanent=True)
            chunks: list[bytes] = []
            size = 0
            try:
                # read1: whatever has arrived, so a host dripping bytes meets the deadline between reads.
                while chunk := raw.read1(16384):
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(_("The page is larger than %(n)d bytes.") % {"n": limit}, status=200,
                                 permanent=True)
                    if time.monotonic() > deadline:
                        raise FetchError(_("The host took longer than %(s)d seconds.") % {"s": budget})
                    chunks.append(chunk)
            except urllib3.exceptions.HTTPError as exc:
                raise FetchError(_("The answer was cut off or unreadable: %(error)s") % {
                    "error": type(exc).__name__}) from exc
            return Response(current, 200, b"".join(chunks), answer_headers)
        finally:
            raw.release_conn()
    raise FetchError(_("Too many redirects (more than %(n)d).") % {"n": MAX_REDIRECTS}, permanent=True)
