"""Importing the agency tree and the border sites from records: all or nothing, idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ttdn.accounts.models import Agency
from ttdn.accounts.services import do_import_agencies
from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.places.models import BorderSite
from ttdn.places.services import do_import_border_sites

from ..conftest import World

pytestmark = pytest.mark.django_db

ROWS = [
    {"code": "gl-ubnd", "name": "Ủy ban nhân dân tỉnh Gia Lai", "kind": "provincial_pc", "province": "Gia Lai"},
    {"code": "gl-stttt", "name": "Sở Thông tin và Truyền thông tỉnh Gia Lai", "kind": "department",
     "parent": "gl-ubnd", "province": "Gia Lai", "valid_to": "2025-03-01", "successor": "gl-svhttdl"},
    {"code": "gl-svhttdl", "name": "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai", "kind": "department",
     "parent": "gl-ubnd", "province": "Gia Lai"},
    {"code": "gl-ubnd-ducco", "name": "Ủy ban nhân dân huyện Đức Cơ", "kind": "district_pc", "parent": "gl-ubnd",
     "province": "Gia Lai", "admin_unit": {"level": "district", "name": "Đức Cơ", "era": "old"},
     "valid_to": "2025-07-01"},
    {"code": "bd-ubnd", "name": "Ủy ban nhân dân tỉnh Bình Định", "kind": "provincial_pc", "province": "Bình Định",
     "valid_to": "2025-07-01", "successor": "gl-ubnd"},
]


def test_import_builds_the_tree_with_history(db: object) -> None:
    saved = do_import_agencies(None, ROWS)
    assert saved["gl-stttt"].successor == saved["gl-svhttdl"]
    assert str(saved["gl-stttt"].valid_to) == "2025-03-01"
    assert saved["gl-svhttdl"].parent == saved["gl-ubnd"]
    ducco = saved["gl-ubnd-ducco"]
    assert ducco.admin_unit is not None and ducco.admin_unit.short_name == "Đức Cơ"
    assert ducco.admin_unit.level == "district"
    # An old province name resolves to the province that continues it.
    assert saved["bd-ubnd"].province is not None and saved["bd-ubnd"].province.short_name == "Gia Lai"
    count = Agency.objects.count()
    do_import_agencies(None, ROWS)
    assert Agency.objects.count() == count


@pytest.mark.parametrize(
    "rows",
    [
        [{"code": "a", "name": "A", "kind": "department", "parent": "b"},
         {"code": "b", "name": "B", "kind": "department", "parent": "a"}],
        [{"code": "a", "name": "A", "kind": "department", "parent": "nowhere"}],
        [{"code": "a", "name": "A", "kind": "department"}, {"code": "a", "name": "A2", "kind": "department"}],
        [{"code": "a", "name": "A", "kind": "department"}, {"code": "b", "name": "B", "kind": "spaceship"}],
        [{"code": "a", "name": "A", "kind": "department", "province": "Atlantis"}],
        [{"code": "a", "name": "A", "kind": "department", "successor": "ghost"}],
    ],
    ids=["loop", "unknown-parent", "duplicate-code", "bad-kind", "unknown-province", "unknown-successor"],
)
def test_bad_records_leave_nothing(db: object, rows: list[dict[str, object]]) -> None:
    before = Agency.objects.count()
    with pytest.raises(ServiceError):
        do_import_agencies(None, rows)
    assert Agency.objects.count() == before


def test_only_operators_import(world: World) -> None:
    with pytest.raises(PermissionDenied):
        do_import_agencies(world.agency_admin, ROWS)


def test_commands_read_files_and_report_bad_ones(db: object, tmp_path: Path) -> None:
    good = tmp_path / "agencies.json"
    good.write_text(json.dumps(ROWS, ensure_ascii=False), encoding="utf-8")
    call_command("load_agencies", str(good))
    assert Agency.objects.filter(code="gl-svhttdl").exists()
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_agencies", str(broken))
    sites = tmp_path / "sites.json"
    sites.write_text(json.dumps([{"code": "cua-khau-le-thanh", "name": "Cửa khẩu Quốc tế Lệ Thanh",
                                  "kind": "gate_international", "province": "Gia Lai", "commune": "Ia Dom",
                                  "neighbour_country": "KH", "languages": ["vi", "km", "en", "jra"]}],
                                ensure_ascii=False), encoding="utf-8")
    call_command("load_sites", str(sites))
    site = BorderSite.objects.get(code="cua-khau-le-thanh")
    assert site.province.short_name == "Gia Lai" and site.languages == ["vi", "km", "en", "jra"]
    assert site.admin_unit is not None and site.admin_unit.short_name == "Ia Dom"


def test_bad_site_leaves_nothing(db: object) -> None:
    with pytest.raises(ServiceError):
        do_import_border_sites(None, [
            {"code": "ok-site", "name": "Đồn A", "kind": "border_post", "province": "Gia Lai"},
            {"code": "bad-site", "name": "Đồn B", "kind": "border_post", "province": "Gia Lai",
             "languages": ["xx-unknown"]},
        ])
    assert not BorderSite.objects.filter(code="ok-site").exists()
