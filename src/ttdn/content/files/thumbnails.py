"""Previews: a small WebP of an image or of a PDF's first page, made under the same decode limits as the image
probe and the PDFium lock of `text`. A missing preview never blocks an upload."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from ttdn.content.files import text
from ttdn.content.files.probes import images
from ttdn.content.files.sniff import _PARSER_BUGS, FileInfo, FileKind

logger = logging.getLogger(__name__)

__all__ = ["make_thumbnail"]


def make_thumbnail(path: Path, info: FileInfo, max_side: int = 480) -> bytes | None:
    """A WebP preview whose longest side is at most `max_side`, or None (audio, video, failure)."""
    try:
        if info.kind == FileKind.IMAGE:
            image = _image_for_thumbnail(path, info, max_side)
        elif info.kind == FileKind.PDF:
            image = _pdf_first_page(path, max_side)
        else:
            return None
        image = _flatten(image)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=80, method=4)
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, pdfium.PdfiumError, Image.DecompressionBombError, *_PARSER_BUGS) as exc:
        # A missing preview must not block an upload that already passed inspection.
        logger.warning("No thumbnail for %s (%s): %s", info.sha256 or path, info.kind, exc)
        return None


def _image_for_thumbnail(path: Path, info: FileInfo, max_side: int) -> Image.Image:
    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[info.mime_type]
    with images.open_image(path, fmt) as img:
        if fmt == "JPEG":
            img.draft("RGB", (max_side, max_side))  # decode at reduced scale: much faster for photos
        elif img.width * img.height > images.MAX_LOSSLESS_PIXELS:
            raise ValueError(f"{img.width}×{img.height} is too large to decode")
        with images.DECODE_SLOTS:
            img.load()
            return ImageOps.exif_transpose(img)


def _pdf_first_page(path: Path, max_side: int) -> Image.Image:
    with text.PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[0]
            try:
                width, height = page.get_size()  # points: 1/72 inch, one pixel at scale 1
                scale = max_side / max(width, height, 1.0)
                bitmap = page.render(scale=scale)
                try:
                    return bitmap.to_pil().copy()  # copy: the bitmap's buffer dies with it
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            pdf.close()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white, whatever the mode (palette, alpha, 16-bit grey, CMYK)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
