"""Hostile files, generated (never downloaded): ZIPs whose headers lie, decompression bombs, Word documents
with broken or nested or entity-laden XML, PDFs with active content or 200,000 pages, pixel bombs,
polyglots, odd names. Shared by the readers' tests in content, documents and programme."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from docx import Document
from PIL import Image

PLAN_TEXT = (
    "ỦY BAN NHÂN DÂN TỈNH GIA LAI\nSố: 12/KH-UBND\nKẾ HOẠCH\nThông tin đối ngoại khu vực biên giới năm 2025\n"
    "I. NHIỆM VỤ\n1. Tuyên truyền về biên giới cho đồng bào các dân tộc.\n- Chủ trì: Sở Văn hóa, Thể thao và Du lịch.\n"
    "- Thời gian: Hằng năm.\n"
)
GIB = 1024 * 1024 * 1024


# --------------------------------------------------------------------------------------------- ZIP


@dataclass
class Member:
    name: str
    raw: bytes  # the stored bytes (deflated or not)
    method: int  # zipfile.ZIP_STORED or ZIP_DEFLATED
    crc: int
    file_size: int  # what the headers declare
    flags: int = 0


def deflated(name: str, data: bytes) -> Member:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return Member(name, raw, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data))


def zeros_stream(size: int) -> tuple[bytes, bytes]:
    """A raw deflate stream of `size` zero-ish bytes built in milliseconds (identical fully-flushed 1 MiB
    blocks repeated), and its first 1,000 bytes of output."""
    block = b"<w:t>" + bytes(1024 * 1024 - 5)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    count = size // len(block)
    return first + again * (count - 1) + c.flush(), block[:1000]


def lying_member(name: str, real_size: int = GIB, declared: int = 1000) -> Member:
    """A member whose headers declare `declared` bytes (with the CRC of the first `declared` bytes it gives,
    so a reader that stops there finds nothing wrong) but whose stream inflates to `real_size`."""
    raw, head = zeros_stream(real_size)
    return Member(name, raw, zipfile.ZIP_DEFLATED, zlib.crc32(head[:declared]), declared)


def write_zip(members: list[Member]) -> bytes:
    """A ZIP written by hand, so that its headers say exactly what the test wants them to say."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode()
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, m.flags, m.method, 0, 0x21, m.crc,
                           len(m.raw), m.file_size, len(name), 0) + name + m.raw
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, m.flags, m.method, 0, 0x21, m.crc,
                               len(m.raw), m.file_size, len(name), 0, 0, 0, 0, 0, offset) + name
    start = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def docx_bytes(text: str = PLAN_TEXT) -> bytes:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with(document_xml: bytes | Member, base: bytes | None = None, extra: tuple[Member, ...] = ()) -> bytes:
    """A real Word document whose word/document.xml is replaced (by XML, or by a member as given)."""
    members: list[Member] = []
    with zipfile.ZipFile(io.BytesIO(base or docx_bytes())) as archive:
        for info in archive.infolist():
            if info.filename == "word/document.xml":
                members.append(document_xml if isinstance(document_xml, Member)
                               else deflated(info.filename, document_xml))
            else:
                members.append(deflated(info.filename, archive.read(info.filename)))
    return write_zip(members + list(extra))


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def nested_tables_xml(depth: int = 3000) -> bytes:
    cell_open = "<w:tbl><w:tr><w:tc>"
    cell_close = "<w:p/></w:tc></w:tr></w:tbl>"
    body = cell_open * depth + "<w:p><w:r><w:t>đáy</w:t></w:r></w:p>" + cell_close * depth
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}><w:body>{body}</w:body></w:document>'.encode()


def billion_laughs_xml() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{entities}]>'
        f'<w:document {W_NS}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    ).encode()


def external_entity_xml() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document {W_NS}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
    ).encode()


def corrupt_deflate_docx() -> bytes:
    """word/document.xml's deflate stream damaged (an invalid block type at its start, as zlib reports "invalid
    block type"), sizes and CRC as the original's."""
    good = docx_bytes(PLAN_TEXT * 20)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        data = archive.read("word/document.xml")
    member = deflated("word/document.xml", data)
    raw = bytearray(member.raw)
    raw[0] |= 0x06  # BTYPE 11: reserved, an error in every inflater
    member.raw = bytes(raw)
    return docx_with(member, good)


# --------------------------------------------------------------------------------------------- PDF


def raw_pdf(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page_objects(catalog_extra: bytes = b"", page_extra: bytes = b"") -> list[bytes]:
    content = b"BT /F1 18 Tf 20 100 Td (Ke hoach thong tin doi ngoai) Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> "
        + page_extra + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        _FONT,
    ]


def plain_pdf() -> bytes:
    return raw_pdf(_page_objects())


def pdf_open_action_js() -> bytes:
    return raw_pdf(_page_objects(b"/OpenAction << /S /JavaScript /JS (app.alert\\('x'\\)) >>"))


def pdf_hex_escaped_js() -> bytes:
    return raw_pdf(_page_objects(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"))


def pdf_launch() -> bytes:
    return raw_pdf(_page_objects(page_extra=b"/AA << /O << /S /Launch /F (cmd.exe) >> >>"))


def pdf_embedded_file() -> bytes:
    objs = _page_objects(b"/Names << /EmbeddedFiles << /Names [(run.exe) 6 0 R] >> >>")
    objs.append(b"<< /Type /Filespec /F (run.exe) /EF << /F 7 0 R >> >>")
    objs.append(b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")
    return raw_pdf(objs)


def pdf_js_in_object_stream() -> bytes:
    """The catalogue, with its JavaScript OpenAction, inside a compressed object stream (PDF 1.5)."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(2\\)) >> >>"
    header = b"1 0 "
    plain = header + catalog
    packed = zlib.compress(plain)
    objs = _page_objects()
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"  # replaced below by the object stream's copy
    objs.append(b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                % (len(header), len(packed)) + packed + b"\nendstream")
    return raw_pdf(objs)


def pdf_open_action_to_page() -> bytes:
    """An innocent OpenAction: open at the first page, fitted. Accepted."""
    return raw_pdf(_page_objects(b"/OpenAction [3 0 R /Fit]"))


def many_pages_pdf(pages: int = 200_000) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets: list[int] = []

    def obj(body: bytes) -> None:
        offsets.append(len(out))
        out.extend(b"%d 0 obj\n" % len(offsets) + body + b"\nendobj\n")

    obj(b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (i + 4) for i in range(pages)) + b"] /Count %d >>"
        % pages)
    obj(b"<< /Length 0 >>\nstream\n\nendstream")
    for _ in range(pages):
        obj(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 3 0 R >>")
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    return bytes(out)


# ------------------------------------------------------------------------------------------ images


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_pixel_bomb(side: int = 8900) -> bytes:
    """An 8900×8900 greyscale PNG of ~10 KB: valid, all black, ~79 MP to decode."""
    row = bytes(1 + side)
    c = zlib.compressobj(9)
    idat = b"".join(c.compress(row) for _ in range(side)) + c.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    img = Image.new("RGB", size, (30, 90, 160))
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


def png_zip_polyglot() -> bytes:
    """A PNG with a ZIP (holding an HTML page) appended: valid as both."""
    return image_bytes("PNG") + write_zip([deflated("index.html", b"<script>alert(1)</script>")])


def png_html_polyglot() -> bytes:
    """A PNG with an HTML page in a text chunk, as a browser sniffing it might render it."""
    data = image_bytes("PNG")
    text = png_chunk(b"tEXt", b"Comment\0<html><script>alert(document.cookie)</script></html>")
    return data[:33] + text + data[33:]


ODD_NAMES = [
    "run.exe", "report.html", "../../etc/passwd", "..\\..\\boot.ini", "con.png", "a" * 400 + ".png",
    "ảnh\u202egnp.exe", "x\x00.png", " .png", "....", "", "ảnh chụp.PNG", "tệp.svg", "page.php.png",
]
