"""Webhooks against real HTTP servers on loopback: signed payloads on publish, update and withdraw, filters,
retries with back-off while a receiver fails or is down for an hour, a delivery log, giving up after a day."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import World, advance
from tests.portal.conftest import publish_with_translations
from ttdn.content import services as content
from ttdn.content.models import TranslationState
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.portal import services, webhooks
from ttdn.portal.models import Delivery, DeliveryState, Subscriber


class Receiver:
    """A receiving system on loopback: records what arrives, answers with `status` (or is switched off)."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        return [(h["x-ttdn-event"], json.loads(b)) for h, b in self.received]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def subscribe(world: World, url: str, **filters: Any) -> tuple[Subscriber, str]:
    return services.do_add_subscriber(world.agency_admin, services.SubscriberInput(
        agency_id=world.agency_admin.agency_id, name="Cổng TTĐT tỉnh Gia Lai", url=url, **filters))


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in headers["x-ttdn-signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_publish_update_withdraw_are_signed_and_delivered(world: World, receiver: Receiver) -> None:
    sub, secret = subscribe(world, receiver.url)
    item = publish_with_translations(world, "Thông báo mở cửa khẩu", languages=("lo",))
    publish_with_translations(world, "Chỉ cán bộ", audience="officials")  # never sent
    assert webhooks.do_deliver_due() == 1
    [(headers, body)] = receiver.received
    assert verify(secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    doc = json.loads(body)
    assert doc["event"] == "published" and doc["item"] == str(item.uid)
    assert {v["language"] for v in doc["versions"]} == {"vi", "lo"}
    assert headers["x-ttdn-delivery"] == str(Delivery.objects.get().uid)
    # A draft translation of the live item changes nothing the public sees: nothing is sent.
    content.do_save_variant(world.appraiser, item, "km", "ព្រាង", "", "<p>ព្រាង</p>")
    assert webhooks.do_deliver_due() == 0
    # Its review does: an update with the Khmer version.
    content.do_set_translation_state(world.appraiser, item.variants.get(language="km"), TranslationState.REVIEWED)
    advance(world, item, "withdrawn")
    assert webhooks.do_deliver_due() == 2
    events = receiver.events()
    assert [e for e, _d in events] == ["published", "updated", "withdrawn"]
    assert {v["language"] for v in events[1][1]["versions"]} == {"vi", "lo", "km"}
    assert events[2][1] == {"event": "withdrawn", "item": str(item.uid)}  # no text of withdrawn material
    assert all(verify(secret, h, b) for h, b in receiver.received)
    log = Delivery.objects.filter(subscriber=sub).order_by("created_at", "id")
    assert [d.state for d in log] == [DeliveryState.DELIVERED] * 3
    assert all(d.attempts == 1 and d.log[0]["status"] == 200 for d in log)


def test_filters(world: World, receiver: Receiver) -> None:
    content.do_save_topic(None, "cua-khau", "Cửa khẩu")
    subscribe(world, receiver.url, languages=["km"], provinces=[world.gia_lai.gso_code], kinds=["leaflet"],
              topics=["cua-khau"])
    publish_with_translations(world, "Không có tiếng Khmer", languages=("lo",), topics=["cua-khau"])
    publish_with_translations(world, "Không đúng chủ đề", languages=("km",))
    publish_with_translations(world, "Bài viết", languages=("km",), kind="article", topics=["cua-khau"])
    wanted = publish_with_translations(world, "Đúng cả", languages=("km",), topics=["cua-khau"])
    webhooks.do_deliver_due()
    assert [d["item"] for _e, d in receiver.events()] == [str(wanted.uid)]


def test_a_failing_receiver_is_retried_with_back_off_and_later_events_wait(world: World,
                                                                          receiver: Receiver) -> None:
    sub, _secret = subscribe(world, receiver.url)
    receiver.status = 500
    first = publish_with_translations(world, "Tin thứ nhất", languages=("lo",))
    second = publish_with_translations(world, "Tin thứ hai", languages=("lo",))
    t0 = timezone.now()
    assert webhooks.do_deliver_due(t0) == 0
    assert len(receiver.received) == 1  # the second waits behind the first: order is kept
    d = Delivery.objects.get(subscriber=sub, item_uid=first.uid)
    assert d.state == DeliveryState.PENDING and d.attempts == 1 and d.last_status == 500
    assert d.next_attempt_at == t0 + dt.timedelta(seconds=30)
    assert webhooks.do_deliver_due(t0 + dt.timedelta(seconds=10)) == 0  # not due yet: nothing sent
    assert len(receiver.received) == 1
    receiver.status = 204
    assert webhooks.do_deliver_due(t0 + dt.timedelta(seconds=31)) == 2
    assert [d["item"] for _e, d in receiver.events()[-2:]] == [str(first.uid), str(second.uid)]


def test_a_receiver_down_for_an_hour_gets_everything_when_it_is_back(world: World) -> None:
    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sub, secret = subscribe(world, f"http://127.0.0.1:{port}/hook")
    item = publish_with_translations(world, "Khi máy nhận tắt", languages=("lo",))
    t = timezone.now()
    start = t
    waits = []
    while t - start < dt.timedelta(hours=1):
        webhooks.do_deliver_due(t)
        d = Delivery.objects.get(subscriber=sub)
        waits.append(d.next_attempt_at - t)
        t = d.next_attempt_at
    d = Delivery.objects.get(subscriber=sub)
    assert d.state == DeliveryState.PENDING and d.attempts == len(waits) and d.last_status is None
    assert d.last_error and len(d.log) == d.attempts
    # Exponential back-off: each wait doubles, never over an hour.
    assert waits[:4] == [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) <= dt.timedelta(hours=1)
    back = Receiver(port)  # the receiver comes back where it was registered
    try:
        assert webhooks.do_deliver_due(t) == 1
        [(headers, body)] = back.received
        assert verify(secret, headers, body) and json.loads(body)["item"] == str(item.uid)
    finally:
        back.stop()
    d.refresh_from_db()
    assert d.state == DeliveryState.DELIVERED and d.delivered_at == t


def test_gives_up_after_a_day(world: World, receiver: Receiver) -> None:
    sub, _ = subscribe(world, receiver.url)
    receiver.status = 503
    publish_with_translations(world, "Không ai nhận", languages=("lo",))
    d = Delivery.objects.get(subscriber=sub)
    webhooks.do_deliver_due(d.created_at + dt.timedelta(hours=25))
    d.refresh_from_db()
    assert d.state == DeliveryState.FAILED and d.last_status == 503
    assert AuditEntry.objects.filter(action="portal.webhook.gave_up", object_id=str(d.pk)).exists()
    assert webhooks.do_deliver_due(d.created_at + dt.timedelta(hours=30)) == 0


def test_who_registers_receivers(world: World) -> None:
    data = services.SubscriberInput(agency_id=world.dl_dept.pk, name="Khác", url="https://example.org/hook")
    with pytest.raises(ServiceError) as err:
        services.do_add_subscriber(world.agency_admin, data)  # another agency's
    assert err.value.status == 403
    for user in (world.contributor, world.publisher):
        with pytest.raises(ServiceError):
            services.do_add_subscriber(user, services.SubscriberInput(
                agency_id=world.agency_admin.agency_id, name="x", url="https://example.org/"))
    services.do_add_subscriber(world.operator, data)
    own = world.agency_admin.agency_id
    for bad, field in ((services.SubscriberInput(agency_id=own, name="x", url="ftp://example.org/"), "url"),
                       (services.SubscriberInput(agency_id=own, name="", url="https://e.org/"), "name"),
                       (services.SubscriberInput(agency_id=own, name="x", url="https://e.org/", languages=["xx"]),
                        "languages"),
                       (services.SubscriberInput(agency_id=own, name="x", url="https://e.org/", provinces=["99999"]),
                        "provinces"),
                       (services.SubscriberInput(agency_id=own, name="x", url="https://e.org/", kinds=["poem"]),
                        "kinds")):
        with pytest.raises(ServiceError) as err:
            services.do_add_subscriber(world.agency_admin, bad)
        assert err.value.details["field"] == field
    assert list(services.subscribers_for(world.agency_admin)) == []
    assert len(services.subscribers_for(world.operator)) == 1
    row = services.subscribers_for(world.operator).get()
    with pytest.raises(ServiceError):
        services.do_deactivate_subscriber(world.agency_admin, row.uid)
    assert not services.do_deactivate_subscriber(world.operator, row.uid).active
    assert AuditEntry.objects.filter(action__startswith="portal.webhook.").count() == 2


def test_the_api_registers_and_shows_the_log(world: World, receiver: Receiver, client: Any) -> None:
    from ttdn.accounts import services as accounts

    token = accounts.do_create_token(world.agency_admin, world.agency_admin, "hooks")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    created = client.post("/api/v1/portal/webhooks", {"agency_id": world.agency_admin.agency_id, "name": "Cổng tỉnh",
                                                      "url": receiver.url, "languages": ["lo"]},
                          content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    publish_with_translations(world, "Qua API", languages=("lo",))
    webhooks.do_deliver_due()
    assert verify(secret, *receiver.received[0])
    log = client.get(f"/api/v1/portal/webhooks/{created.json()['uid']}/deliveries", **auth)
    assert log.status_code == 200
    [entry] = log.json()
    assert entry["state"] == "delivered" and entry["log"][0]["status"] == 200
    assert "secret" not in client.get("/api/v1/portal/webhooks", **auth).json()[0]
