"""The plan pages and the API: scoped by agency and role, thin over the services."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from ttdn.programme import services
from ttdn.programme.models import Plan, PlanDraft, ProgressReport, ReportState

from .conftest import PW

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_answer_plan_users_and_refuse_others(pw: PW) -> None:
    plan = pw.plan
    task = plan.tasks.get(key="II.1.a")
    manager = client_for(pw.manager)
    for url in ["/plans/", f"/plans/{plan.pk}/", f"/plans/{plan.pk}/dashboard/", f"/plans/{plan.pk}/reporting/",
                f"/plans/{plan.pk}/budget/", f"/plans/{plan.pk}/tasks/{task.pk}/", "/plans/officers/",
                "/plans/training/", "/plans/equipment/", "/plans/notifications/", "/plans/import/"]:
        response = manager.get(url)
        assert response.status_code == 200, url
    page = manager.get(f"/plans/{plan.pk}/").content.decode()
    assert "2509/KH-UBND" in page and "Cung cấp thông tin cho các đồn biên phòng" in page
    # htmx filter: only the rows come back.
    rows = manager.get(f"/plans/{plan.pk}/?status=overdue", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in rows and 'data-task="II.1.b"' in rows and 'data-task="II.1.a"' not in rows
    by_agency = manager.get(f"/plans/{plan.pk}/?agency={pw.district.pk}").content.decode()
    assert 'data-task="II.1.a"' in by_agency and 'data-task="II.1.b"' not in by_agency
    # Someone outside the plan: no plan to see; a content contributor: no plan pages at all.
    assert client_for(pw.reporter_dl).get(f"/plans/{plan.pk}/").status_code == 404
    assert client_for(pw.world.contributor).get("/plans/").status_code == 403
    assert Client().get("/plans/").status_code == 302  # to the login page
    # Reporters do not download the consolidated documents or import plans.
    assert client_for(pw.reporter_bgc).get(f"/plans/{plan.pk}/annual-2021.docx").status_code == 403
    assert client_for(pw.reporter_bgc).get("/plans/import/").status_code == 403


def test_reporter_writes_and_submits_through_the_pages_and_cannot_touch_others(pw: PW) -> None:
    plan = pw.plan
    period = plan.periods.get(year=2021)
    bgc = client_for(pw.reporter_bgc)
    assert "2509/KH-UBND" in bgc.get("/plans/my-reports/").content.decode()
    response = bgc.post(f"/plans/my-reports/{period.pk}/open/")
    report = ProgressReport.objects.get(period=period, agency=pw.world.gl_bgc)
    assert response.status_code == 302 and response["Location"] == f"/plans/reports/{report.pk}/"
    entry = report.entries.get(task__key="II.1.b")
    # Submitting an empty report is refused with the message, nothing changes.
    response = bgc.post(f"/plans/reports/{report.pk}/", {"summary": "", "submit": "1"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    response = bgc.post(f"/plans/reports/{report.pk}/", {
        "summary": "Đã lắp 3 màn hình.", f"entry_{entry.task_id}": "Lắp tại Đồn Ia O, Ia Chia, Lệ Thanh.",
        f"status_{entry.task_id}": "done", "submit": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert plan.tasks.get(key="II.1.b").status == "done"
    # Another agency's reporter: not even visible. The department's reporter cannot post into it either.
    assert client_for(pw.reporter_dl).get(f"/plans/reports/{report.pk}/").status_code == 404
    assert client_for(pw.reporter_dept).post(f"/plans/reports/{report.pk}/", {"summary": "x"}).status_code == 404
    # The manager sees it and returns it.
    manager = client_for(pw.manager)
    assert manager.get(f"/plans/reports/{report.pk}/").status_code == 200
    assert manager.post(f"/plans/reports/{report.pk}/", {"summary": "x"}).status_code == 403
    manager.post(f"/plans/reports/{report.pk}/return/", {"reason": "Thiếu ảnh minh chứng"})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED


def test_progress_with_evidence_file_and_a_bad_file_leaves_nothing(pw: PW, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from fpdf import FPDF

    from ttdn.content.models import Asset
    from ttdn.programme.models import ProgressUpdate

    task = pw.plan.tasks.get(key="II.1.b")
    bgc = client_for(pw.reporter_bgc)
    bad = SimpleUploadedFile("anh.pdf", b"this is not a pdf at all", content_type="application/pdf")
    response = bgc.post(f"/plans/{pw.plan.pk}/tasks/{task.pk}/", {"text": "Đã lắp", "evidence": bad})
    assert response.status_code == 400
    assert ProgressUpdate.objects.count() == 0 and Asset.objects.count() == 0
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Bien ban nghiem thu")
    good = SimpleUploadedFile("bien-ban.pdf", bytes(pdf.output()), content_type="application/pdf")
    response = bgc.post(f"/plans/{pw.plan.pk}/tasks/{task.pk}/", {"text": "Đã lắp", "status": "done", "evidence": good})
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.agency == pw.world.gl_bgc and update.evidence.get().filename == "bien-ban.pdf"
    # The district has no part in II.1.b.
    from ttdn.accounts.models import Role

    dl = client_for(pw.reporter_dl)
    assert dl.post(f"/plans/{pw.plan.pk}/tasks/{task.pk}/", {"text": "x"}).status_code == 404
    assert Role.PLAN_REPORTER in {g.role for g in pw.reporter_dl.role_grants.all()}


def test_import_upload_review_and_confirm(pw: PW) -> None:
    """A real plan file through the document reader; the draft waits in PlanDraft until the reviewer confirms."""
    seed = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "gia-lai-plan-2509-2020.txt"
    if not seed.exists():
        seed = Path("/work/shared/seeds/gia-lai-plan-2509-2020.txt")
    manager = client_for(pw.manager)
    before = Plan.objects.count()
    with seed.open("rb") as fh:
        response = manager.post("/plans/import/", {"file": fh})
    assert response.status_code == 302, response.content.decode()[:800]
    created = PlanDraft.objects.get()
    assert Plan.objects.count() == before  # nothing before confirm
    page = manager.get(f"/plans/import/{created.pk}/").content.decode()
    for line in created.data["unplaced"][:5]:
        assert escape(line["text"]) in page  # what could not be placed is shown, not dropped
    n_tasks = len(created.data["tasks"])
    assert n_tasks > 10
    response = manager.post(f"/plans/import/{created.pk}/", {
        "plan_title": "Kế hoạch thông tin đối ngoại (đã rà soát)", "plan_number": "2509",
        "task_0_lead": f"agency:{pw.world.gl_bgc.code}", "task_1_drop": "1", "confirm": "1"})
    assert response.status_code == 302, response.content.decode()[:800]
    plan = Plan.objects.exclude(pk=pw.plan.pk).get()
    assert plan.title == "Kế hoạch thông tin đối ngoại (đã rà soát)" and plan.number == "2509"
    assert plan.tasks.count() == n_tasks - 1
    first = created.data["tasks"][0]["key"]
    assert plan.tasks.get(key=first).lead_agency == pw.world.gl_bgc
    created.refresh_from_db()
    assert created.plan == plan
    # Confirming twice does not create a second plan.
    manager.post(f"/plans/import/{created.pk}/", {"confirm": "1"})
    assert Plan.objects.count() == before + 1


def test_a_file_that_is_not_a_plan_is_refused_with_a_message(pw: PW) -> None:
    manager = client_for(pw.manager)
    upload = io.BytesIO(b"\x00\x01\x02 binary garbage")
    upload.name = "ke-hoach.pdf"
    response = manager.post("/plans/import/", {"file": upload})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert PlanDraft.objects.count() == 0


def test_review_of_a_draft_keeps_bad_corrections_out(pw: PW) -> None:
    from tests.programme.conftest import draft

    saved = services.do_save_draft(pw.manager, "ke-hoach.docx", draft())
    manager = client_for(pw.manager)
    response = manager.post(f"/plans/import/{saved.pk}/", {"plan_title": "", "confirm": "1"})
    assert response.status_code == 400
    assert Plan.objects.count() == 1
    # Another manager's draft is not found.
    assert client_for(pw.reporter_bgc).get(f"/plans/import/{saved.pk}/").status_code == 404


def test_api_reads_and_submission(pw: PW) -> None:
    plan = pw.plan
    api = client_for(pw.reporter_bgc)
    listed = api.get("/api/v1/plans").json()
    assert [p["reference"] for p in listed] == ["2509/KH-UBND"]
    detail = api.get(f"/api/v1/plans/{plan.pk}").json()
    assert {t["key"] for t in detail["tasks"]} == {"II.1.a", "II.1.b", "II.2.a"}
    lead = next(t for t in detail["tasks"] if t["key"] == "II.1.a")["lead"]
    assert lead == {"agency": "gl-svhttdl", "group": "", "text": "Sở TT&TT"}
    assert {i["key"] for i in api.get(f"/api/v1/plans/{plan.pk}/indicators").json()} == {"T1", "T2", "T3"}
    assert client_for(pw.reporter_dl).get(f"/api/v1/plans/{plan.pk}").status_code == 404
    opened = api.post("/api/v1/plans/reports", json.dumps({"plan_id": plan.pk, "year": 2023}),
                      content_type="application/json")
    assert opened.status_code == 200, opened.content
    report = opened.json()
    task_id = plan.tasks.get(key="II.1.b").pk  # the border-guard command leads it: its status is theirs to set
    coordinated = plan.tasks.get(key="II.1.a").pk
    assert {e["task_id"] for e in report["entries"]} >= {task_id, coordinated}
    empty = api.post(f"/api/v1/plans/reports/{report['id']}/submit")
    assert empty.status_code == 400 and empty.json()["code"] == "empty_report"
    saved = api.put(f"/api/v1/plans/reports/{report['id']}", json.dumps(
        {"summary": "Kết quả năm 2023", "entries": [{"task_id": task_id, "text": "Đã làm", "status": "in_progress"}]}),
        content_type="application/json")
    assert saved.status_code == 200
    assert next(e for e in saved.json()["entries"] if e["task_id"] == task_id)["text"] == "Đã làm"
    part = api.put(f"/api/v1/plans/reports/{report['id']}", json.dumps(
        {"summary": "Kết quả năm 2023", "entries": [{"task_id": coordinated, "text": "Phối hợp", "status": "done"}]}),
        content_type="application/json")
    assert part.status_code == 403  # a coordinator reports its part; the lead sets the status
    other = client_for(pw.reporter_dept)
    assert other.post(f"/api/v1/plans/reports/{report['id']}/submit").status_code == 404
    submitted = api.post(f"/api/v1/plans/reports/{report['id']}/submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    again = api.post(f"/api/v1/plans/reports/{report['id']}/submit")
    assert again.status_code == 403  # no longer editable
    reporting = client_for(pw.manager).get(f"/api/v1/plans/{plan.pk}/reporting").json()
    assert reporting["plan"]["expected"] >= reporting["plan"]["submitted"] >= 1
    own = api.get(f"/api/v1/plans/{plan.pk}/reporting").json()
    assert [a["agency"] for a in own["agencies"]] == ["gl-bchbdbp"]


def test_training_class_form_saves_a_class_and_refuses_bad_input(pw: PW) -> None:
    from ttdn.programme.models import TrainingClass

    course = services.do_save_course(pw.manager, "Kỹ năng thông tin đối ngoại", "foreign_information")
    manager = client_for(pw.manager)
    fields = {"class-course": str(course.pk), "class-title": "Lớp bồi dưỡng 2024", "class-start": "2024-05-06",
              "class-end": "2024-05-08", "class-venue": "Pleiku", "class-capacity": "30",
              "class-duration_hours": "24"}
    page = manager.get("/plans/training/").content.decode()
    assert 'name="class-course"' in page and "Kỹ năng thông tin đối ngoại" in page
    saved = manager.post("/plans/training/", fields)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    klass = TrainingClass.objects.get()
    assert (klass.course, klass.title, klass.capacity, klass.organiser) == (course, "Lớp bồi dưỡng 2024", 30,
                                                                            pw.world.gl_dept)
    for field, value in [("class-course", "99999"), ("class-course", "9" * 20), ("class-course", "x"),
                         ("class-end", "2024-05-01"), ("class-capacity", "0")]:
        refused = manager.post("/plans/training/", {**fields, field: value})
        assert refused.status_code == 400, (field, value)
        assert 'class="errorlist"' in refused.content.decode(), (field, value)
    unknown = manager.post("/plans/training/", {**fields, "class-course": "99999"}).content.decode()
    assert "Hãy chọn khóa học." in unknown
    assert TrainingClass.objects.count() == 1


def test_api_ids_are_bounded_in_the_schema_and_refused_in_the_error_shape(pw: PW) -> None:
    api = client_for(pw.reporter_bgc)
    huge = int("9" * 20)
    for body in [{"plan_id": huge, "year": 2023}, {"plan_id": 0, "year": 2023}, {"plan_id": pw.plan.pk, "year": 10**12},
                 {"plan_id": "x", "year": 2023}]:
        refused = api.post("/api/v1/plans/reports", json.dumps(body), content_type="application/json")
        assert refused.status_code == 422, (body, refused.content)
        assert refused.json()["code"] == "validation_error" and refused.json()["details"]
    for url in [f"/api/v1/plans/{huge}", f"/api/v1/plans/{huge}/indicators", f"/api/v1/plans/{huge}/reporting",
                f"/api/v1/plans/reports/{huge}"]:
        refused = api.get(url)
        assert refused.status_code == 422 and refused.json()["code"] == "validation_error", url
    too_long = api.put("/api/v1/plans/reports/1", json.dumps({"summary": "x" * 20_001}),
                       content_type="application/json")
    assert too_long.status_code == 422
    schema = Client().get("/api/openapi.json").json()
    opened = schema["components"]["schemas"]["OpenReportIn"]["properties"]["plan_id"]
    assert opened["minimum"] == 1 and opened["maximum"] == 2**63 - 1
    path_id = next(p for p in schema["paths"]["/api/v1/plans/{plan_id}"]["get"]["parameters"] if p["name"] == "plan_id")
    assert path_id["schema"]["maximum"] == 2**63 - 1


def test_a_reporter_sees_only_the_agency_rows_of_their_scope_on_pages_and_api(pw: PW) -> None:
    """One rule (permissions.agency_rows_scope): the plan's managers see every agency's rows; a reporter sees
    their own agency's — budget lines, reporting rows, officers and attendance alike."""
    import datetime as dt

    world = pw.world
    services.do_save_budget_line(pw.reporter_bgc, pw.plan, year=2024, agency=world.gl_bgc, estimate="150000000",
                                 note="Màn hình đồn Ia Chia")
    services.do_save_budget_line(pw.reporter_dept, pw.plan, year=2024, agency=world.gl_dept, estimate="90000000",
                                 note="Tờ gấp song ngữ")
    own = services.do_save_officer(pw.reporter_bgc, world.gl_bgc, services.OfficerData(name="Rơ Châm Blếp"))
    other = services.do_save_officer(pw.reporter_dept, world.gl_dept, services.OfficerData(name="Nguyễn Thị Hoa"))
    course = services.do_save_course(pw.manager, "Kỹ năng thông tin đối ngoại", "foreign_information")
    klass = services.do_save_class(pw.manager, services.ClassData(
        course_id=course.pk, title="Lớp 1", start=dt.date(2024, 5, 6), end=dt.date(2024, 5, 8), venue="Pleiku",
        capacity=30, duration_hours=24))
    for officer in (own, other):
        services.do_set_attendance(pw.manager, services.do_enrol(pw.manager, klass, officer), attended=True,
                                   completed=True)

    reporter, manager = client_for(pw.reporter_bgc), client_for(pw.manager)
    budget = reporter.get(f"/plans/{pw.plan.pk}/budget/").content.decode()
    assert "Màn hình đồn Ia Chia" in budget and "Tờ gấp song ngữ" not in budget
    assert "90.000.000" not in budget and "240.000.000" not in budget  # nor in the totals
    everything = manager.get(f"/plans/{pw.plan.pk}/budget/").content.decode()
    assert "Màn hình đồn Ia Chia" in everything and "Tờ gấp song ngữ" in everything

    page = reporter.get(f"/plans/training/{klass.pk}/").content.decode()
    assert "Rơ Châm Blếp" in page and "Nguyễn Thị Hoa" not in page
    officers = reporter.get("/plans/officers/").content.decode()
    assert "Rơ Châm Blếp" in officers and "Nguyễn Thị Hoa" not in officers
    managed = manager.get(f"/plans/training/{klass.pk}/").content.decode()
    assert "Rơ Châm Blếp" in managed and "Nguyễn Thị Hoa" in managed

    # The reporting page and the API follow the same rule: the reporter's own row, the manager every row.
    table = reporter.get(f"/plans/{pw.plan.pk}/reporting/").content.decode()
    assert 'data-agency="gl-bchbdbp"' in table and 'data-agency="gl-svhttdl"' not in table
    assert 'data-agency="gl-svhttdl"' in manager.get(f"/plans/{pw.plan.pk}/reporting/").content.decode()
    rows = reporter.get(f"/api/v1/plans/{pw.plan.pk}/reporting").json()["agencies"]
    assert {r["agency"] for r in rows} == {"gl-bchbdbp"}
    all_rows = manager.get(f"/api/v1/plans/{pw.plan.pk}/reporting").json()["agencies"]
    assert {"gl-bchbdbp", "gl-svhttdl"} <= {r["agency"] for r in all_rows}
