"""The anonymous CAP import is rate-limited per client: a burst, then a steady rate; beyond it a clear 429 with
Retry-After, answered before the message is read; the table of clients stays bounded whatever the flood."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from tests.conftest import World
from tests.portal.test_cap_import import SENDER, keypair, message, signed
from ttdn.portal import services
from ttdn.portal.models import Alert
from ttdn.portal.ratelimit import RateLimiter, cap_import

LIMITS = {"cap_import": (6, 3)}  # 6 a minute (one each 10 s), a burst of 3


@pytest.fixture
def registered(world: World) -> tuple[bytes, str]:
    key, cert = keypair()
    services.do_register_sender(world.operator, SENDER, "Trung tâm Dự báo KTTV quốc gia", cert, world.contributor)
    return key, cert


@override_settings(TTDN_RATE_LIMITS=LIMITS)
def test_a_client_past_its_burst_gets_429_with_retry_after(world: World, registered: Any, client: Client) -> None:
    key, cert = registered
    statuses = []
    for n in range(3):
        body = signed(message(world, identifier=f"NCHMF-2026-10{n}"), key, cert)
        statuses.append(client.post("/api/v1/portal/cap", body, content_type="application/xml").status_code)
    assert statuses == [201, 201, 201]
    refused = signed(message(world, identifier="NCHMF-2026-199"), key, cert)
    response = client.post("/api/v1/portal/cap", refused, content_type="application/xml",
                           HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 10
    body = response.json()
    assert body["code"] == "throttled" and "Quá nhiều" in body["message"], body
    assert not Alert.objects.filter(source_identifier="NCHMF-2026-199").exists()  # never read
    # Another address is not held back by the first one's flood.
    other = client.post("/api/v1/portal/cap", refused, content_type="application/xml", REMOTE_ADDR="203.0.113.7")
    assert other.status_code == 201, other.content


@override_settings(TTDN_RATE_LIMITS=LIMITS)
@pytest.mark.django_db
def test_bad_messages_count_too(client: Client) -> None:
    """Parsing, schema and signature checks cost the hub: refused messages spend the bucket as well."""
    statuses = [client.post("/api/v1/portal/cap", b"<not-cap/>", content_type="application/xml").status_code
                for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


@override_settings(TTDN_RATE_LIMITS=LIMITS)
def test_the_bucket_refills_at_the_rate() -> None:
    limiter = RateLimiter("cap_import")
    assert [limiter.take("a", now=100.0) for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a", now=100.0) == 10  # one every 10 s
    assert limiter.take("a", now=104.0) == 6
    assert limiter.take("a", now=110.5) == 0
    assert limiter.take("a", now=110.5) == 10


@override_settings(TTDN_RATE_LIMITS=LIMITS)
def test_memory_is_bounded_whatever_the_number_of_addresses() -> None:
    limiter = RateLimiter("cap_import", max_clients=1000)
    for n in range(50_000):
        limiter.take(f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", now=float(n))
    assert len(limiter) == 1000
    cap_import.reset()


def test_ipv6_clients_are_counted_by_their_64() -> None:
    from django.test import RequestFactory

    from ttdn.portal.ratelimit import client_key

    rf = RequestFactory()
    a = client_key(rf.get("/", REMOTE_ADDR="2001:db8:1:2::10"))
    b = client_key(rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::1"))
    assert a == b == "2001:db8:1:2::/64"
    assert client_key(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.1")) == "192.0.2.1"
