"""Which agencies report on a plan follows the registry: an agency registered from a review page joins the plans
under way whose groups now include it ("các sở, ban, ngành" gains a department), audited; one of another province
or outside the groups does not."""

from __future__ import annotations

import pytest
from django.test import Client

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Agency, AgencyKind, Role
from ttdn.core.models import AuditEntry
from ttdn.programme import services

from .conftest import PW, draft

pytestmark = pytest.mark.django_db


def test_an_agency_registered_from_the_review_joins_the_reporters_of_the_plans_its_group_names(pw: PW) -> None:
    plan = pw.plan
    # The plan's task II.2.a is coordinated by "các sở, ban, ngành" (the province's departments).
    assert plan.tasks.get(key="II.2.a").coordinators.filter(group="provincial_departments").exists()
    other = draft()
    other["plan"]["province"] = "Gia Lai"  # names "Sở Nội vụ", not registered: the review offers to register it
    saved = services.do_save_draft(pw.manager, "ke-hoach-khac.docx", other)
    client = Client()
    client.force_login(pw.manager)
    page = client.get(f"/plans/import/{saved.pk}/").content.decode()
    assert 'data-testid="missing-agencies"' in page and "Sở Nội vụ" in page
    response = client.post(f"/plans/import/{saved.pk}/", {
        "register": "1", "new_0_use": "1", "new_0_name": "Sở Nội vụ tỉnh Gia Lai",
        "new_0_kind": AgencyKind.DEPARTMENT})
    assert response.status_code == 302, response.content.decode()[:500]
    home_affairs = Agency.objects.get(name="Sở Nội vụ tỉnh Gia Lai")
    # The plan under way now expects its reports, and the audit says why.
    assert plan.reporting_agencies.filter(pk=home_affairs.pk).exists()
    assert AuditEntry.objects.filter(action="programme.plan.reporter_added", object_id=str(plan.pk),
                                     data__agency=home_affairs.code).exists()
    # Its reporter finds the reports it owes on the home page.
    reporter = accounts.do_create_user(None, "gl_noi_vu", None, agency=home_affairs, full_name="Nội vụ",
                                       email="noivu@example.vn")
    accounts.do_grant_role(None, reporter, Role.PLAN_REPORTER, "")
    owed = Client()
    owed.force_login(reporter)
    home = owed.get("/", follow=True).content.decode()
    assert 'data-testid="section-reports-due"' in home and f'data-testid="due-{plan.pk}-' in home


def test_agencies_of_another_province_or_outside_the_groups_do_not_join(pw: PW) -> None:
    plan = pw.plan
    before = set(plan.reporting_agencies.values_list("pk", flat=True))
    elsewhere = accounts.do_save_agency(None, accounts.AgencyData(
        code="dl-snv", name="Sở Nội vụ tỉnh Đắk Lắk", kind=AgencyKind.DEPARTMENT,
        province_id=pw.world.dl_dept.province_id))
    newspaper = accounts.do_save_agency(None, accounts.AgencyData(
        code="gl-bao", name="Báo Gia Lai", kind=AgencyKind.NEWSPAPER, province_id=pw.world.gia_lai.pk))
    after = set(plan.reporting_agencies.values_list("pk", flat=True))
    assert after == before and elsewhere.pk not in after and newspaper.pk not in after
