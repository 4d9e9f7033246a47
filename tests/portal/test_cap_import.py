"""Taking in CAP alerts from other systems: signed by a registered sender, every language block kept, waiting
for one approval; malformed, unsigned, wrongly signed, unknown and replayed messages refused, nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client, override_settings
from django.utils import timezone
from lxml import etree
from signxml import XMLSigner, methods

from tests.conftest import World, advance
from ttdn.content.models import Item, State
from ttdn.core.errors import ServiceError
from ttdn.portal import cap, services
from ttdn.portal.models import Alert, CapSender

SENDER = "canhbao@nchmf.gov.vn"


def keypair(name: str = "NCHMF") -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, cert.public_bytes(serialization.Encoding.PEM).decode()


THREE = {
    "vi-VN": ("Bão số 5 đổ bộ", "Gió mạnh cấp 12 tại Gia Lai.", "Ở trong nhà, tránh xa cửa kính."),
    "lo": ("ພະຍຸລູກທີ 5", "ລົມແຮງຢູ່ແຂວງຢາລາຍ", "ຢູ່ໃນເຮືອນ"),
    "km": ("ព្យុះលេខ ៥", "ខ្យល់បក់ខ្លាំង", "នៅក្នុងផ្ទះ"),
}


def message(world: World, identifier: str = "NCHMF-2026-0001", msg_type: str = "Alert", sender: str = SENDER,
            refs: list[tuple[str, str, dt.datetime]] | None = None, infos: dict[str, Any] | None = None) -> Any:
    sent = timezone.now().replace(microsecond=0)
    msg = cap.Message(identifier=identifier, sender=sender, sent=sent, status="Actual", msg_type=msg_type,
                      references=refs or [])
    for lang, (headline, description, instruction) in (THREE if infos is None else infos).items():
        msg.infos.append(cap.Info(
            language=lang, category="Met", event=headline, urgency="Immediate", severity="Severe",
            certainty="Observed", headline=headline, description=description, instruction=instruction,
            expires=sent + dt.timedelta(hours=12),
            areas=[cap.Area("Tỉnh Gia Lai", [world.gia_lai.gso_code])]))
    return cap.build(msg)


def signed(root: Any, key: bytes, cert: str) -> bytes:
    out = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256").sign(
        root, key=key, cert=cert)
    return etree.tostring(out, xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def sender(world: World) -> tuple[bytes, str]:
    key, cert = keypair()
    services.do_register_sender(world.operator, SENDER, "Trung tâm Dự báo KTTV quốc gia", cert, world.contributor)
    return key, cert


def test_three_languages_become_one_item_waiting_for_approval(world: World, sender: Any, client: Client) -> None:
    key, cert = sender
    response = client.post("/api/v1/portal/cap", signed(message(world), key, cert), content_type="application/xml")
    assert response.status_code == 201, response.content
    item = Item.objects.get(uid=response.json()["item"])
    assert item.state == State.SUBMITTED and item.agency == world.contributor.agency
    variants = {v.language: v for v in item.variants.all()}
    assert set(variants) == {"vi", "lo", "km"}
    assert variants["vi"].title == "Bão số 5 đổ bộ" and variants["lo"].title == "ພະຍຸລູກທີ 5"
    assert "Ở trong nhà" in variants["vi"].body and "នៅក្នុងផ្ទះ" in variants["km"].body
    assert list(item.target_provinces.all()) == [world.gia_lai]
    alert = Alert.objects.get(item=item)
    assert (alert.source_sender, alert.source_identifier) == (SENDER, "NCHMF-2026-0001")
    assert alert.severity == "Severe" and alert.event["km"] == "ព្យុះលេខ ៥" and alert.instruction["lo"] == "ຢູ່ໃນເຮືອນ"
    # Nothing public until approved and published; then it is an alert the hub itself sends, in every language.
    assert client.get("/portal/cap/alerts.atom").content.count(b"<entry") == 0
    advance(world, item, "in_appraisal")
    from ttdn.content import services as content
    from ttdn.content.models import TranslationState

    for lang in ("lo", "km"):
        content.do_set_translation_state(world.appraiser, item.variants.get(language=lang), TranslationState.REVIEWED)
    advance(world, item, "published")
    out = services.do_alert(world.publisher, item.uid, services.AlertInput(
        event=alert.event, severity=alert.severity, urgency=alert.urgency, certainty=alert.certainty))
    root = etree.fromstring(bytes(out.document))
    assert sorted(i.findtext(f"{{{cap.CAP}}}language") for i in root.iter(f"{{{cap.CAP}}}info")) == ["km", "lo", "vi"]
    assert out.msg_type == "Alert"  # the hub's first message of it: nothing of ours to reference yet


def test_a_cancel_cancels_the_imported_alert(world: World, sender: Any) -> None:
    key, cert = sender
    first = services.do_import_cap(signed(message(world), key, cert))
    cancel = message(world, "NCHMF-2026-0002", "Cancel", refs=[(SENDER, "NCHMF-2026-0001", timezone.now())],
                     infos={})
    result = services.do_import_cap(signed(cancel, key, cert))
    assert result.msg_type == "Cancel" and result.item is None
    first.alert.refresh_from_db()
    assert first.alert.cancelled_at is not None
    stray = message(world, "NCHMF-2026-0003", "Cancel", refs=[(SENDER, "NEVER-SEEN", timezone.now())], infos={})
    with pytest.raises(ServiceError) as err:
        services.do_import_cap(signed(stray, key, cert))
    assert err.value.code == "cap_unknown_reference"


def _refused(client: Client, body: bytes, code: str, status: int) -> dict[str, Any]:
    before = (Item.objects.count(), Alert.objects.count())
    response = client.post("/api/v1/portal/cap", body, content_type="application/xml", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert (Item.objects.count(), Alert.objects.count()) == before  # nothing half-written
    return response.json()


@override_settings(TTDN_RATE_LIMITS={"cap_import": (600, 100)})  # more messages than a sender's burst
def test_bad_input_is_refused_with_a_reason(world: World, sender: Any, client: Client) -> None:
    key, cert = sender
    good = signed(message(world), key, cert)
    _refused(client, b"<alert><unclosed>", "cap_malformed", 400)
    _refused(client, b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "cap_not_cap", 400)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&b;</alert>')
    _refused(client, bomb, "cap_malformed", 400)
    missing = message(world)
    missing.remove(missing.find(f"{{{cap.CAP}}}status"))
    _refused(client, signed(missing, key, cert), "cap_invalid", 400)
    _refused(client, b" " * (cap.MAX_BYTES + 1), "cap_too_large", 400)
    # An unknown sender, an unsigned message, one signed by another key, one altered after signing.
    other_key, other_cert = keypair("Someone else")
    _refused(client, signed(message(world, sender="ai-do@example.org"), other_key, other_cert),
             "cap_unknown_sender", 403)
    _refused(client, etree.tostring(message(world)), "cap_unsigned", 403)
    _refused(client, signed(message(world), other_key, other_cert), "cap_bad_signature", 400)
    tampered = good.replace("Bão số 5".encode(), "Bão số 9".encode())
    _refused(client, tampered, "cap_bad_signature", 400)
    draft = message(world, "NCHMF-DRAFT")
    draft.find(f"{{{cap.CAP}}}status").text = "Draft"  # type: ignore[union-attr]
    _refused(client, signed(draft, key, cert), "cap_status", 400)
    # Unknown language, expired alert.
    _refused(client, signed(message(world, infos={"xx-YY": ("?", "?", "?")}), key, cert), "cap_language", 400)
    # The good one goes in once; sent again it is a replay.
    assert client.post("/api/v1/portal/cap", good, content_type="application/xml").status_code == 201
    body = _refused(client, good, "cap_replayed", 409)
    assert body["message"]  # a reason a person can read


def test_an_expired_alert_is_refused(world: World, sender: Any) -> None:
    key, cert = sender
    root = message(world)
    for node in root.iter(f"{{{cap.CAP}}}expires"):
        node.text = cap.cap_time(timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ServiceError) as err:
        services.do_import_cap(signed(root, key, cert))
    assert err.value.code == "cap_expired"


def test_only_operators_register_senders(world: World) -> None:
    _key, cert = keypair()
    with pytest.raises(ServiceError):
        services.do_register_sender(world.agency_admin, SENDER, "x", cert, world.contributor)
    with pytest.raises(ServiceError) as err:
        services.do_register_sender(world.operator, "có dấu cách", "x", cert, world.contributor)
    assert err.value.details["field"] == "sender"
    with pytest.raises(ServiceError) as err:
        services.do_register_sender(world.operator, SENDER, "x", "not a certificate", world.contributor)
    assert err.value.details["field"] == "certificate"
    with pytest.raises(ServiceError) as err:
        services.do_register_sender(world.operator, SENDER, "x", cert, world.reader)
    assert err.value.details["field"] == "account"
    assert not CapSender.objects.exists()


def test_a_configured_cap_feed_is_polled(world: World) -> None:
    """An alerting system that publishes an Atom index instead of posting: its messages are read from it and
    checked as posted ones (a tampered one refused, one already taken in not taken again)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    key, cert = keypair()
    good = signed(message(world, "NCHMF-FEED-1"), key, cert)
    tampered = signed(message(world, "NCHMF-FEED-2"), key, cert).replace("Bão số 5".encode(), "Bão số 7".encode())
    docs: dict[str, bytes] = {"/cap/1.xml": good, "/cap/2.xml": tampered}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/alerts.atom":
                entries = "".join(
                    f'<entry><id>urn:{p}</id><title>x</title><updated>2026-12-07T00:00:00Z</updated>'
                    f'<link type="application/cap+xml" href="http://127.0.0.1:{port}{p}"/></entry>' for p in docs)
                body = (f'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:f</id><title>f</title>'
                        f'<updated>2026-12-07T00:00:00Z</updated>{entries}</feed>').encode()
            else:
                body = docs.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        services.do_register_sender(world.operator, SENDER, "NCHMF", cert, world.contributor,
                                    feed_url=f"http://127.0.0.1:{port}/alerts.atom")
        assert services.do_poll_cap_feeds() == {"imported": 1, "known": 0, "refused": 1, "failed_feeds": 0}
        assert Alert.objects.get().source_identifier == "NCHMF-FEED-1"
        row = CapSender.objects.get()
        assert row.polled_at is not None and "cap_bad_signature" in row.poll_error
        assert services.do_poll_cap_feeds() == {"imported": 0, "known": 1, "refused": 1, "failed_feeds": 0}
        assert Alert.objects.count() == 1
    finally:
        server.shutdown()
        server.server_close()
    # The system is down: the poll says so and takes nothing.
    assert services.do_poll_cap_feeds()["failed_feeds"] == 1
    assert CapSender.objects.get().poll_error
