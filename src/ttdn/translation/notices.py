"""The desk's notices: a job assigned, done (to its reviewer), returned, approved, overdue."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import User
from ttdn.notices import kinds
from ttdn.notices.services import do_notify
from ttdn.translation.models import Job

ASSIGNED = kinds.register("translation.assigned", _("Translation assigned"),
                          _("%(actor)s asked you to translate “%(title)s” into %(language)s."))
TO_REVIEW = kinds.register("translation.to_review", _("Translation to review"),
                           _("%(actor)s finished the %(language)s translation of “%(title)s”; please review it."))
RETURNED = kinds.register("translation.returned", _("Translation returned"),
                          _("%(actor)s returned the %(language)s translation of “%(title)s” with comments."))
APPROVED = kinds.register("translation.approved", _("Translation approved"),
                          _("%(actor)s approved the %(language)s translation of “%(title)s”."))
OVERDUE = kinds.register("translation.overdue", _("Translation overdue"),
                         _("The %(language)s translation of “%(title)s” was due on %(due)s."))


def _title(job: Job) -> str:
    source = job.item.variants.filter(language=job.item.source_language).only("title").first()
    return source.title if source else str(job.item.uid)


def notify(recipients: Iterable[User | None], kind: kinds.Kind, job: Job, actor: User | None, **params: str) -> None:
    people = [u for u in recipients if u is not None]
    do_notify(people, kind.code, job, actor=actor, link=reverse("translation:job", kwargs={"pk": job.pk}),
              params={"title": _title(job), "language": job.language, **params})
