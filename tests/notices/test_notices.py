"""Notices for content work: each kind reaches the right people in the app and by e-mail after commit,
the e-mail opt-out is respected, appraisers of another scope are not told, and the pages work."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role, User
from ttdn.content import services as content
from ttdn.content.models import State, TranslationState
from ttdn.core.errors import ServiceError
from ttdn.notices.models import Notice
from ttdn.notices.services import do_notify

from ..conftest import World, advance, make_item, take_step
from ..content.test_views import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world: World) -> dict[str, User]:
    """The world's people with e-mail addresses, plus an appraiser of a regional desk covering Đắk Lắk only
    and a second Gia Lai contributor who neither wrote nor submitted anything."""
    for user in (world.contributor, world.appraiser, world.publisher, world.translator_lo, world.agency_admin,
                 world.contributor_dl):
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.vn")
        user.refresh_from_db()
    desk = accounts.do_save_agency(None, accounts.AgencyData(
        code="central-dl", name="Văn phòng đại diện tại Đắk Lắk", kind="central_office", is_central=True,
        province_id=world.dak_lak.pk, parent=world.central))
    regional = accounts.do_create_user(None, "appraiser_dl", None, agency=desk, email="appraiser_dl@example.vn")
    accounts.do_grant_role(None, regional, Role.APPRAISER)
    colleague = accounts.do_create_user(None, "colleague", None, agency=world.gl_dept, email="colleague@example.vn")
    accounts.do_grant_role(None, colleague, Role.CONTRIBUTOR)
    return {"regional": regional, "colleague": colleague}


def notices_of(user: User, kind: str) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user, kind=kind))


def mailed_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.to]


def test_submitted_reaches_the_appraisers_of_its_scope_after_commit(
    world: World, people: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    item = make_item(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        content.do_transition(world.contributor, item, "submit")
        # Inside the transaction nothing is mailed: the e-mail waits for the commit.
        assert mail.outbox == []
    # One mailing after the commit (other apps may follow the change after commit too: the portal's caches).
    assert len([c for c in callbacks if "do_notify" in c.__qualname__]) == 1
    [notice] = notices_of(world.appraiser, "content.submitted")
    assert notice.link == f"/items/{item.uid}/" and notice.read_at is None
    [message] = mailed_to("appraiser@example.vn")
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert "Tờ gấp về quy chế khu vực biên giới" in message.subject
    assert f"/items/{item.uid}/" in message.body
    # The regional desk covers Đắk Lắk only; the contributor is not told of their own act.
    assert notices_of(people["regional"], "content.submitted") == []
    assert mailed_to("appraiser_dl@example.vn") == []
    assert not Notice.objects.filter(recipient=world.contributor).exists()
    # Material from Đắk Lắk reaches the regional desk as well as the appraisers of every province.
    dl_item = make_item(world, author=world.contributor_dl, title="Tài liệu Đắk Lắk")
    with django_capture_on_commit_callbacks(execute=True):
        content.do_transition(world.contributor_dl, dl_item, "submit")
    assert len(notices_of(people["regional"], "content.submitted")) == 1
    assert len(notices_of(world.appraiser, "content.submitted")) == 2


@pytest.mark.parametrize("action", ["return", "reject"])
def test_returned_or_rejected_reaches_the_contributor_with_the_reason(
    world: World, people: dict[str, User], django_capture_on_commit_callbacks: Any, action: str
) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(world.appraiser, item, action, "Số liệu dân số chưa có nguồn.")
    kind = f"content.{'returned' if action == 'return' else 'rejected'}"
    [notice] = notices_of(world.contributor, kind)
    assert notice.params["reason"] == "Số liệu dân số chưa có nguồn."
    assert notice.actor == world.appraiser
    [message] = mailed_to("contributor@example.vn")
    assert "Số liệu dân số chưa có nguồn." in message.body
    # Only the person who submitted it: not the agency's other contributors, not another agency.
    assert notices_of(people["colleague"], kind) == []
    assert notices_of(world.contributor_dl, kind) == []


def test_approved_reaches_publishers_and_asks_the_translators_of_its_countries(
    world: World, people: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    zh = accounts.do_create_user(None, "translator_zh", None, agency=world.central, email="zh@example.vn")
    accounts.do_grant_role(None, zh, Role.TRANSLATOR, "zh-Hans")
    item = advance(world, make_item(world, target_countries=["LA"]), State.IN_APPRAISAL)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(world.appraiser, item, "approve")
    assert len(notices_of(world.publisher, "content.approved")) == 1
    assert len(mailed_to("publisher@example.vn")) == 1
    [asked] = notices_of(world.translator_lo, "content.translation_requested")
    assert asked.params["language"] == "lo"
    assert "Tiếng Lào" in mailed_to("translator_lo@example.vn")[0].body
    assert notices_of(zh, "content.translation_requested") == []
    assert not Notice.objects.filter(recipient=world.contributor, kind="content.approved").exists()


def test_translation_done_goes_back_to_the_requester(
    world: World, people: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    item = advance(world, make_item(world, target_countries=["LA"]), State.APPROVED)
    variant = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ", "", "<p>ຊາຍແດນ</p>")
    assert Notice.objects.filter(kind="content.translation_done").count() == 0  # in progress, not done
    with django_capture_on_commit_callbacks(execute=True):
        content.do_set_translation_state(world.translator_lo, variant, TranslationState.TRANSLATED)
    [done] = notices_of(world.appraiser, "content.translation_done")
    assert done.actor == world.translator_lo and done.params["language"] == "lo"
    assert len(mailed_to("appraiser@example.vn")) == 1
    assert notices_of(people["regional"], "content.translation_done") == []


def test_published_and_withdrawn_reach_the_contributing_agency(
    world: World, people: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        content.do_transition(world.publisher, item, "publish")
    for user in (world.contributor, world.agency_admin, people["colleague"]):
        assert len(notices_of(user, "content.published")) == 1
    assert notices_of(world.contributor_dl, "content.published") == []
    assert len(mailed_to("agency_admin@example.vn")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        content.do_transition(world.publisher, item, "withdraw", reason="Thông tin đã cũ.")
    [withdrawn] = notices_of(world.contributor, "content.withdrawn")
    assert withdrawn.params["reason"] == "Thông tin đã cũ."
    assert any("Thông tin đã cũ." in m.body for m in mailed_to("contributor@example.vn"))


def test_email_opt_out_through_the_settings_page_keeps_the_notice_in_the_app(
    world: World, people: dict[str, User], client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, world.appraiser)
    page = client.get(reverse("notices:preferences"))
    assert page.status_code == 200 and b'name="email_enabled"' in page.content
    assert 'checked' in page.content.decode()
    response = client.post(reverse("notices:preferences"), {})  # the box unticked
    assert response.status_code == 302
    item = make_item(world)
    with django_capture_on_commit_callbacks(execute=True):
        content.do_transition(world.contributor, item, "submit")
    assert len(notices_of(world.appraiser, "content.submitted")) == 1
    assert mailed_to("appraiser@example.vn") == []
    # Turned on again, the next notice is mailed.
    client.post(reverse("notices:preferences"), {"email_enabled": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        content.do_transition(world.appraiser, item, "start_appraisal")
        take_step(world.appraiser, item, "return", "Thiếu nguồn.")
        content.do_transition(world.contributor, item, "submit")
    assert len(mailed_to("appraiser@example.vn")) == 1


def test_a_refused_change_notifies_nobody(world: World, people: dict[str, User],
                                          django_capture_on_commit_callbacks: Any) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError):
        take_step(world.appraiser, item, "return", "")  # a return needs a reason
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            do_notify([world.contributor], "content.approved", item, params={"title": "x"})
            raise RuntimeError("the caller's change fails after notifying")
    assert callbacks == []
    assert not Notice.objects.filter(kind__in=["content.returned", "content.approved"]).exists()
    assert mail.outbox == []


def test_notices_are_written_in_the_readers_language(
    world: World, people: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=world.publisher.pk).update(preferred_language="en")
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(world.appraiser, item, "approve")
    [message] = mailed_to("publisher@example.vn")
    assert "approved" in message.body and "ready to be published" in message.body
    assert message.subject.startswith("[TTĐN] Material to publish")
    item2 = advance(world, make_item(world, title="Tài liệu hai"), State.IN_APPRAISAL)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(world.appraiser, item2, "return", "Sửa lại.")
    [vi_message] = mailed_to("contributor@example.vn")
    assert "đã trả lại" in vi_message.body


def test_do_notify_keeps_links_on_this_site_and_knows_its_kinds(world: World) -> None:
    item = make_item(world)
    [notice] = do_notify([world.appraiser], "content.submitted", item, link="https://evil.example/x",
                         params={"title": "x"})
    assert notice.link == ""
    [notice] = do_notify([world.appraiser], "content.submitted", item, link="//evil.example/x",
                         params={"title": "x"})
    assert notice.link == ""
    with pytest.raises(ServiceError):
        do_notify([world.appraiser], "no.such.kind", item)
    # Inactive accounts and duplicates are left out.
    User.objects.filter(pk=world.publisher.pk).update(is_active=False)
    world.publisher.refresh_from_db()
    created = do_notify([world.appraiser, world.appraiser, world.publisher], "content.submitted", item,
                        params={"title": "x"})
    assert [n.recipient_id for n in created] == [world.appraiser.pk]


def test_bell_list_open_and_mark_read(world: World, people: dict[str, User], client: Client) -> None:
    first = make_item(world, title="Tài liệu thứ nhất")
    second = make_item(world, title="Tài liệu thứ hai")
    content.do_transition(world.contributor, first, "submit")
    content.do_transition(world.contributor, second, "submit")
    login(client, world.appraiser)
    home = client.get(reverse("content:my_work")).content.decode()
    assert 'data-testid="notice-bell"' in home and 'data-unread="2"' in home
    bell = client.get(reverse("notices:bell"))
    assert bell.status_code == 200 and 'data-unread="2"' in bell.content.decode()
    assert 'hx-get="/notices/bell/"' in bell.content.decode()
    page = client.get(reverse("notices:list")).content.decode()
    assert "Tài liệu thứ nhất" in page and "Tài liệu thứ hai" in page
    assert "đã gửi" in page  # the Vietnamese sentence
    notice = Notice.objects.get(recipient=world.appraiser, object_id=str(first.pk))
    opened = client.get(reverse("notices:open", args=[notice.pk]))
    assert opened.status_code == 302 and opened["Location"] == f"/items/{first.uid}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'data-unread="1"' in client.get(reverse("notices:list")).content.decode()
    # Someone else's notice cannot be opened (nor marked read).
    other = Notice.objects.get(recipient=world.appraiser, object_id=str(second.pk))
    login(Client(), world.publisher)
    stranger = login(Client(), world.publisher)
    assert stranger.get(reverse("notices:open", args=[other.pk])).status_code == 404
    stranger.post(reverse("notices:mark_read"), {"all": "1"})
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("notices:mark_read"), {"all": "1"})
    other.refresh_from_db()
    assert other.read_at is not None
    assert 'data-unread="0"' in client.get(reverse("notices:bell")).content.decode()
    # Anonymous visitors are sent to log in; the bell of a session that ended stays as it was (204).
    assert Client().get(reverse("notices:list")).status_code == 302
    assert Client().get(reverse("notices:bell")).status_code == 204


def test_no_bell_before_the_second_factor(world: World) -> None:
    half = Client()
    half.force_login(world.appraiser)  # password given, second factor not yet
    page = half.get(reverse("accounts:two_factor"))
    assert page.status_code == 200 and 'data-testid="notice-bell"' not in page.content.decode()
    contributor = Client()
    contributor.force_login(world.contributor)  # no second factor needed
    assert 'data-testid="notice-bell"' in contributor.get(reverse("content:my_work")).content.decode()


def test_a_mail_server_that_is_down_loses_no_change(
    world: World, people: dict[str, User], settings: Any, django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    item = make_item(world)
    with django_capture_on_commit_callbacks(execute=True):
        content.do_transition(world.contributor, item, "submit")
    item.refresh_from_db()
    assert item.state == State.SUBMITTED
    notice = Notice.objects.get(recipient=world.appraiser, kind="content.submitted")
    assert notice.emailed_at is None
    assert "could not e-mail notices" in caplog.text
