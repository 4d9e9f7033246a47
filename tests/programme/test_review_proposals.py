"""Through the review page (form posts, as the browser sends them): a department's plan proposes a training class
(course, number of classes, participants, month, venue) and billboards at three border communes. The reviewer
registers the communes as border sites from the list of places not matched, in one step, audited; the draft is
matched again; the reviewer accepts both proposals, and confirming the plan creates the classes and the planned
equipment. What is incomplete is refused with its task, in Vietnamese, with nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ttdn.core.errors import Conflict, ServiceError
from ttdn.core.models import AuditEntry
from ttdn.documents.plan_draft import Draft, EquipmentProposal, TrainingProposal
from ttdn.places.models import BorderSite, Equipment, EquipmentStatus, SiteKind
from ttdn.programme import services
from ttdn.programme.models import Course, CourseKind, Plan, PlanDraft, TrainingClass

from .conftest import PW

PLAN = Path(__file__).resolve().parents[1] / "documents" / "fixtures" / "unseen" / "gia-lai-department-2025.txt"
COMMUNES = ["Ia Dom", "Ia Nan", "Ia Pnôn"]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client) -> PlanDraft:
    with PLAN.open("rb") as fh:
        response = client.post("/plans/import/", {"file": fh})
    assert response.status_code == 302, response.content.decode()[:800]
    return PlanDraft.objects.latest("pk")


def _typed(draft: PlanDraft) -> Draft:
    draft.refresh_from_db()
    return Draft.from_json(draft.data)


def _proposals(draft: PlanDraft) -> dict[str, tuple[int, int, Any]]:
    """Each proposal's place in the form (task index, proposal index) by its kind."""
    found = {}
    for n, task in enumerate(_typed(draft).tasks):
        for m, proposal in enumerate(task.proposals):
            found[proposal.kind] = (n, m, proposal)
    return found


def _register_communes(client: Client, draft: PlanDraft) -> Any:
    missing = _typed(draft).missing_sites()
    post: dict[str, str] = {"register": "1"}
    for i, place in enumerate(missing):
        if place.name in COMMUNES:
            post.update({f"site_{i}_use": "1", f"site_{i}_name": f"Xã {place.name}", f"site_{i}_kind": place.kind,
                         f"site_{i}_commune": place.name})
    return client.post(f"/plans/import/{draft.pk}/", post)


def _accept(draft: PlanDraft, **training: str) -> dict[str, str]:
    """The review form's answers accepting both proposals (the page's current choices for the sites)."""
    props = _proposals(draft)
    n, m, _training = props["training_class"]
    post = {f"prop_{n}_{m}_shown": "1", f"prop_{n}_{m}_accept": "1", f"prop_{n}_{m}_course": "",
            f"prop_{n}_{m}_course_kind": CourseKind.FOREIGN_INFORMATION, f"prop_{n}_{m}_classes": "2",
            f"prop_{n}_{m}_capacity": "40", f"prop_{n}_{m}_hours": "16", f"prop_{n}_{m}_month": "08/2025",
            f"prop_{n}_{m}_venue": "Xã Ia Dom và xã Ia O"}
    post.update({f"prop_{n}_{m}_{key}": value for key, value in training.items()})
    n, m, equipment = props["equipment"]
    post.update({f"prop_{n}_{m}_shown": "1", f"prop_{n}_{m}_accept": "1", f"prop_{n}_{m}_equipment": "billboard"})
    post.update({f"prop_{n}_{m}_site_{k}": place.site or "" for k, place in enumerate(equipment.places)})
    return post


def test_the_reviewer_registers_the_border_communes_and_accepts_the_proposals(pw: PW) -> None:
    client = _client(pw.manager)
    draft = _upload(client)
    page = client.get(f"/plans/import/{draft.pk}/").content.decode()
    assert 'data-testid="proposals"' in page and 'data-testid="missing-sites"' in page
    assert "Tạo 2 lớp bồi dưỡng" in page and "Xã biên giới" in page  # in Vietnamese, kinds translated
    assert [p.name for p in _typed(draft).missing_sites()] == COMMUNES
    assert not BorderSite.objects.filter(name__in=[f"Xã {c}" for c in COMMUNES]).exists()

    audit_before = AuditEntry.objects.count()
    response = _register_communes(client, draft)
    assert response.status_code == 302, response.content.decode()[:1500]
    sites = {s.name: s for s in BorderSite.objects.filter(province=pw.world.gia_lai, name__startswith="Xã Ia")}
    assert set(sites) == {f"Xã {c}" for c in COMMUNES}
    assert all(s.kind == SiteKind.BORDER_COMMUNE and s.admin_unit is not None
               and s.admin_unit.short_name in COMMUNES for s in sites.values())
    actions = list(AuditEntry.objects.order_by("pk")[audit_before:].values_list("action", flat=True))
    assert actions.count("places.site.create") == 3 and "programme.draft.agencies_registered" in actions
    registered = AuditEntry.objects.filter(action="places.site.create").latest("pk")
    assert registered.actor_id == pw.manager.pk
    # Matched again: each commune of the billboards is now its site, and the list of places not matched is empty.
    equipment = _proposals(draft)["equipment"][2]
    assert isinstance(equipment, EquipmentProposal)
    assert [p.site for p in equipment.places] == [sites[f"Xã {c}"].code for c in COMMUNES]
    assert _typed(draft).missing_sites() == []
    page = client.get(f"/plans/import/{draft.pk}/").content.decode()
    assert 'data-testid="missing-sites"' not in page

    classes_before, equipment_before = TrainingClass.objects.count(), Equipment.objects.count()
    confirmed = client.post(f"/plans/import/{draft.pk}/", {"confirm": "1", **_accept(draft)})
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    plan = Plan.objects.get(number="37", symbol="KH-SVHTTDL")
    course = Course.objects.get(kind=CourseKind.FOREIGN_INFORMATION, name__startswith="Tổ chức lớp tập huấn")
    classes = list(TrainingClass.objects.filter(course=course).order_by("title"))
    assert TrainingClass.objects.count() == classes_before + 2 and len(classes) == 2
    assert all(c.start == dt.date(2025, 8, 1) and c.end == dt.date(2025, 8, 31) and c.capacity == 40
               and c.duration_hours == 16 and c.venue == "Xã Ia Dom và xã Ia O" for c in classes)
    assert "(1/2)" in classes[0].title and "37/KH-SVHTTDL" in classes[0].title
    planned = Equipment.objects.filter(site__in=sites.values())
    assert Equipment.objects.count() == equipment_before + 3
    assert {(e.site.name, e.kind, e.status) for e in planned} == {
        (f"Xã {c}", "billboard", EquipmentStatus.PLANNED) for c in COMMUNES}
    assert AuditEntry.objects.filter(action="programme.draft.proposals_accepted", object_id=str(plan.pk)).exists()
    # Confirming again (a second tab) creates nothing more: the draft is now the plan.
    again = client.post(f"/plans/import/{draft.pk}/", {"confirm": "1", **_accept(draft)})
    assert again.status_code == 302 and again["Location"] == f"/plans/{plan.pk}/"
    assert Plan.objects.filter(symbol="KH-SVHTTDL").count() == 1
    assert (TrainingClass.objects.count(), Equipment.objects.count()) == (classes_before + 2, equipment_before + 3)
    with pytest.raises(Conflict):
        services.do_confirm_draft(pw.manager, draft)


def test_what_is_incomplete_is_refused_with_its_task_and_nothing_is_written(pw: PW) -> None:
    client = _client(pw.manager)
    draft = _upload(client)
    classes_before, equipment_before = TrainingClass.objects.count(), Equipment.objects.count()
    # The billboards' communes are not border sites yet: accepting them is refused, and says what to do.
    refused = client.post(f"/plans/import/{draft.pk}/", {"confirm": "1", **_accept(draft)})
    text = refused.content.decode()
    assert refused.status_code == 400 and "đăng ký điểm biên giới của “Ia Dom”" in text, text[:3000]
    assert not Plan.objects.filter(symbol="KH-SVHTTDL").exists()
    # What the reviewer typed is kept (the proposal stays accepted), so only the missing part is to fix.
    training = _proposals(draft)["training_class"][2]
    assert isinstance(training, TrainingProposal) and training.accepted and training.hours == 16

    assert _register_communes(client, draft).status_code == 302
    for answer, words in (({"capacity": ""}, "số học viên mỗi lớp"), ({"month": "tháng tám"}, "tháng của các lớp"),
                          ({"classes": "0"}, "số lớp"), ({"course_kind": ""}, "chọn khóa học")):
        refused = client.post(f"/plans/import/{draft.pk}/", {"confirm": "1", **_accept(draft, **answer)})
        assert refused.status_code == 400 and words in refused.content.decode(), answer
    assert not Plan.objects.filter(symbol="KH-SVHTTDL").exists()
    assert (TrainingClass.objects.count(), Equipment.objects.count()) == (classes_before, equipment_before)
    # A place registered twice is refused as already registered; a commune not of the province, by its name.
    for row, error in ((services.NewSite("Xã Ia Dom", SiteKind.BORDER_COMMUNE), Conflict),
                       (services.NewSite("Xã Ia Grai", SiteKind.BORDER_COMMUNE, commune="Na Mèo"), ServiceError)):
        with pytest.raises(error) as refusal:
            services.do_register_agencies(pw.manager, draft, [], [row])
        assert refusal.value.status in (400, 409)
    with translation.override("vi"), pytest.raises(ServiceError) as refusal:
        services.do_register_agencies(pw.manager, draft, [], [services.NewSite("Cửa khẩu X", "gate_main", "Na Mèo")])
    assert "Không có xã “Na Mèo” thuộc Gia Lai" in str(refusal.value.message)
    assert not BorderSite.objects.filter(name__in=["Xã Ia Grai", "Cửa khẩu X"]).exists()
    # Not accepting is always possible: the plan is created with no class and no equipment.
    n, m, _training = _proposals(draft)["training_class"]
    post = _accept(draft)
    post.pop(f"prop_{n}_{m}_accept")
    n, m, _equipment = _proposals(draft)["equipment"]
    post.pop(f"prop_{n}_{m}_accept")
    assert client.post(f"/plans/import/{draft.pk}/", {"confirm": "1", **post}).status_code == 302
    assert Plan.objects.filter(symbol="KH-SVHTTDL").exists()
    assert (TrainingClass.objects.count(), Equipment.objects.count()) == (classes_before, equipment_before)


def test_a_place_registered_under_another_name_and_kind_is_the_site_registered_for_it(pw: PW) -> None:
    client = _client(pw.manager)
    draft = _upload(client)
    first = _typed(draft).missing_sites()[0]
    assert (first.name, first.kind) == ("Ia Dom", SiteKind.BORDER_COMMUNE)
    response = client.post(f"/plans/import/{draft.pk}/", {
        "register": "1", "site_0_use": "1", "site_0_name": "Đồn Biên phòng Ia Dom", "site_0_kind": SiteKind.BORDER_POST,
        "site_0_commune": ""})
    assert response.status_code == 302, response.content.decode()[:1500]
    post = BorderSite.objects.get(name="Đồn Biên phòng Ia Dom", kind=SiteKind.BORDER_POST)
    equipment = _proposals(draft)["equipment"][2]
    assert [p.site for p in equipment.places] == [post.code, None, None]
    assert [p.name for p in _typed(draft).missing_sites()] == ["Ia Nan", "Ia Pnôn"]
    # The review page offers every site of the province for a place, those of the place's kind first.
    page = client.get(f"/plans/import/{draft.pk}/").content.decode()
    assert f'<option value="{post.code}" selected>' in page


def test_a_reporter_cannot_register_border_sites(pw: PW) -> None:
    draft = _upload(_client(pw.manager))
    response = _client(pw.reporter_dept).post(f"/plans/import/{draft.pk}/", {
        "register": "1", "site_0_use": "1", "site_0_name": "Xã Ia Dom", "site_0_kind": SiteKind.BORDER_COMMUNE})
    assert response.status_code in (403, 404)
    assert not BorderSite.objects.filter(name="Xã Ia Dom").exists()
