"""Create the gold items through the content services, as people would: a contributor writes the item and
its translations, an appraiser reviews the translations and approves, a publisher publishes.

One set of users serves every item and the whole load runs in one transaction. The change announcements of
the load are gathered and made once at the end, inside that transaction, so the search index (and any other
listener) sees every item in its final state and indexes it once instead of at each of its ten steps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from unittest import mock

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role, User
from ttdn.content import changes
from ttdn.content import services as content
from ttdn.content.models import Item, Topic, TranslationState, Variant
from ttdn.core.transactions import bulk_load
from ttdn.editorial import services as editorial
from ttdn.places.models import AdminUnit, UnitLevel

HERE = Path(__file__).resolve().parent


@dataclass
class GoldUsers:
    contributor: User
    appraiser: User
    publisher: User


def iter_items(path: Path | None = None) -> Iterator[dict[str, Any]]:
    with (path or HERE / "items.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def gold_users() -> GoldUsers:
    """The contributing agency (a provincial department) and the central office's appraiser and publisher."""
    found = User.objects.filter(username__in=["gold_contributor", "gold_appraiser", "gold_publisher"])
    by_name = {u.username: u for u in found}
    if len(by_name) == 3:
        return GoldUsers(by_name["gold_contributor"], by_name["gold_appraiser"], by_name["gold_publisher"])
    central = accounts.do_save_agency(None, accounts.AgencyData(
        code="gold-central", name="Cục Thông tin cơ sở và Thông tin đối ngoại (bộ kiểm thử tìm kiếm)",
        kind="central_office",
        is_central=True))
    dept = accounts.do_save_agency(None, accounts.AgencyData(
        code="gold-dept", name="Sở Văn hóa, Thể thao và Du lịch (bộ kiểm thử tìm kiếm)", kind="department"))

    def user(name: str, agency: Any, role: str) -> User:
        made = accounts.do_create_user(None, name, None, agency=agency, full_name=name.replace("_", " ").title())
        accounts.do_grant_role(None, made, role, "")
        return made

    return GoldUsers(user("gold_contributor", dept, Role.CONTRIBUTOR), user("gold_appraiser", central, Role.APPRAISER),
                     user("gold_publisher", central, Role.PUBLISHER))


def _ensure_topics(codes: set[str]) -> None:
    missing = codes - set(Topic.objects.filter(code__in=codes).values_list("code", flat=True))
    if not missing:
        return
    rows = json.loads(resources.files("ttdn.content.demo_data").joinpath("topics.json").read_text(encoding="utf-8"))
    names = {row["code"]: row for row in rows}
    for code in sorted(missing):
        row = names[code]
        content.do_save_topic(None, code, row["name"], row.get("name_en", ""), row.get("description", ""))


@contextmanager
def _one_announcement() -> Iterator[None]:
    real = changes.notify
    changed: set[int] = set()
    with mock.patch.object(changes, "notify", lambda ids: changed.update(ids)):
        yield
    real(changed)


def load_gold(users: GoldUsers | None = None, path: Path | None = None,
              progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Create and publish every gold item; return item key → item id."""
    rows = list(iter_items(path))
    with bulk_load(), _one_announcement():
        users = users or gold_users()
        _ensure_topics({code for row in rows for code in row["topics"]})
        provinces = {
            unit.short_name: unit.pk
            for unit in AdminUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True)
        }
        ids: dict[str, int] = {}
        for n, row in enumerate(rows, start=1):
            item = _create(users, row, provinces)
            ids[row["key"]] = item.pk
            if progress and n % 50 == 0:
                progress(n)
    return ids


def _create(users: GoldUsers, row: dict[str, Any], provinces: dict[str, int]) -> Item:
    source, *translations = row["variants"]
    item = content.do_create_item(users.contributor, content.ItemData(
        kind=row["kind"],
        title=source["title"],
        summary=source["summary"],
        body=source["body"],
        language=row["source_language"],
        topics=row["topics"],
        target_provinces=[provinces[name] for name in row["provinces"]],
        target_countries=row["countries"],
        no_state_secrets=True,
    ))
    # The contributing agency sends its translations with the material; the appraiser reviews them.
    for v in translations:
        content.do_save_variant(users.contributor, item, v["language"], v["title"], v["summary"], v["body"])
    content.do_transition(users.contributor, item, "submit")
    content.do_transition(users.appraiser, item, "start_appraisal")
    for variant in Variant.objects.filter(item=item, source_variant__isnull=False).select_related(
        "item", "source_variant"
    ):
        content.do_set_translation_state(users.appraiser, variant, TranslationState.REVIEWED)
    checks: dict[int, tuple[bool | None, str]] = {c.pk: (True, "") for c in editorial.asked_criteria()}
    editorial.do_appraise(users.appraiser, item, editorial.OpinionData("approve", checks))
    content.do_transition(users.publisher, item, "publish")
    return item
