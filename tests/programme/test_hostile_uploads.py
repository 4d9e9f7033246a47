"""Every file comes in one way: evidence goes through the same sniffing, limits, state-secret screen and blob
store as material; hostile plan files get a clear 400 on the web and a one-line error in `ttdn import-plan`;
nothing is half-written; uploads are staged once; files are served under the name of their detected type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from ttdn.content import ingest
from ttdn.content import services as content
from ttdn.content.models import Asset, Attachment
from ttdn.core.errors import Conflict, ServiceError
from ttdn.programme import services
from ttdn.programme.models import Evidence, PlanDraft, ProgressUpdate

from .. import hostile
from ..conftest import World, make_item
from .conftest import PW

pytestmark = pytest.mark.django_db

SECRET_DOCX = hostile.docx_bytes("BÁO CÁO KẾT QUẢ\nTUYỆT MẬT\nSố liệu tuần tra đường biên.")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _blobs() -> set[Path]:
    root = Path(settings.BLOB_DIR)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


# ------------------------------------------------------------------------------------------ evidence


def test_evidence_with_a_state_secret_mark_is_refused_and_nothing_is_kept(pw: PW, tmp_path: Path) -> None:
    task = pw.plan.tasks.get(key="II.1.b")
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(SECRET_DOCX)
    counts = (ProgressUpdate.objects.count(), Evidence.objects.count(), Asset.objects.count())
    blobs = _blobs()
    with pytest.raises(ServiceError) as refused:
        services.do_add_progress(pw.reporter_bgc, task, "Đã tuần tra", files=[(path, "bao-cao.docx")])
    assert refused.value.code == "state_secret_refused"
    assert (ProgressUpdate.objects.count(), Evidence.objects.count(), Asset.objects.count()) == counts
    assert _blobs() == blobs


def test_evidence_form_refuses_a_secret_file_with_a_400_in_vietnamese(pw: PW) -> None:
    task = pw.plan.tasks.get(key="II.1.b")
    upload = SimpleUploadedFile("bao-cao.docx", SECRET_DOCX)
    response = client_for(pw.reporter_bgc).post(
        f"/plans/{pw.plan.pk}/tasks/{task.pk}/", {"text": "Đã tuần tra", "evidence": upload})
    assert response.status_code == 400
    assert "MẬT" in response.content.decode()
    assert not ProgressUpdate.objects.filter(task=task).exists()


def test_evidence_is_named_by_its_detected_type(pw: PW, tmp_path: Path) -> None:
    task = pw.plan.tasks.get(key="II.1.b")
    path = tmp_path / "x"
    path.write_bytes(hostile.image_bytes("PNG"))
    update = services.do_add_progress(pw.reporter_bgc, task, "Ảnh hiện trường", files=[(path, "run.exe")])
    evidence = update.evidence.get()
    assert evidence.filename == "run.png" and evidence.asset.mime_type == "image/png"


def test_evidence_pdf_with_javascript_is_refused(pw: PW, tmp_path: Path) -> None:
    task = pw.plan.tasks.get(key="II.1.b")
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(hostile.pdf_open_action_js())
    with pytest.raises(ServiceError) as refused:
        services.do_add_progress(pw.reporter_bgc, task, "Báo cáo", files=[(path, "bao-cao.pdf")])
    assert refused.value.code == "upload_active_content"
    assert not ProgressUpdate.objects.filter(task=task).exists()


def test_reused_content_is_screened_again(pw: PW, tmp_path: Path) -> None:
    """A file stored before evidence was screened (its text holds a secret mark) is refused when reused."""
    path = tmp_path / "cu.pdf"
    path.write_bytes(hostile.plain_pdf())
    Asset.objects.create(sha256=ingest.file_sha256(path), size=path.stat().st_size, mime_type="application/pdf",
                         file_kind="pdf", extracted_text="TỐI MẬT\nSố liệu")
    task = pw.plan.tasks.get(key="II.1.b")
    with pytest.raises(ServiceError) as refused:
        services.do_add_progress(pw.reporter_bgc, task, "Báo cáo", files=[(path, "cu.pdf")])
    assert refused.value.code == "state_secret_refused"


# -------------------------------------------------------------------------------------- plan import

HOSTILE_PLANS = {
    "lying-header.docx": lambda: hostile.docx_with(hostile.lying_member("word/document.xml")),
    "corrupt-zlib.docx": hostile.corrupt_deflate_docx,
    "nested-3000.docx": lambda: hostile.docx_with(hostile.nested_tables_xml(3000)),
    "billion-laughs.docx": lambda: hostile.docx_with(hostile.billion_laughs_xml()),
    "malformed-xml.docx": lambda: hostile.docx_with(b"<w:document><w:body><w:p>"),
    "javascript.pdf": hostile.pdf_open_action_js,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PLANS))
def test_hostile_plan_upload_is_a_clear_400(pw: PW, name: str) -> None:
    upload = SimpleUploadedFile(name, HOSTILE_PLANS[name]())
    response = client_for(pw.manager).post("/plans/import/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert any(word in page for word in ("hỏng", "không phải", "quá", "mật khẩu", "không có lớp chữ")), page[-2000:]
    assert not PlanDraft.objects.exists()


@pytest.mark.parametrize("name", sorted(HOSTILE_PLANS))
def test_hostile_plan_file_is_a_one_line_error_in_the_cli(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE_PLANS[name]())
    with pytest.raises(CommandError) as caught:
        call_command("import_plan", str(path))
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message and "Traceback" not in message


# ----------------------------------------------------------------------------------------- material


def test_duplicate_is_recognised_by_its_hash_before_anything_is_decoded(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ttdn.content.files.probes import images

    variant = make_item(world).source_variant()
    assert variant is not None
    path = tmp_path / "anh.png"
    path.write_bytes(hostile.image_bytes("PNG", (400, 300)))
    content.do_attach_file(world.contributor, variant, path, "anh.png")
    # Were the image decoded again, this limit would refuse it as a bomb; the hash answers first.
    monkeypatch.setattr(images, "MAX_LOSSLESS_PIXELS", 10)
    with pytest.raises(Conflict):
        content.do_attach_file(world.contributor, variant, path, "anh.png")
    other = make_item(world, title="Tờ gấp khác").source_variant()
    assert other is not None
    again = content.do_attach_file(world.contributor, other, path, "ảnh lại.png")  # reused, not decoded
    assert again.asset_id == Attachment.objects.filter(variant=variant).get().asset_id


def test_known_content_under_a_name_of_another_kind_is_still_a_mismatch(world: World, tmp_path: Path) -> None:
    variant = make_item(world).source_variant()
    assert variant is not None
    path = tmp_path / "anh.png"
    path.write_bytes(hostile.image_bytes("PNG"))
    content.do_attach_file(world.contributor, variant, path, "anh.png")
    other = make_item(world, title="Khác").source_variant()
    with pytest.raises(ServiceError) as refused:
        content.do_attach_file(world.contributor, other, path, "bao-cao.pdf")  # type: ignore[arg-type]
    assert refused.value.code == "upload_type_mismatch"


def test_a_large_upload_is_used_where_django_staged_it(world: World) -> None:
    upload = TemporaryUploadedFile("anh.png", "image/png", 0, None)
    upload.write(hostile.image_bytes("PNG"))
    upload.flush()
    staging = Path(settings.UPLOAD_STAGING_DIR)
    before = set(staging.iterdir())
    with ingest.stage_upload(upload) as path:
        assert path == Path(upload.temporary_file_path())
        assert set(staging.iterdir()) - before <= {path}  # no second copy
    upload.close()


def test_a_small_upload_is_written_once_and_removed(world: World) -> None:
    upload = SimpleUploadedFile("anh.png", hostile.image_bytes("PNG"))
    staging = Path(settings.UPLOAD_STAGING_DIR)
    before = set(staging.iterdir())
    with ingest.stage_upload(upload) as path:
        assert set(staging.iterdir()) - before == {path}
        assert path.read_bytes() == hostile.image_bytes("PNG")
    assert set(staging.iterdir()) == before


def test_files_are_served_by_their_detected_type_as_untrusted(world: World, tmp_path: Path) -> None:
    from ttdn.content.models import State

    from ..conftest import advance

    item = make_item(world)
    variant = item.source_variant()
    assert variant is not None
    path = tmp_path / "x"
    path.write_bytes(hostile.png_html_polyglot())
    attachment = content.do_attach_file(world.contributor, variant, path, "report.html")
    assert attachment.filename == "report.png"
    # A row kept before names were corrected is served under the corrected name too.
    Attachment.objects.filter(pk=attachment.pk).update(filename="report.html")
    advance(world, item, State.PUBLISHED)
    response = Client().get(f"/files/{attachment.asset.sha256}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "report.png" in response["Content-Disposition"] and "html" not in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == path.read_bytes()  # type: ignore[attr-defined]


def test_pages_carry_a_policy_without_inline_script(world: World) -> None:
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"


def test_page_templates_hold_no_inline_script_or_event_handler() -> None:
    import re

    root = Path(__file__).resolve().parents[2] / "src" / "ttdn"
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1) and 'type="application/json"' not in match.group(1):
                offenders.append(f"{template}: {match.group(0)}")
        if re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=\s*[\"']|\bhx-on\b|hx-on:|javascript:", text):
            offenders.append(f"{template}: inline handler")
    assert offenders == []


def test_a_plan_with_a_state_secret_mark_is_refused_and_no_draft_is_kept(pw: PW) -> None:
    text = hostile.PLAN_TEXT.replace("KẾ HOẠCH\n", "TỐI MẬT\nKẾ HOẠCH\n")
    upload = SimpleUploadedFile("ke-hoach.docx", hostile.docx_bytes(text))
    response = client_for(pw.manager).post("/plans/import/", {"file": upload})
    assert response.status_code == 400
    assert "TỐI MẬT" in response.content.decode()
    assert not PlanDraft.objects.exists()


def test_a_pdf_is_served_inline_without_a_policy_that_would_block_the_viewer(world: World, tmp_path: Path) -> None:
    from ttdn.content.models import State

    from ..conftest import advance

    item = make_item(world)
    variant = item.source_variant()
    assert variant is not None
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(hostile.plain_pdf())
    attachment = content.do_attach_file(world.contributor, variant, path, "bao-cao.pdf")
    advance(world, item, State.PUBLISHED)
    response = Client().get(f"/files/{attachment.asset.sha256}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "Content-Security-Policy" not in response


def test_evidence_sent_through_the_form_is_served_to_those_who_see_the_plan(pw: PW) -> None:
    """The task page links each evidence file to the plan's own file view (material files are served by
    content, which knows nothing of plans: those links used to end on a 404)."""
    task = pw.plan.tasks.get(key="II.1.b")
    photo = hostile.image_bytes("PNG")
    reporter = client_for(pw.reporter_bgc)
    sent = reporter.post(f"/plans/{pw.plan.pk}/tasks/{task.pk}/",
                         {"text": "Ảnh buổi tuyên truyền", "evidence": SimpleUploadedFile("anh.png", photo)})
    assert sent.status_code == 302
    evidence = Evidence.objects.get(update__task=task)
    page = reporter.get(f"/plans/{pw.plan.pk}/tasks/{task.pk}/").content.decode()
    link = f"/plans/{pw.plan.pk}/evidence/{evidence.pk}/"
    assert f'href="{link}"' in page
    served = reporter.get(link)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == photo  # type: ignore[attr-defined]
    assert served["X-Content-Type-Options"] == "nosniff"
    # Not as material, and not to someone outside the plan, nor under another plan's address.
    assert reporter.get(f"/files/{evidence.asset.sha256}/").status_code == 404
    outsider = client_for(pw.reporter_dl)
    assert outsider.get(link).status_code in (403, 404)
    assert reporter.get(f"/plans/{pw.plan.pk}/evidence/{evidence.pk + 1000}/").status_code == 404
