"""How an SMS text travels: GSM-7 or UCS-2, how many segments, where the parts are cut, what it costs — the one
counting rule, used by outreach (campaigns, area orders) and by the translation desk's SMS budget check.

Pure functions, no database. The encoding is decided from the NFC text, because decomposed Vietnamese
(a letter followed by combining marks) would otherwise count each mark as a character and can double
the segment count. Parts are cut on code points, never inside a UTF-16 surrogate pair (UCS-2) nor
between a GSM escape and the character it escapes (GSM-7) — the splits that garble long messages in
other gateways.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (the escape 0x1B itself is not a character a person types).
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters reached through the escape: each costs two septets.
GSM_EXTENSION = "\x0c^{}\\[~]|€"

_GSM_BASIC_SET = frozenset(GSM_BASIC)
_GSM_EXT_SET = frozenset(GSM_EXTENSION)

# Septets (GSM-7) or UTF-16 code units (UCS-2) in one message, and in each part of a concatenated one
# (a 6-byte UDH takes 7 septets / 3 code units).
SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}

# Letters that do not decompose into base + mark: mapped by hand for the unaccented form.
_UNACCENT_MAP = str.maketrans({"đ": "d", "Đ": "D", "ƀ": "b", "Ƀ": "B"})


@dataclass(frozen=True)
class SegmentInfo:
    text: str  # the NFC text that is sent
    encoding: Encoding
    characters: int  # code points of the NFC text
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: tuple[str, ...]  # the text of each part, in order

    @property
    def segments(self) -> int:
        return len(self.parts)


def unaccented(text: str) -> str:
    """Vietnamese "không dấu": đ→d, tones and vowel marks removed.

    Only the Latin combining marks (U+0300–U+036F) are stripped: Lao and Khmer vowel signs are combining
    marks too, and removing them would destroy those texts.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_UNACCENT_MAP))
    stripped = "".join(ch for ch in decomposed if not 0x0300 <= ord(ch) <= 0x036F)
    return unicodedata.normalize("NFC", stripped)


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character of the (NFC) text is in the GSM default alphabet or its extension."""
    return "GSM-7" if all(ch in _GSM_BASIC_SET or ch in _GSM_EXT_SET for ch in text) else "UCS-2"


def _cost(ch: str, encoding: Encoding) -> int:
    if encoding == "GSM-7":
        return 2 if ch in _GSM_EXT_SET else 1
    return 2 if ord(ch) > 0xFFFF else 1  # a surrogate pair is two code units


def analyse(text: str, *, no_accents: bool = False) -> SegmentInfo:
    """Encoding, counts and parts of `text` as it would be sent (after NFC, optionally unaccented)."""
    text = unicodedata.normalize("NFC", text)
    if no_accents:
        text = unaccented(text)
    encoding = encoding_of(text)
    costs = [_cost(ch, encoding) for ch in text]
    units = sum(costs)
    if units <= SINGLE[encoding]:
        parts: tuple[str, ...] = (text,) if text else ()
    else:
        limit = PART[encoding]
        cut: list[str] = []
        start = used = 0
        # Cut on code points: an escaped GSM character or an astral character (surrogate pair) that would
        # not fit whole moves to the next part.
        for i, cost in enumerate(costs):
            if used + cost > limit:
                cut.append(text[start:i])
                start, used = i, 0
            used += cost
        cut.append(text[start:])
        parts = tuple(cut)
    return SegmentInfo(text=text, encoding=encoding, characters=len(text), units=units, parts=parts)


def check_segment_limit(info: SegmentInfo, limit: int) -> None:
    """Refuse (never truncate) a message longer than the campaign allows."""
    if info.segments > limit:
        raise ServiceError(
            "too_many_segments",
            _("This message needs %(segments)d SMS segments; the campaign allows at most %(limit)d. Shorten it.")
            % {"segments": info.segments, "limit": limit},
            segments=info.segments,
            limit=limit,
        )


def campaign_cost(info: SegmentInfo, recipients: int, price_per_segment: Decimal) -> Decimal:
    """What sending this message to `recipients` numbers costs at one operator's price per segment."""
    return price_per_segment * info.segments * recipients


def costs_per_operator(
    info: SegmentInfo, recipients_per_operator: dict[str, int], prices: dict[str, Decimal]
) -> dict[str, Decimal]:
    """Cost at each operator for its share of the audience; an operator without a price is refused."""
    missing = sorted(op for op in recipients_per_operator if op not in prices)
    if missing:
        raise ServiceError(
            "no_price",
            _("No price per segment is set for the operator(s): %(operators)s.") % {"operators": ", ".join(missing)},
        )
    return {op: campaign_cost(info, n, prices[op]) for op, n in recipients_per_operator.items()}


# --- On the wire -------------------------------------------------------------------------------------------

_GSM_CODE = {ch: i for i, ch in enumerate("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                                          "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")}
_GSM_EXT_CODE = {"\x0c": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E,
                 "|": 0x40, "€": 0x65}


def encode_part(text: str, encoding: Encoding) -> bytes:
    """The short_message bytes of one part: unpacked GSM-7 septets (data_coding 0) or UTF-16-BE (0x08)."""
    if encoding == "UCS-2":
        return text.encode("utf-16-be")
    out = bytearray()
    for ch in text:
        if ch in _GSM_EXT_CODE:
            out += bytes((0x1B, _GSM_EXT_CODE[ch]))
        else:
            out.append(_GSM_CODE[ch])
    return bytes(out)


def decode_part(data: bytes, encoding: Encoding) -> str:
    if encoding == "UCS-2":
        return data.decode("utf-16-be")
    by_code = {v: k for k, v in _GSM_CODE.items()}
    by_ext = {v: k for k, v in _GSM_EXT_CODE.items()}
    out: list[str] = []
    escaped = False
    for b in data:
        if escaped:
            out.append(by_ext[b])
            escaped = False
        elif b == 0x1B:
            escaped = True
        else:
            out.append(by_code[b])
    return "".join(out)


def concat_udh(reference: int, total: int, sequence: int) -> bytes:
    """The 6-byte user data header of one part of a concatenated message (IEI 0x00, 8-bit reference)."""
    return bytes((0x05, 0x00, 0x03, reference & 0xFF, total, sequence))


def wire_parts(info: SegmentInfo, reference: int) -> list[bytes]:
    """The short_message of each part, with its UDH when the message is concatenated (esm_class 0x40)."""
    encoded = [encode_part(p, info.encoding) for p in info.parts]
    if len(encoded) <= 1:
        return encoded
    return [concat_udh(reference, len(encoded), i + 1) + e for i, e in enumerate(encoded)]
