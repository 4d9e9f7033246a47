"""Smaller layouts officials also use: attributes in parentheses after a task, tasks as bullets straight under a
"Giải pháp" heading, agencies typed without diacritics or under a pre-2025 province name."""

from __future__ import annotations

from typing import Any

from ttdn.documents.agency_match import match_agency
from ttdn.documents.plan_import import parse_plan, split_agency_list

from .conftest import FIXTURES

INLINE = (FIXTURES / "gia-lai-inline-plan-2021.txt").read_text(encoding="utf-8")


def test_attributes_in_parentheses_and_bullets_under_a_heading(agencies: Any) -> None:
    draft = parse_plan(INLINE, agencies=agencies)
    tasks = {t["key"]: t for t in draft["tasks"]}
    first = tasks["I.1"]
    assert first["title"] == "Tổ chức hội nghị quán triệt Quyết định số 1191/QĐ-TTg"
    assert (first["lead"]["agency"], [c["agency"] for c in first["coordinating"]]) == ("gl-stttt", ["gl-sngv"])
    assert (first["timeframe"]["kind"], first["timeframe"]["start"]) == ("quarter", "2021-07-01")
    second = tasks["I.2"]
    assert second["lead"]["agency"] == "gl-bchbdbp"
    assert [c["group"] for c in second["coordinating"]] == ["border_district_committees"]
    assert (second["timeframe"]["start"], second["timeframe"]["end"]) == ("2021-10-01", "2021-10-31")
    third = tasks["I.3"]
    assert third["lead"]["agency"] == "gl-stttt" and third["timeframe"]["kind"] == "ongoing"
    # Bullets straight under "II. GIẢI PHÁP" are tasks, their subject the lead.
    bullets = [t for t in draft["tasks"] if t["section"] == "II"]
    assert [(t["lead"]["agency"], [c["agency"] for c in t["coordinating"]]) for t in bullets] == [
        ("gl-stttt", ["gl-bao"]), ("gl-ptth", [])]
    assert draft["plan"]["period"] == {"start": "2021-01-01", "end": "2021-12-31"}


def test_agency_names_as_officials_type_them(agencies: Any) -> None:
    cases = {
        "Sở TT&TT": "gl-stttt", "So Thong tin va Truyen thong": "gl-stttt", "BCH BĐBP tỉnh": "gl-bchbdbp",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh": "gl-bchbdbp", "Công an tỉnh": "gl-ca", "Báo Gia Lai": "gl-bao",
        "Đài PT-TH tỉnh": "gl-ptth", "Sở VH,TT&DL": "gl-svhttdl", "Sở KH&ĐT": "gl-skhdt",
        "Sở Thông tin và Truyền thông tỉnh Bình Định": "gl-stttt", "UBND tỉnh": "gl-ubnd",
        "Ủy ban nhân dân huyện Đức Cơ": "gl-h-duc-co", "Đồn Biên phòng Ia O": "gl-dbp-ia-o",
    }
    for text, code in cases.items():
        assert match_agency(text, agencies, province_key="Gia Lai").agency == code, text
    groups = {
        "UBND các huyện, thị xã, thành phố": "district_committees", "UBND cấp huyện": "district_committees",
        "UBND các xã biên giới": "border_commune_committees", "UBND cấp xã": "commune_committees",
        "UBND 03 huyện biên giới": "border_district_committees", "các sở, ban, ngành": "provincial_departments",
        "Ủy ban MTTQ và các tổ chức chính trị - xã hội": "mass_organisations",
        "các cơ quan báo chí": "press_agencies", "các cơ quan, đơn vị liên quan": "all_agencies",
    }
    for text, group in groups.items():
        found = match_agency(text, agencies, province_key="Gia Lai")
        assert (found.agency, found.group) == (None, group), text
    # The same department name in three provinces: without a province, no guess.
    assert match_agency("Sở Ngoại vụ", agencies).agency is None
    assert match_agency("Sở Ngoại vụ", agencies, province_key="Phú Yên").agency == "dl-sngv"
    assert match_agency("Ban Tuyên giáo Tỉnh ủy", agencies, province_key="Gia Lai").matched is False


def test_lists_of_agencies_split_where_names_end() -> None:
    assert split_agency_list(
        "Các sở, ban, ngành thuộc tỉnh; Bộ Chỉ huy Bộ đội Biên phòng tỉnh, Bộ Chỉ huy Quân sự tỉnh; UBND cấp huyện "
        "và các cơ quan, đơn vị liên quan.") == [
        "Các sở, ban, ngành thuộc tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Bộ Chỉ huy Quân sự tỉnh",
        "UBND cấp huyện", "các cơ quan, đơn vị liên quan"]
    assert split_agency_list("Sở Văn hóa, Thể thao và Du lịch, Sở Công thương") == [
        "Sở Văn hóa, Thể thao và Du lịch", "Sở Công thương"]
    assert split_agency_list("UBND các huyện, thị xã, thành phố (gọi chung là cấp huyện)") == [
        "UBND các huyện, thị xã, thành phố"]


def test_decimal_numbering_and_duty_headings_with_their_verb(agencies: Any) -> None:
    draft = parse_plan((FIXTURES / "dak-lak-decimal-plan-2024.txt").read_text(encoding="utf-8"), agencies=agencies)
    summary = [(t["key"], t["section"], t["lead"]["agency"], t["timeframe"]["kind"], t["timeframe"]["start"])
               for t in draft["tasks"]]
    assert summary == [
        ("I.1.1", "I.1", "dl-sngv", "quarter", "2024-04-01"),
        ("I.1.2", "I.1", "dl-ptth", "monthly", "2024-01-01"),
        ("II.1.1", "II.1", "dl-sngv", "period", "2024-01-01"),
        ("II.2.1", "II.2", "dl-ca", "period", "2024-01-01"),
    ]
    assert not [u for u in draft["unplaced"] if u["reason"] == "agency not recognised"]
