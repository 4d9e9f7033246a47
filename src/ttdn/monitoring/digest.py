"""Daily and weekly digests of a desk's press (web page, e-mail, a Decree 30 DOCX), the CSV export, and the
figures of the charts: stories per day by country and language, the share of inaccurate reports, time to response.
Everything here reads; nothing writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.core import languages
from ttdn.monitoring import services
from ttdn.monitoring.models import Article, Review, Verdict

PERIODS = {"daily": 1, "weekly": 7}


@dataclass
class Digest:
    period: str
    start: dt.datetime
    end: dt.datetime
    stories: int = 0
    articles: int = 0
    by_language: list[tuple[str, int]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)
    by_topic: list[tuple[str, int]] = field(default_factory=list)
    top: list[Review] = field(default_factory=list)
    open_responses: list[Review] = field(default_factory=list)
    per_day: list[tuple[dt.date, dict[str, int]]] = field(default_factory=list)  # day → country → stories
    per_day_language: list[tuple[dt.date, dict[str, int]]] = field(default_factory=list)
    reviewed: int = 0
    inaccurate: int = 0
    answered: int = 0
    median_response_hours: float | None = None

    @property
    def inaccurate_share(self) -> float | None:
        return self.inaccurate / self.reviewed if self.reviewed else None


def build(user: Any, period: str = "daily", end: dt.datetime | None = None) -> Digest:
    days = PERIODS.get(period, 1)
    end = end or timezone.now()
    start = end - dt.timedelta(days=days)
    reviews = list(Review.objects.filter(watch_list__in=services.desk_lists(user), story__first_seen_at__gte=start,
                                         story__first_seen_at__lt=end).select_related("story", "response"))
    story_ids = {r.story_id for r in reviews}
    articles = list(Article.objects.filter(story_id__in=story_ids, duplicate=False)
                    .values_list("story_id", "language", "outlet__country", "topics", "found_at"))
    digest = Digest(period, start, end, stories=len(story_ids), articles=len(articles))
    lang_count: Counter[str] = Counter()
    country_count: Counter[str] = Counter()
    topic_count: Counter[str] = Counter()
    seen_lang: set[tuple[int, str]] = set()
    seen_country: set[tuple[int, str]] = set()
    seen_topic: set[tuple[int, str]] = set()
    per_day: dict[dt.date, Counter[str]] = {}
    per_day_lang: dict[dt.date, Counter[str]] = {}
    for story_id, lang, country, topics, found in articles:
        if (story_id, lang) not in seen_lang:
            seen_lang.add((story_id, lang))
            lang_count[lang or "?"] += 1
            per_day_lang.setdefault(timezone.localdate(found), Counter())[lang or "?"] += 1
        if (story_id, country) not in seen_country:
            seen_country.add((story_id, country))
            country_count[country] += 1
            per_day.setdefault(timezone.localdate(found), Counter())[country] += 1
        for topic in topics or []:
            if (story_id, topic) not in seen_topic:
                seen_topic.add((story_id, topic))
                topic_count[topic] += 1
    digest.by_language = [(languages.name(k), n) for k, n in lang_count.most_common()]
    digest.by_country = country_count.most_common()
    from ttdn.content.models import Topic

    names = dict(Topic.objects.values_list("code", "name"))
    digest.by_topic = [(names.get(k, k), n) for k, n in topic_count.most_common()]
    digest.top = sorted(reviews, key=lambda r: (-r.story.copies, -r.story.first_seen_at.timestamp()))[:10]
    digest.open_responses = list(Review.objects.filter(
        watch_list__in=services.desk_lists(user), verdict=Verdict.NEEDS_RESPONSE, answered_at__isnull=True)
        .select_related("story", "response").order_by("reviewed_at")[:50])
    digest.per_day = sorted((day, dict(c)) for day, c in per_day.items())
    digest.per_day_language = sorted((day, dict(c)) for day, c in per_day_lang.items())
    judged = [r for r in reviews if r.verdict not in (Verdict.NEW, Verdict.IRRELEVANT)]
    digest.reviewed = len(judged)
    digest.inaccurate = sum(1 for r in judged if r.verdict == Verdict.NEEDS_RESPONSE)
    hours = sorted(h for r in reviews if (h := services.response_hours(r)) is not None)
    digest.answered = len(hours)
    if hours:
        mid = len(hours) // 2
        digest.median_response_hours = hours[mid] if len(hours) % 2 else (hours[mid - 1] + hours[mid]) / 2
    return digest


def weekly_quality(user: Any, weeks: int = 8, end: dt.datetime | None = None) -> list[tuple[dt.date, int, int]]:
    """(Monday, % of judged stories found inaccurate, median hours to a published response) per week."""
    end = end or timezone.now()
    today = timezone.localdate(end)
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    rows = Review.objects.filter(watch_list__in=services.desk_lists(user), story__first_seen_at__gte=start,
                                 story__first_seen_at__lt=end).select_related("story")
    judged: Counter[dt.date] = Counter()
    inaccurate: Counter[dt.date] = Counter()
    hours: dict[dt.date, list[float]] = defaultdict(list)
    for review in rows:
        day = timezone.localdate(review.story.first_seen_at)
        monday = day - dt.timedelta(days=day.weekday())
        if review.verdict not in (Verdict.NEW, Verdict.IRRELEVANT):
            judged[monday] += 1
            inaccurate[monday] += review.verdict == Verdict.NEEDS_RESPONSE
        h = services.response_hours(review)
        if h is not None:
            hours[monday].append(h)
    out = []
    for w in range(weeks):
        monday = first + dt.timedelta(days=7 * w)
        share = round(100 * inaccurate[monday] / judged[monday]) if judged[monday] else 0
        spans = sorted(hours[monday])
        median = round(spans[len(spans) // 2]) if spans else 0
        out.append((monday, share, median))
    return out


CSV_COLUMNS = ("url", "outlet", "country", "language", "published", "topics", "review_state")


def stories_csv(user: Any, since: dt.datetime | None = None) -> str:
    """One row per article of the desk's stories: url, outlet, country, language, published, topics, review."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    reviews = Review.objects.filter(watch_list__in=services.desk_lists(user))
    if since is not None:
        reviews = reviews.filter(story__first_seen_at__gte=since)
    verdicts: dict[int, str] = {}
    for story_id, verdict in reviews.values_list("story_id", "verdict"):
        verdicts.setdefault(story_id, verdict)
    for article in (Article.objects.filter(story_id__in=list(verdicts), duplicate=False)
                    .select_related("outlet").order_by("-found_at")[:100_000]):
        writer.writerow([_cell(article.url), _cell(article.outlet.name), article.outlet.country, article.language,
                         article.published_at.isoformat() if article.published_at else "",
                         " ".join(article.topics or []), verdicts.get(article.story_id or 0, "")])
    return out.getvalue()


def _cell(value: str) -> str:
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def digest_docx(user: Any, period: str = "daily") -> bytes:
    from ttdn.documents import decree30 as d30

    digest = build(user, period)
    agency = getattr(getattr(user, "agency", None), "name", "") or ""
    body: list[d30.Paragraph | d30.Table] = [
        d30.Paragraph(_("From %(start)s to %(end)s: %(stories)d stories in %(articles)d articles.") % {
            "start": timezone.localtime(digest.start).strftime("%d/%m/%Y %H:%M"),
            "end": timezone.localtime(digest.end).strftime("%d/%m/%Y %H:%M"),
            "stories": digest.stories, "articles": digest.articles}),
        d30.Paragraph(_("Counts"), level=1),
        d30.Table([_("Language"), _("Stories")], [[k, str(n)] for k, n in digest.by_language] or [["—", "0"]]),
        d30.Table([_("Country"), _("Stories")], [[k, str(n)] for k, n in digest.by_country] or [["—", "0"]]),
        d30.Table([_("Topic"), _("Stories")], [[k, str(n)] for k, n in digest.by_topic] or [["—", "0"]]),
        d30.Paragraph(_("Top stories"), level=1),
        d30.Table([_("Story"), _("Copies"), _("Review")],
                  [[r.story.title[:200], str(r.story.copies), str(r.get_verdict_display())] for r in digest.top]
                  or [["—", "", ""]]),
        d30.Paragraph(_("Open responses"), level=1),
        d30.Table([_("Story"), _("Response"), _("State")],
                  [[r.story.title[:200], str(r.response) if r.response else "—",
                    str(r.response.get_state_display()) if r.response else "—"] for r in digest.open_responses]
                  or [["—", "", ""]]),
    ]
    title = (_("Daily press digest") if period == "daily" else _("Weekly press digest"))
    doc = d30.OfficialDocument(agency=agency.upper(), parent_agency="", number=None, symbol="BC",
                               place=_place(user), date=timezone.localdate(), kind_title="BÁO CÁO", title=title,
                               body=body, recipients=[])
    return d30.write_docx(doc)


def _place(user: Any) -> str:
    agency = getattr(user, "agency", None)
    province_id = getattr(agency, "province_id", None)
    if province_id:
        from ttdn.places.models import AdminUnit

        unit = AdminUnit.objects.filter(pk=province_id).first()
        if unit is not None:
            return unit.short_name
    return "Hà Nội"


# ------------------------------------------------------------------------------------------------ e-mail


def digest_hour() -> int:
    from django.conf import settings

    return int(getattr(settings, "TTDN_MONITORING_DIGEST_HOUR", 7))


def digest_text(user: Any, result: Digest) -> str:
    from django.urls import reverse

    from ttdn.notices.services import absolute_link

    lines = [str(_("Daily press digest") if result.period == "daily" else _("Weekly press digest")), "",
             _("From %(start)s to %(end)s: %(stories)d stories in %(articles)d articles.") % {
                 "start": timezone.localtime(result.start).strftime("%d/%m/%Y %H:%M"),
                 "end": timezone.localtime(result.end).strftime("%d/%m/%Y %H:%M"),
                 "stories": result.stories, "articles": result.articles}, ""]
    for caption, rows in ((_("By language"), result.by_language), (_("By country"), result.by_country),
                          (_("By topic"), result.by_topic)):
        if rows:
            lines.append(f"{caption}: " + ", ".join(f"{k} {n}" for k, n in rows))
    if result.top:
        lines += ["", str(_("Top stories"))]
        lines += [f"- {r.story.title} ({r.story.copies}) "
                  f"{absolute_link(reverse('monitoring:story', kwargs={'pk': r.story_id}))}" for r in result.top]
    if result.open_responses:
        lines += ["", str(_("Open responses"))]
        lines += [f"- {r.story.title}" for r in result.open_responses]
    lines += ["", absolute_link(reverse("monitoring:digest")) + f"?period={result.period}"]
    return "\n".join(lines)


def digest_html(user: Any, result: Digest) -> str:
    """The same digest as an HTML e-mail part (monitoring/digest_email.html): tables inline-styled, as mail
    readers strip style sheets; every link absolute."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from ttdn.notices.services import absolute_link

    title = _("Daily press digest") if result.period == "daily" else _("Weekly press digest")
    return render_to_string("monitoring/digest_email.html", {
        "title": title, "digest": result, "agency": getattr(getattr(user, "agency", None), "name", ""),
        "start": timezone.localtime(result.start), "end": timezone.localtime(result.end),
        "counts": [(_("By language"), result.by_language), (_("By country"), result.by_country),
                   (_("By topic"), result.by_topic)],
        "top": [(r, absolute_link(reverse("monitoring:story", kwargs={"pk": r.story_id}))) for r in result.top],
        "open": [(r, absolute_link(reverse("monitoring:story", kwargs={"pk": r.story_id})))
                 for r in result.open_responses],
        "page": absolute_link(reverse("monitoring:digest")) + f"?period={result.period}",
    })


def digest_message(user: Any, result: Digest) -> Any:
    """The digest e-mail to `user`: multipart, the plain text first and the HTML as its alternative."""
    from django.core.mail import EmailMultiAlternatives

    subject = str(_("Daily press digest") if result.period == "daily" else _("Weekly press digest"))
    message = EmailMultiAlternatives(subject, digest_text(user, result), None, [user.email])
    message.attach_alternative(digest_html(user, result), "text/html")
    return message


def do_send_digests(now: dt.datetime | None = None) -> int:
    """Mail each desk's people their digest once a day after the digest hour (weekly ones on Mondays);
    returns the messages sent. People who turned e-mail notices off get none."""
    from django.db import IntegrityError, transaction
    from django.utils import translation

    from ttdn.core.transactions import durable
    from ttdn.monitoring.alerts import desk_people
    from ttdn.monitoring.models import DigestSent, WatchList
    from ttdn.notices.services import email_enabled

    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < digest_hour():
        return 0
    periods = ["daily"] + (["weekly"] if local.weekday() == 0 else [])
    sent = 0
    for watch in WatchList.objects.all():
        for period in periods:
            try:
                with durable():
                    DigestSent.objects.create(watch_list=watch, period=period, day=local.date())
            except IntegrityError:
                continue  # already sent today
            count = 0
            for person in desk_people(watch.agency_id):
                if not person.email or not email_enabled(person):
                    continue
                with translation.override("vi"):
                    message = digest_message(person, build(person, period, now))
                message.send(fail_silently=True)
                count += 1
            with transaction.atomic():
                DigestSent.objects.filter(watch_list=watch, period=period, day=local.date()).update(recipients=count)
            sent += count
    return sent
