"""What the editor shows beside a segment: memory matches, glossary terms found in the source, and the
checks' warnings."""

from __future__ import annotations

from typing import Any

from ttdn.translation import checks, memory, mt
from ttdn.translation.models import Job, Segment, Term


def terms_for(job: Job) -> tuple[Term, ...]:
    cached = getattr(job, "_terms", None)
    if cached is None:
        cached = tuple(Term.objects.filter(source_language=job.from_language, target_language=job.language))
        job._terms = cached  # type: ignore[attr-defined]
    return cached


def _context(job: Job) -> tuple[str, str]:
    cached = getattr(job, "_memory_context", None)
    if cached is None:
        topic = job.item.topics.values_list("code", flat=True).first() or ""
        cached = (job.item.kind, topic)
        job._memory_context = cached  # type: ignore[attr-defined]
    return cached


def for_segment(job: Job, segment: Segment) -> list[memory.Match]:
    """Memory matches, then the machine's suggestion when an engine is configured and nothing exact was
    found (score 0: labelled as machine translation, never as memory)."""
    kind, topic = _context(job)
    found = memory.lookup(segment.source, job.from_language, job.language, kind=kind, topic=topic)
    if mt.enabled() and not (found and found[0].score >= 1.0):
        machine = mt.suggest(segment.source, job.from_language, job.language)
        if machine and machine not in {m.target for m in found}:
            found.append(memory.Match(segment.source, machine, 0.0, "", "", 0))
    return found


def terms_in(job: Job, segment: Segment) -> list[Term]:
    folded = segment.source.casefold()
    return [t for t in terms_for(job) if t.source.casefold() in folded]


def warnings_for(job: Job, segment: Segment) -> list[Any]:
    if not segment.target:
        return []
    kind, _topic = _context(job)
    ctx = checks.Context(segment.source, segment.target, job.from_language, job.language, kind, terms_for(job))
    return checks.run(ctx)
