"""The file pipeline on real files: recognition by content, refusals, text, thumbnails, blob storage.

No database: these tests only need settings (BLOB_DIR points into each test's tmp_path).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import translation
from docx import Document
from docx.oxml.parser import parse_xml
from fpdf import FPDF
from PIL import Image

from ttdn.content.files import sniff
from ttdn.content.files.blobs import blob_path, open_blob, store_blob, store_bytes
from ttdn.content.files.probes import images, inspect_upload
from ttdn.content.files.sniff import FileInfo, FileKind
from ttdn.content.files.text import extract_text
from ttdn.content.files.thumbnails import make_thumbnail
from ttdn.core.errors import ServiceError

MEDIA = Path(__file__).resolve().parent.parent / "fixtures" / "media"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

VI_TEXT = "Biên giới hòa bình, hữu nghị"
JARAI = "Ƀuôn ƀon"
BAHNAR = "Đăk Hră"
LAO = "ສາທາລະນະລັດ ປະຊາທິປະໄຕ ປະຊາຊົນລາວ"
KHMER = "ព្រះរាជាណាចក្រកម្ពុជា"


@pytest.fixture(autouse=True)
def blob_dir(settings, tmp_path: Path) -> Path:
    settings.BLOB_DIR = tmp_path / "blobs"
    return settings.BLOB_DIR


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    # The messages are checked in English here; test_messages_follow_the_user_language checks Vietnamese.
    with translation.override("en"):
        yield


def test_messages_follow_the_user_language(tmp_path: Path) -> None:
    path = tmp_path / "anh.pdf"
    Image.new("RGB", (10, 10)).save(path, "PNG")
    with translation.override("vi"):
        with pytest.raises(ServiceError) as exc:
            inspect_upload(path, "anh.pdf")
        assert exc.value.code == "upload_type_mismatch"
        assert "nhưng nội dung là ảnh PNG" in str(exc.value.message)


def blob_files() -> list[Path]:
    from django.conf import settings

    root = Path(settings.BLOB_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refused(path: Path, name: str, code: str) -> ServiceError:
    """Inspect, expect the refusal `code`, and check nothing was left in the blob store."""
    with pytest.raises(ServiceError) as caught:
        inspect_upload(path, name)
    assert caught.value.code == code, str(caught.value.message)
    assert blob_files() == []
    return caught.value


def write(tmp_path: Path, data: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- builders --------------------------------------------------------------------------------


def pdf_bytes(*pages: str, encrypt: tuple[str, str | None] | None = None, size: str = "A4") -> bytes:
    if not FONT.exists():
        pytest.fail(f"{FONT} is missing: apt-get install -y fonts-dejavu-core")
    pdf = FPDF(format=size)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=16)
    for text in pages or (VI_TEXT,):
        pdf.add_page()
        pdf.multi_cell(0, 10, text=text)
    if encrypt:
        pdf.set_encryption(owner_password=encrypt[0], user_password=encrypt[1])
    return bytes(pdf.output())


def docx_bytes(*, nfd: bool = False) -> bytes:
    def text(value: str) -> str:
        return unicodedata.normalize("NFD", value) if nfd else value

    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "Sở Thông tin và Truyền thông — đầu trang"
    doc.sections[0].footer.paragraphs[0].text = "Chân trang: lưu hành nội bộ"
    doc.add_paragraph(text(VI_TEXT))
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Tiếng Jrai"
    table.cell(0, 1).text = text(JARAI)
    table.cell(1, 0).text = "Tiếng Bahnar"
    table.cell(1, 1).text = text(BAHNAR)
    doc.add_paragraph(f"{LAO} — {KHMER}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def rewrite_zip(
    data: bytes,
    change: Callable[[str, bytes], bytes] = lambda _name, content: content,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(new, change(info.filename, src.read(info.filename)))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def set_encrypted_flag(data: bytes) -> bytes:
    """Mark every entry as encrypted (bit 0 of the general-purpose flags), as zipfile cannot write them."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            assert patched[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
            patched[info.header_offset + 6] |= 0x1
    pos = patched.find(b"PK\x01\x02")
    while pos != -1:
        patched[pos + 8] |= 0x1
        pos = patched.find(b"PK\x01\x02", pos + 4)
    return bytes(patched)


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", exif_orientation: int = 0) -> bytes:
    img = Image.new(mode, size)
    # A gradient so encoders cannot reduce it to nothing.
    img.putdata([((x * 7) % 256, (y * 5) % 256, 128)[: len(mode)] for y in range(size[1]) for x in range(size[0])])
    out = io.BytesIO()
    kwargs: dict[str, object] = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def media(name: str) -> Path:
    path = MEDIA / name
    assert path.exists(), f"missing fixture {path}"
    return path


def copy_media(tmp_path: Path, name: str, as_name: str) -> Path:
    return write(tmp_path, media(name).read_bytes(), as_name)


# --- accepted files --------------------------------------------------------------------------


def test_pdf_is_recognised_and_its_vietnamese_text_extracted(tmp_path: Path) -> None:
    path = write(tmp_path, pdf_bytes(VI_TEXT, "Trang hai: Đồn Biên phòng"), "ấn phẩm.pdf")
    info = inspect_upload(path, "ấn phẩm.pdf")
    assert (info.kind, info.mime_type, info.extension, info.page_count) == (FileKind.PDF, "application/pdf", ".pdf", 2)
    assert info.size == path.stat().st_size
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    text = extract_text(path, info)
    assert VI_TEXT in text
    assert "Trang hai: Đồn Biên phòng" in text
    assert text == unicodedata.normalize("NFC", text)
    assert text.index(VI_TEXT) < text.index("Trang hai")
    assert blob_files() == []  # inspecting never stores


def test_docx_text_has_paragraphs_tables_headers_and_footers_in_order(tmp_path: Path) -> None:
    path = write(tmp_path, docx_bytes(), "bai-viet.docx")
    info = inspect_upload(path, "bai-viet.docx")
    assert info.kind == FileKind.DOCX
    assert info.mime_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert info.extension == ".docx"
    text = extract_text(path, info)
    for expected in (VI_TEXT, JARAI, BAHNAR, LAO, KHMER, "đầu trang", "Chân trang"):
        assert expected in text
    # Byte-exact: the Jarai ƀ (U+0180) and the Bahnar breve survive untouched.
    assert JARAI.encode() in text.encode()
    assert BAHNAR.encode() in text.encode()
    order = [text.index(s) for s in ("đầu trang", VI_TEXT, "Tiếng Jrai", JARAI, BAHNAR, LAO, "Chân trang")]
    assert order == sorted(order)


def test_docx_text_is_nfc_even_when_typed_decomposed(tmp_path: Path) -> None:
    path = write(tmp_path, docx_bytes(nfd=True), "nfd.docx")
    text = extract_text(path, inspect_upload(path, "nfd.docx"))
    assert VI_TEXT in text
    assert JARAI in text
    assert BAHNAR in text
    assert unicodedata.normalize("NFD", VI_TEXT) not in text


def test_docx_text_box_counted_once(tmp_path: Path) -> None:
    """Word writes a text box twice (modern mc:Choice and legacy mc:Fallback); read it once."""
    doc = Document()
    paragraph = doc.add_paragraph("Trước hộp")
    ns = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    box = "<w:txbxContent><w:p><w:r><w:t>Hộp chữ Ƀuôn</w:t></w:r></w:p></w:txbxContent>"
    run = parse_xml(
        f'<w:r {ns}><mc:AlternateContent><mc:Choice Requires="wps"><wps:txbx>{box}</wps:txbx></mc:Choice>'
        f"<mc:Fallback><v:textbox>{box}</v:textbox></mc:Fallback></mc:AlternateContent></w:r>"
    )
    paragraph._p.append(run)
    doc.add_paragraph("Sau hộp")
    out = io.BytesIO()
    doc.save(out)
    path = write(tmp_path, out.getvalue(), "box.docx")
    text = extract_text(path, inspect_upload(path, "box.docx"))
    assert text.count("Hộp chữ Ƀuôn") == 1
    assert text.index("Trước hộp") < text.index("Hộp chữ") < text.index("Sau hộp")


def test_docx_footnotes_are_extracted(tmp_path: Path) -> None:
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    doc = Document()
    doc.add_paragraph("Thân bài")
    footnotes = (
        '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:t>Chú thích: Đăk Hră</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, footnotes, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    out = io.BytesIO()
    doc.save(out)
    path = write(tmp_path, out.getvalue(), "fn.docx")
    text = extract_text(path, inspect_upload(path, "fn.docx"))
    assert text.index("Thân bài") < text.index("Chú thích: Đăk Hră")


def test_extract_text_of_a_damaged_document_is_a_service_error(tmp_path: Path) -> None:
    path = write(tmp_path, pdf_bytes(), "a.pdf")
    info = inspect_upload(path, "a.pdf")
    path.write_bytes(b"%PDF-1.4\n" + bytes(100))
    with pytest.raises(ServiceError) as caught:
        extract_text(path, info)
    assert caught.value.code == "upload_malformed"


@pytest.mark.parametrize(
    ("fmt", "mime", "ext"),
    [("JPEG", "image/jpeg", ".jpg"), ("PNG", "image/png", ".png"), ("WEBP", "image/webp", ".webp")],
)
def test_images(tmp_path: Path, fmt: str, mime: str, ext: str) -> None:
    path = write(tmp_path, image_bytes(fmt, (64, 48)), f"anh{ext}")
    info = inspect_upload(path, f"anh{ext}")
    assert (info.kind, info.mime_type, info.extension, info.width, info.height) == (FileKind.IMAGE, mime, ext, 64, 48)
    assert extract_text(path, info) == ""


def test_jpeg_exif_rotation_swaps_reported_size_and_thumbnail(tmp_path: Path) -> None:
    path = write(tmp_path, image_bytes("JPEG", (200, 100), exif_orientation=6), "doc.jpg")
    info = inspect_upload(path, "doc.jpg")
    assert (info.width, info.height) == (100, 200)
    thumb = make_thumbnail(path, info)
    assert thumb is not None
    with Image.open(io.BytesIO(thumb)) as img:
        assert img.size == (100, 200)


@pytest.mark.parametrize(
    ("fixture", "kind", "mime", "ext"),
    [
        ("sample.mp3", FileKind.AUDIO, "audio/mpeg", ".mp3"),
        ("sample.ogg", FileKind.AUDIO, "audio/ogg", ".ogg"),
        ("sample_opus.ogg", FileKind.AUDIO, "audio/ogg", ".ogg"),
        ("sample.m4a", FileKind.AUDIO, "audio/mp4", ".m4a"),
        ("sample.mp4", FileKind.VIDEO, "video/mp4", ".mp4"),
        ("sample.webm", FileKind.VIDEO, "video/webm", ".webm"),
        ("sample_audio.webm", FileKind.AUDIO, "audio/webm", ".webm"),
    ],
)
def test_audio_and_video(fixture: str, kind: FileKind, mime: str, ext: str) -> None:
    path = media(fixture)
    assert path.stat().st_size < 60_000
    info = inspect_upload(path, fixture)
    assert (info.kind, info.mime_type, info.extension) == (kind, mime, ext)
    assert info.duration_seconds is not None
    assert 0.9 < info.duration_seconds < 1.2
    if kind == FileKind.VIDEO:
        assert (info.width, info.height) == (160, 120)
    assert extract_text(path, info) == ""
    assert make_thumbnail(path, info) is None


def test_mp3_without_id3_tag(tmp_path: Path) -> None:
    data = media("sample.mp3").read_bytes()
    assert data[:3] == b"ID3"
    tag_size = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    path = write(tmp_path, data[tag_size:], "bare.mp3")
    info = inspect_upload(path, "bare.mp3")
    assert info.kind == FileKind.AUDIO
    assert info.mime_type == "audio/mpeg"


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (lambda: pdf_bytes(), "scan.bin", FileKind.PDF),
        (lambda: pdf_bytes(), "tai-lieu", FileKind.PDF),
        (lambda: image_bytes("PNG"), "IMG_0001", FileKind.IMAGE),
        (lambda: image_bytes("JPEG"), "photo.jfif", FileKind.IMAGE),
        (lambda: image_bytes("JPEG"), "photo.png", FileKind.IMAGE),  # same kind: only the format differs
        (lambda: docx_bytes(), "van-ban.tmp", FileKind.DOCX),
        (lambda: docx_bytes(), "van-ban.doc", FileKind.DOCX),
        (lambda: media("sample.mp4").read_bytes(), "clip.dat", FileKind.VIDEO),
        (lambda: media("sample.m4a").read_bytes(), "song.mp4", FileKind.AUDIO),  # sound-only MP4
        (lambda: media("sample.mp3").read_bytes(), "radio.PHP", FileKind.AUDIO),
    ],
)
def test_unknown_or_compatible_extension_is_fine(
    tmp_path: Path, make: Callable[[], bytes], name: str, kind: FileKind
) -> None:
    path = write(tmp_path, make(), "upload")
    assert inspect_upload(path, name).kind == kind


def test_pdf_with_owner_password_only_is_accepted(tmp_path: Path) -> None:
    """Permission-only "encryption" opens without a password: readers can use it, so it is accepted."""
    path = write(tmp_path, pdf_bytes(encrypt=("owner-secret", None)), "locked-editing.pdf")
    info = inspect_upload(path, "locked-editing.pdf")
    assert info.kind == FileKind.PDF
    assert VI_TEXT in extract_text(path, info)


# --- refusals --------------------------------------------------------------------------------


def test_empty(tmp_path: Path) -> None:
    refused(write(tmp_path, b"", "empty.pdf"), "empty.pdf", "upload_empty")


def test_too_large_uses_the_per_kind_limit(tmp_path: Path, settings) -> None:
    settings.MAX_UPLOAD_MB = {**settings.MAX_UPLOAD_MB, "image": 0}
    path = write(tmp_path, image_bytes("PNG"), "anh.png")
    error = refused(path, "anh.png", "upload_too_large")
    assert "0 MB" in str(error.message)
    assert "images" in str(error.message)
    # Other kinds keep their own limit.
    assert inspect_upload(write(tmp_path, pdf_bytes(), "ok.pdf"), "ok.pdf").kind == FileKind.PDF


def test_too_large_video(settings) -> None:
    settings.MAX_UPLOAD_MB = {**settings.MAX_UPLOAD_MB, "video": 0}
    refused(media("sample.webm"), "clip.webm", "upload_too_large")
    assert inspect_upload(media("sample_audio.webm"), "voice.webm").kind == FileKind.AUDIO


def test_truncated_pdf(tmp_path: Path) -> None:
    data = pdf_bytes(VI_TEXT, "two", "three")
    refused(write(tmp_path, data[: len(data) // 2], "cut.pdf"), "cut.pdf", "upload_malformed")


@pytest.mark.parametrize("with_eof", [False, True])
def test_pdf_header_then_garbage(tmp_path: Path, with_eof: bool) -> None:
    garbage = random.Random(7).randbytes(20_000).replace(b"%%EOF", b"xxxxx")
    data = b"%PDF-1.7\n" + garbage + (b"\n%%EOF\n" if with_eof else b"")
    error = refused(write(tmp_path, data, "x.pdf"), "x.pdf", "upload_malformed")
    assert "PDF document" in str(error.message)


def test_password_protected_pdf(tmp_path: Path) -> None:
    path = write(tmp_path, pdf_bytes(encrypt=("owner", "user-secret")), "mat.pdf")
    error = refused(path, "mat.pdf", "upload_encrypted")
    assert "password" in str(error.message)


def test_jpeg_named_pdf_is_a_mismatch(tmp_path: Path) -> None:
    error = refused(write(tmp_path, image_bytes("JPEG"), "report.pdf"), "report.pdf", "upload_type_mismatch")
    assert str(error.message) == "The file is named “report.pdf” but its content is a JPEG image, not a PDF document."


def test_pdf_named_docx_is_a_mismatch_and_browser_paths_are_trimmed(tmp_path: Path) -> None:
    error = refused(write(tmp_path, pdf_bytes()), "C:\\fakepath\\van-ban.DOCX", "upload_type_mismatch")
    assert "“van-ban.DOCX”" in str(error.message)
    assert "fakepath" not in str(error.message)


@pytest.mark.parametrize(
    "data",
    [
        b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x90" * 200,
        b"MZ\x90\x00\x03\x00\x00\x00" + bytes(52) + b"\x80\x00\x00\x00" + bytes(64) + b"PE\x00\x00" + bytes(200),
    ],
    ids=["elf", "pe"],
)
def test_executable_named_pdf(tmp_path: Path, data: bytes) -> None:
    error = refused(write(tmp_path, data, "leaflet.pdf"), "leaflet.pdf", "upload_unsupported_type")
    assert "executable program" in str(error.message)
    assert "Accepted files" in str(error.message)


def test_html_named_jpg(tmp_path: Path) -> None:
    html = b"\xef\xbb\xbf\n<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    error = refused(write(tmp_path, html, "photo.jpg"), "photo.jpg", "upload_unsupported_type")
    assert "HTML page" in str(error.message)


def test_bare_script_tag_is_html(tmp_path: Path) -> None:
    error = refused(write(tmp_path, b"  <script src=//evil.example/x.js></script>"), "a.png", "upload_unsupported_type")
    assert "HTML page" in str(error.message)


def test_text_renamed_mp3(tmp_path: Path) -> None:
    path = write(tmp_path, "Bản tin biên phòng số 12\n".encode() * 20, "ban-tin.mp3")
    error = refused(path, "ban-tin.mp3", "upload_unsupported_type")
    assert "plain text" in str(error.message)


def test_mp4_video_renamed_m4a_is_a_mismatch(tmp_path: Path) -> None:
    """An .m4a name promises sound only; a file with a picture track is a video in disguise."""
    error = refused(copy_media(tmp_path, "sample.mp4", "x.m4a"), "nhac.m4a", "upload_type_mismatch")
    assert "MP4 video" in str(error.message)


def test_audio_renamed_as_image_is_a_mismatch(tmp_path: Path) -> None:
    refused(copy_media(tmp_path, "sample.ogg", "x"), "anh.webp", "upload_type_mismatch")


@pytest.mark.parametrize("name", ["macro.docm", "macro.docx", "macro"])
def test_macro_enabled_document(tmp_path: Path, name: str) -> None:
    def change(part: str, content: bytes) -> bytes:
        if part == "[Content_Types].xml":
            return content.replace(
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                b"application/vnd.ms-word.document.macroEnabled.main+xml",
            )
        return content

    data = rewrite_zip(docx_bytes(), change, extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(500)})
    refused(write(tmp_path, data, "m"), name, "upload_macro")


def test_vba_project_inside_a_docx_content_type_is_still_a_macro(tmp_path: Path) -> None:
    data = rewrite_zip(docx_bytes(), extra={"word/vbaProject.bin": bytes(100)})
    refused(write(tmp_path, data), "ok.docx", "upload_macro")


def test_zip_bomb_docx(tmp_path: Path) -> None:
    data = rewrite_zip(docx_bytes(), extra={"word/media/image1.png": bytes(20 * 1024 * 1024)})
    assert len(data) < 200_000
    error = refused(write(tmp_path, data), "bomb.docx", "upload_bomb")
    assert "100 to 1" in str(error.message)


def test_docx_expanding_past_the_total_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff, "MAX_ZIP_UNCOMPRESSED", 20_000)
    error = refused(write(tmp_path, docx_bytes()), "big.docx", "upload_bomb")
    assert "MB" in str(error.message)


def test_docx_with_absurd_entry_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff, "MAX_ZIP_ENTRIES", 50)
    data = rewrite_zip(docx_bytes(), extra={f"word/extra/item{i}.xml": b"<a/>" for i in range(60)})
    refused(write(tmp_path, data), "many.docx", "upload_bomb")


def test_docx_with_encrypted_entries(tmp_path: Path) -> None:
    data = set_encrypted_flag(docx_bytes())
    refused(write(tmp_path, data), "enc.docx", "upload_encrypted")


def test_password_protected_word_file(tmp_path: Path) -> None:
    """Word stores a password-protected .docx as an OLE file with an EncryptedPackage stream."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "EncryptedPackage".encode("utf-16-le") + bytes(1000)
    refused(write(tmp_path, ole), "mat.docx", "upload_encrypted")


def test_old_word_document(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "WordDocument".encode("utf-16-le") + bytes(1000)
    error = refused(write(tmp_path, ole), "cu.doc", "upload_unsupported_type")
    assert "old-format Office document" in str(error.message)


def test_plain_zip_is_not_a_docx(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
        archive.writestr("word/document.xml", "<not-really/>")
    error = refused(write(tmp_path, out.getvalue()), "tai-lieu.docx", "upload_unsupported_type")
    assert "ZIP archive" in str(error.message)


def test_spreadsheet_is_not_a_docx(tmp_path: Path) -> None:
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    error = refused(write(tmp_path, out.getvalue()), "bang.docx", "upload_unsupported_type")
    assert "Excel spreadsheet" in str(error.message)


def test_broken_docx(tmp_path: Path) -> None:
    data = rewrite_zip(docx_bytes(), lambda part, c: b"<w:document><broken" if part == "word/document.xml" else c)
    error = refused(write(tmp_path, data), "hong.docx", "upload_malformed")
    assert "Word document" in str(error.message)


def test_truncated_docx(tmp_path: Path) -> None:
    data = docx_bytes()
    error = refused(write(tmp_path, data[: len(data) // 2]), "cut.docx", "upload_malformed")
    assert "Word document" in str(error.message)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_image(tmp_path: Path, fmt: str) -> None:
    data = image_bytes(fmt, (300, 200))
    refused(write(tmp_path, data[: len(data) // 2]), f"cut.{fmt.lower()}", "upload_malformed")


def test_image_over_the_pixel_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 1000)
    error = refused(write(tmp_path, image_bytes("PNG", (64, 48))), "big.png", "upload_bomb")
    assert "64×48" in str(error.message)


def test_png_decompression_bomb_header(tmp_path: Path) -> None:
    """A 100 000 × 100 000 PNG header with almost no data: refused before any pixel is decoded."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(bytes(1000)))
        + png_chunk(b"IEND", b"")
    )
    refused(write(tmp_path, data), "bomb.png", "upload_bomb")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_image_between_our_limit_and_pillows_hard_limit(tmp_path: Path) -> None:
    """95 megapixels: over our 80 MP limit and Pillow's warning threshold, under its hard error."""
    header = struct.pack(">IIBBBBB", 9750, 9750, 1, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(bytes(10)))
    refused(write(tmp_path, data + png_chunk(b"IEND", b"")), "wide.png", "upload_bomb")


def test_gif_is_unsupported(tmp_path: Path) -> None:
    error = refused(write(tmp_path, image_bytes("GIF")), "anim.gif", "upload_unsupported_type")
    assert "GIF image" in str(error.message)


def test_truncated_mp4(tmp_path: Path) -> None:
    data = media("sample.mp4").read_bytes()
    refused(write(tmp_path, data[: len(data) - 2000]), "cut.mp4", "upload_malformed")


def test_truncated_webm(tmp_path: Path) -> None:
    data = media("sample.webm").read_bytes()
    refused(write(tmp_path, data[: len(data) - 2000]), "cut.webm", "upload_malformed")


def test_matroska_is_unsupported(tmp_path: Path) -> None:
    doctype = b"\x42\x82\x88matroska"
    data = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doctype)]) + doctype + bytes(100)
    error = refused(write(tmp_path, data), "phim.mkv", "upload_unsupported_type")
    assert "Matroska" in str(error.message)


def test_id3_tag_without_audio(tmp_path: Path) -> None:
    data = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10) + bytes(4000)
    refused(write(tmp_path, data), "rong.mp3", "upload_malformed")


def test_wav_is_unsupported(tmp_path: Path) -> None:
    data = b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + bytes(100)
    error = refused(write(tmp_path, data), "ghi-am.wav", "upload_unsupported_type")
    assert "WAV" in str(error.message)


def test_messages_are_lazy_and_details_plain(tmp_path: Path) -> None:
    error = refused(write(tmp_path, image_bytes("JPEG")), "report.pdf", "upload_type_mismatch")
    assert error.as_dict()["details"] == {"name": "report.pdf"}


# --- thumbnails ------------------------------------------------------------------------------


def thumbnail_size(data: bytes | None) -> tuple[int, int]:
    assert data is not None
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        assert img.format in {"WEBP", "PNG"}
        return img.size


def test_thumbnail_of_a_large_png(tmp_path: Path) -> None:
    path = write(tmp_path, image_bytes("PNG", (2000, 1200), mode="RGBA"), "poster.png")
    info = inspect_upload(path, "poster.png")
    width, height = thumbnail_size(make_thumbnail(path, info))
    assert max(width, height) <= 480
    assert (width, height) == (480, 288)


def test_thumbnail_of_a_small_image_is_not_enlarged(tmp_path: Path) -> None:
    path = write(tmp_path, image_bytes("WEBP", (64, 48)), "icon.webp")
    assert thumbnail_size(make_thumbnail(path, inspect_upload(path, "icon.webp"))) == (64, 48)


def test_thumbnail_of_a_pdf_first_page(tmp_path: Path) -> None:
    path = write(tmp_path, pdf_bytes(VI_TEXT, "second"), "a.pdf")
    width, height = thumbnail_size(make_thumbnail(path, inspect_upload(path, "a.pdf")))
    assert max(width, height) <= 480
    assert height > width  # A4 portrait
    assert max(width, height) >= 470


def test_thumbnail_max_side_parameter(tmp_path: Path) -> None:
    path = write(tmp_path, pdf_bytes(size="A3"), "a3.pdf")
    assert max(thumbnail_size(make_thumbnail(path, inspect_upload(path, "a3.pdf"), max_side=120))) <= 120


# --- blob storage ----------------------------------------------------------------------------


def test_store_blob_is_content_addressed_and_idempotent(tmp_path: Path, blob_dir: Path) -> None:
    path = write(tmp_path, pdf_bytes(), "a.pdf")
    info = inspect_upload(path, "a.pdf")
    store_blob(path, info.sha256)
    stored = blob_path(info.sha256)
    assert stored == blob_dir / info.sha256[:2] / info.sha256[2:4] / info.sha256
    assert stored == blob_path(info.sha256)
    assert stored.read_bytes() == path.read_bytes()
    mtime = stored.stat().st_mtime_ns
    copy = write(tmp_path, path.read_bytes(), "same-again.pdf")
    store_blob(copy, info.sha256)
    assert stored.stat().st_mtime_ns == mtime
    assert blob_files() == [stored]
    with open_blob(info.sha256) as fh:
        assert fh.read() == path.read_bytes()


def test_store_bytes_and_thumbnail_flow(tmp_path: Path) -> None:
    path = write(tmp_path, image_bytes("PNG", (900, 600)), "a.png")
    info = inspect_upload(path, "a.png")
    store_blob(path, info.sha256)
    thumb = make_thumbnail(path, info)
    assert thumb is not None
    digest = store_bytes(thumb)
    assert digest == hashlib.sha256(thumb).hexdigest()
    assert store_bytes(thumb) == digest
    assert blob_path(digest).read_bytes() == thumb
    assert sorted(blob_files()) == sorted([blob_path(info.sha256), blob_path(digest)])


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "../" + "a" * 61,
        "A" * 64,  # uppercase is not our spelling
        "a" * 63,
        "a" * 65,
        "a" * 62 + "/x",
        "g" * 64,
        "a" * 64 + "\n",
        "",
    ],
)
def test_bad_digests_never_reach_the_filesystem(tmp_path: Path, bad: str) -> None:
    source = write(tmp_path, b"x")
    for call in (lambda: blob_path(bad), lambda: open_blob(bad), lambda: store_blob(source, bad)):
        with pytest.raises(ValueError, match="SHA-256"):
            call()
    assert blob_files() == []


def test_store_blob_refuses_content_that_does_not_match_the_digest(tmp_path: Path, blob_dir: Path) -> None:
    source = write(tmp_path, b"actual content")
    wrong = hashlib.sha256(b"other content").hexdigest()
    with pytest.raises(ValueError, match="does not match"):
        store_blob(source, wrong)
    assert blob_files() == []
    assert not blob_path(wrong).exists()


def test_failed_store_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    source = write(tmp_path, b"some bytes")
    with pytest.raises(OSError, match="disk full"):
        store_blob(source, hashlib.sha256(b"some bytes").hexdigest())
    with pytest.raises(OSError, match="disk full"):
        store_bytes(b"thumbnail bytes")
    assert blob_files() == []


def test_open_missing_blob() -> None:
    with pytest.raises(FileNotFoundError):
        open_blob("0" * 64)


def test_file_info_is_frozen() -> None:
    info = FileInfo(kind=FileKind.PDF, mime_type="application/pdf", extension=".pdf", size=1, sha256="0" * 64)
    with pytest.raises(AttributeError):
        info.size = 2  # type: ignore[misc]
