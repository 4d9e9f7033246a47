"""Demo data for the plans: Gia Lai's foreign-information plan for the border area (after Kế hoạch 2509/KH-UBND),
its plan manager and reporters, four years of reports, officers and a training class, equipment at border-guard
posts and budget lines — all through the services, as people would. Running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Agency, Role, User
from ttdn.core.registry import DEMO_PASSWORD, DemoPart, demo_part
from ttdn.places.models import BorderSite
from ttdn.programme import services
from ttdn.programme.models import Plan, ProgressReport

PLAN_DRAFT: dict[str, Any] = {
    "plan": {
        "number": "2509", "symbol": "KH-UBND", "issuer": "Ủy ban nhân dân tỉnh Gia Lai", "issuer_agency": "gl-ubnd",
        "date": "2020-12-15",
        "title": "Thực hiện Đề án tăng cường công tác thông tin đối ngoại khu vực biên giới tỉnh Gia Lai giai đoạn "
                 "2021 - 2030",
        "legal_bases": ["Luật Biên phòng Việt Nam ngày 11/11/2020",
                        "Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ về quản lý hoạt động thông tin "
                        "đối ngoại"],
        "period": {"start": "2021-01-01", "end": "2030-12-31"},
        "phases": [{"name": "2021 - 2025", "start": "2021-01-01", "end": "2025-12-31"},
                   {"name": "2026 - 2030", "start": "2026-01-01", "end": "2030-12-31"}],
    },
    "sections": [
        {"key": "III", "title": "Nhiệm vụ, giải pháp", "parent": None},
        {"key": "III.1", "title": "Nâng cao nhận thức và năng lực cán bộ", "parent": "III"},
        {"key": "III.2", "title": "Đổi mới nội dung, hình thức thông tin đối ngoại", "parent": "III"},
        {"key": "III.3", "title": "Tăng cường cơ sở vật chất, thiết bị", "parent": "III"},
    ],
    "tasks": [
        {"key": "III.1.a", "section": "III.1", "parent": None,
         "title": "Tổ chức bồi dưỡng kỹ năng thông tin đối ngoại cho cán bộ các sở, ngành, địa phương biên giới",
         "lead": {"text": "Sở Văn hóa, Thể thao và Du lịch", "agency": "gl-svhttdl", "group": None},
         "coordinating": [{"text": "Sở Nội vụ", "agency": "gl-snv", "group": None},
                          {"text": "UBND các huyện biên giới", "agency": None, "group": "border_district_committees"}],
         "timeframe": {"text": "Hằng năm", "kind": "yearly", "start": None, "end": None}},
        {"key": "III.1.b", "section": "III.1", "parent": None,
         "title": "Bồi dưỡng tiếng Khmer cho cán bộ, chiến sĩ các đồn biên phòng",
         "lead": {"text": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "agency": "gl-bchbdbp", "group": None},
         "coordinating": [{"text": "Sở Ngoại vụ", "agency": "gl-sngv", "group": None}],
         "timeframe": {"text": "Giai đoạn 2021 - 2025", "kind": "period", "start": "2021-01-01", "end": "2025-12-31"}},
        {"key": "III.2.a", "section": "III.2", "parent": None,
         "title": "Xây dựng chuyên mục thông tin đối ngoại song ngữ Việt - Khmer trên báo và đài",
         "lead": {"text": "Báo và Phát thanh, Truyền hình Gia Lai", "agency": "gl-baoptth", "group": None},
         "coordinating": [{"text": "các sở, ban, ngành", "agency": None, "group": "provincial_departments"}],
         "timeframe": {"text": "Thường xuyên", "kind": "ongoing", "start": None, "end": None}},
        {"key": "III.2.b", "section": "III.2", "parent": None,
         "title": "Biên soạn tờ gấp về quy chế khu vực biên giới bằng tiếng Việt, tiếng Khmer và tiếng Gia Rai",
         "lead": {"text": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "agency": "gl-bchbdbp", "group": None},
         "coordinating": [{"text": "Sở Văn hóa, Thể thao và Du lịch", "agency": "gl-svhttdl", "group": None}],
         "timeframe": {"text": "Quý III/2022", "kind": "quarter", "start": "2022-07-01", "end": "2022-09-30"}},
        {"key": "III.3.a", "section": "III.3", "parent": None,
         "title": "Trang bị màn hình thông tin tại các đồn biên phòng và cửa khẩu quốc tế Lệ Thanh",
         "lead": {"text": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "agency": "gl-bchbdbp", "group": None},
         "coordinating": [{"text": "Sở Tài chính", "agency": "gl-stc", "group": None}],
         "timeframe": {"text": "Hoàn thành ngày 30/06/2025", "kind": "by_date", "start": None, "end": "2025-06-30"}},
        {"key": "III.3.b", "section": "III.3", "parent": "III.3.a",
         "title": "Lắp đặt cụm loa truyền thanh tại các xã biên giới",
         "lead": {"text": "UBND các huyện biên giới", "agency": None, "group": "border_district_committees"},
         "coordinating": [{"text": "Sở Văn hóa, Thể thao và Du lịch", "agency": "gl-svhttdl", "group": None}],
         "timeframe": {"text": "Giai đoạn 2021 - 2025", "kind": "period", "start": "2021-01-01", "end": "2025-12-31"}},
    ],
    "indicators": [
        {"key": "MT1", "name": "Cán bộ làm công tác thông tin đối ngoại được bồi dưỡng kỹ năng", "unit": "percent",
         "baseline": None, "text": "100% cán bộ làm công tác thông tin đối ngoại được bồi dưỡng",
         "targets": [{"label": "2021 - 2025", "start": "2021-01-01", "end": "2025-12-31", "value": 70},
                     {"label": "2026 - 2030", "start": "2026-01-01", "end": "2030-12-31", "value": 100}]},
        {"key": "MT2", "name": "Đồn biên phòng được trang bị màn hình thông tin", "unit": "count", "baseline": 0,
         "text": "08 đồn biên phòng",
         "targets": [{"label": "2021 - 2025", "start": "2021-01-01", "end": "2025-12-31", "value": 8}]},
        {"key": "MT3", "name": "Xã biên giới có loa truyền thanh thông tin đối ngoại", "unit": "percent",
         "baseline": None, "text": "50% các xã biên giới giai đoạn 2021 - 2025; 100% giai đoạn 2026 - 2030",
         "targets": [{"label": "2021 - 2025", "start": "2021-01-01", "end": "2025-12-31", "value": 50},
                     {"label": "2026 - 2030", "start": "2026-01-01", "end": "2030-12-31", "value": 100}]},
    ],
    "unplaced": [],
}

USERS = [
    ("ql.kehoach", "Nguyễn Thị Thu Hà", "Phó Trưởng phòng Thông tin đối ngoại", "gl-svhttdl", Role.PLAN_MANAGER),
    ("bc.svhttdl", "Trần Quốc Việt", "Chuyên viên Phòng Thông tin đối ngoại", "gl-svhttdl", Role.PLAN_REPORTER),
    ("bc.bdbp", "Rơ Châm Thuận", "Trợ lý Tuyên truyền, Phòng Chính trị", "gl-bchbdbp", Role.PLAN_REPORTER),
    ("bc.baoptth", "Lê Minh Tâm", "Biên tập viên Ban Thời sự", "gl-baoptth", Role.PLAN_REPORTER),
]
REPORT_TEXTS = {
    "gl-bchbdbp": "Các đồn biên phòng tổ chức {n} buổi tuyên truyền quy chế khu vực biên giới bằng tiếng Việt, "
                  "tiếng Khmer và tiếng Gia Rai; phối hợp lực lượng bảo vệ biên giới Campuchia trao đổi thông tin.",
    "gl-svhttdl": "Tổ chức {n} lớp bồi dưỡng kỹ năng thông tin đối ngoại; cung cấp tài liệu cho các đồn, xã biên giới.",
    "gl-baoptth": "Phát sóng {n} chương trình song ngữ Việt - Khmer; đăng tải chuyên mục thông tin đối ngoại "
                  "hằng tuần.",
}


def build(log: Callable[[str], None] = print, password: str | None = None) -> Plan | None:
    if Plan.objects.exists():
        return None
    agencies = {a.code: a for a in Agency.objects.filter(code__startswith="gl-")}
    if "gl-svhttdl" not in agencies:
        return None
    users: dict[str, User] = {}
    for username, name, position, agency_code, role in USERS:
        user = User.objects.filter(username=username).first() or accounts.do_create_user(
            None, username, password, agency=agencies[agency_code], full_name=name, position=position,
            email=f"{username}@gialai.example.vn")
        accounts.do_grant_role(None, user, role, "")
        users[username] = user
    manager = users["ql.kehoach"]
    plan = services.do_import_plan(manager, PLAN_DRAFT)
    log(f"Kế hoạch mẫu / demo plan: {plan.reference}, {plan.tasks.count()} nhiệm vụ")
    # Reports for 2021–2024: the border guard on time, the press a few days late, the department on time.
    reporters = {"gl-bchbdbp": users["bc.bdbp"], "gl-svhttdl": users["bc.svhttdl"], "gl-baoptth": users["bc.baoptth"]}
    lateness = {"gl-bchbdbp": -5, "gl-svhttdl": -1, "gl-baoptth": 4}
    for period in plan.periods.filter(year__lte=2024):
        for code, user in reporters.items():
            if code == "gl-baoptth" and period.year == 2022:
                continue  # one report never sent
            report = services.do_open_report(user, period, agencies[code])
            text = REPORT_TEXTS[code].format(n=3 + period.year % 7)
            # Only the lead agency sets a task's status; the others report their part without one.
            entries = {e.task_id: (text, "in_progress" if services.leads_task(e.task, agencies[code]) else "")
                       for e in report.entries.select_related("task__plan")}
            services.do_save_report(user, report, summary=text, entries=entries,
                                    difficulties="Kinh phí còn hạn chế; thiếu cán bộ biết tiếng Khmer.")
            services.do_submit_report(user, report)
            when = timezone.make_aware(dt.datetime.combine(period.due + dt.timedelta(days=lateness[code]),
                                                           dt.time(9, 30)))
            ProgressReport.objects.filter(pk=report.pk).update(submitted_at=when)  # demo history only
    # Officers and a training class.
    officers = []
    for n, (name, code, langs) in enumerate([
        ("Ksor Nhân", "gl-bchbdbp", ["vi", "jra", "km"]), ("Nguyễn Văn Hùng", "gl-bchbdbp", ["vi", "km"]),
        ("Siu H'Mai", "gl-svhttdl", ["vi", "jra", "en"]), ("Phạm Thị Hồng", "gl-sngv", ["vi", "en", "km"]),
        ("Rơ Mah Plơi", "gl-baoptth", ["vi", "jra"]), ("Đinh Văn Tâm", "gl-snv", ["vi"]),
    ]):
        officers.append(services.do_save_officer(manager, agencies[code], services.OfficerData(
            name=name, position="Cán bộ phụ trách thông tin đối ngoại", languages=langs,
            phone=f"0269 382 {100 + n:03d}")))
    course = services.do_save_course(manager, "Bồi dưỡng kỹ năng thông tin đối ngoại khu vực biên giới",
                                     "foreign_information")
    services.do_save_course(manager, "Tiếng Khmer giao tiếp cho cán bộ biên phòng", "khmer", "km")
    klass = services.do_save_class(manager, services.ClassData(
        course_id=course.pk, title="Lớp bồi dưỡng thông tin đối ngoại năm 2024", start=dt.date(2024, 9, 9),
        end=dt.date(2024, 9, 11), venue="Trường Chính trị tỉnh Gia Lai, Pleiku", capacity=40, duration_hours=24))
    for officer in officers[:4]:
        enrolment = services.do_enrol(manager, klass, officer)
        services.do_set_attendance(manager, enrolment, attended=True, completed=officer is not officers[3])
    # Equipment at Gia Lai's border sites.
    posts = list(BorderSite.objects.filter(province__short_name="Gia Lai", kind="border_post")[:4])
    communes = list(BorderSite.objects.filter(province__short_name="Gia Lai", kind="border_commune")[:3])
    for n, site in enumerate(posts):
        status = "working" if n < 3 else "planned"
        services.do_save_equipment(manager, site, kind="screen", status=status, label="Màn hình 55 inch",
                                   installed_on=dt.date(2023, 5, 10 + n) if status == "working" else None)
    for site in communes[:2]:
        services.do_save_equipment(manager, site, kind="loudspeaker", status="working", label="Cụm loa không dây",
                                   installed_on=dt.date(2024, 3, 15))
    # Budget estimates by the lead agencies, approved by the department.
    task = plan.tasks.get(key="III.3.a")
    line = services.do_save_budget_line(users["bc.bdbp"], plan, year=2024, agency=agencies["gl-bchbdbp"], task=task,
                                        estimate=960_000_000)
    services.do_save_budget_line(manager, plan, year=2024, agency=agencies["gl-bchbdbp"], task=task,
                                 estimate=960_000_000, approved=800_000_000, spent=745_500_000, line=line)
    services.do_save_budget_line(users["bc.svhttdl"], plan, year=2025, agency=agencies["gl-svhttdl"],
                                 task=plan.tasks.get(key="III.1.a"), estimate=185_000_000)
    return plan


def demo_users() -> list[tuple[str, str, str]]:
    return [(username, role, code) for username, _name, _pos, code, role in USERS]


@demo_part(order=20)
def build_demo(log: Callable[[str], None]) -> DemoPart:
    """The plans part of `ttdn demo`, after content's (it cites the agencies and places built there)."""
    build(log=log, password=DEMO_PASSWORD)
    return DemoPart(users=demo_users())
