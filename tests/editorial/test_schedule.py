"""Scheduled publication through the form and the sweep, with a controlled clock: published on time by the
same workflow step as a manual publish, shown as scheduled in lists, cancellable, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role
from ttdn.cli import sweep_once
from ttdn.content import services as content
from ttdn.content.models import Item, State, Transition
from ttdn.core.models import AuditEntry
from ttdn.editorial.models import Schedule
from ttdn.editorial.services import do_publish_due, do_schedule_publication
from ttdn.editorial.tasks import publish_due_items
from ttdn.notices.models import Notice

from ..conftest import World, advance, make_item
from ..content.test_views import login

pytestmark = pytest.mark.django_db

HANOI = timezone.get_default_timezone()


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=HANOI)


@pytest.fixture
def approved(world: World) -> Item:
    return advance(world, make_item(world), State.APPROVED)


def schedule_url(item: Item) -> str:
    return reverse("editorial:schedule", args=[item.uid])


def future() -> dt.datetime:
    return timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)


def test_schedule_through_the_form_and_publish_on_time(world: World, approved: Item, client: Client) -> None:
    login(client, world.publisher)
    when = future()
    detail = client.get(reverse("content:item_detail", args=[approved.uid])).content.decode()
    assert 'data-testid="schedule-form"' in detail
    response = client.post(schedule_url(approved), {"date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M")})
    assert response.status_code == 302
    schedule = Schedule.objects.get(item=approved)
    assert schedule.publish_at == when and schedule.scheduled_by == world.publisher
    assert AuditEntry.objects.filter(action="editorial.schedule.set", object_id=str(approved.pk)).exists()
    # Shown as scheduled on the item and in the publisher's list; still unpublished (embargo).
    detail = client.get(reverse("content:item_detail", args=[approved.uid])).content.decode()
    assert "Đã lên lịch" in detail and when.strftime("%d/%m/%Y %H:%M") in detail
    my_work = client.get(reverse("content:my_work")).content.decode()
    assert 'data-testid="scheduled-badge"' in my_work
    assert client.get(reverse("content:published")).content.decode().count(str(approved.uid)) == 0
    # The sweep a minute early publishes nothing; at the time it publishes, as the publisher would.
    assert do_publish_due(when - dt.timedelta(minutes=1)) == 0
    approved.refresh_from_db()
    assert approved.state == State.APPROVED
    assert do_publish_due(when) == 1
    approved.refresh_from_db()
    assert approved.state == State.PUBLISHED and approved.published_at is not None
    step = Transition.objects.filter(item=approved).last()
    assert step is not None and step.to_state == State.PUBLISHED and step.actor == world.publisher
    assert AuditEntry.objects.filter(action="content.item.publish", object_id=str(approved.pk)).exists()
    assert AuditEntry.objects.filter(action="editorial.schedule.publish", object_id=str(approved.pk)).exists()
    assert Notice.objects.filter(recipient=world.contributor, kind="content.published").exists()
    assert not Schedule.objects.exists()
    assert do_publish_due(when + dt.timedelta(hours=1)) == 0  # once only


@pytest.mark.parametrize("date,time,message", [
    ("2026-12-01", "07:30", "dd/mm/yyyy"),
    ("01/12/2026", "7h30", "HH:mm"),
    ("01/01/2020", "07:30", "future"),
])
def test_bad_times_are_refused_in_the_form(world: World, approved: Item, client: Client, date: str, time: str,
                                           message: str) -> None:
    client.cookies["django_language"] = "en"
    login(client, world.publisher)
    response = client.post(schedule_url(approved), {"date": date, "time": time}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Schedule.objects.exists()


def test_a_date_is_read_day_first(world: World, approved: Item, client: Client) -> None:
    login(client, world.publisher)
    year = timezone.localdate().year + 1
    client.post(schedule_url(approved), {"date": f"01/12/{year}", "time": "07:30"})
    assert Schedule.objects.get().publish_at == local(year, 12, 1, 7, 30)


def test_only_publishers_schedule_approved_material(world: World, client: Client) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    when = future()
    data = {"date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M")}
    login(client, world.publisher)
    assert client.post(schedule_url(item), data).status_code == 403  # not approved yet
    advance(world, item, State.APPROVED)
    login(client, world.appraiser)
    assert client.post(schedule_url(item), data).status_code == 403
    assert not Schedule.objects.exists()


def test_cancel_the_schedule(world: World, approved: Item, client: Client) -> None:
    when = future()
    do_schedule_publication(world.publisher, approved, when)
    login(client, world.publisher)
    response = client.post(reverse("editorial:schedule_cancel", args=[approved.uid]))
    assert response.status_code == 302
    assert not Schedule.objects.exists()
    assert AuditEntry.objects.filter(action="editorial.schedule.cancel").exists()
    assert do_publish_due(when + dt.timedelta(minutes=5)) == 0
    approved.refresh_from_db()
    assert approved.state == State.APPROVED


def test_the_serve_sweep_and_the_worker_task_publish(world: World, approved: Item) -> None:
    when = future()
    do_schedule_publication(world.publisher, approved, when)
    sweep_once(when - dt.timedelta(seconds=1))
    approved.refresh_from_db()
    assert approved.state == State.APPROVED
    sweep_once(when)
    approved.refresh_from_db()
    assert approved.state == State.PUBLISHED
    # The worker's periodic task runs the same service (tests run tasks at once).
    other = advance(world, make_item(world, title="Tài liệu thứ hai"), State.APPROVED)
    do_schedule_publication(world.publisher, other, timezone.now() + dt.timedelta(seconds=1),
                            now=timezone.now() - dt.timedelta(minutes=1))
    Schedule.objects.filter(item=other).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    result: Any = publish_due_items.enqueue()
    assert result.return_value == 1
    other.refresh_from_db()
    assert other.state == State.PUBLISHED


def test_a_schedule_that_cannot_be_carried_out(world: World, approved: Item) -> None:
    when = future()
    do_schedule_publication(world.publisher, approved, when)
    # The publisher lost the role: the sweep does not publish in their name, and says why.
    accounts.do_revoke_role(None, world.publisher, Role.PUBLISHER)
    assert do_publish_due(when) == 0
    approved.refresh_from_db()
    assert approved.state == State.APPROVED
    schedule = Schedule.objects.get()
    assert schedule.failed_at is not None and schedule.failure
    assert AuditEntry.objects.filter(action="editorial.schedule.fail").count() == 1
    [told] = Notice.objects.filter(kind="editorial.schedule_failed")
    assert told.recipient == world.publisher and told.params["reason"] == schedule.failure
    do_publish_due(when + dt.timedelta(minutes=1))
    assert AuditEntry.objects.filter(action="editorial.schedule.fail").count() == 1  # said once
    assert Notice.objects.filter(kind="editorial.schedule_failed").count() == 1
    # Published by hand meanwhile: the schedule is dropped, nothing is published twice.
    accounts.do_grant_role(None, world.publisher, Role.PUBLISHER)
    world.publisher.refresh_from_db()
    content.do_transition(world.publisher, approved, "publish")
    assert do_publish_due(when + dt.timedelta(minutes=2)) == 0
    assert not Schedule.objects.exists()
    assert Transition.objects.filter(item=approved, to_state=State.PUBLISHED).count() == 1
