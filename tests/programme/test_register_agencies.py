"""A plan of a province with no registered agencies (Quảng Trị), imported through the review screen: the reviewer
registers the missing agencies from the list of names not matched, in one step, audited; the draft is matched
again, the plan confirmed, and a reporter of a new agency finds the report it owes. Also: who may register, and
what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client
from django.utils.html import escape

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Agency, AgencyKind, Role, User
from ttdn.core.models import AuditEntry
from ttdn.programme.models import Plan, PlanDraft

from .conftest import PW

PLAN = Path(__file__).resolve().parents[1] / "documents" / "fixtures" / "unseen" / "quang-tri-appendix-2025.txt"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _central_manager(pw: PW) -> User:
    user = accounts.do_create_user(None, "central_manager", None, agency=pw.world.central, full_name="Central",
                                   email="central@example.vn")
    accounts.do_grant_role(None, user, Role.PLAN_MANAGER, "")
    return user


def _upload(client: Client) -> PlanDraft:
    with PLAN.open("rb") as fh:
        response = client.post("/plans/import/", {"file": fh})
    assert response.status_code == 302, response.content.decode()[:800]
    return PlanDraft.objects.latest("pk")


def _index(draft: PlanDraft, client: Client, text: str) -> int:
    page = client.get(f"/plans/import/{draft.pk}/").content.decode()
    from ttdn.documents.plan_draft import Draft
    from ttdn.documents.plan_import import missing_agencies

    names = missing_agencies(Draft.from_json(draft.data))
    assert escape(text) in page
    return names.index(text)


def test_registering_the_missing_agencies_from_the_review(pw: PW) -> None:
    manager = _central_manager(pw)
    client = client_for(manager)
    draft = _upload(client)
    assert draft.data["plan"]["province"] == "Quảng Trị" and draft.data["plan"]["issuer_agency"] is None
    page = client.get(f"/plans/import/{draft.pk}/").content.decode()
    assert 'data-testid="missing-agencies"' in page
    # Every label in Vietnamese: no raw kinds, ISO dates or English reasons.
    assert "quarter 2025" not in page and "before the plan's title" not in page and "agency not recognised" not in page
    assert "Trong một quý 01/07/2025 – 30/09/2025" in page or "01/07/2025 – 30/09/2025" in page
    # Without an issuing agency the plan is not created.
    refused = client.post(f"/plans/import/{draft.pk}/", {"confirm": "1"})
    assert refused.status_code == 400 and "cơ quan ban hành" in refused.content.decode()
    assert not Plan.objects.filter(number="201").exists()

    ppc = _index(draft, client, "Ủy ban nhân dân tỉnh Quảng Trị")
    culture = _index(draft, client, "Sở Văn hóa, Thể thao và Du lịch")
    guard = _index(draft, client, "Bộ Chỉ huy Bộ đội Biên phòng tỉnh")
    audit_before = AuditEntry.objects.count()
    response = client.post(f"/plans/import/{draft.pk}/", {
        "register": "1",
        f"new_{ppc}_use": "1", f"new_{ppc}_name": "Ủy ban nhân dân tỉnh Quảng Trị",
        f"new_{ppc}_kind": AgencyKind.PROVINCIAL_PC,
        f"new_{culture}_use": "1", f"new_{culture}_name": "Sở Văn hóa, Thể thao và Du lịch tỉnh Quảng Trị",
        f"new_{culture}_kind": AgencyKind.DEPARTMENT, f"new_{culture}_parent": f"new:{ppc}",
        f"new_{guard}_use": "1", f"new_{guard}_name": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Quảng Trị",
        f"new_{guard}_kind": AgencyKind.BORDER_GUARD_COMMAND, f"new_{guard}_parent": f"new:{ppc}",
    })
    assert response.status_code == 302, response.content.decode()[:1500]
    created = {a.kind: a for a in Agency.objects.filter(province__short_name="Quảng Trị")}
    assert set(created) == {AgencyKind.PROVINCIAL_PC, AgencyKind.DEPARTMENT, AgencyKind.BORDER_GUARD_COMMAND}
    assert created[AgencyKind.DEPARTMENT].parent == created[AgencyKind.PROVINCIAL_PC]
    actions = list(AuditEntry.objects.order_by("pk")[audit_before:].values_list("action", flat=True))
    assert actions.count("accounts.agency.create") == 3 and "programme.draft.agencies_registered" in actions

    # The draft is matched again: the issuer and the tasks they lead are theirs; their names leave the list.
    draft.refresh_from_db()
    assert draft.data["plan"]["issuer_agency"] == created[AgencyKind.PROVINCIAL_PC].code
    leads = [t["lead"]["agency"] for t in draft.data["tasks"]]
    assert leads[:2] == [created[AgencyKind.DEPARTMENT].code, created[AgencyKind.BORDER_GUARD_COMMAND].code]
    unplaced = {u["text"] for u in draft.data["unplaced"]}
    assert "Sở Văn hóa, Thể thao và Du lịch" not in unplaced and "Sở Nội vụ" in unplaced

    # Registering the same agency again is refused, with nothing written.
    from ttdn.documents.plan_draft import Draft
    from ttdn.documents.plan_import import missing_agencies

    again = missing_agencies(Draft.from_json(draft.data)).index("Sở Nội vụ")
    twice = client.post(f"/plans/import/{draft.pk}/", {
        "register": "1", f"new_{again}_use": "1", f"new_{again}_kind": AgencyKind.DEPARTMENT,
        f"new_{again}_name": "Sở Văn hóa, Thể thao và Du lịch tỉnh Quảng Trị"})
    assert twice.status_code == 409 and "đã có" in twice.content.decode()
    assert Agency.objects.filter(province__short_name="Quảng Trị").count() == 3

    confirmed = client.post(f"/plans/import/{draft.pk}/", {"confirm": "1"})
    assert confirmed.status_code == 302, confirmed.content.decode()[:1500]
    plan = Plan.objects.get(number="201")
    assert plan.issuing_agency == created[AgencyKind.PROVINCIAL_PC]
    assert plan.tasks.filter(lead_agency=created[AgencyKind.DEPARTMENT]).count() == 1

    # A reporter of the new department finds the report it owes.
    reporter = accounts.do_create_user(None, "qt_reporter", None, agency=created[AgencyKind.DEPARTMENT],
                                       full_name="QT", email="qt@example.vn")
    accounts.do_grant_role(None, reporter, Role.PLAN_REPORTER, "")
    owed = client_for(reporter).get("/plans/my-reports/").content.decode()
    assert "201/KH-UBND" in owed or plan.title[:40] in owed
    assert 'data-testid="overdue"' in owed and "Quá hạn" in owed  # the 2025 report is past its due date


def test_only_the_province_s_managers_register_its_agencies(pw: PW) -> None:
    # A Gia Lai department's plan manager reviewing a Quảng Trị plan: the agencies are not theirs to add.
    client = client_for(pw.manager)
    draft = _upload(client)
    first = 0
    response = client.post(f"/plans/import/{draft.pk}/", {
        "register": "1", f"new_{first}_use": "1", f"new_{first}_name": "Ủy ban nhân dân tỉnh Quảng Trị",
        f"new_{first}_kind": AgencyKind.PROVINCIAL_PC})
    assert response.status_code == 403
    assert not Agency.objects.filter(province__short_name="Quảng Trị").exists()
    # Nor may anyone register a ministry from a plan, or an agency without a name.
    central = client_for(_central_manager(pw))
    draft = _upload(central)
    for kind, name in ((AgencyKind.MINISTRY, "Bộ Ngoại giao"), (AgencyKind.DEPARTMENT, "  ")):
        refused = central.post(f"/plans/import/{draft.pk}/", {
            "register": "1", "new_0_use": "1", "new_0_name": name, "new_0_kind": kind})
        assert refused.status_code == 400
    assert not Agency.objects.filter(province__short_name="Quảng Trị").exists()
