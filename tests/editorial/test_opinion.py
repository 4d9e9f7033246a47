"""The appraisal opinion, through its form: every criterion marked, a failed one needs a note and blocks
approval, a return carries the comment and the failed notes to the contributor; shown in the history,
printable, as DOCX; the checklist is the operator's to edit in the admin."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ttdn.content.models import Item, State
from ttdn.core.models import AuditEntry
from ttdn.editorial.models import Criterion, Opinion
from ttdn.notices.models import Notice

from ..conftest import World, advance, make_item
from ..conftest import opinion_marks as marks
from ..content.test_views import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_appraisal(world: World) -> Item:
    return advance(world, make_item(world), State.IN_APPRAISAL)


def url(item: Item) -> str:
    return reverse("editorial:appraise", args=[item.uid])


def test_the_checklist_is_seeded() -> None:
    codes = list(Criterion.objects.values_list("code", flat=True))
    assert codes == ["facts", "sovereignty", "sensitivity", "sources"]
    assert Criterion.objects.get(code="sovereignty").name == "Bản đồ, chủ quyền, biên giới lãnh thổ"


def test_approve_with_every_criterion_passed(world: World, in_appraisal: Item, client: Client) -> None:
    login(client, world.appraiser)
    page = client.get(url(in_appraisal))
    assert page.status_code == 200
    text = page.content.decode()
    for c in Criterion.objects.all():
        assert c.name in text
    response = client.post(url(in_appraisal), {**marks(), "comment": "Tài liệu tốt.", "decision": "approve"})
    assert response.status_code == 302
    in_appraisal.refresh_from_db()
    assert in_appraisal.state == State.APPROVED
    opinion = Opinion.objects.get(item=in_appraisal)
    assert opinion.decision == "approve" and opinion.comment == "Tài liệu tốt."
    assert opinion.transition.to_state == State.APPROVED and opinion.transition.actor == world.appraiser
    assert [c.passed for c in opinion.checks.all()] == [True] * 4
    assert AuditEntry.objects.filter(action="editorial.opinion.record", object_id=str(opinion.pk)).exists()
    assert AuditEntry.objects.filter(action="content.item.approve", object_id=str(in_appraisal.pk)).exists()
    # The history shows it; it prints; it downloads as a Decree 30 document.
    detail = client.get(reverse("content:item_detail", args=[in_appraisal.uid])).content.decode()
    assert 'data-testid="opinion"' in detail and "Tài liệu tốt." in detail
    printed = client.get(reverse("editorial:opinion", args=[opinion.pk]))
    assert printed.status_code == 200
    assert "Bản đồ, chủ quyền, biên giới lãnh thổ" in printed.content.decode()
    assert "@media print" in printed.content.decode()
    docx = client.get(reverse("editorial:opinion_docx", args=[opinion.pk]))
    assert docx.status_code == 200 and docx["Content-Disposition"].startswith("attachment")
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "Ý KIẾN THẨM ĐỊNH" in xml and "Tính chính xác của thông tin, số liệu" in xml and "Đạt" in xml
    # The plain approve button is gone: approving goes through the opinion.
    assert 'data-testid="action-approve"' not in client.get(
        reverse("content:item_detail", args=[advance(world, make_item(world), State.IN_APPRAISAL).uid])
    ).content.decode()


def test_a_failed_criterion_cannot_be_approved(world: World, in_appraisal: Item, client: Client) -> None:
    login(client, world.appraiser)
    data = {**marks(sovereignty="Bản đồ thiếu quần đảo Trường Sa."), "decision": "approve"}
    response = client.post(url(in_appraisal), data)
    assert response.status_code == 409
    assert "cannot be approved" in response.content.decode() or "không thể phê duyệt" in response.content.decode()
    in_appraisal.refresh_from_db()
    assert in_appraisal.state == State.IN_APPRAISAL
    assert not Opinion.objects.exists()
    # The same opinion returns it, and the contributor reads the note as the reason.
    response = client.post(url(in_appraisal), {**data, "decision": "return"})
    assert response.status_code == 302
    in_appraisal.refresh_from_db()
    assert in_appraisal.state == State.RETURNED
    opinion = Opinion.objects.get()
    failed = [c for c in opinion.checks.all() if not c.passed]
    assert [c.criterion.code for c in failed] == ["sovereignty"]
    assert "Bản đồ thiếu quần đảo Trường Sa." in opinion.transition.reason
    notice = Notice.objects.get(recipient=world.contributor, kind="content.returned")
    assert "Bản đồ thiếu quần đảo Trường Sa." in notice.params["reason"]


@pytest.mark.parametrize("case", ["unmarked", "failed_without_note", "return_without_anything"])
def test_an_incomplete_opinion_is_refused_with_nothing_written(
    world: World, in_appraisal: Item, client: Client, case: str
) -> None:
    login(client, world.appraiser)
    data: dict[str, Any] = marks()
    first = Criterion.objects.get(code="facts")
    decision = "approve"
    if case == "unmarked":
        del data[f"criterion_{first.pk}"]
    elif case == "failed_without_note":
        data[f"criterion_{first.pk}"] = "fail"
        decision = "return"
    else:
        decision = "return"
    response = client.post(url(in_appraisal), {**data, "decision": decision})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    in_appraisal.refresh_from_db()
    assert in_appraisal.state == State.IN_APPRAISAL
    assert not Opinion.objects.exists()


def test_only_an_appraiser_in_appraisal_records_an_opinion(world: World, client: Client) -> None:
    item = advance(world, make_item(world), State.SUBMITTED)
    login(client, world.appraiser)
    assert client.get(url(item)).status_code == 403  # not yet taken into appraisal
    item = advance(world, item, State.IN_APPRAISAL)
    login(client, world.publisher)
    assert client.get(url(item)).status_code == 403
    assert client.post(url(item), {**marks(), "decision": "approve"}).status_code == 403
    item.refresh_from_db()
    assert item.state == State.IN_APPRAISAL
    login(client, world.contributor_dl)
    assert client.get(url(item)).status_code == 404  # another agency's material is not theirs to see


def test_the_operator_edits_the_checklist_in_the_admin(world: World, in_appraisal: Item, client: Client) -> None:
    login(client, world.operator)
    added = client.post(reverse("admin:editorial_criterion_add"), {
        "code": "language", "name": "Chất lượng ngôn ngữ", "name_en": "Language quality", "guidance": "",
        "position": "50", "active": "on"})
    assert added.status_code == 302, added.content.decode()[:2000]
    facts = Criterion.objects.get(code="facts")
    changed = client.post(reverse("admin:editorial_criterion_change", args=[facts.pk]), {
        "code": "facts", "name": facts.name, "name_en": facts.name_en, "guidance": facts.guidance,
        "position": "0"})  # "asked" unticked: retired
    assert changed.status_code == 302
    assert AuditEntry.objects.filter(action="editorial.criterion.create").exists()
    client = login(Client(), world.appraiser)  # a fresh session: the admin's flash message stays behind
    form = client.get(url(in_appraisal)).content.decode()
    assert "Chất lượng ngôn ngữ" in form and "Tính chính xác của thông tin, số liệu" not in form
    assert client.post(url(in_appraisal), {**marks(), "decision": "approve"}).status_code == 302
    assert [c.criterion_name for c in Opinion.objects.get().checks.all()] == [
        "Bản đồ, chủ quyền, biên giới lãnh thổ", "Vấn đề dân tộc, tôn giáo nhạy cảm", "Nguồn tin và quyền tác giả",
        "Chất lượng ngôn ngữ"]


def test_the_pages_in_english(world: World, in_appraisal: Item, client: Client) -> None:
    client.cookies["django_language"] = "en"
    login(client, world.appraiser)
    form = client.get(url(in_appraisal), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Maps and sovereignty" in form and "Passed" in form and "Return for changes" in form
    client.post(url(in_appraisal), {**marks(), "decision": "approve"}, HTTP_ACCEPT_LANGUAGE="en")
    opinion = Opinion.objects.get()
    printed = client.get(reverse("editorial:opinion", args=[opinion.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Appraisal opinion" in printed and "Conclusion" in printed
    login(client, world.publisher)
    notices = client.get(reverse("notices:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 unread notice." in notices and "ready to be published" in notices
    assert "Notices: 1 unread" in notices
    settings_page = client.get(reverse("notices:preferences"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Also send me my notices by e-mail" in settings_page
    schedule = client.get(reverse("editorial:schedule", args=[in_appraisal.uid]), HTTP_ACCEPT_LANGUAGE="en")
    assert schedule.status_code == 200 and "Date (dd/mm/yyyy)" in schedule.content.decode()
