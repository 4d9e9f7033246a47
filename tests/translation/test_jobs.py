"""Jobs from request to the public: several languages at once, assignment in scope, segments saved, review by
a second person through content's services, the board and an item's languages, notices and the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ttdn.content import permissions as perms
from ttdn.content import services as content
from ttdn.content.models import State, TranslationState, Variant
from ttdn.content.visibility import Viewer
from ttdn.core.errors import Conflict, PermissionDenied, ServiceError
from ttdn.core.models import AuditEntry
from ttdn.notices.models import Notice
from ttdn.translation import board, services
from ttdn.translation.models import Job, JobState, MemoryUnit

from ..conftest import World, advance, make_item
from .conftest import Desk, desk_for

pytestmark = pytest.mark.django_db


def translate_all(job: Job, user: object, prefix: str = "ລາວ") -> None:
    for s in job.segments.order_by("position"):
        services.do_save_segment(user, s, f"{prefix} {s.position} " + " ".join(
            w for w in s.source.split() if any(c.isdigit() for c in w)))  # numbers kept


def test_request_several_languages_with_people_and_due(desk: Desk) -> None:
    w = desk.world
    due = timezone.localdate() + dt.timedelta(days=5)
    jobs = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo", "km"], translator_id=None, reviewer_id=desk.reviewer2.pk, due=due))
    assert [j.language for j in jobs] == ["lo", "km"]
    job = jobs[0]
    assert job.from_language == "vi" and job.state == JobState.REQUESTED and job.due == due
    # Title, the summary's sentence, then the body's sentences (two in the paragraph, one per list item).
    parts = list(job.segments.values_list("part", "tag", flat=False))
    assert parts[0] == ("title", "title") and parts[1] == ("summary", "summary")
    assert [p for p in parts if p[0] == "body"] == [("body", "p"), ("body", "p"), ("body", "li"), ("body", "li")]
    # Everyone translating into the language hears of it when nobody is named.
    assert Notice.objects.filter(kind="translation.assigned", recipient=w.translator_lo).exists()
    assert Notice.objects.filter(kind="translation.assigned", recipient=desk.translator_km).exists()
    assert AuditEntry.objects.filter(action="translation.job.request").count() == 2
    with pytest.raises(Conflict):
        services.do_request(w.appraiser, desk.item, services.RequestData(languages=["lo"]))


@pytest.mark.parametrize(("who", "data", "error"), [
    ("translator_lo", {"languages": ["lo"]}, PermissionDenied),
    ("publisher", {"languages": ["lo"]}, PermissionDenied),
    ("appraiser", {"languages": []}, ServiceError),
    ("appraiser", {"languages": ["xx"]}, ServiceError),
    ("appraiser", {"languages": ["vi"]}, ServiceError),
    ("appraiser", {"languages": ["lo"], "from_language": "en"}, ServiceError),  # no English version
    ("appraiser", {"languages": ["lo"], "translator": "translator_km"}, ServiceError),  # not into Lao
    ("appraiser", {"languages": ["lo"], "translator": "translator_lo", "reviewer": "translator_lo"}, ServiceError),
    ("appraiser", {"languages": ["lo"], "due": dt.date(2000, 1, 1)}, ServiceError),
])
def test_request_refusals(desk: Desk, who: str, data: dict, error: type) -> None:
    people = {**desk.world.users(), "translator_km": desk.translator_km}
    request = services.RequestData(languages=data["languages"], from_language=data.get("from_language", ""),
                                   translator_id=people[data["translator"]].pk if "translator" in data else None,
                                   reviewer_id=people[data["reviewer"]].pk if "reviewer" in data else None,
                                   due=data.get("due"))
    with pytest.raises(error) as caught:
        services.do_request(people[who], desk.item, request)
    assert str(caught.value.message)  # a sentence for the person
    assert not Job.objects.exists()  # nothing half-written


def test_drafts_are_not_requested(world: World) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    with pytest.raises(Conflict):
        services.do_request(world.appraiser, item, services.RequestData(languages=["lo"]))


def test_translate_review_by_another_person_makes_it_public(desk: Desk) -> None:
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo"], translator_id=w.translator_lo.pk, reviewer_id=desk.reviewer2.pk))[0]
    # Another translator into Lao may not work on a job that is not theirs.
    with pytest.raises(PermissionDenied):
        services.do_save_segment(desk.translator_lo2, job.segments.first(), "ລາວ")
    with pytest.raises(Conflict):
        services.do_submit(w.translator_lo, job)  # nothing translated yet
    translate_all(job, w.translator_lo)
    job.refresh_from_db()
    assert job.state == JobState.IN_PROGRESS
    services.do_submit(w.translator_lo, job)
    variant = Variant.objects.get(item=desk.item, language="lo")
    assert variant.translation_state == TranslationState.TRANSLATED and variant.translated_by == w.translator_lo
    assert "<ul><li>" in variant.body and variant.title.startswith("ລາວ 0")
    # Not public before review: the public sees the Vietnamese only.
    shown = perms.shown_variants(Viewer.public(), desk.item, list(desk.item.variants.all()))
    assert [v.language for v in shown] == ["vi"]
    assert Notice.objects.filter(kind="translation.to_review", recipient=desk.reviewer2).exists()
    # The named reviewer only; never the translator.
    with pytest.raises(PermissionDenied):
        services.do_approve(w.appraiser, job)
    services.do_approve(desk.reviewer2, job)
    job.refresh_from_db()
    assert job.state == JobState.APPROVED
    variant.refresh_from_db()
    assert variant.translation_state == TranslationState.REVIEWED
    shown = perms.shown_variants(Viewer.public(), desk.item, list(desk.item.variants.all()))
    assert sorted(v.language for v in shown) == ["lo", "vi"]
    # Approved sentences went to the memory, with their context.
    unit = MemoryUnit.objects.get(source="Quy chế khu vực biên giới")
    assert unit.target.startswith("ລາວ 0") and unit.kind == "leaflet" and unit.target_language == "lo"
    assert AuditEntry.objects.filter(action="content.variant.translation_state", actor=desk.reviewer2).exists()
    assert AuditEntry.objects.filter(action="translation.job.approve").exists()
    with pytest.raises(Conflict):
        services.do_save_segment(w.translator_lo, job.segments.first(), "khác")


def test_the_translator_cannot_review_their_own(desk: Desk) -> None:
    w = desk.world
    # An appraiser translating (central editors may) cannot then approve it; another one can.
    job = services.do_request(w.appraiser, desk.item, services.RequestData(languages=["en"]))[0]
    translate_all(job, w.appraiser, "EN")
    services.do_submit(w.appraiser, job)
    with pytest.raises(PermissionDenied):
        services.do_approve(w.appraiser, job)
    assert job.pk not in [j.pk for j in services.jobs_waiting(w.appraiser)["review"]]
    services.do_approve(desk.reviewer2, job)


def test_return_with_comments_per_segment(desk: Desk) -> None:
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo"], translator_id=w.translator_lo.pk))[0]
    translate_all(job, w.translator_lo)
    services.do_submit(w.translator_lo, job)
    first = job.segments.get(position=0)
    with pytest.raises(ServiceError):
        services.do_return(w.appraiser, job, "", {})
    services.do_return(w.appraiser, job, "Xem lại tiêu đề", {first.pk: "Dùng thuật ngữ chuẩn"})
    job.refresh_from_db()
    assert job.state == JobState.RETURNED and job.return_comment == "Xem lại tiêu đề"
    assert job.segments.get(position=0).comment == "Dùng thuật ngữ chuẩn"
    assert Notice.objects.filter(kind="translation.returned", recipient=w.translator_lo).exists()
    # Back with the translator: they edit and send again.
    services.do_save_segment(w.translator_lo, first, "ລາວ ໃໝ່")
    services.do_submit(w.translator_lo, job)
    services.do_approve(w.appraiser, job)


def test_approved_before_publication_is_public_with_the_item(world: World) -> None:
    desk = desk_for(world, State.APPROVED)
    job = services.do_request(world.appraiser, desk.item, services.RequestData(
        languages=["lo"], translator_id=world.translator_lo.pk))[0]
    translate_all(job, world.translator_lo)
    services.do_submit(world.translator_lo, job)
    services.do_approve(world.appraiser, job)
    cells = {c.language: c for c in board.item_languages(desk.item)}
    assert cells["lo"].state == "reviewed" and cells["lo"].public
    assert "xuất bản" in str(cells["lo"].why)  # "public when the material is published"
    assert cells["km"].state == "missing" and not cells["km"].public
    assert not perms.can_view(Viewer.public(), desk.item)  # the item is not live yet
    advance(world, desk.item, State.PUBLISHED)
    shown = perms.shown_variants(Viewer.public(), desk.item, list(desk.item.variants.all()))
    assert sorted(v.language for v in shown) == ["lo", "vi"]


def test_board_states(desk: Desk) -> None:
    w = desk.world
    jobs = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo", "km", "en"], translator_id=None))
    lo, km, en = jobs
    services.do_assign(w.appraiser, lo, w.translator_lo.pk, None)
    services.do_save_segment(w.translator_lo, lo.segments.first(), "ລາວ")
    translate_all(km, desk.translator_km, "ខ្មែរ")
    services.do_submit(desk.translator_km, km)
    cells = {c.language: c.state for c in board.cells_for([desk.item], ["vi", "lo", "km", "en", "zh-Hans"])[
        desk.item.pk]}
    assert cells == {"vi": "reviewed", "lo": "in_progress", "km": "translated", "en": "requested",
                     "zh-Hans": "missing"}
    queues = services.jobs_waiting(w.appraiser)
    assert [j.pk for j in queues["review"]] == [km.pk]
    assert [j.pk for j in services.jobs_waiting(w.translator_lo)["translate"]] == [lo.pk]
    del en


def test_overdue_noticed_once(desk: Desk) -> None:
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo"], translator_id=w.translator_lo.pk, due=timezone.localdate()))[0]
    later = timezone.localdate() + dt.timedelta(days=2)
    assert services.do_notice_overdue(later) == 1
    assert services.do_notice_overdue(later) == 0
    assert Notice.objects.filter(kind="translation.overdue", recipient=w.translator_lo, object_id=str(job.pk)).exists()


def test_content_refuses_a_direct_review_of_a_stale_translation(desk: Desk) -> None:
    """The desk goes through content's rules: its services refuse what content refuses."""
    w = desk.world
    content.do_save_variant(w.appraiser, desk.item, "en", "Border rules", "", "<p>Carry papers.</p>")
    variant = Variant.objects.get(item=desk.item, language="en")
    content.do_set_translation_state(w.appraiser, variant, TranslationState.REVIEWED)
    assert perms.is_ready(Variant.objects.get(pk=variant.pk), desk.item.source_variant().revision)
