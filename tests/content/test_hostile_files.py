"""Hostile files against every reader: attachments (PDF, DOCX, images, audio, video), plan import (TXT, DOCX,
PDF) and ZIP-based imports (XLSX). Each must end in a clear refusal or a correct reading — never a crash, never
unbounded memory or time. Fixtures are generated (tests/hostile.py); memory is measured, not assumed.

No database: readers only need settings.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from ttdn.content import ingest
from ttdn.content.files import sniff, zips
from ttdn.content.files import text as doctext
from ttdn.content.files.probes import inspect_upload
from ttdn.content.files.sniff import FileKind
from ttdn.content.files.text import extract_text
from ttdn.content.files.thumbnails import make_thumbnail
from ttdn.core.errors import ServiceError
from ttdn.documents.plan_import import read_plan_file

from .. import hostile

MEDIA = Path(__file__).resolve().parent.parent / "fixtures" / "media"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def blob_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.BLOB_DIR = tmp_path / "blobs"
    return settings.BLOB_DIR


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def write(tmp_path: Path, data: bytes, name: str) -> Path:
    path = tmp_path / (name.replace("/", "_") or "unnamed")
    path.write_bytes(data)
    return path


def refusal(path: Path, name: str) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        inspect_upload(path, name)
    assert str(caught.value.message).strip(), "a refusal says why"
    return caught.value


def plan_refusal(path: Path, name: str) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        read_plan_file(path, name)
    assert str(caught.value.message).strip()
    return caught.value


class Peak:
    """Peak Python heap (tracemalloc) and wall time of a block."""

    def __enter__(self) -> Peak:
        tracemalloc.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.started
        self.mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()


def peak_rss_mb(code: str) -> dict[str, float]:
    """Run `code` in a fresh Django process; its peak resident memory (which counts what C libraries such as
    Pillow and zlib allocate, unlike tracemalloc) before and after, in MB."""
    script = (
        "import django, json, resource\n"
        "django.setup()\n"
        "from pathlib import Path\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        f"{code}\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'before': before, 'after': after, 'result': result}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- ZIP headers that lie


def test_lying_docx_is_refused_before_it_inflates_as_an_attachment(tmp_path: Path) -> None:
    """word/document.xml declares 1,000 bytes (with a CRC that matches them) and inflates to 1 GiB."""
    data = hostile.docx_with(hostile.lying_member("word/document.xml"))
    assert len(data) < 2 * 1024 * 1024
    path = write(tmp_path, data, "ke-hoach.docx")
    with Peak() as peak:
        error = refusal(path, "ke-hoach.docx")
    assert error.code == "upload_malformed"
    assert "Word document" in str(error.message)
    assert peak.mb < 16, f"{peak.mb:.0f} MB of heap to refuse a 1 GiB lie"
    assert peak.seconds < 5


def test_lying_docx_is_refused_by_plan_import(tmp_path: Path) -> None:
    path = write(tmp_path, hostile.docx_with(hostile.lying_member("word/document.xml")), "ke-hoach.docx")
    with Peak() as peak:
        error = plan_refusal(path, "ke-hoach.docx")
    assert error.code == "documents.corrupt"
    assert peak.mb < 16 and peak.seconds < 5


def test_lying_member_is_stopped_by_the_one_zip_check(tmp_path: Path) -> None:
    """The shared check itself: the lie is found whatever the member, before any reader opens the archive."""
    data = hostile.write_zip([hostile.deflated("[Content_Types].xml", b"<Types/>"),
                              hostile.lying_member("xl/worksheets/sheet1.xml")])
    with Peak() as peak, pytest.raises(zips.ZipProblem) as caught:
        zips.check_zip(io.BytesIO(data))
    assert caught.value.kind == "malformed" and "declared 1000" in caught.value.detail
    assert peak.mb < 16


def test_lying_docx_resident_memory_stays_bounded_in_a_fresh_process(tmp_path: Path) -> None:
    """Before the fix the hub grew by 2 GB here; now the whole refusal costs a few MB of resident memory."""
    path = write(tmp_path, hostile.docx_with(hostile.lying_member("word/document.xml")), "ke-hoach.docx")
    figures = peak_rss_mb(
        "from ttdn.content.files.probes import inspect_upload\n"
        "from ttdn.core.errors import ServiceError\n"
        "try:\n"
        f"    inspect_upload(Path({str(path)!r}), 'ke-hoach.docx'); result = 'accepted'\n"
        "except ServiceError as exc:\n"
        "    result = exc.code\n"
    )
    assert figures["result"] == "upload_malformed"
    assert figures["after"] - figures["before"] < 64, figures


def test_honest_bomb_declaring_one_gib_is_refused_from_the_directory(tmp_path: Path) -> None:
    raw, _ = hostile.zeros_stream(hostile.GIB)
    crc = 0
    block = b"<w:t>" + bytes(1024 * 1024 - 5)
    for _ in range(hostile.GIB // len(block)):
        crc = zlib.crc32(block, crc)
    member = hostile.Member("word/document.xml", raw, zipfile.ZIP_DEFLATED, crc, hostile.GIB)
    path = write(tmp_path, hostile.docx_with(member), "bomb.docx")
    with Peak() as peak:
        error = refusal(path, "bomb.docx")
    assert error.code == "upload_bomb"
    assert peak.seconds < 2
    assert plan_refusal(path, "bomb.docx").code == "documents.too_large"


def test_total_inflated_bytes_are_capped_even_when_each_member_is_honest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sniff, "MAX_ZIP_UNCOMPRESSED", 200_000)
    extra = tuple(hostile.deflated(f"word/media/part{i}.bin", os.urandom(60_000)) for i in range(5))
    path = write(tmp_path, hostile.docx_with(hostile.docx_bytes(), extra=extra), "many.docx")
    error = refusal(path, "many.docx")
    assert error.code == "upload_bomb" and "MB" in str(error.message)


def test_member_count_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff, "MAX_ZIP_ENTRIES", 100)
    extra = tuple(hostile.deflated(f"word/x/{i}.xml", b"<a/>") for i in range(150))
    path = write(tmp_path, hostile.docx_with(hostile.docx_bytes(), extra=extra), "many.docx")
    assert refusal(path, "many.docx").code == "upload_bomb"
    assert plan_refusal(path, "many.docx").code == "documents.too_large"


def test_xlsx_import_goes_through_the_same_check(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["Nhiệm vụ", "Cơ quan chủ trì"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    good = write(tmp_path, buffer.getvalue(), "bang.xlsx")
    with zips.open_zip(good, sniff.zip_limits()) as archive:
        sheet = load_workbook(archive.fp, read_only=True).active  # type: ignore[arg-type]
        assert [c.value for c in next(sheet.iter_rows())] == ["Nhiệm vụ", "Cơ quan chủ trì"]  # type: ignore[union-attr]

    members = []
    with zipfile.ZipFile(good) as archive:
        for info in archive.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                members.append(hostile.lying_member(info.filename))
            else:
                members.append(hostile.deflated(info.filename, archive.read(info.filename)))
    bad = write(tmp_path, hostile.write_zip(members), "bom.xlsx")
    with Peak() as peak, pytest.raises(zips.ZipProblem):
        zips.open_zip(bad, sniff.zip_limits())
    assert peak.mb < 16


# ------------------------------------------------------------------------------ broken Word XML


@pytest.mark.parametrize(
    "xml",
    [
        pytest.param(b"<w:document><w:body><w:p>", id="malformed"),
        pytest.param(hostile.nested_tables_xml(3000), id="3000-nested-tables"),
        pytest.param(hostile.billion_laughs_xml(), id="billion-laughs"),
        pytest.param(hostile.external_entity_xml(), id="external-entity"),
    ],
)
def test_hostile_word_xml_is_refused_or_read_harmlessly(tmp_path: Path, xml: bytes) -> None:
    path = write(tmp_path, hostile.docx_with(xml), "ke-hoach.docx")
    with Peak() as peak:
        try:
            info = inspect_upload(path, "ke-hoach.docx")
        except ServiceError as exc:
            assert exc.code == "upload_malformed", exc.code
        else:
            text = extract_text(path, info)
            assert "lollol" not in text and "root:" not in text  # no entity was expanded or read
        try:
            read_plan_file(path, "ke-hoach.docx")
        except ServiceError as exc:
            assert exc.code in {"documents.corrupt", "documents.not_a_plan", "documents.empty"}, exc.code
    assert peak.mb < 64 and peak.seconds < 10


def test_corrupt_deflate_stream_in_a_docx(tmp_path: Path) -> None:
    path = write(tmp_path, hostile.corrupt_deflate_docx(), "hong.docx")
    assert refusal(path, "hong.docx").code == "upload_malformed"
    error = plan_refusal(path, "hong.docx")
    assert error.code == "documents.corrupt"
    assert "damaged" in str(error.message)


# ------------------------------------------------------------------------------------------- PDF


@pytest.mark.parametrize(
    "build",
    [hostile.pdf_open_action_js, hostile.pdf_hex_escaped_js, hostile.pdf_launch, hostile.pdf_embedded_file,
     hostile.pdf_js_in_object_stream],
    ids=["openaction-js", "hex-escaped-js", "launch", "embedded-file", "js-in-object-stream"],
)
def test_active_pdfs_are_refused(tmp_path: Path, build: object) -> None:
    path = write(tmp_path, build(), "bao-cao.pdf")  # type: ignore[operator]
    error = refusal(path, "bao-cao.pdf")
    assert error.code == "upload_active_content"
    assert "active content" in str(error.message)


def test_plain_pdf_and_one_that_opens_at_its_first_page_are_accepted(tmp_path: Path) -> None:
    for build in (hostile.plain_pdf, hostile.pdf_open_action_to_page):
        info = inspect_upload(write(tmp_path, build(), "bao-cao.pdf"), "bao-cao.pdf")
        assert info.kind == FileKind.PDF and info.page_count == 1


def test_pdf_of_200000_pages_is_refused_fast(tmp_path: Path) -> None:
    path = write(tmp_path, hostile.many_pages_pdf(200_000), "dai.pdf")
    with Peak() as peak:
        error = refusal(path, "dai.pdf")
    assert error.code == "upload_too_many_pages"
    assert "200000" in str(error.message) and "5000" in str(error.message)
    assert peak.seconds < 5
    with Peak() as peak:
        assert plan_refusal(path, "dai.pdf").code == "documents.too_large"
    assert peak.seconds < 5


def test_text_extraction_stops_at_its_time_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, hostile.many_pages_pdf(4000), "dai.pdf")
    started = time.monotonic()
    pages = doctext.pdf_page_texts(path, seconds=1e-6)  # spent after the first page, however fast the machine
    assert time.monotonic() - started < 3
    assert len(pages) < 4000  # stopped early, not read to the end


def test_plan_and_attachment_pdfs_in_parallel_threads_do_not_crash_pdfium(tmp_path: Path) -> None:
    """PDFium is not thread-safe: every reader goes through the text module's lock, so 12 threads reading plans,
    inspecting, extracting and thumbnailing at once all finish with the right answers."""
    from fpdf import FPDF

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(font))
    pdf.set_font("DejaVu", size=11)
    for _ in range(6):
        pdf.add_page()
        pdf.multi_cell(0, 6, text=hostile.PLAN_TEXT * 8)
    path = write(tmp_path, bytes(pdf.output()), "ke-hoach.pdf")
    errors: list[BaseException] = []
    results: list[str] = []

    def work(n: int) -> None:
        try:
            for _ in range(3):
                if n % 2:
                    results.append(read_plan_file(path, "ke-hoach.pdf"))
                else:
                    info = inspect_upload(path, "ke-hoach.pdf")
                    results.append(extract_text(path, info))
                    assert make_thumbnail(path, info)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(results) == 36 and all("biên giới" in r for r in results)


# ----------------------------------------------------------------------------------------- images


def test_pixel_bomb_png_is_refused_from_its_header(tmp_path: Path) -> None:
    data = hostile.png_pixel_bomb(8900)
    assert len(data) < 200_000
    path = write(tmp_path, data, "anh.png")
    error = refusal(path, "anh.png")
    assert error.code == "upload_bomb" and "8900×8900" in str(error.message) and "JPEG" in str(error.message)
    figures = peak_rss_mb(
        "from ttdn.content.files.probes import inspect_upload\n"
        "from ttdn.core.errors import ServiceError\n"
        "try:\n"
        f"    inspect_upload(Path({str(path)!r}), 'anh.png'); result = 'accepted'\n"
        "except ServiceError as exc:\n"
        "    result = exc.code\n"
    )
    assert figures["result"] == "upload_bomb"
    assert figures["after"] - figures["before"] < 32, figures  # 8900² would be ~80 MB (L) to ~240 MB (RGB)


def test_large_jpeg_is_checked_at_reduced_scale(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "anh.jpg"
    Image.new("RGB", (6000, 4000), (10, 120, 200)).save(path, "JPEG", quality=70)
    figures = peak_rss_mb(
        "from ttdn.content.files.probes import inspect_upload\n"
        "from ttdn.content.files.thumbnails import make_thumbnail\n"
        f"info = inspect_upload(Path({str(path)!r}), 'anh.jpg')\n"
        f"thumb = make_thumbnail(Path({str(path)!r}), info)\n"
        "result = [info.width, info.height, bool(thumb)]\n"
    )
    assert figures["result"] == [6000, 4000, True]
    assert figures["after"] - figures["before"] < 40, figures  # a full decode holds 72 MB


# ------------------------------------------------------------------------------ polyglots and names


def test_polyglots_are_stored_as_what_they_are(tmp_path: Path) -> None:
    for data in (hostile.png_zip_polyglot(), hostile.png_html_polyglot()):
        info = inspect_upload(write(tmp_path, data, "trang.html"), "trang.html")
        assert info.mime_type == "image/png"
        assert ingest.stored_name("trang.html", info.mime_type) == "trang.png"


@pytest.mark.parametrize("name", hostile.ODD_NAMES)
def test_odd_names_are_kept_only_with_the_detected_extension(name: str) -> None:
    stored = ingest.stored_name(name, "image/png")
    assert stored.lower().endswith(".png")
    assert "/" not in stored and "\\" not in stored and "\x00" not in stored and "\u202e" not in stored
    assert 0 < len(stored) <= 255
    assert not stored.startswith(".")


def test_content_named_as_an_executable_is_stored_as_its_type(tmp_path: Path) -> None:
    path = write(tmp_path, hostile.image_bytes("PNG"), "run.exe")
    info = inspect_upload(path, "run.exe")
    assert ingest.stored_name("run.exe", info.mime_type) == "run.png"
    assert ingest.stored_name("bao-cao.PDF", "application/pdf") == "bao-cao.PDF"


# ------------------------------------------------------------------------- fuzzing every reader

_SEEDS: dict[str, tuple[bytes, str]] = {}


def _seed(kind: str) -> tuple[bytes, str]:
    if not _SEEDS:
        _SEEDS.update({
            "pdf": (hostile.plain_pdf(), "a.pdf"),
            "docx": (hostile.docx_bytes(), "a.docx"),
            "png": (hostile.image_bytes("PNG"), "a.png"),
            "jpeg": (hostile.image_bytes("JPEG"), "a.jpg"),
            "webp": (hostile.image_bytes("WEBP"), "a.webp"),
        })
        for name in sorted(p.name for p in MEDIA.iterdir()):
            _SEEDS[name] = ((MEDIA / name).read_bytes()[:300_000], name)
    return _SEEDS[kind]


def _mutate(data: bytes, edits: list[tuple[int, int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for op, pos, value in edits:
        if not out:
            break
        i = pos % len(out)
        if op == 0:
            out[i] ^= 1 << (value % 8)
        elif op == 1:
            out[i] = value % 256
        elif op == 2:
            out[i:i] = bytes([value % 256]) * (1 + value % 7)
        else:
            del out[i : i + 1 + value % 64]
    if cut is not None and out:
        del out[cut % len(out) :]
    return bytes(out)


_EDITS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8)


def _reader_kinds() -> list[str]:
    names = ["pdf", "docx", "png", "jpeg", "webp"]
    names += sorted(p.name for p in MEDIA.iterdir())
    return names


@pytest.mark.parametrize("kind", _reader_kinds())
def test_fuzzed_files_get_an_answer_or_a_clear_refusal(kind: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    base, name = _seed(kind)
    folder = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=int(os.environ.get("TTDN_FUZZ_EXAMPLES", "40")), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(edits=_EDITS, cut=st.one_of(st.none(), st.integers(0, 1 << 20)))
    def check(edits: list[tuple[int, int, int]], cut: int | None) -> None:
        path = folder / name
        path.write_bytes(_mutate(base, edits, cut))
        try:
            info = inspect_upload(path, name)
        except ServiceError as exc:
            assert exc.code.startswith("upload_") and str(exc.message)
            return
        try:
            extract_text(path, info)
        except ServiceError as exc:
            assert exc.code.startswith("upload_")
        make_thumbnail(path, info)  # None or bytes, never an exception

    check()


@pytest.mark.parametrize("kind", ["pdf", "docx", "txt"])
def test_fuzzed_plan_files_get_a_draft_text_or_a_clear_refusal(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = {"pdf": hostile.plain_pdf(), "docx": hostile.docx_bytes(), "txt": hostile.PLAN_TEXT.encode()}[kind]
    folder = tmp_path_factory.mktemp("fuzzplan")

    @settings(max_examples=int(os.environ.get("TTDN_FUZZ_EXAMPLES", "40")), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(edits=_EDITS, cut=st.one_of(st.none(), st.integers(0, 1 << 20)))
    def check(edits: list[tuple[int, int, int]], cut: int | None) -> None:
        path = folder / f"ke-hoach.{kind}"
        path.write_bytes(_mutate(base, edits, cut))
        try:
            assert isinstance(read_plan_file(path, path.name), str)
        except ServiceError as exc:
            assert exc.code.startswith("documents.") and str(exc.message)

    check()


def test_refusals_of_hostile_files_are_in_vietnamese_for_vietnamese_readers(tmp_path: Path) -> None:
    with translation.override("vi"):
        active = refusal(write(tmp_path, hostile.pdf_launch(), "a.pdf"), "a.pdf")
        pages = refusal(write(tmp_path, hostile.many_pages_pdf(6000), "b.pdf"), "b.pdf")
        pixels = refusal(write(tmp_path, hostile.png_pixel_bomb(7000), "c.png"), "c.png")
        assert "nội dung chủ động" in str(active.message)
        assert "6000 trang" in str(pages.message)
        assert "JPEG" in str(pixels.message) and "điểm ảnh" in str(pixels.message)


def test_a_long_extraction_does_not_hold_pdfium_from_other_uploads(tmp_path: Path) -> None:
    """The lock is taken page by page: while a 5,000-page PDF is being read, another thread gets the lock between
    its pages (counted, not timed: on a fast machine the whole read takes a tenth of a second)."""
    long = write(tmp_path, hostile.many_pages_pdf(5000), "dai.pdf")
    small = write(tmp_path, hostile.plain_pdf(), "ngan.pdf")
    started = threading.Event()
    done = threading.Event()

    def read_long() -> None:
        started.set()
        doctext.pdf_page_texts(long, seconds=30)
        done.set()

    reader = threading.Thread(target=read_long)
    reader.start()
    started.wait(10)
    taken_meanwhile = 0
    while not done.is_set():
        if doctext.PDFIUM_LOCK.acquire(timeout=0.5):
            if not done.is_set():
                taken_meanwhile += 1
            doctext.PDFIUM_LOCK.release()
    reader.join(timeout=120)
    assert taken_meanwhile > 0
    assert inspect_upload(small, "ngan.pdf").page_count == 1


def test_one_huge_xml_part_is_refused_before_any_parser_sees_it() -> None:
    """Honest sizes, no extreme ratio, but an XML part a parser would turn into gigabytes of tree."""
    xml = b"<a>" + b"".join(b"<b>%d</b>" % i for i in range(300_000)) + b"</a>"  # ~4 MB, ratio ~ 10
    data = hostile.write_zip([hostile.deflated("word/document.xml", xml)])
    with pytest.raises(zips.ZipProblem) as caught:
        zips.check_zip(io.BytesIO(data), zips.ZipLimits(max_xml_member=1024 * 1024))
    assert caught.value.kind == "total" and "XML" in caught.value.detail
    assert len(zips.check_zip(io.BytesIO(data))) == 1  # under the default, the same archive is fine
