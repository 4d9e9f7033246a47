"""The image probe (JPEG, PNG, WebP): only the sniffed decoder runs, the pixel count is checked from the header
before anything is decoded, and at most `MAX_CONCURRENT_DECODES` images decode at once. Thumbnails open images
through `open_image` and the same limits."""

from __future__ import annotations

import struct
import threading
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from PIL import Image

from ttdn.content.files.sniff import (
    _JPEG,
    _PARSER_BUGS,
    _PNG,
    _WEBP,
    FileInfo,
    FileKind,
    _err,
    _Format,
    _Gate,
    _info,
    _Malformed,
)
from ttdn.core.errors import ServiceError

# Limits that are not per-deployment settings. Module constants so tests can lower them.
MAX_IMAGE_PIXELS = 80_000_000
# PNG and WebP cannot be decoded at a reduced scale: every pixel is held while checking or thumbnailing
# them (4 bytes each). An A4 page scanned at 600 dpi is 35 MP; camera photos are JPEGs, decoded reduced.
MAX_LOSSLESS_PIXELS = 36_000_000
# Decoding is the costly part of an upload: at most this many images decode at once, process-wide.
MAX_CONCURRENT_DECODES = 2
DECODE_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_DECODES)
# JPEGs are checked by decoding them at 1/8 scale or so: the whole entropy-coded stream is still read.
_JPEG_CHECK_SIDE = 1024

PILLOW_ERRORS = (OSError, SyntaxError, ValueError, struct.error, *_PARSER_BUGS)

_PIL_FORMATS = {"jpeg": ("JPEG", "image/jpeg", ".jpg"), "png": ("PNG", "image/png", ".png"),
                "webp": ("WEBP", "image/webp", ".webp")}  # fmt: skip


def _probe_image(path: Path, head: bytes, name: str, gate: _Gate, fmt: _Format) -> FileInfo:
    gate(FileKind.IMAGE, fmt.what)
    pil_format, mime, ext = _PIL_FORMATS[fmt.key]
    try:
        with open_image(path, pil_format) as img:
            width, height = img.size  # from the header: nothing decoded yet
            if width * height > MAX_IMAGE_PIXELS:
                raise _image_bomb(name, width, height)
            if pil_format != "JPEG" and width * height > MAX_LOSSLESS_PIXELS:
                raise _image_bomb(name, width, height, MAX_LOSSLESS_PIXELS)
            if pil_format == "JPEG":
                img.draft("RGB", (_JPEG_CHECK_SIDE, _JPEG_CHECK_SIDE))
            with DECODE_SLOTS:
                img.load()  # decode every pixel: a truncated or corrupt image fails here
            orientation = img.getexif().get(0x0112, 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _err(
            "upload_bomb",
            _("“{name}” declares more pixels than an image may have; it was refused."),
            name=name,
        ) from exc
    except PILLOW_ERRORS as exc:
        raise _Malformed(f"Pillow: {exc}") from exc
    if width < 1 or height < 1:
        raise _Malformed("zero-sized image")
    if orientation in (5, 6, 7, 8):  # rotated a quarter turn: people see it the other way round
        width, height = height, width
    return _info(FileKind.IMAGE, mime, ext, width=width, height=height)


def open_image(path: Path, pil_format: str) -> Image.Image:
    # Only the sniffed decoder may run. Pillow's own bomb check stays on (it raises above twice its
    # MAX_IMAGE_PIXELS); ours is stricter and is applied right after opening, before decoding.
    # (warnings.catch_warnings would be simpler but is not thread-safe before Python 3.14.)
    return Image.open(path, formats=[pil_format])


def _image_bomb(name: str, width: int, height: int, limit: int | None = None) -> ServiceError:
    if limit is not None:
        return _err(
            "upload_bomb",
            _(
                "“{name}” is {width}×{height} pixels; PNG and WebP images may have at most {limit} megapixels. "
                "Save a large photo as JPEG, or reduce its size."
            ),
            name=name,
            width=width,
            height=height,
            limit=limit // 1_000_000,
        )
    return _err(
        "upload_bomb",
        _("“{name}” is {width}×{height} pixels; images may have at most {limit} megapixels."),
        name=name,
        width=width,
        height=height,
        limit=MAX_IMAGE_PIXELS // 1_000_000,
    )



def probe_jpeg(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    return _probe_image(path, head, name, gate, _JPEG)


def probe_png(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    return _probe_image(path, head, name, gate, _PNG)


def probe_webp(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    return _probe_image(path, head, name, gate, _WEBP)
