"""The one table of visibility rules, compiled twice: the Python check and the query filter must agree on any
item and any viewer — users (by their roles and agency), the public, and sites' nodes (the feed's targeting) —
and so must the search index's filter and the language versions shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role
from ttdn.content import permissions as perms
from ttdn.content import visibility
from ttdn.content.models import Audience, Classification, Item, State, TranslationState, Variant
from ttdn.search import services as search
from ttdn.search.models import SearchDocument
from ttdn.sync.hub import feed

from ..conftest import World, province

pytestmark = pytest.mark.django_db

PROPERTY = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

WINDOWS = [None, -30, -1, 1, 30]  # days from now; None: no bound
COUNTRIES = ["LA", "KH", "CN"]


@st.composite
def variant_specs(draw: Any) -> list[tuple[str, int, int]]:
    """Translations: (language, translation state, source revision made from)."""
    langs = draw(st.lists(st.sampled_from(["en", "lo", "km"]), unique=True, max_size=3))
    return [(lang, draw(st.sampled_from(TranslationState.values)), draw(st.integers(1, 3))) for lang in langs]


item_specs = st.fixed_dictionaries({
    "state": st.sampled_from(State.values),
    "audience": st.sampled_from(Audience.values),
    "classification": st.sampled_from(Classification.values),
    "agency": st.integers(0, 2),
    "valid_from": st.sampled_from(WINDOWS),
    "valid_until": st.sampled_from(WINDOWS),
    "provinces": st.lists(st.integers(0, 2), unique=True, max_size=2),
    "countries": st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=2),
    "source_revision": st.integers(1, 3),
    "translations": variant_specs(),
})

viewer_specs = st.one_of(
    st.builds(lambda roles, agency, official: ("viewer", frozenset(roles), agency, official),
              st.sets(st.sampled_from(Role.values), max_size=3), st.integers(0, 3), st.booleans()),
    st.builds(lambda name: ("user", name), st.sampled_from([
        "anonymous", "contributor", "contributor_dl", "appraiser", "publisher", "translator_lo", "agency_admin",
        "reader", "operator", "nobody", "inactive", "contributor_translator",
    ])),
)

node_specs = st.tuples(st.sets(st.integers(0, 2), min_size=1, max_size=2),
                       st.sampled_from(["", *COUNTRIES]), st.booleans())


class Pool:
    def __init__(self, world: World) -> None:
        self.world = world
        self.agencies = [world.gl_dept, world.dl_dept, world.central]
        self.provinces = [world.gia_lai, world.dak_lak, province("Lào Cai")]
        nobody = accounts.do_create_user(None, "nobody", None, agency=world.gl_dept)
        inactive = accounts.do_create_user(None, "inactive", None, agency=world.gl_dept)
        accounts.do_grant_role(None, inactive, Role.CONTRIBUTOR, "")
        inactive.is_active = False
        inactive.save(update_fields=["is_active"])
        both = accounts.do_create_user(None, "contributor_translator", None, agency=world.central)
        accounts.do_grant_role(None, both, Role.CONTRIBUTOR, "")
        accounts.do_grant_role(None, both, Role.TRANSLATOR, "km")
        self.users: dict[str, Any] = {**world.users(), "anonymous": AnonymousUser(), "operator": world.operator,
                                      "nobody": nobody, "inactive": inactive, "contributor_translator": both}

    def who(self, spec: tuple[Any, ...]) -> Any:
        if spec[0] == "user":
            return self.users[spec[1]]
        _kind, roles, agency, official = spec
        agency_id = self.agencies[agency].pk if agency < len(self.agencies) else None
        return visibility.Viewer("user", roles, official or bool(roles), agency_id)

    def make(self, spec: dict[str, Any], now: dt.datetime) -> Item:
        def when(days: int | None) -> dt.datetime | None:
            return None if days is None else now + dt.timedelta(days=days)

        item = Item.objects.create(
            kind="leaflet", agency=self.agencies[spec["agency"]], state=spec["state"], audience=spec["audience"],
            classification=spec["classification"], valid_from=when(spec["valid_from"]),
            valid_until=when(spec["valid_until"]), target_countries=spec["countries"],
            published_at=now if spec["state"] == State.PUBLISHED else None,
        )
        item.target_provinces.set([self.provinces[i] for i in spec["provinces"]])
        source = Variant.objects.create(item=item, language="vi", title="Nguồn", revision=spec["source_revision"],
                                        translation_state=TranslationState.REVIEWED)
        for lang, state, made_from in spec["translations"]:
            Variant.objects.create(item=item, language=lang, title=lang, source_variant=source,
                                   source_revision=made_from, translation_state=state)
        return item


@pytest.fixture
def pool(world: World) -> Pool:
    return Pool(world)


@PROPERTY
@given(items=st.lists(item_specs, min_size=1, max_size=5), viewers=st.lists(viewer_specs, min_size=1, max_size=4))
def test_the_python_check_and_the_queries_agree(pool: Pool, items: list[dict[str, Any]],
                                                 viewers: list[tuple[Any, ...]]) -> None:
    now = timezone.now()
    made = [pool.make(spec, now) for spec in items]
    ids = [i.pk for i in made]
    search.index_items(ids)
    loaded = list(Item.objects.filter(pk__in=ids).prefetch_related("variants", "target_provinces"))
    for spec in viewers:
        who = pool.who(spec)
        seen = {i.pk for i in loaded if visibility.can_see(who, i, now)}
        assert set(Item.objects.filter(visibility.items_q(who, now), pk__in=ids).values_list("pk", flat=True)) \
            == seen, spec
        if not isinstance(who, visibility.Viewer):
            assert {i.pk for i in loaded if perms.can_view(who, i)} == seen, spec
            assert set(perms.visible_items(who).filter(pk__in=ids).values_list("pk", flat=True)) == seen, spec
        # The language versions shown: Python, the Variant filter and the search documents say the same.
        shown = {v.pk for i in loaded if i.pk in seen for v in perms.shown_variants(who, i, list(i.variants.all()))}
        assert set(Variant.objects.filter(visibility.versions_q(who, now), item_id__in=ids)
                   .values_list("pk", flat=True)) == shown, spec
        assert set(SearchDocument.objects.filter(search.visibility_q(who, now), item_id__in=ids)
                   .values_list("variant_id", flat=True)) == shown, spec
    # A finished version is a finished version, whichever way it is asked.
    for item in loaded:
        variants = list(item.variants.all())
        source_revision = next(v.revision for v in variants if v.source_variant_id is None)
        ready = {v.pk for v in variants if perms.is_ready(v, source_revision)}
        assert set(Variant.objects.filter(perms.ready_variants_q(), item=item).values_list("pk", flat=True)) == ready


@PROPERTY
@given(items=st.lists(item_specs, min_size=1, max_size=5), nodes=st.lists(node_specs, min_size=1, max_size=4))
def test_a_sites_targeting_agrees_with_the_feed(pool: Pool, items: list[dict[str, Any]],
                                                  nodes: list[tuple[set[int], str, bool]]) -> None:
    now = timezone.now()
    ids = [pool.make(spec, now).pk for spec in items]
    loaded = list(Item.objects.filter(pk__in=ids).prefetch_related("target_provinces"))
    for provinces, country, officials in nodes:
        target = feed.Target(frozenset(pool.provinces[i].pk for i in provinces), country, frozenset({"vi"}),
                             officials)
        wanted = {i.pk for i in loaded if feed.wants(target, i, now)}
        assert set(Item.objects.filter(feed.wanted_q(target, now), pk__in=ids).values_list("pk", flat=True)) \
            == wanted
        # What the feed sends a site is live, targeted at it, and public unless the site is officials'.
        for item in loaded:
            expected = (
                perms.is_live(item, now)
                and (officials or (item.audience == Audience.PUBLIC and item.classification == Classification.PUBLIC))
                and (not item.target_provinces.all() or bool({p.pk for p in item.target_provinces.all()}
                                                             & target.provinces))
                and (not item.target_countries or country in item.target_countries)
            )
            assert (item.pk in wanted) is expected


def test_a_node_is_no_person_and_a_person_no_node(world: World) -> None:
    """Rows for people never admit a site and rows for sites never a person: deny by default."""
    node = visibility.Viewer.of_node({world.gia_lai.pk}, "LA", officials=True)
    person = visibility.Viewer.of_user(world.appraiser)
    assert all(r.who.kinds == visibility.SITES for r in visibility.RULES if r.who.admits(node))
    assert all(r.who.kinds == visibility.PEOPLE for r in visibility.RULES if r.who.admits(person))
    assert visibility.Viewer.of_user(None) == visibility.Viewer.of_user(AnonymousUser()) == visibility.Viewer.public()


def test_internal_material_is_for_officials_even_with_a_public_audience(world: World) -> None:
    """"Lưu hành nội bộ" material is kept off the hub's open pages, API and search as it is kept off a site's
    public screens; officials see it once it is live."""
    from django.test import Client

    from ..conftest import advance, make_item

    item = advance(world, make_item(world, title="Tài liệu lưu hành nội bộ", classification="internal"),
                   State.PUBLISHED)
    assert item.audience == Audience.PUBLIC and item.classification == Classification.INTERNAL
    assert not perms.can_view(AnonymousUser(), item)
    assert not perms.visible_items(None).filter(pk=item.pk).exists()
    assert perms.can_view(world.reader, item) and perms.visible_items(world.reader).filter(pk=item.pk).exists()
    anonymous = Client()
    assert anonymous.get(f"/items/{item.uid}/").status_code == 404
    assert str(item.uid) not in anonymous.get("/api/v1/items").content.decode()
    assert str(item.uid) not in anonymous.get("/api/v1/search", {"q": "lưu hành nội bộ"}).content.decode()
