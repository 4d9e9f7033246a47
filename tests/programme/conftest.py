"""A plan of the Gia Lai world, imported through `do_import_plan` from a draft shaped as the importer writes it,
with a plan manager at the coordinating department and plan reporters at two agencies."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Agency, Role, User
from ttdn.places.models import AdminUnit
from ttdn.programme import services
from ttdn.programme.models import Plan

from ..conftest import World

DRAFT: dict[str, Any] = {
    "plan": {
        "number": "2509", "symbol": "KH-UBND", "issuer": "Ủy ban nhân dân tỉnh Gia Lai", "issuer_agency": "gl-ppc",
        "date": "2020-11-30",
        "title": "Thực hiện công tác thông tin đối ngoại khu vực biên giới tỉnh Gia Lai giai đoạn 2020 - 2030",
        "legal_bases": ["Quyết định số 1191/QĐ-TTg ngày 14/8/2020 của Thủ tướng Chính phủ"],
        "period": {"start": "2020-01-01", "end": "2030-12-31"},
        "phases": [{"name": "2020 - 2025", "start": "2020-01-01", "end": "2025-12-31"},
                   {"name": "2026 - 2030", "start": "2026-01-01", "end": "2030-12-31"}],
    },
    "sections": [
        {"key": "II", "title": "Nhiệm vụ và giải pháp", "parent": None},
        {"key": "II.1", "title": "Thông tin, tuyên truyền", "parent": "II"},
        {"key": "II.2", "title": "Đào tạo, bồi dưỡng", "parent": "II"},
    ],
    "tasks": [
        {"key": "II.1.a", "section": "II.1", "parent": None,
         "title": "Cung cấp thông tin cho các đồn biên phòng, cửa khẩu",
         "description": "",
         "lead": {"text": "Sở TT&TT", "agency": "gl-svhttdl", "group": None},
         "coordinating": [{"text": "BCH BĐBP tỉnh", "agency": "gl-bchbdbp", "group": None},
                          {"text": "UBND các huyện biên giới", "agency": None, "group": "border_district_committees"}],
         "timeframe": {"text": "Hằng năm", "kind": "yearly", "start": None, "end": None}},
        {"key": "II.1.b", "section": "II.1", "parent": "II.1.a",
         "title": "Lắp đặt màn hình thông tin tại các đồn biên phòng",
         "description": "",
         "lead": {"text": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "agency": "gl-bchbdbp", "group": None},
         "coordinating": [],
         "timeframe": {"text": "Hoàn thành ngày 31/03/2021", "kind": "by_date", "start": None, "end": "2021-03-31"}},
        {"key": "II.2.a", "section": "II.2", "parent": None,
         "title": "Bồi dưỡng kỹ năng thông tin đối ngoại cho cán bộ",
         "description": "",
         "lead": {"text": "Sở Nội vụ", "agency": None, "group": None},
         "coordinating": [{"text": "các sở, ban, ngành", "agency": None, "group": "provincial_departments"}],
         "timeframe": {"text": "Giai đoạn 2020 - 2025", "kind": "period", "start": "2020-01-01",
                       "end": "2025-12-31"}},
    ],
    "indicators": [
        {"key": "T1", "name": "100% cán bộ làm công tác thông tin đối ngoại được bồi dưỡng", "unit": "percent",
         "baseline": None, "text": "100% cán bộ … được bồi dưỡng",
         "targets": [{"label": "2020 - 2025", "start": "2020-01-01", "end": "2025-12-31", "value": 50},
                     {"label": "2026 - 2030", "start": "2026-01-01", "end": "2030-12-31", "value": 100}]},
        {"key": "T2", "name": "08 đồn biên phòng được trang bị màn hình thông tin", "unit": "count",
         "baseline": 0, "text": "08 đồn biên phòng",
         "targets": [{"label": "2020 - 2025", "start": "2020-01-01", "end": "2025-12-31", "value": 8}]},
        {"key": "T3", "name": "Số tin, bài đăng trên trang thông tin đối ngoại", "unit": "count",
         "baseline": None, "text": "",
         "targets": [{"label": "2030", "start": "2030-01-01", "end": "2030-12-31", "value": 500}]},
    ],
    "unplaced": [{"text": "Giao Sở Tài chính bố trí kinh phí", "reason": "no task"}],
}


def draft() -> dict[str, Any]:
    return copy.deepcopy(DRAFT)


@dataclass
class PW:
    world: World
    plan: Plan
    manager: User
    reporter_dept: User  # plan reporter of the coordinating department
    reporter_bgc: User  # plan reporter of the border-guard command
    reporter_dl: User  # a reporter of an agency outside the plan
    district: Agency


def _user(username: str, agency: Agency, role: str, password: str | None = None) -> User:
    user = accounts.do_create_user(None, username, password, agency=agency, full_name=username.title(),
                                   email=f"{username}@example.vn")
    accounts.do_grant_role(None, user, role, "")
    return user


def build_pw(world: World, password: str | None = None) -> PW:
    district_unit = AdminUnit.objects.filter(level="district", name__contains="Đức Cơ").first()
    district = accounts.do_save_agency(None, accounts.AgencyData(
        code="gl-h-duc-co", name="UBND huyện Đức Cơ", kind="district_pc", parent=world.gl_ppc,
        province_id=world.gia_lai.pk, admin_unit_id=district_unit.pk if district_unit else None))
    manager = _user("plan_manager", world.gl_dept, Role.PLAN_MANAGER, password)
    pw = PW(
        world=world, plan=None,  # type: ignore[arg-type]
        manager=manager,
        reporter_dept=_user("reporter_dept", world.gl_dept, Role.PLAN_REPORTER, password),
        reporter_bgc=_user("reporter_bgc", world.gl_bgc, Role.PLAN_REPORTER, password),
        reporter_dl=_user("reporter_dl", world.dl_dept, Role.PLAN_REPORTER, password),
        district=district,
    )
    pw.plan = services.do_import_plan(manager, draft())
    return pw


@pytest.fixture
def pw(world: World) -> PW:
    return build_pw(world)


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(year, month, day, hour))
