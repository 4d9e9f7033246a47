"""`ttdn demo` builds a realistic hub through the services, and a second run changes nothing."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from ttdn.accounts.models import Agency, AgencyKind, Role, RoleGrant, User
from ttdn.content import permissions as perms
from ttdn.content.demo import demo_code
from ttdn.content.models import Asset, Item, State, Tombstone, Variant
from ttdn.core.models import AuditEntry
from ttdn.core.transactions import bulk_load
from ttdn.places.models import BorderSite, SiteKind

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo hub, built once for the module's tests (each runs in its own savepoint inside it) and
    rolled back after them: building it takes most of these tests' time."""
    with django_db_blocker.unblock(), bulk_load():
        out = io.StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(built_demo: str, db: object) -> str:
    return built_demo


def test_demo_builds_a_realistic_hub(demo: str) -> None:
    assert Item.objects.count() >= 30
    states = set(Item.objects.values_list("state", flat=True))
    assert states == set(State.values)
    languages = set(Variant.objects.values_list("language", flat=True))
    assert {"vi", "en", "lo", "km", "zh-Hans"} <= languages
    assert len(languages & {"jra", "bdq", "rad", "hnj", "blt"}) >= 2
    # Every role has a demo account.
    assert set(RoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    # The seeds' places.
    names = " | ".join(BorderSite.objects.values_list("name", flat=True))
    assert "Lệ Thanh" in names and "Pleiku" in names
    assert BorderSite.objects.filter(kind=SiteKind.BORDER_POST, province__short_name="Gia Lai").count() >= 8
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert {AgencyKind.CENTRAL_OFFICE, AgencyKind.PROVINCIAL_PC, AgencyKind.DEPARTMENT,
            AgencyKind.BORDER_GUARD_COMMAND, AgencyKind.BORDER_POST, AgencyKind.DISTRICT_PC} <= kinds
    # Withdrawn and expired material left tombstones; published material is visible to the public.
    assert Tombstone.objects.filter(reason_state=State.WITHDRAWN).exists()
    assert Tombstone.objects.filter(reason_state=State.EXPIRED).exists()
    assert perms.visible_items(None).count() >= 10
    assert Asset.objects.exists()
    # Some translations went stale when their source was revised.
    assert any(v.is_stale for v in Variant.objects.select_related("source_variant").exclude(source_variant=None))
    # Everything was written through the services.
    assert AuditEntry.objects.filter(action="content.item.publish").count() >= 10
    for text in Variant.objects.values_list("title", flat=True):
        assert unicodedata.is_normalized("NFC", text)
    assert "TTDN-demo-2026" in demo


def test_demo_is_idempotent(demo: str) -> None:
    counts = (Item.objects.count(), Agency.objects.count(), User.objects.count(), BorderSite.objects.count())
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert (Item.objects.count(), Agency.objects.count(), User.objects.count(), BorderSite.objects.count()) == counts


def test_demo_code_only_for_demo_accounts(demo: str) -> None:
    appraiser = RoleGrant.objects.filter(role=Role.APPRAISER).first()
    assert appraiser is not None
    assert len(demo_code(appraiser.user.username)) == 6
    contributor = RoleGrant.objects.filter(role=Role.CONTRIBUTOR).first()
    assert contributor is not None
    with pytest.raises(LookupError):
        demo_code(contributor.user.username)


def test_the_central_office_is_named_as_since_decree_43_2025(demo: str) -> None:
    central = Agency.objects.get(is_central=True, kind=AgencyKind.CENTRAL_OFFICE, valid_to__isnull=True)
    assert central.name == "Cục Thông tin cơ sở và Thông tin đối ngoại, Bộ Văn hóa, Thể thao và Du lịch"
    assert central.name_en.startswith("Department of Grassroots Information and Foreign Information")
    assert not Agency.objects.filter(name__contains="Hợp tác quốc tế").exists()


def test_demo_has_a_working_translation_desk(demo: str, client: Any) -> None:
    """Jobs in every state on real material, a reviewed Lao version public, memory and glossary to suggest from."""
    from django.urls import reverse

    from tests.content.test_views import login
    from ttdn.content.models import TranslationState
    from ttdn.translation import demo as desk_demo
    from ttdn.translation import memory
    from ttdn.translation.models import Job, JobState, MemoryUnit, Term

    assert set(Job.objects.values_list("state", flat=True)) == set(JobState.values)
    assert "translation desk: 5 jobs" in demo
    approved = Job.objects.get(state=JobState.APPROVED)
    assert approved.language == "lo"
    lao = approved.item.variants.get(language="lo")
    assert perms.visible_items(None).filter(pk=approved.item_id).exists()
    assert lao.title == desk_demo.JOBS[0][4][desk_demo.CARRY_PAPERS]
    assert lao.translation_state == TranslationState.REVIEWED
    returned = Job.objects.get(state=JobState.RETURNED)
    assert returned.segments.exclude(comment="").count() == 1
    assert MemoryUnit.objects.filter(origin=f"job:{approved.pk}").count() == 4
    assert Term.objects.filter(source="vượt biên trái phép").exists()
    memory.forget()
    matches = memory.lookup("Không tự ý xê dịch mốc quốc giới.", "vi", "km")
    assert matches and matches[0].target == "កុំផ្លាស់ទីបង្គោលព្រំដែនដោយខ្លួនឯង។"
    # The desk's pages show it to the central editor.
    login(client, User.objects.get(username=desk_demo.EDITOR))
    board = client.get(reverse("translation:board")).content.decode()
    assert desk_demo.FLASH_FLOOD in board and 'data-state="translated"' in board
    assert client.get(reverse("translation:job", args=[returned.pk])).status_code == 200
