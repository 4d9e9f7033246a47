"""The permission matrix: every page of the URL conf and every operation of /api/openapi.json, for every kind of
caller, checked against the one table of rules in ttdn.core.access.

Callers: a stranger, a border-site node (signed requests, no user), an account without a role, one account per
role, and the same role in the subjects' own agency, another agency of the province and another province.
The subjects (items in each state, files, a plan, a report, a member of staff …) all belong to one provincial
department. What the table allows must not be refused; what it does not allow must be refused (401, 403, 404
or a redirect to the login page). Every answer that is served is also searched for the marker titles of items
the caller may not see. An endpoint without a row in the table — a page or an operation added later — fails.

The world is built once per module inside a transaction that is rolled back at the end; each case runs in a
savepoint of its own, so unsafe requests by allowed callers (a workflow step, a deletion) are undone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from ttdn.accounts import services as accounts
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import Agency, Role, User
from ttdn.api import api
from ttdn.content import services as content
from ttdn.content.models import Attachment, Item, State
from ttdn.core import access
from ttdn.editorial import services as editorial
from ttdn.places.models import BorderSite
from ttdn.places.services import SiteData, do_save_border_site
from ttdn.programme import services as programme
from ttdn.programme.models import Plan, ProgressReport, TrainingClass
from ttdn.programme.models import PlanDraft as ImportDraft
from ttdn.sync.hub import chunking
from ttdn.sync.hub import services as sync
from ttdn.sync.models import EdgeNode
from ttdn.sync.transport import keys

from ..conftest import World, advance, build_world, make_item
from ..programme.conftest import build_pw, draft

# ------------------------------------------------------------------------------------------ the callers

# name → (world user attribute or None, description)
IDENTITIES: dict[str, str] = {
    "anonymous": "no credentials",
    "node": "a border-site node of the province (signed, no user)",
    "no_role": "an account of the own agency without a role",
    "contributor": "contributor, own agency",
    "contributor_bgc": "contributor, another agency of the province",
    "contributor_dl": "contributor, another province",
    "agency_admin": "agency administrator, own agency",
    "reader": "reader, another agency of the province",
    "appraiser": "central appraiser",
    "publisher": "central publisher",
    "translator_lo": "central translator into Lao",
    "plan_manager": "plan manager, own agency (coordinates the plan)",
    "reporter": "plan reporter, own agency",
    "reporter_bgc": "plan reporter, another agency of the province (reports on the plan)",
    "reporter_dl": "plan reporter, another province (not on the plan)",
    "operator": "operator (superuser)",
}
# The Django admin is one wildcard row; its ~140 pages are tried by fewer callers.
ADMIN_IDENTITIES = ("anonymous", "agency_admin", "operator")


@dataclass
class Caller:
    name: str
    user: User | None = None
    tokens: frozenset[str] = frozenset()
    api_secret: str = ""
    session_cookie: str = ""


@dataclass
class Matrix:
    world: World
    home: Agency
    callers: dict[str, Caller]
    items: dict[str, Item]
    markers: dict[str, str]  # item subject → marker in its title
    shas: dict[str, str]  # item subject → sha256 of the file on its source
    attachments: dict[str, Attachment]
    plan: Plan
    report: ProgressReport
    import_draft: ImportDraft
    klass: TrainingClass
    site: BorderSite
    node: EdgeNode
    node_key: Ed25519PrivateKey
    member: User
    member_token_id: int
    extra: dict[str, Any] = field(default_factory=dict)


def _png(seed: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (16, 16), bytes((seed * 7 + n) % 256 for n in range(16 * 16 * 3))).save(out, "PNG")
    return out.getvalue()


def _tokens(user: User | None, name: str, home: Agency, plan: Plan) -> frozenset[str]:
    """The access tokens (see ttdn.core.access) this caller holds towards the home agency's subjects."""
    held = {access.ANYONE}
    if name == "node":
        return frozenset(held | {access.NODE})
    if user is None:
        return frozenset(held)
    held.add(access.LOGGED_IN)
    grants = list(user.role_grants.values_list("role", "language"))
    if grants or user.is_superuser:
        held.add(access.OFFICIAL)
    if user.is_superuser:
        held.add(access.OPERATOR)
    reporting = set(plan.reporting_agencies.values_list("pk", flat=True))
    for role, lang in grants:
        held.add(role)
        if user.agency_id == home.pk:
            held.add(f"{role}@agency")
        if role == Role.TRANSLATOR and lang == "lo":
            held.add("translator@language")
        if role == Role.PLAN_REPORTER and user.agency_id in reporting:
            held.add("plan_reporter@plan")
    if name == "contributor":
        held.add(access.SELF)  # the member of staff and the token owner below are this account
    return frozenset(held)


def _build() -> Matrix:
    world = build_world()
    pw = build_pw(world)
    home = world.gl_dept
    users: dict[str, User | None] = {"anonymous": None, "node": None}
    users.update(world.users())
    users["operator"] = world.operator
    users["no_role"] = accounts.do_create_user(None, "no_role", None, agency=home, full_name="Không vai")
    bgc = accounts.do_create_user(None, "contributor_bgc", None, agency=world.gl_bgc, full_name="Biên phòng")
    accounts.do_grant_role(None, bgc, Role.CONTRIBUTOR, "")
    users["contributor_bgc"] = bgc
    users.update(plan_manager=pw.manager, reporter=pw.reporter_dept, reporter_bgc=pw.reporter_bgc,
                 reporter_dl=pw.reporter_dl)
    assert set(users) == set(IDENTITIES)

    # Items of the home agency in each state, each with a file on its source and a marker in its title.
    items: dict[str, Item] = {}
    markers: dict[str, str] = {}
    shas: dict[str, str] = {}
    attachments: dict[str, Attachment] = {}
    states = {"draft": State.DRAFT, "in_appraisal": State.IN_APPRAISAL, "approved": State.APPROVED,
              "published": State.PUBLISHED, "officials": State.PUBLISHED}
    for n, (subject, state) in enumerate(states.items()):
        marker = f"MX{subject.replace('_', '')}{secrets.token_hex(4)}"
        item = make_item(world, title=f"Tờ tin {marker}",
                         audience="officials" if subject == "officials" else "public")
        attachment = content.do_attach_upload(world.contributor, item.variants.get(),
                                              SimpleUploadedFile(f"anh-{n}.png", _png(n)))
        advance(world, item, state)
        if state in (State.APPROVED, State.PUBLISHED):
            content.do_save_variant(world.translator_lo, item, "lo", "ຫົວຂໍ້", "", "<p>ລາວ</p>")
        items[subject], markers[subject] = item, marker
        shas[subject], attachments[subject] = attachment.asset.sha256, attachment

    plan = pw.plan
    period = plan.periods.order_by("year").first()
    assert period is not None
    report = programme.do_open_report(pw.reporter_dept, period, home)
    import_draft = programme.do_save_draft(pw.manager, "ke-hoach.docx", draft())
    course = programme.do_save_course(pw.manager, "Kỹ năng thông tin đối ngoại", "foreign_information")
    klass = programme.do_save_class(pw.manager, programme.ClassData(
        course_id=course.pk, title="Lớp 1", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 4), venue="Pleiku",
        capacity=30, duration_hours=24))

    site = do_save_border_site(None, SiteData(code="mx-post", name="Đồn Biên phòng MX", kind="border_post",
                                              province_id=world.gia_lai.pk, neighbour_country="KH",
                                              languages=["km"]))
    node_key = Ed25519PrivateKey.generate()
    node = sync.do_enroll(sync.do_issue_code(None, site), keys.public_hex(node_key), "mx")
    for subject in ("published", "draft"):
        chunking.chunks_of(shas[subject])

    # An appraisal opinion (on an item of its own, approved by it) and a notice to the member.
    from ttdn.content import notices as content_notices
    from ttdn.notices.services import do_notify

    opined = advance(world, make_item(world, title="Tờ tin có ý kiến thẩm định"), State.IN_APPRAISAL)
    checks: dict[int, tuple[bool | None, str]] = {c.pk: (True, "") for c in editorial.asked_criteria()}
    opinion = editorial.do_appraise(world.appraiser, opined, editorial.OpinionData("approve", checks))
    # The approved item is scheduled for publication (so that cancelling it means something).
    editorial.do_schedule_publication(world.publisher, items["approved"],
                                      dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
    notice = do_notify([world.contributor], content_notices.RETURNED.code, opined, link="/")[0]

    # A translation job into Lao of the approved item, assigned to the translator into Lao.
    from ttdn.translation import services as desk

    job = desk.do_request(world.appraiser, items["approved"], desk.RequestData(
        languages=["lo"], translator_id=world.translator_lo.pk))[0]

    member = world.contributor
    member_token = accounts.do_create_token(member, member, "matrix subject")[0]
    from ttdn.outreach import services as outreach

    campaign = outreach.do_create_campaign(world.contributor, outreach.CampaignData(
        title="Chiến dịch kiểm tra quyền", sender_name="SoTTTT", texts={"vi": "Thong bao"}))
    commune = world.gia_lai.children.filter(level="commune").first()
    assert commune is not None
    area = outreach.do_create_campaign(world.contributor, outreach.CampaignData(
        title="Lệnh phát kiểm tra quyền", sender_name="SoTTTT", texts={"vi": "Thong bao"}, kind="area",
        commune_ids=[commune.pk]))
    outreach.do_make_voice(world.contributor, campaign.pk, "vi")
    outreach.do_submit(world.contributor, area.pk)
    outreach.do_approve(world.agency_admin, area.pk)

    callers: dict[str, Caller] = {}
    for name, user in users.items():
        caller = Caller(name, user, _tokens(user, name, home, plan))
        if user is not None:
            caller.api_secret = accounts.do_create_token(user, user, "matrix")[1]
            client = Client()
            client.force_login(user)
            session = client.session
            session[OTP_SESSION_KEY] = True
            session.save()
            caller.session_cookie = session.session_key or ""
        callers[name] = caller
    return Matrix(world=world, home=home, callers=callers, items=items, markers=markers, shas=shas,
                  attachments=attachments, plan=plan, report=report, import_draft=import_draft, klass=klass,
                  site=site, node=node, node_key=node_key, member=member, member_token_id=member_token.pk,
                  extra={"opinion": opinion.pk, "notice": notice.pk, "evidence": _evidence(pw.manager, plan),
                         "campaign": campaign.pk, "area": area.pk, "job": job.pk})


def _evidence(manager: User, plan: Plan) -> int:
    """A progress update's evidence file on the plan's first task (served by the plan, not as material)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "anh-hoi-nghi.png"
        photo.write_bytes(_png(77))
        task = plan.tasks.first()
        assert task is not None
        update = programme.do_add_progress(manager, task, "Đã tổ chức hội nghị.", files=[(photo, photo.name)])
    evidence = update.evidence.get()
    return evidence.pk


@pytest.fixture(scope="module")
def mx(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Matrix]:
    from ttdn.core.transactions import bulk_load

    # One transaction for the module, rolled back at the end; the services run as savepoints inside it.
    with django_db_blocker.unblock():
        loading = bulk_load()
        loading.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            loading.__exit__(None, None, None)


# ------------------------------------------------------------------------------------------ the requests


@dataclass
class Req:
    method: str
    path: str
    data: Any = None  # form fields (pages) or JSON (API)
    files: dict[str, Any] | None = None


Builder = Callable[[Matrix, str], Req]


def _item(mx: Matrix, subject: str) -> Item:
    return mx.items[subject.split("/")[0].split(":")[0]]


def _page(url_name: str, method: str = "GET", data: Any = None, **static: Any) -> Builder:
    def build(mx: Matrix, subject: str) -> Req:
        return Req(method, reverse(url_name, kwargs=static) if static else reverse(url_name), data)
    return build


def _item_page(name: str, method: str = "GET", data: Any = None, **extra: Any) -> Builder:
    def build(mx: Matrix, subject: str) -> Req:
        item = _item(mx, subject)
        kwargs: dict[str, Any] = {"uid": item.uid}
        if "/" in subject:
            kwargs["lang"] = subject.split("/")[1]
        if ":" in subject:
            kwargs["action"] = subject.split(":")[1]
        kwargs.update(extra)
        return Req(method, reverse(name, kwargs=kwargs), data)
    return build


def _plan_page(name: str, method: str = "GET", data: Any = None, **extra: Callable[[Matrix], Any]) -> Builder:
    def build(mx: Matrix, subject: str) -> Req:
        kwargs = {"pk": mx.plan.pk, **{k: f(mx) for k, f in extra.items()}}
        return Req(method, reverse(name, kwargs=kwargs), data)
    return build


def _member_page(name: str, method: str = "POST") -> Builder:
    return lambda mx, subject: Req(method, reverse(name, kwargs={"pk": mx.member.pk}), {})


def _enroll(mx: Matrix, subject: str) -> Req:
    # A fresh one-time code and key for every caller: the code is the credential.
    code = sync.do_issue_code(None, mx.site)
    body = {"code": code, "public_key": keys.public_hex(Ed25519PrivateKey.generate()), "name": "mới"}
    return Req("POST", reverse("sync:enroll"), json.dumps(body))


def _device(mx: Matrix) -> int:
    from ttdn.points import services as points

    device, _code = points.do_start_pairing()
    return device.pk


def _device_page(name: str, data: Any) -> Builder:
    return lambda mx, s: Req("POST", reverse(name, kwargs={"device_id": _device(mx)}), data)


def _site_device(mx: Matrix) -> int:
    from ttdn.points.models import SiteDevice

    return SiteDevice.objects.create(node=mx.node, device_uid=uuid.uuid4(), name="Màn hình").pk


def _conflict(mx: Matrix, subject: str) -> Req:
    from django.utils import timezone

    from ttdn.points import services as points
    from ttdn.points.models import PlaylistConflict

    device, _code = points.do_start_pairing()
    conflict = PlaylistConflict.objects.create(device=device, hub_changed_at=timezone.now())
    return Req("POST", reverse("points:conflict_seen", kwargs={"conflict_id": conflict.pk}), {})


def _portal_item(name: str) -> Builder:
    def build(mx: Matrix, subject: str) -> Req:
        kwargs: dict[str, Any] = {"language": "vi", "uid": _item(mx, subject).uid}
        if name == "portal:item":
            kwargs["slug_text"] = "tai-lieu"
        return Req("GET", reverse(name, kwargs=kwargs))
    return build


def _monitoring(mx: Matrix) -> dict[str, int]:
    """A desk of the home agency with one story under review, and a feed (each case's own, rolled back)."""
    from ttdn.monitoring.models import Feed, Outlet, Review, Story, WatchList

    watch = WatchList.objects.create(agency=mx.home, province_id=mx.home.province_id, name="Bàn theo dõi")
    story = Story.objects.create(title="Tin báo chí về tỉnh")
    review = Review.objects.create(story=story, watch_list=watch)
    outlet = Outlet.objects.create(name="Báo thử", country="VN", language="vi")
    feed = Feed.objects.create(outlet=outlet, url=f"http://127.0.0.1:9/rss/{secrets.token_hex(4)}")
    return {"story": story.pk, "review": review.pk, "watch": watch.pk, "feed": feed.pk, "outlet": outlet.pk}


def _monitoring_page(name: str, key: str, method: str = "GET", data: Any = None) -> Builder:
    return lambda mx, s: Req(method, reverse(name, kwargs={"pk": _monitoring(mx)[key]}), data)


def _cap_alert(mx: Matrix) -> Any:
    """The published item declared an alert (each test rolls back, so it is made again)."""
    from ttdn.portal import services as portal

    return portal.do_alert(mx.world.publisher, mx.items["published"].uid, portal.AlertInput(event={"vi": "Lũ"}))


def _subscriber_op(method: str) -> Callable[[str], Builder]:
    def for_path(path: str) -> Builder:
        def build(mx: Matrix, subject: str) -> Req:
            from ttdn.portal import services as portal

            row, _secret = portal.do_add_subscriber(mx.world.operator, portal.SubscriberInput(
                agency_id=mx.home.pk, name="Cổng tỉnh", url="https://example.org/hook"))
            return Req(method, path.replace("{subscriber_uid}", str(row.uid)), None)
        return build
    return for_path


def _node_revoke(mx: Matrix, subject: str) -> Req:
    return Req("GET", reverse("sync:node_revoke", kwargs={"uid": mx.node.uid}))


def _member_token(mx: Matrix, subject: str) -> Req:
    from ttdn.accounts import services as accounts_services

    token, _secret = accounts_services.do_create_token(mx.member, mx.member, "matrix")
    return Req("POST", reverse("accounts:staff_token_revoke", kwargs={"pk": mx.member.pk, "token_id": token.pk}), {})


PAGE_REQUESTS: dict[str, Builder] = {
    "accounts:staff_active": _member_page("accounts:staff_active"),
    "accounts:staff_token_revoke": _member_token,
    "content:revisions": _item_page("content:revisions"),
    "content:revision_restore": _item_page("content:revision_restore", "POST", {}, number=1),
    "sync:node_revoke": _node_revoke,
    "sync:issue_code": _page("sync:issue_code", "POST", {}),
    "points:revoke": _device_page("points:revoke", {}),
    "points:add_rule": _device_page("points:add_rule", {}),
    "points:set_pinned": _device_page("points:set_pinned", {}),
    "points:add_slot": _device_page("points:add_slot", {}),
    "points:remove_slot": _device_page("points:remove_slot", {}),
    "points:remove_rule": _device_page("points:remove_rule", {}),
    "points:conflict_seen": _conflict,
    "points:speech": lambda mx, s: Req("GET", reverse("points:speech", kwargs={
        "uid": _item(mx, s).uid, "lang": "vi", "version": _item(mx, s).version})),
    "points:hub_device": lambda mx, s: Req("GET", reverse("points:hub_device", kwargs={"device_id": _site_device(mx)})),
    "points:hub_device_edit": lambda mx, s: Req("POST", reverse("points:hub_device_edit",
                                                                kwargs={"device_id": _site_device(mx)}),
                                                {"action": "pinned", "pinned": ""}),
    "portal:item": _portal_item("portal:item"),
    "portal:item_bare": _portal_item("portal:item_bare"),
    "portal:ninjs": _portal_item("portal:ninjs"),
    "portal:feed_atom": _page("portal:feed_atom", language="vi"),
    "portal:feed_json": _page("portal:feed_json", language="vi"),
    "portal:feed_atom_path": _page("portal:feed_atom_path", language="vi", segments="kind/leaflet"),
    "portal:feed_json_path": _page("portal:feed_json_path", language="vi", segments="kind/leaflet"),
    "portal:widget": _page("portal:widget", language="vi"),
    "portal:alert_form": _item_page("portal:alert_form"),
    "portal:alert_cancel": _item_page("portal:alert_cancel", "POST", {"note": ""}),
    "portal:cap_message": lambda mx, s: Req("GET", reverse("portal:cap_message", args=[_cap_alert(mx).identifier])),
    "accounts:logout": _page("accounts:logout", "POST", {}),
    "accounts:staff_user": _member_page("accounts:staff_user", "GET"),
    "accounts:staff_role": _member_page("accounts:staff_role"),
    "accounts:staff_password": _member_page("accounts:staff_password"),
    "accounts:staff_totp_reset": _member_page("accounts:staff_totp_reset"),
    "set_language": _page("set_language", "POST", {"language": "en", "next": "/"}),
    "content:item_detail": _item_page("content:item_detail"),
    "content:item_edit": _item_page("content:item_edit"),
    "content:transition": _item_page("content:transition", "POST", {"reason": "Kiểm tra quyền"}),
    "content:variant_add": lambda mx, s: Req("GET", reverse("content:variant_add", kwargs={"uid": _item(mx, s).uid})
                                             + "?language=lo"),
    "content:variant_edit": _item_page("content:variant_edit"),
    "content:variant_delete": _item_page("content:variant_delete", "POST", {}),
    "content:attachment_remove": lambda mx, s: Req("POST", reverse("content:attachment_remove", kwargs={
        "uid": _item(mx, s).uid, "pk": mx.attachments[s].pk}), {}),
    "content:file": lambda mx, s: Req("GET", reverse("content:file", kwargs={"sha256": mx.shas[s]})),
    "content:file_thumb": lambda mx, s: Req("GET", reverse("content:file_thumb", kwargs={"sha256": mx.shas[s]})),
    "sync:enroll": _enroll,
    "sync:uplink": _page("sync:uplink", "POST", json.dumps({"applied_seq": 0, "epoch": 1, "version": "0.1"})),
    "sync:feed": lambda mx, s: Req("GET", reverse("sync:feed") + "?after=0&epoch=1"),
    "sync:records": lambda mx, s: Req("POST", reverse("sync:records"),
                                      json.dumps({"uids": [str(mx.items["published"].uid)]})),
    "sync:chunks": lambda mx, s: Req("POST", reverse("sync:chunks"), json.dumps({"chunks": [mx.shas["published"]]})),
    "sync:chunk": lambda mx, s: Req("GET", reverse("sync:chunk", kwargs={
        "sha": mx.shas["published" if s == "targeted" else "draft"]})),
    "programme:draft_review": lambda mx, s: Req("GET", reverse("programme:draft_review",
                                                               kwargs={"pk": mx.import_draft.pk})),
    "programme:open_report": lambda mx, s: Req("POST", reverse("programme:open_report", kwargs={
        "period_pk": mx.report.period_id}), {}),
    "programme:report": lambda mx, s: Req("GET", reverse("programme:report", kwargs={"pk": mx.report.pk})),
    "programme:return_report": lambda mx, s: Req("POST", reverse("programme:return_report",
                                                                 kwargs={"pk": mx.report.pk}), {"reason": "Thiếu"}),
    "programme:training_class": lambda mx, s: Req("GET", reverse("programme:training_class",
                                                                 kwargs={"pk": mx.klass.pk})),
    "programme:plan_detail": _plan_page("programme:plan_detail"),
    "programme:dashboard": _plan_page("programme:dashboard"),
    "programme:reporting": _plan_page("programme:reporting"),
    "programme:budget": _plan_page("programme:budget"),
    "programme:task_new": _plan_page("programme:task_new"),
    "programme:evidence_file": _plan_page("programme:evidence_file", evidence_pk=lambda mx: mx.extra["evidence"]),
    "programme:task_detail": _plan_page("programme:task_detail", task_pk=lambda mx: mx.plan.tasks.first().pk),
    "programme:task_edit": _plan_page("programme:task_edit", task_pk=lambda mx: mx.plan.tasks.first().pk),
    "programme:indicator_value": _plan_page("programme:indicator_value", "POST", {"value": "5", "as_of": "2026-01-15"},
                                            indicator_pk=lambda mx: mx.plan.indicators.first().pk),
    "programme:annual_docx": _plan_page("programme:annual_docx", year=lambda mx: mx.report.period.year),
    "programme:phase_docx": _plan_page("programme:phase_docx", phase=lambda mx: 1),
    "programme:tasks_xlsx": _plan_page("programme:tasks_xlsx"),
    "programme:budget_xlsx": _plan_page("programme:budget_xlsx"),
    "editorial:appraise": _item_page("editorial:appraise"),
    "editorial:schedule": _item_page("editorial:schedule"),
    "editorial:schedule_cancel": _item_page("editorial:schedule_cancel", "POST", {}),
    "editorial:opinion": lambda mx, s: Req("GET", reverse("editorial:opinion", kwargs={"pk": mx.extra["opinion"]})),
    "editorial:opinion_docx": lambda mx, s: Req("GET", reverse("editorial:opinion_docx",
                                                               kwargs={"pk": mx.extra["opinion"]})),
    "notices:open": lambda mx, s: Req("GET", reverse("notices:open", kwargs={"pk": mx.extra["notice"]})),
    "monitoring:story": _monitoring_page("monitoring:story", "story"),
    "monitoring:review": _monitoring_page("monitoring:review", "review", "POST", {"verdict": "accurate"}),
    "monitoring:feed_resume": _monitoring_page("monitoring:feed_resume", "feed", "POST", {}),
    "monitoring:term_add": _monitoring_page("monitoring:term_add", "watch", "POST",
                                            {"term": "Pleiku", "language": "vi", "kind": "other"}),
    "monitoring:thresholds": _monitoring_page("monitoring:thresholds", "watch", "POST",
                                              {}),
    "monitoring:outlet_edit": _monitoring_page("monitoring:outlet_edit", "outlet"),
    "monitoring:outlet_delete": _monitoring_page("monitoring:outlet_delete", "outlet", "POST", {}),
    "translation:item": _item_page("translation:item"),
    "translation:request": _item_page("translation:request", "POST", {}),
    "translation:job": lambda mx, s: Req("GET", reverse("translation:job", kwargs={"pk": mx.extra["job"]})),
    "translation:segment": lambda mx, s: Req("POST", reverse("translation:segment", kwargs={
        "pk": mx.extra["job"], "position": 0}), {"target": "ລາວ"}),
    "translation:job_action": lambda mx, s: Req("POST", reverse("translation:job_action",
                                                                kwargs={"pk": mx.extra["job"]}), {}),
    "translation:job_xliff": lambda mx, s: Req("GET", reverse("translation:job_xliff", kwargs={"pk": mx.extra["job"]})),
    "translation:job_xliff_import": lambda mx, s: Req("POST", reverse("translation:job_xliff_import",
                                                                      kwargs={"pk": mx.extra["job"]}), {}),
    "api:docs-asset": _page("api:docs-asset", name="swagger-ui.css"),
    "outreach:campaign": lambda mx, s: Req("GET", reverse("outreach:campaign", args=[mx.extra["campaign"]])),
    "outreach:figures": lambda mx, s: Req("GET", reverse("outreach:figures", args=[mx.extra["campaign"]])),
    "outreach:results_csv": lambda mx, s: Req("GET", reverse("outreach:results_csv", args=[mx.extra["campaign"]])),
    "outreach:area_order": lambda mx, s: Req("GET", reverse("outreach:area_order", args=[mx.extra["area"], "xlsx"])),
    "outreach:area_results": lambda mx, s: Req("POST", reverse("outreach:area_results", args=[mx.extra["area"]]), {}),
    "outreach:voice_make": lambda mx, s: Req("POST", reverse("outreach:voice_make", args=[mx.extra["campaign"]]),
                                             {"language": "vi"}),
    "outreach:voice_upload": lambda mx, s: Req("POST", reverse("outreach:voice_upload", args=[mx.extra["campaign"]]),
                                               {}),
    "outreach:voice_audio": lambda mx, s: Req("GET", reverse("outreach:voice_audio",
                                                             args=[mx.extra["campaign"], "vi"])),
    "outreach:campaign_action": lambda mx, s: Req("POST", reverse("outreach:campaign_action",
                                                                  args=[mx.extra["campaign"]]), {}),
    "api:no-route": lambda mx, s: Req("GET", "/api/v9/nothing-here"),
}


def _fill(route: str, values: dict[str, Any]) -> str:
    """The path of a route (path() or re_path() syntax) with its parameters filled in."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def _route_page(route: str, method: str) -> Builder:
    return lambda mx, subject: Req(method, _fill(route, {}), {} if method != "GET" else None)


def _admin_request(name: str, route: str) -> Builder:
    def build(mx: Matrix, subject: str) -> Req:
        values = {"object_id": str(mx.world.operator.pk), "app_label": "accounts",
                  "content_type_id": ContentType.objects.get_for_model(User).pk, "url": "nothing-here/"}
        method = "POST" if name == "admin:logout" else "GET"
        return Req(method, _fill(route, values), {} if method == "POST" else None)
    return build


def _op_item(path: str, subject: str, mx: Matrix) -> str:
    item = _item(mx, subject)
    lang = subject.split("/")[1] if "/" in subject else "vi"
    sha = mx.shas[subject.split("/")[0].split(":")[0]]
    return path.format(uid=item.uid, lang=lang, sha256=sha)


def _op(method: str, body: Callable[[Matrix, str], Any] | None = None,
        files: Callable[[Matrix, str], dict[str, Any]] | None = None) -> Callable[[str], Builder]:
    def for_path(path: str) -> Builder:
        def build(mx: Matrix, subject: str) -> Req:
            filled = path.format(
                uid="{uid}", lang="{lang}", sha256="{sha256}", token_id=mx.member_token_id,
                report_id=mx.report.pk, plan_id=mx.plan.pk, campaign_id=mx.extra["campaign"])
            if "{uid}" in filled:
                filled = _op_item(filled, subject, mx)
            return Req(method, filled, body(mx, subject) if body else None, files(mx, subject) if files else None)
        return build
    return for_path


def _action(mx: Matrix, subject: str) -> dict[str, Any]:
    return {"action": subject.split(":")[1], "reason": "Kiểm tra quyền"}


OP_REQUESTS: dict[str, Callable[[str], Builder]] = {
    "ttdn_content_api_create_item": _op("POST", lambda mx, s: {
        "kind": "leaflet", "title": "Mới", "body": "<p>Mới</p>", "no_state_secrets": True}),
    "ttdn_content_api_update_item": _op("PATCH", lambda mx, s: {"title": "Đã sửa"}),
    "ttdn_content_api_transition_item": _op("POST", _action),
    "ttdn_editorial_api_record_opinion": _op("POST", lambda mx, s: {
        "decision": "approve", "checks": [{"criterion": c.code, "passed": True} for c in editorial.asked_criteria()]}),
    "ttdn_content_api_save_variant": _op("PUT", lambda mx, s: {"title": "Bản dịch", "summary": "",
                                                                "body": "<p>Nội dung</p>"}),
    "ttdn_content_api_delete_variant": _op("DELETE"),
    "ttdn_content_api_set_translation_state": _op("POST", lambda mx, s: {"translation_state": 30}),
    "ttdn_content_api_upload_file": _op("POST", files=lambda mx, s: {
        "file": SimpleUploadedFile("moi.png", _png(99), content_type="image/png")}),
    "ttdn_content_api_delete_file": _op("DELETE"),
    "ttdn_accounts_api_create_token": _op("POST", lambda mx, s: {"name": "máy mới"}),
    "ttdn_accounts_api_revoke_token": _op("DELETE"),
    "ttdn_accounts_api_revoke_administered_token": _op("DELETE"),
    "ttdn_programme_api_open_report": _op("POST", lambda mx, s: {"plan_id": mx.plan.pk,
                                                                  "year": mx.report.period.year}),
    "ttdn_programme_api_save_report": _op("PUT", lambda mx, s: {"summary": "Đã làm"}),
    "ttdn_programme_api_submit_report": _op("POST"),
    "ttdn_outreach_api_create_campaign": _op("POST", lambda mx, s: {
        "title": "Họp dân", "sender_name": "SoTTTT", "texts": {"vi": "Họp dân lúc 8 giờ sáng mai."}}),
    "ttdn_outreach_api_preview_texts": _op("POST", lambda mx, s: {"texts": {"vi": "Họp dân", "km": "ប្រជុំ"}}),
    # Pausing a draft: refused by the state (400) to those the table allows, by the rule (404) to the others.
    "ttdn_outreach_api_campaign_action": _op("POST", lambda mx, s: {"action": "pause"}),
    "ttdn_portal_api_alert_item": _op("POST", lambda mx, s: {"event": {"vi": "Lũ quét"}}),
    "ttdn_portal_api_cancel_alert": _op("POST", lambda mx, s: {"note": ""}),
    "ttdn_portal_api_add_webhook": _op("POST", lambda mx, s: {"agency_id": mx.home.pk, "name": "Cổng tỉnh",
                                                               "url": "https://example.org/hook"}),
    "ttdn_portal_api_list_deliveries": _subscriber_op("GET"),
    "ttdn_portal_api_deactivate_webhook": _subscriber_op("DELETE"),
}


# ------------------------------------------------------------------------------------------ the endpoints


def _walk(resolver: URLResolver, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            yield from _walk(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            # An unnamed page is named by its route in the table.
            name = pattern.name or f"/{route}"
            name = f"{namespace}:{name}" if namespace else name
            yield name, route


OPENAPI = api.get_openapi_schema()
OPERATIONS = {op["operationId"]: (method.upper(), path, op)
              for path, ops in OPENAPI["paths"].items() for method, op in ops.items()}
# URL names of the operations ("api:list_items"): checked through the OpenAPI document instead.
OPERATION_URL_NAMES = {f"api:{op_id.split('_api_', 1)[1]}" for op_id in OPERATIONS}
PAGES = {name: route for name, route in _walk(get_resolver()) if name not in OPERATION_URL_NAMES}


@dataclass(frozen=True)
class Case:
    kind: str  # "page" | "operation"
    endpoint: str
    subject: str
    caller: str


def _cases() -> Iterator[Any]:
    for name in sorted(PAGES):
        row = access.page_rule(name)
        if row is None:
            yield pytest.param(Case("page", name, "?", "-"), id=f"page-{name}-NO-RULE")
            continue
        callers = ADMIN_IDENTITIES if name.startswith("admin:") else IDENTITIES
        for subject in row.subjects:
            for caller in callers:
                marks = _known(name, subject, caller)
                yield pytest.param(Case("page", name, subject, caller), id=f"{name}[{subject}]-{caller}",
                                   marks=marks)
    for op_id in sorted(OPERATIONS):
        op_rule = access.OPERATIONS.get(op_id)
        if op_rule is None:
            yield pytest.param(Case("operation", op_id, "?", "-"), id=f"op-{op_id}-NO-RULE")
            continue
        for subject in op_rule.subjects:
            for caller in IDENTITIES:
                yield pytest.param(Case("operation", op_id, subject, caller), id=f"{op_id}[{subject}]-{caller}",
                                   marks=_known(op_id, subject, caller))


# Findings of issue 13 being fixed on another branch: the matrix states the rule, these cases wait for the fix.
KNOWN: dict[tuple[str, str], str] = {}


def _known(endpoint: str, subject: str, caller: str) -> list[Any]:
    reason = KNOWN.get((endpoint, subject))
    if reason and caller == "node":
        return [pytest.mark.xfail(strict=True, reason=reason)]
    return []


# ------------------------------------------------------------------------------------------ the check


def _signed_headers(mx: Matrix, method: str, path: str, body: bytes) -> dict[str, str]:
    stamp = f"{time.time():.3f}"
    nonce = secrets.token_hex(16)
    message = keys.request_message(method, path, stamp, nonce, body)
    return {"X-Ttdn-Node": str(mx.node.uid), "X-Ttdn-Time": stamp, "X-Ttdn-Nonce": nonce,
            "X-Ttdn-Signature": keys.sign(mx.node_key, message)}


def _send(mx: Matrix, case: Case, req: Req) -> Any:
    caller = mx.callers[case.caller]
    # From another machine: what a caller on the server itself may see (loopback metrics) is not theirs.
    client = Client(REMOTE_ADDR="192.0.2.10")
    headers: dict[str, str] = {}
    api_call = case.kind == "operation" or req.path.startswith("/api/")
    if caller.user is not None:
        if api_call:
            headers["Authorization"] = f"Bearer {caller.api_secret}"
        else:
            from django.conf import settings

            client.cookies[settings.SESSION_COOKIE_NAME] = caller.session_cookie
    if req.files is not None:
        from django.test.client import MULTIPART_CONTENT, encode_multipart

        body = encode_multipart("BoUnDaRy", req.files)
        content_type = "multipart/form-data; boundary=BoUnDaRy"
        assert MULTIPART_CONTENT
    elif isinstance(req.data, str) or (api_call and req.method != "GET"):
        body = (req.data if isinstance(req.data, str) else json.dumps(req.data or {})).encode()
        content_type = "application/json"
    elif req.method != "GET":
        from django.test.client import encode_multipart

        body = encode_multipart("BoUnDaRy", req.data or {})
        content_type = "multipart/form-data; boundary=BoUnDaRy"
    else:
        body, content_type = b"", ""
    if case.caller == "node":
        headers.update(_signed_headers(mx, req.method, req.path, body))
    if req.method == "GET":
        return client.get(req.path, headers=headers)
    return client.generic(req.method, req.path, body, content_type=content_type, headers=headers)


def _refused(response: Any, api_call: bool) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if not api_call and response.status_code in (301, 302):
        location = response.get("Location", "")
        return "/login/" in location and "next=" in location
    return False


def _body_text(response: Any) -> str:
    kind = response.get("Content-Type", "")
    if response.streaming or not kind.startswith(("text/", "application/json")):
        return ""
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(_cases()))
def test_endpoint(case: Case, mx: Matrix) -> None:
    if case.subject == "?":
        pytest.fail(f"{case.endpoint} has no row in ttdn.core.access: say there who may use it")
    row = access.page_rule(case.endpoint) if case.kind == "page" else access.OPERATIONS[case.endpoint]
    assert row is not None
    if case.kind == "page":
        route = PAGES[case.endpoint]
        if case.endpoint.startswith("admin:"):
            builder = _admin_request(case.endpoint, route)
        elif case.endpoint in PAGE_REQUESTS:
            builder = PAGE_REQUESTS[case.endpoint]
        elif "<" in route or "(?P" in route:
            pytest.fail(f"{case.endpoint}: add how to call it to PAGE_REQUESTS in this test")
        else:
            builder = _route_page(route, row.method)
    else:
        method, path, _op_doc = OPERATIONS[case.endpoint]
        maker = OP_REQUESTS.get(case.endpoint, _op(method))
        builder = maker(path)
    req = builder(mx, case.subject)
    response = _send(mx, case, req)
    caller = mx.callers[case.caller]
    allowed = bool(row.subjects[case.subject] & caller.tokens)
    api_call = case.kind == "operation" or req.path.startswith("/api/")
    where = f"{req.method} {req.path} as {case.caller} ({IDENTITIES[case.caller]})"
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if allowed and row.finer:
        pass  # the endpoint's own finer rule decides; anything but a server error will do
    elif allowed:
        assert not _refused(response, api_call), (
            f"{where} is allowed by the table ({row.why}) but was refused: {response.status_code} "
            f"{response.get('Location', '')}")
    else:
        assert _refused(response, api_call), (
            f"{where} is not allowed by the table ({row.why}) but got {response.status_code} "
            f"{response.get('Location', '')}")
    if not allowed and case.kind == "page" and req.method == "GET":
        # A form page refuses the writing (POST) to those it refuses the reading (or does not take POST at all).
        posted = _send(mx, case, Req("POST", req.path, {}))
        assert posted.status_code == 405 or _refused(posted, api_call), (
            f"POST {req.path} as {case.caller} is not allowed by the table ({row.why}) but got "
            f"{posted.status_code} {posted.get('Location', '')}")
    # Whatever was served: no marker of an item this caller may not see (the admin shows operators every row).
    text = "" if case.endpoint.startswith("admin:") and allowed else _body_text(response)
    for subject, marker in mx.markers.items():
        if not access.ITEM_SEEN[subject] & caller.tokens:
            assert marker not in text, f"{where} shows the {subject} item {marker}"


def test_every_row_names_an_endpoint() -> None:
    """A row for a page or operation that no longer exists is a rule nobody checks."""
    pages = set(PAGES)
    stale = {name for name in access.PAGES if not name.endswith(":*") and name not in pages}
    stale |= {op for op in access.OPERATIONS if op not in OPERATIONS}
    assert not stale, f"rows without an endpoint in ttdn.core.access: {sorted(stale)}"


def test_the_matrix_is_not_vacuous() -> None:
    """Every kind of caller is both allowed and refused somewhere, and every page and operation is covered."""
    cases = [p.values[0] for p in _cases()]
    assert {c.endpoint for c in cases} == set(PAGES) | set(OPERATIONS)
    assert len(cases) > 1000
