"""Alerts: a story naming an alert term, or republished fast, tells its desk at once (in the app and by e-mail,
through notices.do_notify) — inside the pass that stored it, so within one polling cycle. Once per story and desk.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.notices import kinds
from ttdn.notices.services import do_notify

if TYPE_CHECKING:
    from ttdn.monitoring.models import Article, Story
    from ttdn.monitoring.pipeline import Processed, Watch

TERM_ALERT = kinds.register("monitoring.term_alert", _("Press alert"),
                            _("A story names a watched term: “%(title)s” (%(term)s)."))
FAST_ALERT = kinds.register("monitoring.fast_alert", _("Story spreading fast"),
                            _("“%(title)s” was republished by %(copies)s outlets within %(hours)s hours."))


def fast_copies() -> int:
    return int(getattr(settings, "TTDN_MONITORING_FAST_COPIES", 5))


def fast_hours() -> int:
    return int(getattr(settings, "TTDN_MONITORING_FAST_HOURS", 6))


def thresholds(copies: int | None, hours: int | None) -> tuple[int, int]:
    """A desk's (copies, hours) for "spreading fast": its own where set, else the hub's."""
    return (fast_copies() if copies is None else int(copies)), (fast_hours() if hours is None else int(hours))


def is_fast(story: Story, now: dt.datetime, copies: int, hours: int) -> bool:
    return 0 < copies <= story.copies and now - story.first_seen_at <= dt.timedelta(hours=hours)


def desk_people(agency_id: int) -> list:  # type: ignore[type-arg]
    from ttdn.accounts.models import Role, User

    return list(User.objects.filter(agency_id=agency_id, is_active=True,
                                    role_grants__role__in=[Role.CONTRIBUTOR, Role.AGENCY_ADMIN]).distinct())


def check_story(story: Story, article: Article, result: Processed, watch: Watch, lists: set[int]) -> int:
    """Raise what this article makes due; returns the notices sent. Called inside store()'s transaction."""
    from ttdn.monitoring.models import Review, WatchTerm

    sent = 0
    now = timezone.now()
    # Each desk its own thresholds (a list the watch does not know yet: the hub's).
    limits = {list_id: watch.fast.get(list_id) or thresholds(None, None) for list_id in lists}
    fast = {list_id for list_id, (copies, hours) in limits.items() if is_fast(story, now, copies, hours)}
    alert_hits = [t for t in result.mentions if t in watch.alert_terms]
    if not alert_hits and not fast:
        return 0  # nothing can be due: no query (most articles of a batch)
    for review in Review.objects.select_related("watch_list").filter(story=story, watch_list_id__in=lists,
                                                                      alerted_at__isnull=True):
        mine = [t for t in alert_hits if watch.term_lists.get(t) == review.watch_list_id]
        if not mine and review.watch_list_id not in fast:
            continue
        people = desk_people(review.watch_list.agency_id)
        link = reverse("monitoring:story", kwargs={"pk": story.pk})
        if mine:
            term = WatchTerm.objects.filter(pk=mine[0]).values_list("term", flat=True).first() or ""
            sent += len(do_notify(people, TERM_ALERT.code, story, link=link,
                                  params={"title": story.title[:200], "term": term}))
        else:
            sent += len(do_notify(people, FAST_ALERT.code, story, link=link,
                                  params={"title": story.title[:200], "copies": story.copies,
                                          "hours": limits[review.watch_list_id][1]}))
        review.alerted_at = now
        review.save(update_fields=["alerted_at"])
    return sent
