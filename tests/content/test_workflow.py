"""The editorial workflow: every allowed and every forbidden transition, history, tombstones, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ttdn.content import permissions as perms
from ttdn.content import services as content
from ttdn.content.models import Item, State, Tombstone, Transition
from ttdn.core.errors import Conflict, PermissionDenied, ServiceError
from ttdn.core.models import AuditEntry

from ..conftest import World, advance, make_item, take_step

pytestmark = pytest.mark.django_db

# Who may take each action (the one user in the world who holds the role for it).
ACTOR_FOR = {
    "submit": "contributor",
    "start_appraisal": "appraiser",
    "return": "appraiser",
    "reject": "appraiser",
    "approve": "appraiser",
    "publish": "publisher",
    "withdraw": "publisher",
    "archive": "publisher",
}
EXPECTED_TARGET = {
    "submit": State.SUBMITTED,
    "start_appraisal": State.IN_APPRAISAL,
    "return": State.RETURNED,
    "reject": State.REJECTED,
    "approve": State.APPROVED,
    "publish": State.PUBLISHED,
    "withdraw": State.WITHDRAWN,
    "archive": State.ARCHIVED,
}
ALL_STATES = [s for s in State.values if s != State.EXPIRED] + [State.EXPIRED]


def _item_in(world: World, state: str) -> Item:
    until = timezone.now() + dt.timedelta(days=30) if state == State.EXPIRED else None
    item = make_item(world, valid_until=until)
    if state == State.RETURNED:
        advance(world, item, State.RETURNED)
    else:
        advance(world, item, state)
    return item


ALLOWED = [(action, source) for action, a in perms.ACTIONS.items() for source in sorted(a.sources)]
FORBIDDEN = [(action, s) for action, a in perms.ACTIONS.items() for s in ALL_STATES if s not in a.sources]


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_every_allowed_transition(world: World, action: str, source: str) -> None:
    item = _item_in(world, source)
    actor = world.users()[ACTOR_FOR[action]]
    audits_before = AuditEntry.objects.filter(action=f"content.item.{action}").count()
    take_step(actor, item, action, reason="Cần bổ sung nguồn số liệu")
    step = item.transitions.latest("pk")
    item.refresh_from_db()
    assert item.state == EXPECTED_TARGET[action]
    assert (step.from_state, step.to_state, step.actor) == (source, EXPECTED_TARGET[action], actor)
    assert AuditEntry.objects.filter(action=f"content.item.{action}").count() == audits_before + 1


@pytest.mark.parametrize(("action", "source"), FORBIDDEN)
def test_every_forbidden_transition_is_refused(world: World, action: str, source: str) -> None:
    item = _item_in(world, source)
    actor = world.users()[ACTOR_FOR[action]]
    history = Transition.objects.filter(item=item).count()
    with pytest.raises(Conflict) as exc:
        content.do_transition(actor, item, action, reason="lý do")
    assert exc.value.code == "invalid_transition"
    item.refresh_from_db()
    assert item.state == source
    assert Transition.objects.filter(item=item).count() == history


@pytest.mark.parametrize("action", list(perms.ACTIONS))
def test_every_action_is_refused_to_every_other_role(world: World, action: str) -> None:
    source = sorted(perms.ACTIONS[action].sources)[0]
    item = _item_in(world, source)
    allowed = ACTOR_FOR[action]
    for name, user in world.users().items():
        if name == allowed:
            continue
        with pytest.raises(PermissionDenied):
            content.do_transition(user, item, action, reason="lý do")
        item.refresh_from_db()
        assert item.state == source, name


def test_contributor_of_another_agency_cannot_submit(world: World) -> None:
    item = make_item(world)
    with pytest.raises(PermissionDenied):
        content.do_transition(world.contributor_dl, item, "submit")


@pytest.mark.parametrize("action", ["return", "reject", "withdraw"])
def test_reason_is_required(world: World, action: str) -> None:
    item = _item_in(world, sorted(perms.ACTIONS[action].sources)[0])
    with pytest.raises(ServiceError) as exc:
        take_step(world.users()[ACTOR_FOR[action]], item, action, reason="   ")
    assert exc.value.code == "invalid"


@pytest.mark.parametrize("action", sorted(perms.APPRAISAL_ACTIONS))
def test_approving_and_returning_need_the_appraisal_opinion(world: World, action: str) -> None:
    """The bare step (a hand-made POST, the API's transition) is refused to the appraiser: it is taken only with
    the opinion (editorial.services.do_appraise), so no material is approved or returned without one."""
    item = _item_in(world, State.IN_APPRAISAL)
    with pytest.raises(Conflict) as exc:
        content.do_transition(world.appraiser, item, action, reason="Cần bổ sung nguồn số liệu")
    assert exc.value.code == "opinion_required"
    item.refresh_from_db()
    assert item.state == State.IN_APPRAISAL
    assert not AuditEntry.objects.filter(action=f"content.item.{action}", object_id=str(item.pk)).exists()


def test_unknown_action(world: World) -> None:
    item = make_item(world)
    with pytest.raises(ServiceError) as exc:
        content.do_transition(world.contributor, item, "teleport")
    assert exc.value.code == "unknown_action"


def test_empty_item_cannot_be_submitted(world: World) -> None:
    item = make_item(world, summary="", body="")
    with pytest.raises(Conflict) as exc:
        content.do_transition(world.contributor, item, "submit")
    assert exc.value.code == "incomplete"


def test_history_records_who_when_why(world: World) -> None:
    item = make_item(world)
    advance(world, item, State.RETURNED)
    content.do_transition(world.contributor, item, "submit")
    advance(world, item, State.PUBLISHED)
    steps = list(item.transitions.values_list("from_state", "to_state", "actor__username", "reason"))
    assert steps[0] == ("", "draft", "contributor", "")
    assert ("in_appraisal", "returned", "appraiser", "Lý do kiểm thử") in steps
    assert steps[-1] == ("approved", "published", "publisher", "")
    assert all(t.at for t in item.transitions.all())


def test_withdrawal_leaves_a_tombstone_and_hides_the_item(world: World) -> None:
    item = make_item(world)
    advance(world, item, State.PUBLISHED)
    assert perms.visible_items(None).filter(pk=item.pk).exists()
    content.do_transition(world.publisher, item, "withdraw", reason="Số liệu cột mốc không chính xác")
    stone = Tombstone.objects.get(item_uid=item.uid)
    assert stone.reason_state == State.WITHDRAWN
    assert stone.reason == "Số liệu cột mốc không chính xác"
    assert not perms.visible_items(None).filter(pk=item.pk).exists()
    assert not perms.visible_items(world.reader).filter(pk=item.pk).exists()
    assert not perms.visible_items(world.translator_lo).filter(pk=item.pk).exists()
    assert list(content.tombstones_since(stone.at - dt.timedelta(seconds=1))) == [stone]


def test_expiry_by_validity_window(world: World) -> None:
    until = timezone.now() + dt.timedelta(days=2)
    item = make_item(world, valid_until=until)
    advance(world, item, State.PUBLISHED)
    assert content.do_expire_due(timezone.now()) == 0
    # Past the window the item is gone from lists at once, even before the sweep runs.
    later = until + dt.timedelta(minutes=1)
    assert not Item.objects.filter(perms.live_q(later), pk=item.pk).exists()
    assert content.do_expire_due(later) == 1
    item.refresh_from_db()
    assert item.state == State.EXPIRED
    assert Tombstone.objects.filter(item_uid=item.uid, reason_state=State.EXPIRED).count() == 1
    assert item.transitions.last().actor is None  # the system did it
    assert content.do_expire_due(later) == 0  # idempotent


def test_cannot_publish_after_validity_ended(world: World) -> None:
    item = make_item(world, valid_until=timezone.now() + dt.timedelta(seconds=1))
    advance(world, item, State.APPROVED)
    Item.objects.filter(pk=item.pk).update(valid_until=timezone.now() - dt.timedelta(days=1))
    item.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        content.do_transition(world.publisher, item, "publish")
    assert exc.value.code == "already_expired"
