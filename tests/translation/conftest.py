from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ttdn.accounts.models import Role, User
from ttdn.content.models import Item, State
from ttdn.translation import memory

from ..conftest import World, _user, advance, make_item


@pytest.fixture(autouse=True)
def _fresh_memory_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Each test's database is rolled back; the in-process index must not outlive it, and within a test a unit
    # added is seen at the next look-up (the product waits up to FRESH_SECONDS).
    monkeypatch.setattr(memory, "FRESH_SECONDS", 0.0)
    memory.forget()
    yield
    memory.forget()


@dataclass
class Desk:
    world: World
    item: Item
    translator_km: User
    translator_lo2: User
    reviewer2: User


BODY = ("<p>Công dân vào khu vực biên giới phải mang theo giấy tờ tùy thân. Đồn Biên phòng kiểm tra giấy tờ tại "
        "cửa khẩu.</p><ul><li>Không xâm phạm mốc quốc giới số 42.</li><li>Gọi 069 2345 678 khi cần.</li></ul>")


def desk_for(world: World, state: str = State.PUBLISHED, **kw: Any) -> Desk:
    item = advance(world, make_item(world, title="Quy chế khu vực biên giới", body=kw.pop("body", BODY),
                                    summary="Điều cần biết.", **kw), state)
    return Desk(world, item,
                translator_km=_user("translator_km", world.central, (Role.TRANSLATOR, "km")),
                translator_lo2=_user("translator_lo2", world.central, (Role.TRANSLATOR, "lo")),
                reviewer2=_user("reviewer2", world.central, (Role.APPRAISER, "")))


@pytest.fixture
def desk(world: World) -> Desk:
    return desk_for(world)
