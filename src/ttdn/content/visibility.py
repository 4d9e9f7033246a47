"""Who may see which material: one table of rules, compiled both to a Python check and to a query filter.

A rule row says *who* (people or sites, officials or not, holding which roles) sees items matching a
*condition* on the item's fields (state, validity window, audience, classification, agency, targeting), and
whether they also see its unfinished language versions. An item is visible when any row admits the viewer
and matches the item; deny by default. Every caller asks through a `Viewer`: the public, a user, or a site's
node (the web pages and the API, search, the sync feed; later the portal, feeds, kiosks and SMS).

`permissions.can_view`, `visible_items`, `live_q`, `shown_variants`, `is_ready`, the search filters and the
feed's `wants` are all built from RULES; tests/content/test_visibility_rules.py checks the two compilations
agree on random items and viewers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import is_official, roles
from ttdn.content.models import Audience, Classification, Item, State, TranslationState, Variant

ViewerKind = Literal["public", "user", "node"]
PEOPLE: frozenset[str] = frozenset({"public", "user"})
SITES: frozenset[str] = frozenset({"node"})
# States central staff can see (drafts belong to their agency alone).
CENTRAL_VISIBLE_STATES = frozenset(set(State.values) - {State.DRAFT})


@dataclass(frozen=True)
class Viewer:
    """Who asks. Users are read once (their roles and agency); a node by what its site is targeted with."""

    kind: ViewerKind
    roles: frozenset[str] = frozenset()
    official: bool = False
    agency_id: int | None = None
    provinces: frozenset[int] = frozenset()  # a node's provinces (with the successors of a merged one)
    country: str = ""  # a node's neighbouring country ("LA", "KH", "CN"), or ""

    @classmethod
    def public(cls) -> Viewer:
        return cls("public")

    @classmethod
    def of_user(cls, user: Any) -> Viewer:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls.public()
        return cls("user", frozenset(roles(user)), is_official(user), getattr(user, "agency_id", None))

    @classmethod
    def of_node(cls, provinces: Iterable[int], country: str, officials: bool) -> Viewer:
        return cls("node", official=officials, provinces=frozenset(provinces), country=country or "")


def viewer_of(who: Any) -> Viewer:
    """A Viewer as it is, anything else (a user, AnonymousUser, None) as a user or the public."""
    return who if isinstance(who, Viewer) else Viewer.of_user(who)


# ---------------------------------------------------------------------------------------- conditions


class Condition(Protocol):
    """A condition on an item's fields, evaluated on an instance or compiled to a Q.

    `prefix` leads from the queried model to the item's fields: "" for Item and for search documents (which
    carry the same column names), "item__" for Variant."""

    def test(self, viewer: Viewer, item: Any, now: dt.datetime) -> bool: ...

    def q(self, viewer: Viewer, now: dt.datetime, prefix: str) -> Q: ...


NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Live:
    """Published and inside its validity window."""

    def test(self, viewer: Viewer, item: Any, now: dt.datetime) -> bool:
        if item.state != State.PUBLISHED:
            return False
        if item.valid_from and item.valid_from > now:
            return False
        return not (item.valid_until and item.valid_until <= now)

    def q(self, viewer: Viewer, now: dt.datetime, prefix: str) -> Q:
        p = prefix
        return (
            Q(**{f"{p}state": State.PUBLISHED})
            & (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": now}))
            & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gt": now}))
        )


@dataclass(frozen=True)
class Is:
    """A field holds one of these values."""

    field: str
    values: frozenset[str]

    def test(self, viewer: Viewer, item: Any, now: dt.datetime) -> bool:
        return getattr(item, self.field) in self.values

    def q(self, viewer: Viewer, now: dt.datetime, prefix: str) -> Q:
        if len(self.values) == 1:
            return Q(**{f"{prefix}{self.field}": next(iter(self.values))})
        return Q(**{f"{prefix}{self.field}__in": sorted(self.values)})


@dataclass(frozen=True)
class OwnAgency:
    """The item was contributed by the viewer's agency."""

    def test(self, viewer: Viewer, item: Any, now: dt.datetime) -> bool:
        return bool(viewer.agency_id) and item.agency_id == viewer.agency_id

    def q(self, viewer: Viewer, now: dt.datetime, prefix: str) -> Q:
        return Q(**{f"{prefix}agency_id": viewer.agency_id}) if viewer.agency_id else NOTHING


@dataclass(frozen=True)
class TargetsSite:
    """The item targets no province or one of the node's, and no country or the node's neighbour.
    Python: the item's target_provinces should be prefetched. Query: Item only (prefix "")."""

    def test(self, viewer: Viewer, item: Any, now: dt.datetime) -> bool:
        provinces = {p.pk for p in item.target_provinces.all()}
        if provinces and not provinces & viewer.provinces:
            return False
        countries = item.target_countries or []
        return not countries or viewer.country in countries

    def q(self, viewer: Viewer, now: dt.datetime, prefix: str) -> Q:
        if prefix:
            raise ValueError("site targeting is compiled over Item only")
        links = Item.target_provinces.through.objects.filter(item_id=OuterRef("pk"))
        provinces = ~Q(Exists(links)) | Q(Exists(links.filter(adminunit_id__in=sorted(viewer.provinces))))
        countries = Q(target_countries=[])
        if viewer.country:
            # The JSON text of the list holds the quoted code (codes are upper-case letters).
            countries |= Q(target_countries__icontains=f'"{viewer.country}"')
        return provinces & countries


@dataclass(frozen=True)
class All:
    conditions: tuple[Condition, ...]

    def test(self, viewer: Viewer, item: Any, now: dt.datetime) -> bool:
        return all(c.test(viewer, item, now) for c in self.conditions)

    def q(self, viewer: Viewer, now: dt.datetime, prefix: str) -> Q:
        out = Q()
        for c in self.conditions:
            out &= c.q(viewer, now, prefix)
        return out


def all_of(*conditions: Condition) -> All:
    return All(tuple(conditions))


def is_(name: str, *values: str) -> Is:
    return Is(name, frozenset(values))


# ------------------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Who:
    kinds: frozenset[str]
    officials: bool = False  # only viewers who are officials (staff with a role; a node at an officials' site)
    roles: frozenset[str] = field(default_factory=frozenset)  # any of these (none: no role needed)

    def admits(self, viewer: Viewer) -> bool:
        if viewer.kind not in self.kinds or (self.officials and not viewer.official):
            return False
        return not self.roles or bool(self.roles & viewer.roles)


@dataclass(frozen=True)
class Rule:
    name: str
    who: Who
    sees: Condition
    # They see every language version of what this row shows them, finished or not (they work on them).
    all_versions: bool = False


LIVE = Live()
TARGETED = TargetsSite()

RULES: tuple[Rule, ...] = (
    # "Lưu hành nội bộ" (internal) material is for officials even when its audience is the public: it is not
    # published on the hub's open pages, feeds or API any more than on a site's public screens.
    Rule("everyone: public, unclassified material while live", Who(PEOPLE),
         all_of(LIVE, is_("audience", Audience.PUBLIC), is_("classification", Classification.PUBLIC))),
    Rule("officials: all live material", Who(PEOPLE, officials=True), LIVE),
    Rule("an agency's contributors and administrators: its own material in every state",
         Who(PEOPLE, roles=frozenset({Role.CONTRIBUTOR, Role.AGENCY_ADMIN})), OwnAgency(), all_versions=True),
    Rule("appraisers and publishers: everything but drafts",
         Who(PEOPLE, roles=frozenset({Role.APPRAISER, Role.PUBLISHER})), Is("state", CENTRAL_VISIBLE_STATES),
         all_versions=True),
    Rule("translators: approved and published material",
         Who(PEOPLE, roles=frozenset({Role.TRANSLATOR})), is_("state", State.APPROVED, State.PUBLISHED),
         all_versions=True),
    # Officials-only or internal material never goes to a public screen (a commune's kiosk).
    Rule("sites: public, unclassified live material targeted at them",
         Who(SITES), all_of(LIVE, is_("audience", Audience.PUBLIC), is_("classification", Classification.PUBLIC),
                            TARGETED)),
    Rule("officials' sites: all live material targeted at them", Who(SITES, officials=True), all_of(LIVE, TARGETED)),
)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _rules(viewer: Viewer) -> list[Rule]:
    return [r for r in RULES if r.who.admits(viewer)]


# ---------------------------------------------------------------------------------- compiled: items


def can_see(who: Any, item: Any, now: dt.datetime | None = None) -> bool:
    viewer, moment = viewer_of(who), _now(now)
    return any(r.sees.test(viewer, item, moment) for r in _rules(viewer))


def items_q(who: Any, now: dt.datetime | None = None, prefix: str = "") -> Q:
    """The queryset form of can_see."""
    viewer, moment = viewer_of(who), _now(now)
    out: Q | None = None
    for rule in _rules(viewer):
        q = rule.sees.q(viewer, moment, prefix)
        out = q if out is None else out | q
    return NOTHING if out is None else out


def is_live(item: Any, now: dt.datetime | None = None) -> bool:
    return LIVE.test(Viewer.public(), item, _now(now))


def live_q(now: dt.datetime | None = None, prefix: str = "") -> Q:
    return LIVE.q(Viewer.public(), _now(now), prefix)


# ------------------------------------------------------------------------------- compiled: versions


def version_ready(is_source: bool, translation_state: int, made_from: int | None, source_revision: int | None) -> bool:
    """A version fit for the public: the source itself, or a reviewed translation of the source's current
    revision (`source_revision`: the item's source version's revision, None if it has none)."""
    if is_source:
        return True
    if translation_state < TranslationState.REVIEWED:
        return False
    return source_revision is None or (made_from or 0) >= source_revision


def ready_q() -> Q:
    """Queryset form of version_ready, over Variant (staleness included)."""
    newer_source = Variant.objects.filter(
        item_id=OuterRef("item_id"), source_variant__isnull=True,
        revision__gt=Coalesce(OuterRef("source_revision"), Value(0)),
    )
    return Q(source_variant__isnull=True) | (
        Q(translation_state__gte=TranslationState.REVIEWED) & ~Q(Exists(newer_source))
    )


def sees_all_versions(who: Any, item: Any, now: dt.datetime | None = None) -> bool:
    viewer, moment = viewer_of(who), _now(now)
    return any(r.all_versions and r.sees.test(viewer, item, moment) for r in _rules(viewer))


def versions_q(who: Any, now: dt.datetime | None = None) -> Q:
    """Over Variant: the language versions `who` is shown of the items they may see."""
    viewer, moment = viewer_of(who), _now(now)
    unfinished: Q | None = None
    for rule in _rules(viewer):
        if rule.all_versions:
            q = rule.sees.q(viewer, moment, "item__")
            unfinished = q if unfinished is None else unfinished | q
    shown = ready_q() if unfinished is None else ready_q() | unfinished
    return items_q(viewer, moment, "item__") & shown


def documents_q(who: Any, now: dt.datetime | None = None, ready_field: str = "ready") -> Q:
    """Over search documents (one per version, with the item's columns and a `ready` flag): the versions
    `who` is shown of the items they may see."""
    viewer, moment = viewer_of(who), _now(now)
    out: Q | None = None
    for rule in _rules(viewer):
        q = rule.sees.q(viewer, moment, "")
        if not rule.all_versions:
            q &= Q(**{ready_field: True})
        out = q if out is None else out | q
    return NOTHING if out is None else out
