"""Campaigns through the services and the pages: audiences from CSV/XLSX with bad rows reported in Vietnamese,
the do-not-contact list, approval by a second person, the preview and the dashboard."""

from __future__ import annotations

import io
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from ttdn.accounts import services as accounts
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import Role, User
from ttdn.content.models import State
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.outreach import services
from ttdn.outreach.models import Campaign, CampaignState, DoNotContact, Message, Operator, Subscriber
from ttdn.outreach.sending import Delivery, claim, record
from ttdn.outreach.services import CampaignData
from ttdn.places.models import AdminUnit

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    return client


def communes(world: World, n: int = 2) -> list[AdminUnit]:
    found = list(AdminUnit.objects.filter(level="commune", valid_to__isnull=True, parent=world.gia_lai)
                 .order_by("gso_code")[:n])
    assert len(found) == n
    return found


@pytest.fixture
def operators(db: Any) -> dict[str, Operator]:
    return {
        "viettel": Operator.objects.create(code="viettel", name="Viettel", price_per_segment=Decimal("350")),
        "vinaphone": Operator.objects.create(code="vinaphone", name="VinaPhone", price_per_segment=Decimal("300")),
    }


def csv_upload(text: str, name: str = "danh-sach.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def test_csv_import_reports_bad_rows_in_vietnamese(world: World, operators: dict[str, Operator]) -> None:
    ia, other = communes(world)
    rows = "\n".join([
        "Số điện thoại;Nhà mạng;Mã xã;Ngôn ngữ",
        f"0912 345 678;VinaPhone;{ia.gso_code};vi",
        f"+84 868 123 456;viettel;{ia.gso_code};Tiếng Gia Rai",
        f"0868123456;Viettel;{other.gso_code};vi",  # the same number again
        f"0212345678;Viettel;{ia.gso_code};vi",  # a landline
        f"0983111222;;{ia.gso_code};vi",  # no operator
        f"0983111223;Beeline;{ia.gso_code};vi",
        "0983111224;Viettel;99999;vi",
        f"0983111225;Viettel;{ia.gso_code};klingon",
        "",
        f"84983111226;Viettel;{ia.gso_code};",
    ])
    with translation.override("vi"):
        report = services.do_import_subscribers(world.contributor, csv_upload(rows))
    assert (report.accepted, report.created, report.rejected_count) == (3, 3, 6)
    reasons = {r.row: r.reason for r in report.rejected}
    assert "lại" in reasons[4]  # appears again
    assert "đầu số di động" in reasons[5]
    assert "nhà mạng" in reasons[6].lower() and "Beeline" in reasons[7]
    assert "99999" in reasons[8] and "klingon" in reasons[9]
    jrai = Subscriber.objects.get(number="84868123456")
    assert (jrai.operator, jrai.commune, jrai.language) == (operators["viettel"], ia, "jra")
    assert Subscriber.objects.get(number="84983111226").language == "vi"
    assert AuditEntry.objects.filter(action="outreach.subscribers_imported").exists()


def test_xlsx_import_with_a_default_commune(world: World, operators: dict[str, Operator]) -> None:
    (ia,) = communes(world, 1)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["SĐT", "Nhà mạng"])
    sheet.append([912345678, "VinaPhone"])  # a number typed as a number: the leading 0 is lost
    sheet.append(["0912345679", "Viettel"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("ds.xlsx", out.getvalue())
    with translation.override("vi"):
        report = services.do_import_subscribers(world.contributor, upload, commune_id=ia.pk)
    assert report.accepted == 1 and report.rejected_count == 1
    assert "0 hoặc 84" in report.rejected[0].reason
    assert Subscriber.objects.get(number="84912345679").commune == ia


def test_unreadable_lists_are_refused_whole(world: World, operators: dict[str, Operator]) -> None:
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        services.do_import_subscribers(world.contributor, csv_upload("Tên;Tuổi\nAn;3\n"))
    assert "cột số điện thoại" in str(refused.value.message)
    latin1 = SimpleUploadedFile("x.csv", "Sô diên thoai\n0912345678\n".encode("latin-1"))  # not UTF-8
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        services.do_import_subscribers(world.contributor, latin1)
    assert "CSV UTF-8" in str(refused.value.message)
    with translation.override("vi"), pytest.raises(ServiceError):
        services.do_import_subscribers(world.contributor, SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not a zip"))
    assert not Subscriber.objects.exists()
    with pytest.raises(ServiceError):
        services.do_import_subscribers(world.reader, csv_upload("SĐT\n0912345678\n"))


def _audience(world: World, operators: dict[str, Operator], n: int = 4) -> AdminUnit:
    (ia,) = communes(world, 1)
    Subscriber.objects.bulk_create(
        [Subscriber(number=f"849123456{i:02d}", operator=operators["viettel" if i % 2 else "vinaphone"],
                    commune=ia, language="vi") for i in range(n)]
        + [Subscriber(number="84868000001", operator=operators["viettel"], commune=ia, language="jra")])
    return ia


def _data(commune: AdminUnit, **kw: Any) -> CampaignData:
    return CampaignData(**{"title": "Họp dân", "sender_name": "SoTTTT",
                           "texts": {"vi": "Mời bà con họp dân lúc 8 giờ tại nhà văn hóa xã.",
                                     "jra": "Nao bơwih tơlơi hơdơ̆ng"},
                           "commune_ids": [commune.pk], "quiet_start": time(0), "quiet_end": time(0), **kw})


def test_a_second_person_approves_and_messages_are_recorded(world: World, operators: dict[str, Operator]) -> None:
    ia = _audience(world, operators)
    campaign = services.do_create_campaign(world.contributor, _data(ia))
    with pytest.raises(ServiceError):
        services.do_approve(world.agency_admin, campaign.pk)  # not submitted yet
    services.do_submit(world.contributor, campaign.pk)
    with pytest.raises(ServiceError) as refused:
        services.do_approve(world.contributor, campaign.pk)
    assert refused.value.status == 403
    with pytest.raises(ServiceError):
        services.do_approve(world.contributor_dl, campaign.pk)
    services.do_approve(world.agency_admin, campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENDING and campaign.approved_by == world.agency_admin
    # Holding both roles does not let one person prepare and approve.
    accounts.do_grant_role(None, world.agency_admin, Role.CONTRIBUTOR, "")
    own = services.do_create_campaign(world.agency_admin, _data(ia))
    services.do_submit(world.agency_admin, own.pk)
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        services.do_approve(world.agency_admin, own.pk)
    assert refused.value.code == "four_eyes" and "người thứ hai" in str(refused.value.message)
    assert Message.objects.filter(campaign=campaign).count() == 5
    actions = list(AuditEntry.objects.filter(object_id=str(campaign.pk)).values_list("action", flat=True))
    assert {"outreach.campaign_created", "outreach.campaign_submitted", "outreach.campaign_approved"} <= set(actions)


def test_a_message_over_the_segment_limit_is_refused_not_cut(world: World, operators: dict[str, Operator]) -> None:
    ia = _audience(world, operators)
    long_text = "Thông báo của Ủy ban nhân dân xã về lịch tiêm chủng cho trẻ em dưới năm tuổi. " * 3
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        services.do_create_campaign(world.contributor, _data(ia, texts={"vi": long_text}, segment_limit=2))
    assert refused.value.code == "too_many_segments" and "tối đa 2" in str(refused.value.message)
    # Without diacritics it fits in two GSM-7 segments.
    campaign = services.do_create_campaign(world.contributor, _data(ia, texts={"vi": long_text}, segment_limit=2,
                                                                    no_accents=True))
    assert campaign.no_accents


def test_do_not_contact_wins_and_an_opt_out_reply_is_heard(world: World, operators: dict[str, Operator]) -> None:
    ia = _audience(world, operators)
    campaign = services.do_create_campaign(world.contributor, _data(ia))
    services.do_submit(world.contributor, campaign.pk)
    services.do_approve(world.publisher, campaign.pk)
    services.do_add_do_not_contact(world.contributor, ["0912 3456 01"], "xin không nhận")
    now = timezone.now()
    got = claim(operators["viettel"].pk, "run1", 100, now, {})
    assert "84912345601" not in {c.number for c in got}
    skipped = Message.objects.get(number="84912345601")
    assert (skipped.state, skipped.reason) == ("skipped", "do_not_contact")
    record(operators["viettel"].pk, [], [Delivery("84912345603", text="Từ chối")], now, {})
    assert DoNotContact.objects.filter(number="84912345603").exists()
    assert Subscriber.objects.get(number="84912345603").opted_out_at is not None


def test_pause_resume_cancel(world: World, operators: dict[str, Operator]) -> None:
    ia = _audience(world, operators)
    campaign = services.do_create_campaign(world.contributor, _data(ia))
    services.do_submit(world.contributor, campaign.pk)
    services.do_approve(world.agency_admin, campaign.pk)
    services.do_move(world.contributor, campaign.pk, "pause")
    assert claim(operators["viettel"].pk, "r", 100, timezone.now(), {}) == []
    services.do_move(world.agency_admin, campaign.pk, "resume")
    assert claim(operators["viettel"].pk, "r", 1, timezone.now(), {})
    with pytest.raises(ServiceError):
        services.do_move(world.contributor_dl, campaign.pk, "cancel")
    services.do_move(world.contributor, campaign.pk, "cancel")
    assert not Message.objects.filter(campaign=campaign, state="pending").exists()


# ------------------------------------------------------------------------------------------------ pages


def test_pages_from_a_published_sms_item_to_approval(world: World, operators: dict[str, Operator]) -> None:
    ia = _audience(world, operators)
    item = make_item(world, title="Tin nhắn họp dân", kind="sms",
                     body="<p>Mời bà con xã Ia Chia họp dân lúc 8 giờ sáng mai.</p>")
    advance(world, item, State.PUBLISHED)
    author = client_for(world.contributor)
    page = author.get(reverse("outreach:campaign_new") + f"?item={item.uid}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mời bà con xã Ia Chia họp dân" in html and "UCS-2" in html
    preview = author.post(reverse("outreach:preview"), {
        "text_vi": "Moi ba con hop dan", "text_jra": "Nao bơwih", "communes": [ia.pk], "segment_limit": "3"})
    text = preview.content.decode()
    assert 'data-testid="preview-vi"' in text and "GSM-7" in text and "UCS-2" in text
    # 2 VinaPhone and 2 Viettel numbers in Vietnamese (1 segment), 1 Viettel in Jrai: 2×300 + 2×350 + 350.
    assert "1.650" in text or "1,650" in text
    unaccented = author.post(reverse("outreach:preview"), {"text_vi": "Đồn Biên phòng", "no_accents": "on"})
    assert "Don Bien phong" in unaccented.content.decode()
    saved = author.post(reverse("outreach:campaign_new"), {
        "item": str(item.uid), "title": "Họp dân Ia Chia", "sender_name": "SoTTTT", "segment_limit": "3",
        "text_vi": "Mời bà con họp dân lúc 8 giờ.", "communes": [str(ia.pk)], "quiet_start": "22:00",
        "quiet_end": "07:00", "cap": "3"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    campaign = Campaign.objects.get(title="Họp dân Ia Chia")
    assert campaign.item == item and campaign.created_by == world.contributor
    url = reverse("outreach:campaign_action", args=[campaign.pk])
    author.post(url, {"action": "submit"})
    refused = author.post(url, {"action": "approve"}, follow=True)
    assert "Chỉ quản trị viên của cơ quan hoặc người xuất bản" in refused.content.decode()
    approver = client_for(world.agency_admin)
    assert 'data-testid="approve"' in approver.get(reverse("outreach:campaign", args=[campaign.pk])).content.decode()
    approver.post(url, {"action": "approve"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENDING
    figures = approver.get(reverse("outreach:figures", args=[campaign.pk])).content.decode()
    assert 'value="0"' in figures and 'hx-trigger="every 2s"' in figures
    exported: Any = approver.get(reverse("outreach:results_csv", args=[campaign.pk]))
    csv_text = b"".join(exported.streaming_content)
    assert csv_text.decode("utf-8").count("\n") == 1 + 4  # header and the four Vietnamese numbers
    # Another province's contributor sees nothing of it.
    assert client_for(world.contributor_dl).get(reverse("outreach:campaign", args=[campaign.pk])).status_code == 404


def test_import_and_do_not_contact_pages(world: World, operators: dict[str, Operator]) -> None:
    (ia,) = communes(world, 1)
    author = client_for(world.contributor)
    response = author.post(reverse("outreach:subscribers"), {
        "file": csv_upload("SĐT,Nhà mạng\n0912345678,Viettel\n12345,Viettel\n"), "commune": str(ia.pk)})
    page = response.content.decode()
    assert 'data-testid="import-report"' in page and "12345" in page and "0 hoặc 84" in page
    added = author.post(reverse("outreach:do_not_contact"), {"numbers": "0912345678\n", "reason": "yêu cầu"})
    assert added.status_code == 302 and DoNotContact.objects.filter(number="84912345678").exists()
    bad = author.post(reverse("outreach:do_not_contact"), {"numbers": "abc"})
    assert "chỉ được có chữ số" in bad.content.decode()
    assert client_for(world.reader).get(reverse("outreach:subscribers")).status_code == 403


def test_area_broadcast_order_exports_and_results(world: World, operators: dict[str, Operator]) -> None:
    from docx import Document

    ia, other = communes(world)
    author = client_for(world.contributor)
    saved = author.post(reverse("outreach:campaign_new"), {
        "kind": "area", "title": "Phát theo địa bàn", "sender_name": "SoTTTT", "segment_limit": "3",
        "text_vi": "Mời bà con họp dân lúc 8 giờ.", "communes": [str(ia.pk), str(other.pk)],
        "quiet_start": "22:00", "quiet_end": "07:00", "cap": "3"})
    assert saved.status_code == 302
    campaign = Campaign.objects.get(title="Phát theo địa bàn")
    url = reverse("outreach:campaign_action", args=[campaign.pk])
    author.post(url, {"action": "submit"})  # no subscriber list needed: the operators hold the numbers
    early = author.get(reverse("outreach:area_order", args=[campaign.pk, "docx"]))
    assert early.status_code == 302
    client_for(world.publisher).post(url, {"action": "approve"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPROVED and not campaign.messages.exists()
    docx = author.get(reverse("outreach:area_order", args=[campaign.pk, "docx"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    tables = " ".join(c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells)
    assert "phát tin nhắn theo địa bàn" in text and "22:00–07:00" in text
    assert "Mời bà con họp dân lúc 8 giờ." in tables and ia.name in tables and "UCS-2" in tables
    csv_rows = author.get(reverse("outreach:area_order", args=[campaign.pk, "csv"])).content.decode("utf-8-sig")
    assert csv_rows.count("\n") == 1 + 2 and ia.gso_code in csv_rows and other.gso_code in csv_rows
    xlsx = author.get(reverse("outreach:area_order", args=[campaign.pk, "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    results = reverse("outreach:area_results", args=[campaign.pk])
    bad = author.post(results, {"operator": operators["viettel"].pk, "commune": ia.pk, "subscribers": "10",
                                "delivered": "12", "cost": "3500"}, follow=True)
    assert "không được vượt" in bad.content.decode()
    author.post(results, {"operator": operators["viettel"].pk, "commune": ia.pk, "subscribers": "1200",
                          "delivered": "1100", "cost": "420000", "final": "on"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.FINISHED
    page = author.get(reverse("outreach:campaign", args=[campaign.pk])).content.decode()
    assert "1100" in page and "420.000" in page


def test_voice_from_the_offline_engine_and_a_recording(world: World, operators: dict[str, Operator]) -> None:
    import wave

    ia = _audience(world, operators)
    campaign = services.do_create_campaign(world.contributor, _data(ia))
    author = client_for(world.contributor)
    author.post(reverse("outreach:voice_make", args=[campaign.pk]), {"language": "vi"})
    page = author.get(reverse("outreach:campaign", args=[campaign.pk])).content.decode()
    assert "<audio controls" in page and "espeak-ng vi" in page
    mp3 = author.get(reverse("outreach:voice_audio", args=[campaign.pk, "vi"]))
    assert mp3["Content-Type"] == "audio/mpeg" and len(mp3.content) > 5000
    for rate in (8000, 16000):
        wav = author.get(reverse("outreach:voice_audio", args=[campaign.pk, "vi"]) + f"?wav={rate}")
        with wave.open(io.BytesIO(wav.content)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (rate, 1, 2)
            assert w.getnframes() / rate > 1.5  # a sentence, not silence
    # Jrai: no offline voice reads it; a recording is uploaded and used instead.
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        services.do_make_voice(world.contributor, campaign.pk, "jra")
    assert "ghi âm" in str(refused.value.message)
    recorded = SimpleUploadedFile("jrai.mp3", mp3.content)  # any real MP3 will do
    author.post(reverse("outreach:voice_upload", args=[campaign.pk]), {"language": "jra", "file": recorded})
    assert campaign.voice_clips.get(language="jra").source == "recorded"
    not_audio = SimpleUploadedFile("x.mp3", b"%PDF-1.4 not audio")
    refused_page = author.post(reverse("outreach:voice_upload", args=[campaign.pk]),
                               {"language": "jra", "file": not_audio}, follow=True)
    assert refused_page.status_code == 200 and campaign.voice_clips.get(language="jra").source == "recorded"
    assert client_for(world.contributor_dl).get(
        reverse("outreach:voice_audio", args=[campaign.pk, "vi"])).status_code == 404
