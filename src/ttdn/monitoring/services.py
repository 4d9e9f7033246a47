"""Every change people make to press monitoring: sources (outlets, feeds, collections), watch lists and their
terms, and the review of a story — with "needs a response" opening a draft item in the content workflow, whose
publication closes the loop (listened for through content.changes).

Who may do what (the rows of ttdn.core.access):
- sources: operators and agency administrators (outlets are shared by every desk of the hub);
- a desk (a watch list of an agency): its agency's contributors and administrators, central appraisers and
  publishers (reading), operators; reviewing: the agency's contributors (the response is their draft).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.accounts.models import Agency, Role, User
from ttdn.accounts.permissions import has_role
from ttdn.content import services as content_services
from ttdn.content.models import Item, ItemKind, State
from ttdn.core import audit, languages
from ttdn.core.errors import NotFound, PermissionDenied, ServiceError
from ttdn.core.text import clean_line
from ttdn.core.transactions import durable
from ttdn.monitoring import fetch
from ttdn.monitoring.models import (
    Article,
    ArticleStatus,
    Collection,
    Feed,
    Outlet,
    Review,
    Story,
    TermKind,
    Verdict,
    WatchList,
    WatchTerm,
)
from ttdn.places.models import AdminUnit, BorderSite, UnitLevel

# ------------------------------------------------------------------------------------------------ who


def can_manage_sources(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.AGENCY_ADMIN)


def can_use_monitoring(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or has_role(user, Role.CONTRIBUTOR, Role.AGENCY_ADMIN, Role.APPRAISER,
                                               Role.PUBLISHER)


def desk_lists(user: Any) -> QuerySet[WatchList]:
    """The watch lists whose stories the user sees: all for operators and central editors, the agency's own
    for its contributors and administrators, none for anyone else."""
    if not can_use_monitoring(user):
        return WatchList.objects.none()
    if user.is_superuser or has_role(user, Role.APPRAISER, Role.PUBLISHER):
        return WatchList.objects.all()
    return WatchList.objects.filter(agency_id=user.agency_id) if user.agency_id else WatchList.objects.none()


def can_see_story(user: Any, story: Story) -> bool:
    return Review.objects.filter(story=story, watch_list__in=desk_lists(user)).exists()


def can_review(user: Any, review: Review) -> bool:
    return (bool(getattr(user, "agency_id", None)) and user.agency_id == review.watch_list.agency_id
            and has_role(user, Role.CONTRIBUTOR))


def visible_stories(user: Any) -> QuerySet[Story]:
    return Story.objects.filter(reviews__watch_list__in=desk_lists(user)).distinct()


# ------------------------------------------------------------------------------------------------ sources


@dataclass
class OutletData:
    name: str
    country: str
    language: str
    feeds: list[str] = field(default_factory=list)
    homepage: str = ""
    collections: list[str] = field(default_factory=list)  # collection codes


def _invalid(field_name: str, message: str) -> ServiceError:
    return ServiceError("invalid", message, field=field_name)


def check_save_outlet(actor: User | None, data: OutletData) -> dict[str, Any]:
    if actor is not None and not can_manage_sources(actor):
        raise PermissionDenied(_("Only operators and agency administrators manage press sources."))
    name = clean_line(data.name)
    if not name:
        raise _invalid("name", _("An outlet needs a name."))
    country = (data.country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise _invalid("country", _("The country is a two-letter code (VN, LA, KH, CN, TH …)."))
    language = languages.canonical_tag(data.language or "")
    if language is None:
        raise _invalid("language", _("Unknown language “%(tag)s”.") % {"tag": data.language})
    feeds: list[str] = []
    for raw in data.feeds:
        url = raw.strip()
        if not url:
            continue
        try:
            fetch.check_url(url)
        except fetch.FetchError as exc:
            raise _invalid("feeds", str(exc)) from exc
        if len(url) > 1000:
            raise _invalid("feeds", _("A feed address is longer than 1000 characters."))
        feeds.append(url)
    if not feeds:
        raise _invalid("feeds", _("Give at least one RSS, Atom or news-sitemap address."))
    collections = list(Collection.objects.filter(code__in=data.collections))
    if len(collections) != len(set(data.collections)):
        raise _invalid("collections", _("Unknown collection."))
    return {"name": name, "country": country, "language": language, "feeds": feeds, "collections": collections,
            "homepage": data.homepage.strip()[:500]}


def _feeds_free(urls: list[str], outlet: Outlet | None = None) -> None:
    taken = Feed.objects.filter(url__in=urls).exclude(outlet=outlet).select_related("outlet").first()
    if taken is not None:
        raise _invalid("feeds", _("The feed %(url)s is already a source of “%(outlet)s”.") % {
            "url": taken.url, "outlet": taken.outlet.name})


def _save_outlet(actor: User | None, data: OutletData) -> Outlet:
    clean = check_save_outlet(actor, data)
    _feeds_free(clean["feeds"])
    outlet = Outlet.objects.create(name=clean["name"], country=clean["country"], language=clean["language"],
                                   homepage=clean["homepage"])
    outlet.collections.set(clean["collections"])
    for url in clean["feeds"]:
        Feed.objects.create(outlet=outlet, url=url)
    audit.record(actor, "monitoring.outlet.create", outlet, country=outlet.country, language=outlet.language,
                 feeds=clean["feeds"])
    return outlet


def do_save_outlet(actor: User | None, data: OutletData) -> Outlet:
    with durable():
        return _save_outlet(actor, data)


def _outlet_state(outlet: Outlet) -> dict[str, Any]:
    return {"name": outlet.name, "country": outlet.country, "language": outlet.language, "homepage": outlet.homepage,
            "collections": sorted(outlet.collections.values_list("code", flat=True)),
            "feeds": sorted(outlet.feeds.values_list("url", flat=True))}


def check_update_outlet(actor: User | None, outlet: Outlet, data: OutletData) -> dict[str, Any]:
    clean = check_save_outlet(actor, data)
    if outlet.retired_at is not None:
        raise ServiceError("retired", _("This outlet was deleted; add it again to follow it."))
    _feeds_free(clean["feeds"], outlet)
    return clean


def do_update_outlet(actor: User | None, outlet: Outlet, data: OutletData) -> Outlet:
    """Change an outlet and its feeds. A feed kept keeps its schedule and conditional-GET state; a new one is
    polled from the next pass; a feed removed is dropped with the pages it listed that were never fetched (pages
    already read stay, with their stories and reviews)."""
    with durable():
        outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
        clean = check_update_outlet(actor, outlet, data)
        before = _outlet_state(outlet)
        outlet.name, outlet.country, outlet.language = clean["name"], clean["country"], clean["language"]
        outlet.homepage = clean["homepage"]
        outlet.save(update_fields=["name", "country", "language", "homepage"])
        outlet.collections.set(clean["collections"])
        current = {f.url: f for f in outlet.feeds.all()}
        removed = [f.pk for url, f in current.items() if url not in clean["feeds"]]
        unread, _kinds = Article.objects.filter(feed_id__in=removed, status=ArticleStatus.PENDING).delete()
        Feed.objects.filter(pk__in=removed).delete()
        Feed.objects.bulk_create([Feed(outlet=outlet, url=url) for url in clean["feeds"] if url not in current])
        audit.record(actor, "monitoring.outlet.update", outlet, before=before, after=_outlet_state(outlet),
                     unread_pages_dropped=unread)
        return outlet


@dataclass
class OutletDeleted:
    retired: bool  # articles of it had been read: kept, with the outlet as their source
    articles_kept: int
    unread_dropped: int


def check_delete_outlet(actor: User | None, outlet: Outlet) -> None:
    if actor is not None and not can_manage_sources(actor):
        raise PermissionDenied(_("Only operators and agency administrators manage press sources."))
    if outlet.retired_at is not None:
        raise ServiceError("retired", _("This outlet was already deleted."))


def do_delete_outlet(actor: User | None, outlet: Outlet) -> OutletDeleted:
    """Stop following an outlet. Its feeds go, and the pages listed but never fetched. Pages already read are
    the record of what it published — stories, reviews, responses, digests and their figures count them — so
    they stay: an outlet with read articles is retired (no feed, not listed among the sources, still named on its
    stories); one without any is deleted outright."""
    with durable():
        outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
        check_delete_outlet(actor, outlet)
        state = _outlet_state(outlet)
        unread, _kinds = Article.objects.filter(outlet=outlet).exclude(status=ArticleStatus.DONE).delete()
        kept = Article.objects.filter(outlet=outlet).count()
        audit.record(actor, "monitoring.outlet.delete", outlet, **state, articles_kept=kept,
                     unread_pages_dropped=unread, retired=bool(kept))
        outlet.feeds.all().delete()
        if kept:
            outlet.retired_at = timezone.now()
            outlet.save(update_fields=["retired_at"])
        else:
            outlet.delete()
        return OutletDeleted(retired=bool(kept), articles_kept=kept, unread_dropped=unread)


def do_save_collection(actor: User | None, code: str, name: str, kind: str) -> Collection:
    from django.utils.text import slugify

    from ttdn.monitoring.models import CollectionKind

    if actor is not None and not can_manage_sources(actor):
        raise PermissionDenied(_("Only operators and agency administrators manage press sources."))
    name = clean_line(name)
    code = slugify(code or name)[:64]
    if not name or not code:
        raise _invalid("name", _("A collection needs a name."))
    if kind not in CollectionKind.values:
        raise _invalid("kind", _("Choose what the collection groups."))
    with durable():
        collection, _created = Collection.objects.update_or_create(code=code, defaults={"name": name, "kind": kind})
        audit.record(actor, "monitoring.collection.save", collection, code=code)
        return collection


def do_resume_feed(actor: User, feed: Feed) -> Feed:
    with durable():
        feed = Feed.objects.select_for_update().get(pk=feed.pk)
        if not can_manage_sources(actor):
            raise PermissionDenied(_("Only operators and agency administrators manage press sources."))
        feed.paused_at = None
        feed.failures = 0
        feed.next_poll_at = timezone.now()
        feed.save(update_fields=["paused_at", "failures", "next_poll_at"])
        audit.record(actor, "monitoring.feed.resume", feed)
        return feed


# ------------------------------------------------------------------------------------------------ watch lists


def _may_edit_list(actor: User | None, agency: Agency) -> bool:
    return actor is None or actor.is_superuser or (actor.agency_id == agency.pk and has_role(
        actor, Role.CONTRIBUTOR, Role.AGENCY_ADMIN))


def can_edit_list(user: Any, watch: WatchList) -> bool:
    """Terms and thresholds of a desk: its agency's contributors and administrators, operators."""
    return isinstance(user, User) and _may_edit_list(user, watch.agency)


def place_names(province: AdminUnit) -> list[tuple[str, str]]:
    """(name, kind) of a province as the data packages know it: its name, the provinces merged into it in 2025
    (former names), its communes and wards (current and former), its border sites."""
    out: list[tuple[str, str]] = [(province.short_name, TermKind.PROVINCE)]
    provinces = [province]
    for old in province.predecessors.filter(level=UnitLevel.PROVINCE):
        provinces.append(old)
        if old.short_name != province.short_name:
            out.append((old.short_name, TermKind.OLD_NAME))
    ids = [p.pk for p in provinces]
    communes = AdminUnit.objects.filter(level=UnitLevel.COMMUNE).filter(
        Q(parent_id__in=ids) | Q(parent__parent_id__in=ids)).values_list("short_name", flat=True)
    out.extend((name, TermKind.COMMUNE) for name in sorted(set(communes)))
    out.extend((name, TermKind.SITE) for name in
               BorderSite.objects.filter(province_id__in=ids).values_list("name", flat=True))
    return out


def do_create_watch_list(actor: User | None, agency: Agency, province: AdminUnit | None = None,
                         name: str = "") -> WatchList:
    """A desk's watch list, seeded with its province's names from the data packages (Vietnamese, accented:
    matching folds marks, so unaccented text is found too). Other languages are added as terms."""
    with durable():
        if not _may_edit_list(actor, agency):
            raise PermissionDenied(_("Only the agency's contributors and administrators edit its watch list."))
        province = province or (AdminUnit.objects.filter(pk=agency.province_id).first()
                                if agency.province_id else None)
        watch = WatchList.objects.create(agency=agency, province=province,
                                         name=clean_line(name) or (province.name if province else agency.name))
        if province is not None:
            seen: set[str] = set()
            rows = []
            for term, kind in place_names(province):
                if term and term.lower() not in seen:
                    seen.add(term.lower())
                    rows.append(WatchTerm(watch_list=watch, term=term[:300], language="vi", kind=kind))
            WatchTerm.objects.bulk_create(rows, ignore_conflicts=True)
        audit.record(actor, "monitoring.watch_list.create", watch, agency_id=agency.pk)
        return watch


def check_add_term(actor: User | None, watch: WatchList, term: str, language: str, kind: str) -> dict[str, Any]:
    if not _may_edit_list(actor, watch.agency):
        raise PermissionDenied(_("Only the agency's contributors and administrators edit its watch list."))
    text = clean_line(term)
    if not text:
        raise _invalid("term", _("A term is required."))
    if len(text) > 300:
        raise _invalid("term", _("A term is at most 300 characters."))
    from ttdn.search.normalize import query_tokens

    if not query_tokens(text):
        raise _invalid("term", _("The term has no letters or digits to match."))
    lang = languages.canonical_tag(language or "")
    if lang is None:
        raise _invalid("language", _("Unknown language “%(tag)s”.") % {"tag": language})
    if kind not in TermKind.values:
        raise _invalid("kind", _("Choose a kind of term."))
    return {"term": text, "language": lang, "kind": kind}


def do_add_term(actor: User | None, watch: WatchList, term: str, language: str = "vi",
                kind: str = TermKind.OTHER, alert: bool = False) -> WatchTerm:
    with durable():
        watch = WatchList.objects.select_for_update().select_related("agency").get(pk=watch.pk)
        clean = check_add_term(actor, watch, term, language, kind)
        row, _created = WatchTerm.objects.update_or_create(
            watch_list=watch, term=clean["term"], language=clean["language"],
            defaults={"kind": clean["kind"], "alert": alert})
        audit.record(actor, "monitoring.term.save", row, agency_id=watch.agency_id, term=row.term,
                     language=row.language, alert=alert)
        return row


MAX_FAST_COPIES = 100
MAX_FAST_HOURS = 7 * 24


def check_set_thresholds(actor: User | None, watch: WatchList, copies: int | None,
                         hours: int | None) -> dict[str, Any]:
    """A desk's "spreading fast" alert: `copies` outlets within `hours`; None keeps the hub's value, 0 copies
    turns the alert off for the desk (alert terms still alert)."""
    if not _may_edit_list(actor, watch.agency):
        raise PermissionDenied(_("Only the agency's contributors and administrators edit its watch list."))
    if copies is not None and not (copies == 0 or 2 <= copies <= MAX_FAST_COPIES):
        raise _invalid("fast_copies", _("Give between 2 and %(max)d outlets, or 0 for no such alerts.")
                       % {"max": MAX_FAST_COPIES})
    if hours is not None and not 1 <= hours <= MAX_FAST_HOURS:
        raise _invalid("fast_hours", _("Give between 1 and %(max)d hours.") % {"max": MAX_FAST_HOURS})
    return {"fast_copies": copies, "fast_hours": hours}


def do_set_thresholds(actor: User | None, watch: WatchList, copies: int | None, hours: int | None) -> WatchList:
    with durable():
        watch = WatchList.objects.select_for_update().select_related("agency").get(pk=watch.pk)
        clean = check_set_thresholds(actor, watch, copies, hours)
        before = {"fast_copies": watch.fast_copies, "fast_hours": watch.fast_hours}
        watch.fast_copies, watch.fast_hours = clean["fast_copies"], clean["fast_hours"]
        watch.save(update_fields=["fast_copies", "fast_hours"])
        audit.record(actor, "monitoring.watch_list.thresholds", watch, agency_id=watch.agency_id, before=before,
                     after=clean)
        return watch


# ------------------------------------------------------------------------------------------------ reviews


RESPONSE_KINDS = (ItemKind.ORIENTATION_NOTE, ItemKind.ARTICLE)


def check_review(actor: User, review: Review, verdict: str, note: str, response_kind: str) -> dict[str, Any]:
    if not can_review(actor, review):
        raise PermissionDenied(_("Only contributors of the desk's agency review its stories."))
    if verdict not in Verdict.values or verdict == Verdict.NEW:
        raise _invalid("verdict", _("Choose what the story is: accurate, positive, inaccurate or irrelevant."))
    if len(note) > 5000:
        raise _invalid("note", _("The note is longer than 5000 characters."))
    if verdict == Verdict.NEEDS_RESPONSE and response_kind not in RESPONSE_KINDS:
        raise _invalid("response_kind", _("Choose an orientation note or an article for the response."))
    if review.response_id is not None and verdict != Verdict.NEEDS_RESPONSE:
        raise ServiceError("response_open", _("A response is already in the workflow; the story stays "
                                              "“needs a response”."))
    return {"verdict": verdict, "note": note.strip()}


def do_review(actor: User, review: Review, verdict: str, note: str = "",
              response_kind: str = ItemKind.ORIENTATION_NOTE) -> Review:
    with durable():
        review = Review.objects.select_for_update().select_related("watch_list", "story").get(pk=review.pk)
        clean = check_review(actor, review, verdict, note, response_kind)
        review.verdict = clean["verdict"]
        review.note = clean["note"]
        review.reviewed_by = actor
        review.reviewed_at = timezone.now()
        if review.verdict == Verdict.NEEDS_RESPONSE and review.response_id is None:
            review.response = _response_draft(actor, review, response_kind)
        review.save()
        audit.record(actor, "monitoring.review", review, agency_id=review.watch_list.agency_id,
                     verdict=review.verdict, story=review.story_id, response=review.response_id)
        return review


def _response_draft(actor: User, review: Review, kind: str) -> Item:
    """The draft the desk writes its answer in: titled after the story, citing its copies."""
    story = review.story
    links = "".join(
        f"<li>{_escape(a.outlet.name)}: <a href=\"{_escape(a.url)}\">{_escape(a.title or a.url)}</a></li>"
        for a in story.articles.filter(duplicate=False).select_related("outlet").order_by("found_at")[:20])
    title = _("Response: %(title)s") % {"title": story.title}
    body = (f"<p>{_escape(_('Reported by the press:'))}</p><ul>{links}</ul>"
            + (f"<p>{_escape(review.note)}</p>" if review.note else ""))
    data = content_services.ItemData(
        kind=kind, title=title[: content_services.TITLE_MAX], summary=review.note[:1000], body=body,
        language="vi", audience="public", no_state_secrets=True,
        target_provinces=[review.watch_list.province_id] if review.watch_list.province_id else [])
    return content_services._create_item(actor, data)


def _escape(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text))


def on_items_changed(item_ids: list[int]) -> None:
    """Close the loop: a response item published answers its story (the first publication counts)."""
    pending = list(Review.objects.filter(response_id__in=item_ids, answered_at__isnull=True)
                   .select_related("response"))
    for review in pending:
        if review.response is not None and review.response.state == State.PUBLISHED:
            review.answered_at = review.response.state_changed_at or timezone.now()
            review.save(update_fields=["answered_at"])
            audit.record(None, "monitoring.review.answered", review, agency_id=review.watch_list.agency_id,
                         item=review.response_id)


def response_hours(review: Review) -> float | None:
    if review.answered_at is None:
        return None
    start = review.reviewed_at or review.created_at
    return max(0.0, (review.answered_at - start).total_seconds() / 3600)


def get_review(user: Any, story_pk: int) -> tuple[Story, list[Review]]:
    story = Story.objects.filter(pk=story_pk).first()
    if story is None or not can_see_story(user, story):
        raise NotFound(_("No such story."))
    reviews = list(Review.objects.filter(story=story, watch_list__in=desk_lists(user))
                   .select_related("watch_list", "response", "reviewed_by"))
    return story, reviews


def queue(user: Any, verdict: str | None = Verdict.NEW, since: dt.datetime | None = None,
          collection: str = "", language: str = "") -> QuerySet[Review]:
    """The desk's reviews, newest day first and, within a day, the most republished first; optionally only
    stories carried by an outlet of a collection, or in a language."""
    from django.db.models.functions import TruncDate

    rows = Review.objects.filter(watch_list__in=desk_lists(user)).select_related("story", "watch_list", "response")
    if collection:
        rows = rows.filter(story__articles__outlet__collections__code=collection).distinct()
    if language:
        rows = rows.filter(story__articles__language=language).distinct()
    if verdict:
        rows = rows.filter(verdict=verdict)
    if since is not None:
        rows = rows.filter(story__first_seen_at__gte=since)
    return rows.annotate(day=TruncDate("story__first_seen_at")).order_by("-day", "-story__copies",
                                                                          "-story__first_seen_at", "-pk")
