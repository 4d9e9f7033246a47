"""Exchange files: XLIFF 2.0 and 1.2 round trips in every desk language (export, edit in a separate file, import
after a comparison, export again: byte-exact where unchanged), TMX and TBX/CSV round trips, and hostile or
wrong files refused with a sentence and nothing written."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.urls import reverse

from ttdn.accounts.models import Role
from ttdn.core import languages
from ttdn.core.errors import Conflict, ServiceError
from ttdn.translation import exchange, services
from ttdn.translation.models import Job, MemoryUnit, Term, TermStatus

from ..conftest import _user
from ..content.test_views import login
from .conftest import Desk

pytestmark = pytest.mark.django_db

SAMPLES = {
    "lo": "ປະຊາຊົນຕ້ອງນຳເອົາບັດ",
    "km": "ប្រជាពលរដ្ឋត្រូវយកអត្តសញ្ញាណប័ណ្ណ",
    "zh-Hans": "公民必须携带身份证件",
    "th": "ประชาชนต้องพกบัตร",
    "en": "Citizens must carry papers & <ID> \"cards\"",
    "jra": "Ƀing gơ̆ ană",
}
# Every other language of the registry, with its own name as text (ƀ, breves, Tai Viet script and all).
SAMPLES.update({lang.tag: f"{lang.name_vi} ({lang.name_en})" for lang in languages.LANGUAGES
                if lang.tag not in SAMPLES and lang.tag != "vi"})


def translated_job(desk: Desk, language: str) -> Job:
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(languages=[language]))[0]
    for s in job.segments.all():
        services.do_save_segment(w.appraiser, s, f"{SAMPLES[language]} {s.position}")
    return job


@pytest.mark.parametrize("version", ["2.0", "1.2"])
@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_xliff_round_trip(desk: Desk, language: str, version: str) -> None:
    job = translated_job(desk, language)
    first = exchange.export_xliff(job, version)
    assert exchange.read_xliff(job, first) == []  # unchanged: nothing to take
    # Edited in a separate file, as an outside translator's tool would.
    old = f"{SAMPLES[language]} 1".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f">{old}<".encode() in first
    edited = first.replace(f">{old}<".encode(), ">ĐÃ SỬA 1<".encode())
    assert edited != first
    changes = exchange.read_xliff(job, edited)
    assert [(c.position, c.new) for c in changes] == [(1, "ĐÃ SỬA 1")]
    assert services.do_import_xliff(desk.world.appraiser, job, edited, services.changes_digest(changes)) == 1
    assert job.segments.get(position=1).target == "ĐÃ SỬA 1"
    assert exchange.export_xliff(job, version) == edited  # byte-exact


def test_only_the_changes_shown_are_applied(desk: Desk) -> None:
    job = translated_job(desk, "lo")
    edited = exchange.export_xliff(job).replace(f">{SAMPLES['lo']} 0<".encode(), b">new<")
    shown = services.changes_digest(exchange.read_xliff(job, edited))
    # Someone saves the same sentence meanwhile: the comparison no longer holds.
    services.do_save_segment(desk.world.appraiser, job.segments.get(position=0), "khác")
    with pytest.raises(Conflict):
        services.do_import_xliff(desk.world.appraiser, job, edited, shown)
    assert job.segments.get(position=0).target == "khác"


@pytest.mark.parametrize(("mangle", "message"), [
    (lambda x: x[:200], "XLIFF hợp lệ"),
    (lambda x: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + x.split(b"?>", 1)[1], "DTD"),
    (lambda x: x.replace(b'trgLang="lo"', b'trgLang="km"'), "km"),
    (lambda x: x.replace(b'id="s1"', b'id="s99"'), "s99"),
    (lambda x: x.replace("Quy chế".encode(), "Quy định".encode()), "Hãy xuất lại"),
    (lambda x: x.replace(b"<target>", b"<target><mrk id='m'>x</mrk>", 1), "thẻ định dạng"),
    (lambda x: b"<html/>", "XLIFF"),
])
def test_bad_xliff_is_refused_with_a_sentence(desk: Desk, mangle: object, message: str) -> None:
    job = translated_job(desk, "lo")
    before = list(job.segments.values_list("target", flat=True))
    with pytest.raises(ServiceError) as caught:
        exchange.read_xliff(job, mangle(exchange.export_xliff(job)))  # type: ignore[operator]
    assert message in str(caught.value.message)  # in the person's language (Vietnamese by default)
    assert list(job.segments.values_list("target", flat=True)) == before


def test_xliff_through_the_pages(desk: Desk, client: Client) -> None:
    job = translated_job(desk, "lo")
    w = desk.world
    job.translator = w.translator_lo
    job.save()
    login(client, w.translator_lo)
    exported = client.get(reverse("translation:job_xliff", args=[job.pk]))
    assert exported.status_code == 200 and exported["Content-Type"] == "application/xliff+xml"
    edited = exported.content.replace(f">{SAMPLES['lo']} 2<".encode(), ">ສະບາຍດີ<".encode())
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("translation:job_xliff_import", args=[job.pk])
    compare = client.post(url, {"file": SimpleUploadedFile("job.xlf", edited)})
    page = compare.content.decode()
    assert compare.status_code == 200 and "ສະບາຍດີ" in page and 'data-testid="xliff-confirm"' in page
    assert job.segments.get(position=2).target != "ສະບາຍດີ"  # nothing written yet
    shown = page.split('name="shown" value="')[1].split('"')[0]
    done = client.post(url, {"confirm": "1", "shown": shown, "data": base64.b64encode(edited).decode()})
    assert done.status_code == 302 and job.segments.get(position=2).target == "ສະບາຍດີ"
    bad = client.post(url, {"file": SimpleUploadedFile("job.xlf", b"<xliff")})
    assert bad.status_code == 400 and "XLIFF" in bad.content.decode()


def test_tmx_round_trip(desk: Desk) -> None:
    MemoryUnit.objects.create(source_language="vi", target_language="lo", source="Mốc quốc giới.",
                              target="ຫຼັກໝາຍ.", source_hash="a", target_hash="b", kind="leaflet", topic="border")
    first = exchange.export_tmx("vi", "lo")
    entries = exchange.read_tmx(first)
    assert [(e.source, e.target, e.kind, e.topic) for e in entries] == [
        ("Mốc quốc giới.", "ຫຼັກໝາຍ.", "leaflet", "border")]
    MemoryUnit.objects.all().delete()
    assert services.do_import_memory(desk.world.appraiser, entries) == 1
    assert services.do_import_memory(desk.world.appraiser, entries) == 0  # kept once
    assert exchange.export_tmx("vi", "lo") == first
    with pytest.raises(ServiceError):
        exchange.read_tmx(b'<tmx version="1.4"><header srclang="vi"/><body><tu><tuv xml:lang="xx"><seg>a</seg>'
                          b'</tuv></tu></body></tmx>')
    with pytest.raises(ServiceError):
        services.do_import_memory(desk.world.translator_lo, entries)


def test_tbx_and_csv_round_trip(desk: Desk) -> None:
    rows = [("mốc quốc giới", "หลักเขตแดน", TermStatus.PREFERRED), ("Gia Lai", "", TermStatus.DO_NOT_TRANSLATE),
            ("biên giới", "เส้นแบ่ง", TermStatus.FORBIDDEN)]
    for source, target, status in rows:
        Term.objects.create(source_language="vi", target_language="th", source=source, target=target, status=status,
                            note="ghi chú" if status == TermStatus.PREFERRED else "")
    tbx, csv_ = exchange.export_tbx("vi", "th"), exchange.export_csv("vi", "th")
    from_tbx, from_csv = exchange.read_tbx(tbx), exchange.read_csv(csv_)
    assert from_tbx == from_csv
    assert {(e.source, e.target, e.status) for e in from_tbx} == set(rows)
    Term.objects.filter(target_language="th").delete()
    services.do_import_terms(desk.world.appraiser, from_tbx)
    assert exchange.export_tbx("vi", "th") == tbx and exchange.export_csv("vi", "th") == csv_
    with pytest.raises(ServiceError) as caught:
        exchange.read_csv(b"source_language,target_language,source,target,status\nvi,lo,x,,preferred\n")
    assert "2" in str(caught.value.message)  # names the line


def test_the_border_glossary_is_there() -> None:
    assert Term.objects.get(source="mốc quốc giới", target_language="zh-Hans").target == "界碑"
    assert Term.objects.get(source="mốc quốc giới", target="landmark").status == TermStatus.FORBIDDEN
    assert Term.objects.get(source="Gia Lai", target_language="en").status == TermStatus.DO_NOT_TRANSLATE


def test_glossary_and_memory_pages(desk: Desk, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, desk.world.appraiser)
    csv_file = "source_language,target_language,source,target,status,note\nvi,lo,cửa khẩu,ດ່ານ,preferred,\n"
    response = client.post(reverse("translation:glossary"), {"file": SimpleUploadedFile("g.csv", csv_file.encode()),
                                                              "format": "csv"})
    assert response.status_code == 302 and Term.objects.filter(source="cửa khẩu", target="ດ່ານ").exists()
    page = client.get(reverse("translation:glossary"), {"source": "vi", "target": "lo"}).content.decode()
    assert "ດ່ານຊາຍແດນ" in page
    bad = client.post(reverse("translation:glossary"), {"file": SimpleUploadedFile("g.csv", b"\xff\xfe"),
                                                         "format": "csv"})
    assert bad.status_code == 400 and "UTF-8" in bad.content.decode()
    assert client.get(reverse("translation:memory")).status_code == 200
    reader = _user("reader2", desk.world.gl_bgc, (Role.READER, ""))
    login(client, reader)
    assert client.get(reverse("translation:glossary")).status_code == 403
