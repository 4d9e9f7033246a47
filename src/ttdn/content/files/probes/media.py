"""The audio and video probes: MP3 and Ogg (through mutagen), MP4/M4A and WebM (their containers walked with
seeks and a budget of elements, so the media data is never read)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import mutagen
import mutagen.mp3
import mutagen.mp4
import mutagen.oggopus
import mutagen.oggvorbis
from django.utils.translation import gettext_lazy as _

from ttdn.content.files.sniff import (
    _ACCEPTED,
    _MP3,
    _OGG,
    _PARSER_BUGS,
    FileInfo,
    FileKind,
    _err,
    _Gate,
    _info,
    _Malformed,
)

if TYPE_CHECKING:
    from ttdn.content.files.sniff import LazyStr

MAX_CONTAINER_ELEMENTS = 100_000  # MP4 boxes / EBML elements walked before giving up
MAX_HEADER_ELEMENT_BYTES = 8 * 1024 * 1024  # WebM Info/Tracks read into memory

_MUTAGEN_ERRORS = (mutagen.MutagenError, OSError, ValueError, struct.error, *_PARSER_BUGS)

_WHAT_M4A = _("an M4A audio file")
_WHAT_MP4_VIDEO = _("an MP4 video")
_WHAT_WEBM_VIDEO = _("a WebM video")
_WHAT_WEBM_AUDIO = _("a WebM audio file")

_MP4_ACCEPTED_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4A ", b"M4B ",
     b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV", b"f4v ", b"f4a "}
)  # fmt: skip
_MP4_OTHER_BRANDS: dict[bytes, LazyStr] = {
    b"qt  ": _("a QuickTime (.mov) video"),
    b"heic": _("a HEIC image"),
    b"heix": _("a HEIC image"),
    b"mif1": _("a HEIF image"),
    b"msf1": _("a HEIF image sequence"),
    b"avif": _("an AVIF image"),
    b"crx ": _("a camera RAW photo"),
}





def probe_mp3(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    gate(FileKind.AUDIO, _MP3.what)
    try:
        audio = mutagen.mp3.MP3(str(path))
    except _MUTAGEN_ERRORS as exc:
        raise _Malformed(f"mutagen: {exc}") from exc
    length = _audio_length(audio)
    if not length:
        raise _Malformed("no audio frames")
    return _info(FileKind.AUDIO, "audio/mpeg", ".mp3", duration_seconds=length)


def _audio_length(audio: mutagen.FileType) -> float | None:
    length = float(getattr(audio.info, "length", 0) or 0)
    return length if length > 0 else None


def probe_ogg(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    codecs = _ogg_stream_codecs(head)
    if any(c.startswith(b"\x80theora") for c in codecs):
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=_("an Ogg video (Theora)"),
            accepted=_ACCEPTED,
        )
    reader: type[mutagen.FileType]
    if codecs and codecs[0].startswith(b"\x01vorbis"):
        reader = mutagen.oggvorbis.OggVorbis
    elif codecs and codecs[0].startswith(b"OpusHead"):
        reader = mutagen.oggopus.OggOpus
    elif codecs and codecs[0].startswith((b"\x7fFLAC", b"Speex", b"fLaC")):
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=_("an Ogg file with FLAC or Speex audio"),
            accepted=_ACCEPTED,
        )
    else:
        raise _Malformed(f"Ogg streams {codecs!r}")
    gate(FileKind.AUDIO, _OGG.what)
    try:
        audio = reader(str(path))
    except _MUTAGEN_ERRORS as exc:
        raise _Malformed(f"mutagen: {exc}") from exc
    length = _audio_length(audio)
    if not length:
        raise _Malformed("no audio")
    return _info(FileKind.AUDIO, "audio/ogg", ".ogg", duration_seconds=length)


def _ogg_stream_codecs(head: bytes) -> list[bytes]:
    """The first bytes of each logical stream's first packet (the beginning-of-stream pages)."""
    codecs: list[bytes] = []
    pos = 0
    while head[pos : pos + 4] == b"OggS" and len(head) >= pos + 27:
        header_type = head[pos + 5]
        if not header_type & 0x02:  # beginning-of-stream pages all come first
            break
        segments = head[pos + 26]
        table = head[pos + 27 : pos + 27 + segments]
        body = pos + 27 + segments
        codecs.append(head[body : body + 8])
        pos = body + sum(table)
    return codecs


# --- MP4 / M4A -------------------------------------------------------------------------------


def _mp4_boxes(fh: IO[bytes], start: int, end: int, budget: list[int]) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) for each box between start and end; sizes must fit."""
    pos = start
    while pos + 8 <= end:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Malformed("too many boxes")
        fh.seek(pos)
        header = fh.read(8)
        if len(header) < 8:
            raise _Malformed("truncated box header")
        size, box_type = struct.unpack(">I4s", header)
        payload = pos + 8
        if size == 1:
            large = fh.read(8)
            if len(large) < 8:
                raise _Malformed("truncated box header")
            (size,) = struct.unpack(">Q", large)
            payload += 8
        elif size == 0:
            size = end - pos
        if size < payload - pos or pos + size > end:
            raise _Malformed(f"box {box_type!r} runs past its container (truncated file?)")
        yield box_type, payload, pos + size
        pos += size


def _read_at(fh: IO[bytes], pos: int, length: int) -> bytes:
    fh.seek(pos)
    data = fh.read(length)
    if len(data) != length:
        raise _Malformed("truncated")
    return data


@dataclass
class _Mp4Track:
    handler: bytes = b""
    width: int | None = None
    height: int | None = None


def probe_mp4(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(len(head), struct.unpack(">I", head[:4])[0]), 4)}
    if major not in _MP4_ACCEPTED_BRANDS and not (compatible & _MP4_ACCEPTED_BRANDS):
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=_MP4_OTHER_BRANDS.get(major, _("an MP4-family file of an unsupported type")),
            accepted=_ACCEPTED,
        )
    size = path.stat().st_size
    budget = [MAX_CONTAINER_ELEMENTS]
    tracks: list[_Mp4Track] = []
    duration: float | None = None
    with path.open("rb") as fh:
        top = list(_mp4_boxes(fh, 0, size, budget))
        if not top or top[0][0] != b"ftyp":
            raise _Malformed("first box is not ftyp")
        moov = [box for box in top if box[0] == b"moov"]
        if len(moov) != 1:
            raise _Malformed("no movie header (moov)")
        for box_type, start, end in _mp4_boxes(fh, moov[0][1], moov[0][2], budget):
            if box_type == b"mvhd":
                duration = _mp4_mvhd_duration(_read_at(fh, start, min(end - start, 64)))
            elif box_type == b"trak":
                tracks.append(_mp4_track(fh, start, end, budget))
    has_video = any(t.handler == b"vide" for t in tracks)
    has_audio = any(t.handler == b"soun" for t in tracks)
    if not has_video and not has_audio:
        raise _Malformed("no audio or video track")

    if has_video:
        gate(FileKind.VIDEO, _WHAT_MP4_VIDEO)
        video = next(t for t in tracks if t.handler == b"vide")
        return _info(
            FileKind.VIDEO, "video/mp4", ".mp4", width=video.width, height=video.height, duration_seconds=duration
        )
    gate(FileKind.AUDIO, _WHAT_M4A)
    try:
        audio = mutagen.mp4.MP4(str(path))
    except _MUTAGEN_ERRORS as exc:
        raise _Malformed(f"mutagen: {exc}") from exc
    length = _audio_length(audio) or duration
    return _info(FileKind.AUDIO, "audio/mp4", ".m4a", duration_seconds=length or None)


def _mp4_mvhd_duration(payload: bytes) -> float | None:
    try:
        if payload[0] == 1:
            timescale, length = struct.unpack(">IQ", payload[20:32])
        else:
            timescale, length = struct.unpack(">II", payload[12:20])
    except (struct.error, IndexError) as exc:
        raise _Malformed("short mvhd") from exc
    if timescale == 0 or length in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None  # fragmented or live files leave the duration out
    return length / timescale


def _mp4_track(fh: IO[bytes], start: int, end: int, budget: list[int]) -> _Mp4Track:
    track = _Mp4Track()
    for box_type, b_start, b_end in _mp4_boxes(fh, start, end, budget):
        if box_type == b"tkhd" and b_end - b_start >= 84:
            # Width and height are the last two 16.16 fixed-point fields of the track header.
            w, h = struct.unpack(">II", _read_at(fh, b_end - 8, 8))
            track.width, track.height = (w >> 16) or None, (h >> 16) or None
        elif box_type == b"mdia":
            for m_type, m_start, m_end in _mp4_boxes(fh, b_start, b_end, budget):
                if m_type == b"hdlr" and m_end - m_start >= 12:
                    track.handler = _read_at(fh, m_start + 8, 4)
    return track


# --- WebM ------------------------------------------------------------------------------------

_EBML_HEADER = 0x1A45DFA3
_EBML_DOCTYPE = 0x4282
_MKV_SEGMENT = 0x18538067
_MKV_INFO = 0x1549A966
_MKV_TIMESTAMP_SCALE = 0x2AD7B1
_MKV_DURATION = 0x4489
_MKV_TRACKS = 0x1654AE6B
_MKV_TRACK_ENTRY = 0xAE
_MKV_TRACK_TYPE = 0x83
_MKV_VIDEO = 0xE0
_MKV_PIXEL_WIDTH = 0xB0
_MKV_PIXEL_HEIGHT = 0xBA
_MKV_CLUSTER = 0x1F43B675
_EBML_UNKNOWN = -1


def _ebml_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    """One EBML variable-length integer at `pos`: (value, next position). Unknown size → -1."""
    if pos >= len(data):
        raise _Malformed("truncated EBML number")
    first = data[pos]
    if first == 0:
        raise _Malformed("invalid EBML number")
    length = 8 - first.bit_length() + 1
    if pos + length > len(data):
        raise _Malformed("truncated EBML number")
    raw = int.from_bytes(data[pos : pos + length], "big")
    if keep_marker:
        return raw, pos + length
    value = raw & ((1 << (7 * length)) - 1)
    if value == (1 << (7 * length)) - 1:
        return _EBML_UNKNOWN, pos + length
    return value, pos + length


def _ebml_elements(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (id, payload) children of an in-memory master element."""
    pos = 0
    while pos < len(data):
        element_id, pos = _ebml_vint(data, pos, keep_marker=True)
        size, pos = _ebml_vint(data, pos, keep_marker=False)
        if size == _EBML_UNKNOWN or pos + size > len(data):
            raise _Malformed("EBML element runs past its parent")
        yield element_id, data[pos : pos + size]
        pos += size


def _ebml_uint(payload: bytes) -> int:
    if len(payload) > 8:
        raise _Malformed("EBML integer too long")
    return int.from_bytes(payload, "big")


def probe_webm(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    file_size = path.stat().st_size
    with path.open("rb") as fh:
        reader = _EbmlFileReader(fh)
        element_id, start, end = reader.next_element(0, file_size)
        if element_id != _EBML_HEADER or end is None:
            raise _Malformed("no EBML header")
        doctype = b""
        for child_id, payload in _ebml_elements(reader.read(start, end)):
            if child_id == _EBML_DOCTYPE:
                doctype = payload.rstrip(b"\0")
        if doctype != b"webm":
            what = _("a Matroska (.mkv) video") if doctype == b"matroska" else _("a file of unknown type")
            raise _err(
                "upload_unsupported_type",
                _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
                name=name,
                what=what,
                accepted=_ACCEPTED,
            )
        segment_id, seg_start, seg_end = reader.next_element(end, file_size)
        if segment_id != _MKV_SEGMENT:
            raise _Malformed("no Segment after the EBML header")
        info, tracks = reader.segment_headers(seg_start, seg_end if seg_end is not None else file_size)

    scale, duration = 1_000_000, None
    for child_id, payload in _ebml_elements(info):
        if child_id == _MKV_TIMESTAMP_SCALE:
            scale = _ebml_uint(payload)
        elif child_id == _MKV_DURATION and len(payload) in (4, 8):
            duration = struct.unpack(">f" if len(payload) == 4 else ">d", payload)[0]
    track_types: list[int] = []
    width = height = None
    for child_id, entry in _ebml_elements(tracks):
        if child_id != _MKV_TRACK_ENTRY:
            continue
        track_type = 0
        for field_id, payload in _ebml_elements(entry):
            if field_id == _MKV_TRACK_TYPE:
                track_type = _ebml_uint(payload)
            elif field_id == _MKV_VIDEO and width is None:
                for v_id, v_payload in _ebml_elements(payload):
                    if v_id == _MKV_PIXEL_WIDTH:
                        width = _ebml_uint(v_payload) or None
                    elif v_id == _MKV_PIXEL_HEIGHT:
                        height = _ebml_uint(v_payload) or None
        track_types.append(track_type)
    seconds = duration * scale / 1e9 if duration is not None and duration > 0 else None
    if 1 in track_types:
        gate(FileKind.VIDEO, _WHAT_WEBM_VIDEO)
        return _info(FileKind.VIDEO, "video/webm", ".webm", width=width, height=height, duration_seconds=seconds)
    if 2 in track_types:
        gate(FileKind.AUDIO, _WHAT_WEBM_AUDIO)
        return _info(FileKind.AUDIO, "audio/webm", ".webm", duration_seconds=seconds)
    raise _Malformed("no audio or video track")


class _EbmlFileReader:
    """Walks the top of a WebM file with seeks, so the media clusters are never read."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.budget = MAX_CONTAINER_ELEMENTS

    def read(self, start: int, end: int) -> bytes:
        if end - start > MAX_HEADER_ELEMENT_BYTES:
            raise _Malformed("header element too large")
        return _read_at(self.fh, start, end - start)

    def next_element(self, pos: int, limit: int) -> tuple[int, int, int | None]:
        """(id, payload start, payload end or None when the size is unknown) of the element at pos."""
        self.budget -= 1
        if self.budget < 0:
            raise _Malformed("too many elements")
        header = _read_at(self.fh, pos, min(16, limit - pos))
        element_id, offset = _ebml_vint(header, 0, keep_marker=True)
        size, offset = _ebml_vint(header, offset, keep_marker=False)
        start = pos + offset
        if size == _EBML_UNKNOWN:
            return element_id, start, None
        if start + size > limit:
            raise _Malformed("element runs past the end of the file (truncated?)")
        return element_id, start, start + size

    def segment_headers(self, start: int, end: int) -> tuple[bytes, bytes]:
        """The Info and Tracks payloads, read from the segment's children before the first cluster."""
        info = tracks = None
        pos = start
        while pos < end and (info is None or tracks is None):
            element_id, child_start, child_end = self.next_element(pos, end)
            if element_id == _MKV_CLUSTER or child_end is None:
                break
            if element_id == _MKV_INFO:
                info = self.read(child_start, child_end)
            elif element_id == _MKV_TRACKS:
                tracks = self.read(child_start, child_end)
            pos = child_end
        if tracks is None:
            raise _Malformed("no Tracks element before the media data")
        return info or b"", tracks
