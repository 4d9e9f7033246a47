"""The wire format both ends agree on: batches (zstd-compressed JSON signed by the hub), the formats each end
reads and how they are negotiated, the frames of a many-chunk answer, and messages meant for the far end's
operator (Vietnamese, then English).

A node names the batch formats it reads in FORMATS_HEADER on every request and the hub answers in the newest of
them it writes; a node that names none predates the header and reads format 1. So a hub upgraded first keeps
serving the nodes still one version behind. USB bundles negotiate the same way through the node's last report
(`bundle.FORMATS`).
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError
from ttdn.sync.transport import keys

FORMAT = 1
# Batch formats this version reads and writes.
FORMATS = (1,)
FORMATS_HEADER = "X-Ttdn-Formats"
MAX_BATCH_BYTES = 512 * 1024 * 1024
# Frame of one chunk in a batched chunk answer: raw digest, flag, payload length.
FRAME = struct.Struct(">32sBI")
FRAME_RAW, FRAME_ZSTD, FRAME_UNKNOWN = 0, 1, 2


def both(message: Any, params: dict[str, Any] | None = None) -> str:
    """Vietnamese, then English: a node's log is read by whoever is at the post, a hub's by its operator.
    `params` are put in after translating (a lazy message with `%` applied is already in one language)."""
    texts = []
    for language in ("vi", "en"):
        with translation.override(language):
            texts.append(str(message) % params if params is not None else str(message))
    vi, en = texts
    return vi if vi == en else f"{vi} / {en}"


def parse_formats(announced: str | None) -> set[int]:
    """The format numbers of FORMATS_HEADER (empty when the header is absent)."""
    if not announced:
        return set()
    try:
        return {int(part) for part in announced.split(",") if part.strip()}
    except ValueError:
        raise ServiceError("bad_request", _("%(header)s lists format numbers, separated by commas.")
                           % {"header": FORMATS_HEADER}) from None


def served_format(announced: str | None) -> int:
    """The batch format to answer a node in, from what it announced (FORMATS_HEADER)."""
    if not announced:
        return 1
    common = parse_formats(announced) & set(FORMATS)
    if not common:
        raise ServiceError("format_unsupported",
                           _("This node reads batch formats %(node)s; this hub writes %(hub)s. Upgrade the "
                             "older of the two.") % {"node": announced, "hub": ",".join(map(str, FORMATS))},
                           status=409)
    return max(common)


def dumps(batch: dict[str, Any]) -> bytes:
    """A batch as the JSON the wire carries (compact, UTF-8)."""
    return json.dumps(batch, ensure_ascii=False, separators=(",", ":")).encode()


def encode(batch: dict[str, Any], key: Ed25519PrivateKey) -> tuple[bytes, str]:
    """(zstd-compressed JSON, the hub's signature over it)."""
    return encode_json(dumps(batch), key)


def encode_json(raw: bytes, key: Ed25519PrivateKey) -> tuple[bytes, str]:
    """`encode` of a batch already in its JSON (`dumps`)."""
    payload = zstandard.ZstdCompressor(level=9).compress(raw)
    return payload, keys.sign(key, payload)


def decode(payload: bytes, signature: str, hub_public_key: str) -> dict[str, Any]:
    """Verify then decompress; raises ValueError on any mismatch."""
    if not keys.verify(hub_public_key, payload, signature):
        raise ValueError("batch signature does not verify")
    raw = zstandard.ZstdDecompressor().decompress(payload, max_output_size=MAX_BATCH_BYTES)
    batch = json.loads(raw)
    if not isinstance(batch, dict) or not isinstance(batch.get("format"), int):
        raise ValueError("unknown batch format")
    if batch["format"] not in FORMATS:
        raise ValueError(f"the hub sent batch format {batch['format']}; this node reads "
                         f"{','.join(map(str, FORMATS))}: upgrade this node")
    return batch


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
