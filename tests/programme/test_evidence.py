"""Progress on a task with links to published material as evidence: only published material the reporter
may see can be linked, and a refused link leaves nothing behind."""

from __future__ import annotations

import uuid

import pytest

from ttdn.content.models import State
from ttdn.core.errors import ServiceError
from ttdn.programme import services
from ttdn.programme.models import ProgressUpdate

from ..conftest import advance, make_item
from .conftest import PW

pytestmark = pytest.mark.django_db


def test_published_material_is_linked_as_evidence(pw: PW) -> None:
    task = pw.plan.tasks.get(key="II.1.b")  # led by the border-guard command
    item = advance(pw.world, make_item(pw.world, title="Tờ gấp song ngữ Việt - Lào về cột mốc"), State.PUBLISHED)
    update = services.do_add_progress(pw.reporter_bgc, task, "Đã phát 2.000 tờ gấp tại các đồn biên phòng.",
                                      item_uids=[str(item.uid)])
    assert list(update.items.all()) == [item]
    assert update.agency == pw.world.gl_bgc


@pytest.mark.parametrize("which", ["draft", "withdrawn", "unknown", "malformed"])
def test_only_published_material_can_be_linked_and_nothing_is_kept(pw: PW, which: str) -> None:
    task = pw.plan.tasks.get(key="II.1.b")
    published = advance(pw.world, make_item(pw.world, title="Tài liệu đã xuất bản"), State.PUBLISHED)
    if which == "draft":
        uid = str(make_item(pw.world, title="Bản nháp").uid)
    elif which == "withdrawn":
        uid = str(advance(pw.world, make_item(pw.world, title="Tài liệu đã thu hồi"), State.WITHDRAWN).uid)
    elif which == "unknown":
        uid = str(uuid.uuid4())
    else:
        uid = "không-phải-mã"
    before = ProgressUpdate.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.do_add_progress(pw.reporter_bgc, task, "Báo cáo tiến độ", item_uids=[str(published.uid), uid])
    assert refused.value.status == 400
    assert "xuất bản" in str(refused.value.message) or "published" in str(refused.value.message)
    assert ProgressUpdate.objects.count() == before
