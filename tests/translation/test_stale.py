"""Stale by sentence: when the version a job translates from changes, only the changed sentences are marked,
with the old and the new source; a reviewer may sign the edit off as minor (audited)."""

from __future__ import annotations

import pytest

from ttdn.content import services as content
from ttdn.content.models import TranslationState, Variant
from ttdn.core.errors import Conflict, PermissionDenied
from ttdn.core.models import AuditEntry
from ttdn.translation import board, services
from ttdn.translation.models import Job, JobState

from .conftest import Desk

pytestmark = pytest.mark.django_db

SENTENCES = [f"Sentence number {n} says what border residents must know about marker {n}." for n in range(20)]


def english(sentences: list[str]) -> str:
    return "<p>" + " ".join(sentences[:10]) + "</p><p>" + " ".join(sentences[10:]) + "</p>"


def pivot_job(desk: Desk) -> Job:
    w = desk.world
    content.do_save_variant(w.appraiser, desk.item, "en", "Border rules", "", english(SENTENCES))
    content.do_set_translation_state(w.appraiser, Variant.objects.get(item=desk.item, language="en"),
                                     TranslationState.REVIEWED)
    job = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo"], from_language="en", translator_id=w.translator_lo.pk))[0]
    for s in job.segments.all():
        services.do_save_segment(w.translator_lo, s, f"ລາວ {s.position}")
    services.do_submit(w.translator_lo, job)
    services.do_approve(w.appraiser, job)
    return job


def test_one_changed_sentence_of_twenty_marks_exactly_that_segment(desk: Desk) -> None:
    job = pivot_job(desk)
    assert job.from_language == "en"
    body = [s for s in job.segments.order_by("position") if s.part == "body"]
    assert len(body) == 20
    changed = list(SENTENCES)
    changed[7] = "Sentence number 7 now says something else about marker 7."
    content.do_save_variant(desk.world.appraiser, desk.item, "en", "Border rules", "", english(changed))
    job.refresh_from_db()
    stale = list(job.segments.filter(stale=True))
    assert [(s.source, s.old_source) for s in stale] == [(changed[7], SENTENCES[7])]
    # The other sentences keep their translations, in place.
    assert job.segments.filter(target="").count() == 0
    assert job.segments.count() == 21 and job.state == JobState.IN_PROGRESS
    cell = {c.language: c for c in board.item_languages(desk.item)}["lo"]
    assert cell.state == "stale"
    # A reviewer judges it minor: the translation stays valid, audited; the job is approved again.
    with pytest.raises(PermissionDenied):
        services.do_sign_off_minor(desk.world.translator_lo, job)
    services.do_sign_off_minor(desk.reviewer2, job)
    job.refresh_from_db()
    assert job.state == JobState.APPROVED and not job.segments.filter(stale=True).exists()
    entry = AuditEntry.objects.get(action="translation.job.minor_source_change")
    assert entry.actor == desk.reviewer2 and entry.data["segments"] == [stale[0].position]
    with pytest.raises(Conflict):
        services.do_sign_off_minor(desk.reviewer2, job)


def test_inserted_and_removed_sentences(desk: Desk) -> None:
    job = pivot_job(desk)
    changed = [*SENTENCES[:3], "A brand new sentence about the border gate.", *SENTENCES[3:15]]
    content.do_save_variant(desk.world.appraiser, desk.item, "en", "Border rules", "", english(changed))
    job.refresh_from_db()
    rows = list(job.segments.order_by("position"))
    assert len(rows) == 1 + len(changed)
    new = next(s for s in rows if s.source == "A brand new sentence about the border gate.")
    assert new.target == "" and not new.stale  # untranslated, so not "stale": simply to do
    assert not job.segments.filter(stale=True).exists()
    with pytest.raises(Conflict):
        services.do_submit(desk.world.translator_lo, job)  # the new sentence is missing
    services.do_save_segment(desk.world.translator_lo, new, "ປະໂຫຍກໃໝ່")
    services.do_submit(desk.world.translator_lo, job)


def test_a_stale_segment_is_confirmed_by_saving_it(desk: Desk) -> None:
    job = pivot_job(desk)
    changed = list(SENTENCES)
    changed[0] = "Sentence number 0 was corrected."
    content.do_save_variant(desk.world.appraiser, desk.item, "en", "Border rules", "", english(changed))
    stale = job.segments.get(stale=True)
    with pytest.raises(Conflict):
        services.do_submit(desk.world.translator_lo, job)
    services.do_save_segment(desk.world.translator_lo, stale, stale.target)
    services.do_submit(desk.world.translator_lo, job)
    services.do_approve(desk.reviewer2, job)
