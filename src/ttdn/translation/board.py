"""What state each language of each item is in, and whether it is (or will be) public and why not: the board
(items × languages) and the item's languages page read it from here, from the language versions (content) and
the jobs (this app)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from ttdn.content import permissions as perms
from ttdn.content.models import Item, State, TranslationState, Variant
from ttdn.core import languages
from ttdn.translation.models import Job, JobState

# The board's columns unless a language is chosen: the neighbours' languages, English, Chinese.
BOARD_LANGUAGES = ("en", "lo", "km", "zh-Hans", "th")

CELL_STATES: dict[str, Any] = {
    "missing": _("Missing"),
    "requested": _("Requested"),
    "in_progress": _("In progress"),
    "translated": _("Translated"),
    "reviewed": _("Reviewed"),
    "stale": _("Stale"),
}


@dataclass(frozen=True)
class Cell:
    language: str
    state: str
    job: Job | None
    variant: Variant | None
    public: bool  # public now, or will be with the item
    why: Any  # why (not) public, in a sentence

    @property
    def label(self) -> Any:
        return CELL_STATES[self.state]

    @property
    def language_name(self) -> str:
        return languages.name(self.language)


def cell(item: Item, language: str, variant: Variant | None, job: Job | None, source_revision: int | None,
         stale_segments: bool = False) -> Cell:
    ready = variant is not None and perms.is_ready(variant, source_revision)
    variant_stale = (variant is not None and variant.source_revision is not None and source_revision is not None
                     and variant.translation_state >= TranslationState.REVIEWED
                     and variant.source_revision < source_revision)
    if stale_segments or variant_stale:
        state = "stale"
    elif ready:
        state = "reviewed"
    elif job is not None:
        state = {JobState.REQUESTED: "requested", JobState.IN_PROGRESS: "in_progress",
                 JobState.RETURNED: "in_progress", JobState.TRANSLATED: "translated",
                 JobState.APPROVED: "reviewed"}[JobState(job.state)]
    elif variant is not None:
        state = "translated" if variant.translation_state >= TranslationState.TRANSLATED else "in_progress"
    else:
        state = "missing"
    if ready:
        why = _("Public now.") if item.state == State.PUBLISHED else _("Public when the material is published.")
    elif state == "stale":
        why = _("Not public: the source changed after this translation was reviewed.")
    elif state == "translated":
        why = _("Not public until a second person reviews it.")
    elif state in ("requested", "in_progress"):
        why = _("Not public: the translation is not finished.")
    else:
        why = _("Not public: no translation was asked for.")
    return Cell(language, state, job, variant, ready, why)


def cells_for(items: Sequence[Item], columns: Iterable[str]) -> dict[int, list[Cell]]:
    """Every item's row of cells, in three queries whatever the number of items."""
    columns = list(columns)
    ids = [i.pk for i in items]
    variants = {(v.item_id, v.language): v for v in Variant.objects.filter(item_id__in=ids)}
    jobs = {(j.item_id, j.language): j for j in Job.objects.filter(item_id__in=ids)}
    stale_jobs = set(Job.objects.filter(item_id__in=ids, segments__stale=True).values_list("pk", flat=True))
    out: dict[int, list[Cell]] = {}
    for item in items:
        source = variants.get((item.pk, item.source_language))
        revision = source.revision if source else None
        row = []
        for lang in columns:
            if lang == item.source_language:
                row.append(Cell(lang, "reviewed", None, source, True, _("The source language.")))
                continue
            job = jobs.get((item.pk, lang))
            row.append(cell(item, lang, variants.get((item.pk, lang)), job, revision,
                            job is not None and job.pk in stale_jobs))
        out[item.pk] = row
    return out


def item_languages(item: Item) -> list[Cell]:
    """The item's languages: the board's, and any it has a version or a job in."""
    present = set(item.variants.values_list("language", flat=True)) | set(
        item.translation_jobs.values_list("language", flat=True))
    columns = [item.source_language] + [t for t in BOARD_LANGUAGES if t != item.source_language]
    columns += sorted(present - set(columns))
    return cells_for([item], columns)[item.pk]
