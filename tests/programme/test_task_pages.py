"""Adding and correcting a plan's tasks by hand: only the plan's managers, every change audited, bad input
refused with a message in the user's language and nothing written."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.programme import services
from ttdn.programme.models import AgencyGroup, Task, TaskStatus, TimeframeKind

from .conftest import PW, draft

pytestmark = pytest.mark.django_db


def client_for(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def new_task_post(pw: PW, **changes: Any) -> dict[str, Any]:
    world = pw.world
    data: dict[str, Any] = {
        "key": "II.1.c", "title": "Phát hành tờ gấp song ngữ Việt - Lào tại cửa khẩu",
        "section": pw.plan.sections.get(key="II.1").pk, "parent": "",
        "lead_agency": world.gl_dept.pk, "lead_group": "",
        "coordinating_agencies": [world.gl_bgc.pk, pw.district.pk],
        "coordinating_groups": [AgencyGroup.PRESS_AGENCIES],
        "timeframe_kind": TimeframeKind.PERIOD, "year": "", "quarter": "",
        "start": "2022-01-01", "end": "2022-06-30", "timeframe_text": "",
        "status": TaskStatus.IN_PROGRESS, "description": "Mỗi năm 2.000 tờ.",
    }
    data.update(changes)
    return data


def snapshot(pw: PW) -> tuple[Any, ...]:
    tasks = list(Task.objects.order_by("pk").values_list(
        "pk", "key", "title", "section_id", "parent_id", "lead_agency_id", "lead_group", "timeframe_kind", "start",
        "end", "status", "description"))
    coordinators = list(pw.plan.tasks.values_list("coordinators__agency_id", "coordinators__group").order_by(
        "pk", "coordinators__pk"))
    return tasks, coordinators, AuditEntry.objects.filter(action__startswith="programme.task").count()


def test_manager_adds_a_task_from_the_plan_page(pw: PW) -> None:
    plan, manager = pw.plan, client_for(pw.manager)
    page = manager.get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/plans/{plan.pk}/tasks/new/"' in page and "Thêm nhiệm vụ" in page
    form = manager.get(f"/plans/{plan.pk}/tasks/new/")
    assert form.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()
    # Agencies of another province are not offered.
    assert pw.world.dl_dept.name not in form.content.decode()

    response = manager.post(f"/plans/{plan.pk}/tasks/new/", new_task_post(pw))
    task = plan.tasks.get(key="II.1.c")
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/tasks/{task.pk}/"
    assert task.title == "Phát hành tờ gấp song ngữ Việt - Lào tại cửa khẩu"
    assert task.section is not None and task.section.key == "II.1" and task.parent is None
    assert task.lead_agency == pw.world.gl_dept and task.status == TaskStatus.IN_PROGRESS
    assert (task.start, task.end) == (dt.date(2022, 1, 1), dt.date(2022, 6, 30))
    assert task.description == "Mỗi năm 2.000 tờ."
    assert {c.agency_id for c in task.coordinators.all()} == {pw.world.gl_bgc.pk, pw.district.pk, None}
    assert {c.group for c in task.coordinators.all()} == {"", AgencyGroup.PRESS_AGENCIES}
    assert pw.district in plan.reporting_agencies.all()
    entry = AuditEntry.objects.get(action="programme.task.create", object_id=str(task.pk))
    assert entry.actor == pw.manager and entry.data["key"] == "II.1.c"
    assert entry.agency_id == plan.coordinating_agency_id
    shown = manager.get(response["Location"]).content.decode()
    assert "Phát hành tờ gấp song ngữ" in shown and "Đã thêm nhiệm vụ." in shown


def test_manager_edits_a_task_and_its_wording_from_the_plan_stays(pw: PW) -> None:
    plan, manager = pw.plan, client_for(pw.manager)
    task = plan.tasks.get(key="II.1.a")
    detail = manager.get(f"/plans/{plan.pk}/tasks/{task.pk}/").content.decode()
    assert f'href="/plans/{plan.pk}/tasks/{task.pk}/edit/"' in detail and ">Sửa<" in detail
    page = manager.get(f"/plans/{plan.pk}/tasks/{task.pk}/edit/").content.decode()
    assert "Cung cấp thông tin cho các đồn biên phòng, cửa khẩu</textarea>" in page
    assert f'<option value="{pw.world.gl_dept.pk}" selected>' in page
    assert f'<option value="{pw.world.gl_bgc.pk}" selected>' in page
    assert 'value="border_district_committees" ' in page and "checked" in page
    # The task itself and its sub-task cannot become its parent.
    child = plan.tasks.get(key="II.1.b")
    parents = re.search(r'<select name="parent".*?</select>', page, re.S)
    assert parents is not None and f'value="{child.pk}"' not in parents.group(0)
    assert f'value="{task.pk}"' not in parents.group(0)
    assert f'value="{plan.tasks.get(key="II.2.a").pk}"' in parents.group(0)

    response = manager.post(f"/plans/{plan.pk}/tasks/{task.pk}/edit/", new_task_post(
        pw, key="II.1.a", title="Cung cấp thông tin cho các đồn biên phòng", coordinating_agencies=[pw.world.gl_bgc.pk],
        coordinating_groups=[AgencyGroup.BORDER_DISTRICT_COMMITTEES], timeframe_kind=TimeframeKind.QUARTER,
        year="2023", quarter="4", start="", end="", status=TaskStatus.AT_RISK))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Cung cấp thông tin cho các đồn biên phòng" and task.status == TaskStatus.AT_RISK
    assert (task.timeframe_kind, task.start, task.end) == ("quarter", dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    # The coordinators kept keep the wording the plan gave them.
    kept = {(c.agency_id, c.group): c.text for c in task.coordinators.all()}
    assert kept == {(pw.world.gl_bgc.pk, ""): "BCH BĐBP tỉnh", (None, "border_district_committees"):
                    "UBND các huyện biên giới"}
    entry = AuditEntry.objects.get(action="programme.task.save", object_id=str(task.pk))
    assert {"title", "status", "timeframe_kind", "start", "end"} <= set(entry.data["changed"])
    assert "coordinators" not in entry.data["changed"]

    # A sub-task moved under another task, section cleared.
    other = plan.tasks.get(key="II.2.a")
    response = manager.post(f"/plans/{plan.pk}/tasks/{child.pk}/edit/", new_task_post(
        pw, key="II.1.b", title=child.title, section="", parent=other.pk, lead_agency=pw.world.gl_bgc.pk,
        coordinating_agencies=[], coordinating_groups=[], timeframe_kind=TimeframeKind.BY_DATE, start="",
        end="2021-03-31", status=TaskStatus.DONE))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.parent == other and child.section is None and child.status == TaskStatus.DONE


def test_the_form_is_refused_to_everyone_but_the_plans_managers(pw: PW) -> None:
    plan = pw.plan
    task = plan.tasks.get(key="II.1.a")
    before = snapshot(pw)
    urls = [f"/plans/{plan.pk}/tasks/new/", f"/plans/{plan.pk}/tasks/{task.pk}/edit/"]
    # A reporter of another agency in the plan sees the plan, not the links, and is refused the form.
    reporter = client_for(pw.reporter_bgc)
    assert "/tasks/new/" not in reporter.get(f"/plans/{plan.pk}/").content.decode()
    assert "/edit/" not in reporter.get(f"/plans/{plan.pk}/tasks/{task.pk}/").content.decode()
    for url in urls:
        for response in (reporter.get(url), reporter.post(url, new_task_post(pw, key="II.1.a"))):
            assert response.status_code == 403, url
            assert 'data-testid="forbidden"' in response.content.decode()
    # The coordinating department's own reporter is no manager either.
    assert client_for(pw.reporter_dept).post(urls[0], new_task_post(pw)).status_code == 403
    # Outside the plan (another province): the plan is not even shown, as everywhere on these pages.
    from ttdn.accounts import services as accounts
    from ttdn.accounts.models import Role

    dl_manager = accounts.do_create_user(None, "dl_manager", None, agency=pw.world.dl_dept)
    accounts.do_grant_role(None, dl_manager, Role.PLAN_MANAGER, "")
    for user in (pw.reporter_dl, dl_manager):
        for url in urls:
            assert client_for(user).get(url).status_code == 404
            assert client_for(user).post(url, new_task_post(pw)).status_code == 404
    # A content contributor has no plan pages; someone not logged in goes to the login page.
    assert client_for(pw.world.contributor).post(urls[0], new_task_post(pw)).status_code == 403
    anonymous = Client().post(urls[0], new_task_post(pw))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # CSRF is checked: a post without the token is refused.
    assert client_for(pw.manager, enforce_csrf_checks=True).post(urls[0], new_task_post(pw)).status_code == 403
    assert snapshot(pw) == before


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("not a date", {"start": "2022-02-30"}, "Nhập ngày theo dạng dd/mm/yyyy"),
    ("end before start", {"start": "2022-06-30", "end": "2022-01-01"}, "Ngày kết thúc không được trước ngày bắt đầu"),
    ("outside the plan", {"start": "2019-01-01"}, "Ngày phải nằm trong thời gian của kế hoạch"),
    ("period without end", {"end": ""}, "Nhập ngày đầu và ngày cuối của giai đoạn"),
    ("quarter without year", {"timeframe_kind": "quarter", "quarter": "2"}, "Nhập năm và quý"),
    ("no title", {"title": "  "}, "Trường này là bắt buộc"),
    ("no lead", {"lead_agency": ""}, "Hãy chọn cơ quan hoặc nhóm cơ quan chủ trì"),
    ("agency and group", {"lead_group": AgencyGroup.PRESS_AGENCIES}, "Chỉ chọn một cơ quan hoặc một nhóm chủ trì"),
    ("number taken", {"key": "II.1.a"}, "Đã có nhiệm vụ khác mang số hiệu này"),
    ("unknown status", {"status": "overdue"}, "Hãy chọn một lựa chọn hợp lệ"),
]


@pytest.mark.parametrize(("case", "changes", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_explained_in_vietnamese_and_nothing_is_written(pw: PW, case: str, changes: dict[str, Any],
                                                                     message: str) -> None:
    plan, manager = pw.plan, client_for(pw.manager)
    before = snapshot(pw)
    response = manager.post(f"/plans/{plan.pk}/tasks/new/", new_task_post(pw, **changes))
    assert response.status_code == 400, case
    assert message in response.content.decode(), case
    task = plan.tasks.get(key="II.1.a")
    response = manager.post(f"/plans/{plan.pk}/tasks/{task.pk}/edit/", new_task_post(pw, **{
        "key": "II.1.a", **changes, **({"key": "II.1.b"} if "key" in changes else {})}))
    assert response.status_code == 400, case
    assert message in response.content.decode(), case
    assert snapshot(pw) == before


def test_agencies_parents_and_sections_outside_the_plan_are_refused(pw: PW) -> None:
    plan, manager = pw.plan, client_for(pw.manager)
    other_draft = draft()
    other_draft["plan"]["number"] = "1010"
    other = services.do_import_plan(pw.manager, other_draft)
    foreign_task, foreign_section = other.tasks.get(key="II.2.a"), other.sections.get(key="II.2")
    task = plan.tasks.get(key="II.1.a")
    before = snapshot(pw)
    for changes in ({"lead_agency": pw.world.dl_dept.pk}, {"coordinating_agencies": [pw.world.dl_dept.pk]},
                    {"parent": foreign_task.pk}, {"section": foreign_section.pk}):
        for url, key in ((f"/plans/{plan.pk}/tasks/new/", "II.1.c"),
                         (f"/plans/{plan.pk}/tasks/{task.pk}/edit/", "II.1.a")):
            response = manager.post(url, new_task_post(pw, key=key, **changes))
            assert response.status_code == 400, (url, changes)
            assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    response = manager.post(f"/plans/{plan.pk}/tasks/{task.pk}/edit/", new_task_post(pw, key="II.1.a",
                                                                                     parent=task.pk))
    assert response.status_code == 400
    assert snapshot(pw) == before

    # The service refuses them too, whoever calls it (the API, a command), with nothing written.
    data = services.TaskData(key="II.1.c", title="Nhiệm vụ", lead_agency_id=pw.world.gl_dept.pk)
    refusals = {
        "lead_agency": {"lead_agency_id": pw.world.dl_dept.pk},
        "coordinating_agencies": {"coordinating_agency_ids": [pw.world.gl_bgc.pk, pw.world.dl_dept.pk]},
        "parent": {"parent_id": foreign_task.pk},
        "section": {"section_id": foreign_section.pk},
        "end": {"start": dt.date(2022, 2, 1), "end": dt.date(2022, 1, 1)},
        "status": {"status": "overdue"},
        "lead_group": {"lead_agency_id": None, "lead_group": "nobody"},
    }
    for field, changes in refusals.items():
        with pytest.raises(ServiceError) as exc:
            services.do_save_task(pw.manager, plan, services.TaskData(**{**data.__dict__, **changes}))
        assert exc.value.details["field"] == field and exc.value.status == 400
    with pytest.raises(ServiceError) as exc:  # a task cannot sit under its own sub-task
        services.do_save_task(pw.manager, plan, services.TaskData(
            key="II.1.a", title=task.title, lead_agency_id=pw.world.gl_dept.pk,
            parent_id=plan.tasks.get(key="II.1.b").pk), task)
    assert exc.value.details["field"] == "parent"
    with pytest.raises(ServiceError) as exc:
        services.do_save_task(pw.reporter_bgc, plan, data)
    assert exc.value.status == 403
    assert snapshot(pw) == before


def test_a_task_with_its_lead_only_as_written_can_be_corrected_without_choosing_one(pw: PW) -> None:
    plan = pw.plan
    task = plan.tasks.get(key="II.2.a")  # "Sở Nội vụ": no agency record, no group
    assert task.lead_agency is None and not task.lead_group and task.lead_text
    response = client_for(pw.manager).post(f"/plans/{plan.pk}/tasks/{task.pk}/edit/", new_task_post(
        pw, key="II.2.a", title="Bồi dưỡng kỹ năng cho cán bộ", lead_agency="", coordinating_agencies=[],
        coordinating_groups=[AgencyGroup.PROVINCIAL_DEPARTMENTS], start="2020-01-01", end="2025-12-31"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Bồi dưỡng kỹ năng cho cán bộ" and task.lead_label() == "Sở Nội vụ"


def test_htmx_gets_the_form_back_in_place_or_a_redirect(pw: PW) -> None:
    plan, manager = pw.plan, client_for(pw.manager)
    url = f"/plans/{plan.pk}/tasks/new/"
    page = manager.get(url).content.decode()
    assert f'hx-post="{url}"' in page
    bad = manager.post(url, new_task_post(pw, end="2021-01-01"), headers={"HX-Request": "true"})
    body = bad.content.decode()
    assert bad.status_code == 200 and "<html" not in body and 'class="errorlist"' in body
    assert not plan.tasks.filter(key="II.1.c").exists()
    good = manager.post(url, new_task_post(pw), headers={"HX-Request": "true"})
    task = plan.tasks.get(key="II.1.c")
    assert good.status_code == 204 and good["HX-Redirect"] == f"/plans/{plan.pk}/tasks/{task.pk}/"


def test_english_when_chosen(pw: PW) -> None:
    manager = client_for(pw.manager)
    manager.post("/i18n/setlang/", {"language": "en", "next": "/plans/"})
    page = manager.get(f"/plans/{pw.plan.pk}/").content.decode()
    assert "Add task" in page
    response = manager.post(f"/plans/{pw.plan.pk}/tasks/new/", new_task_post(pw, start="2019-01-01"))
    assert "The date must fall within the plan" in response.content.decode()


def test_agencies_dissolved_in_a_merger_are_not_offered_unless_the_plan_names_them(pw: PW) -> None:
    from ttdn.accounts.models import Agency

    Agency.objects.filter(pk__in=[pw.district.pk, pw.world.gl_ppc.pk]).update(valid_to=dt.date(2025, 7, 1))
    offered = set(services.plan_agencies(pw.plan).values_list("pk", flat=True))
    # The district committee is named by a task (a reporting agency): it stays; the issuing committee too.
    assert {pw.district.pk, pw.world.gl_ppc.pk, pw.world.gl_dept.pk} <= offered
    assert pw.world.dl_dept.pk not in offered and pw.world.central.pk not in offered
    pw.plan.reporting_agencies.remove(pw.district)
    assert pw.district.pk not in set(services.plan_agencies(pw.plan).values_list("pk", flat=True))


def test_the_task_page_shows_its_section_and_links_its_parent(pw: PW) -> None:
    plan = pw.plan
    child, parent = plan.tasks.get(key="II.1.b"), plan.tasks.get(key="II.1.a")
    page = client_for(pw.reporter_bgc).get(f"/plans/{plan.pk}/tasks/{child.pk}/").content.decode()
    assert re.search(r"<dt>Mục</dt><dd data-testid=\"task-section\">II\.1 Thông tin, tuyên truyền</dd>", page)
    assert "<dt>Thuộc nhiệm vụ</dt>" in page
    assert (f'<dd data-testid="task-parent"><a href="/plans/{plan.pk}/tasks/{parent.pk}/">II.1.a '
            f"{parent.title}</a></dd>") in page
    # A task at the top of its section names no parent; one without a section says so.
    page = client_for(pw.manager).get(f"/plans/{plan.pk}/tasks/{parent.pk}/").content.decode()
    assert 'data-testid="task-parent"' not in page and "Thuộc nhiệm vụ" not in page
    Task.objects.filter(pk=parent.pk).update(section=None)
    page = client_for(pw.manager).get(f"/plans/{plan.pk}/tasks/{parent.pk}/").content.decode()
    assert '<dd data-testid="task-section">—</dd>' in page
    reader = client_for(pw.reporter_bgc)
    reader.post("/i18n/setlang/", {"language": "en", "next": "/plans/"})
    english = reader.get(f"/plans/{plan.pk}/tasks/{child.pk}/").content.decode()
    assert "<dt>Part of task</dt>" in english and "<dt>Section</dt>" in english
