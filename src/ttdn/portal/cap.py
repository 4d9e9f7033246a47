"""CAP 1.2 documents: written (one <info> per public language, signed with XML-DSig), read and checked.

The OASIS schema is vendored (data/CAP-v1.2.xsd) and every document going out or coming in is validated
against it. Signatures are enveloped XML signatures (RSA-SHA256) carrying the hub's certificate, as CAP 1.2
§3.3.2.1 allows; the hub's key and self-signed certificate live in the data directory.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import etree

CAP = "urn:oasis:names:tc:emergency:cap:1.2"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
XSD_PATH = Path(__file__).parent / "data" / "CAP-v1.2.xsd"
# A CAP message is a few kilobytes; anything far larger is not one.
MAX_BYTES = 1_000_000
MAX_INFOS = 32
GEOCODE_NAME = "VN-GSO"  # the General Statistics Office's code of a province or commune
_LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def q(tag: str) -> str:
    return f"{{{CAP}}}{tag}"


def cap_time(value: dt.datetime) -> str:
    """CAP's form: seconds, an explicit offset, never "Z" (the schema's pattern), in Vietnam's time."""
    return value.astimezone(_LOCAL).replace(microsecond=0).isoformat()


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


# ------------------------------------------------------------------------------------------------ the key


def _key_dir() -> Path:
    path = Path(settings.DATA_DIR) / "portal"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _create_key(path: Path) -> None:
    # Imported here: x509 costs ~60 ms at every process start, and a key is made once per installation.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"TTĐN CAP {settings.CAP_SENDER}"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # another process may have made one first: then theirs is kept
    except FileExistsError:
        pass
    tmp.unlink()


def signing_pair() -> tuple[bytes, bytes]:
    """The hub's CAP signing key and certificate (PEM), created on first use."""
    path = _key_dir() / "cap_signing.pem"
    if not path.exists():
        _create_key(path)
    pem = path.read_bytes()
    marker = b"-----BEGIN CERTIFICATE-----"
    at = pem.index(marker)
    return pem[:at], pem[at:]


def certificate() -> str:
    return signing_pair()[1].decode()


def sign(root: etree._Element) -> bytes:
    from signxml import XMLSigner, methods

    key, cert = signing_pair()
    signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256",
                       c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    signed = signer.sign(root, key=key, cert=cert.decode())
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


# ------------------------------------------------------------------------------------------ writing


@dataclass
class Area:
    description: str
    geocodes: list[str]


@dataclass
class Resource:
    description: str
    mime_type: str
    size: int
    uri: str


@dataclass
class Info:
    language: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    expires: dt.datetime | None = None
    areas: list[Area] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)


@dataclass
class Message:
    identifier: str
    sender: str
    sent: dt.datetime
    status: str
    msg_type: str
    scope: str = "Public"
    note: str = ""
    references: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    infos: list[Info] = field(default_factory=list)


def _text(parent: etree._Element, tag: str, value: str) -> None:
    if value:
        etree.SubElement(parent, q(tag)).text = value


def build(message: Message) -> etree._Element:
    root = etree.Element(q("alert"), nsmap={None: CAP})
    _text(root, "identifier", message.identifier)
    _text(root, "sender", message.sender)
    _text(root, "sent", cap_time(message.sent))
    _text(root, "status", message.status)
    _text(root, "msgType", message.msg_type)
    _text(root, "scope", message.scope)
    _text(root, "note", message.note)
    if message.references:
        _text(root, "references", " ".join(f"{s},{i},{cap_time(t)}" for s, i, t in message.references))
    for info in message.infos:
        node = etree.SubElement(root, q("info"))
        _text(node, "language", info.language)
        _text(node, "category", info.category)
        _text(node, "event", info.event)
        _text(node, "urgency", info.urgency)
        _text(node, "severity", info.severity)
        _text(node, "certainty", info.certainty)
        if info.expires:
            _text(node, "expires", cap_time(info.expires))
        _text(node, "senderName", info.sender_name)
        _text(node, "headline", info.headline)
        _text(node, "description", info.description)
        _text(node, "instruction", info.instruction)
        _text(node, "web", info.web)
        for res in info.resources:
            r = etree.SubElement(node, q("resource"))
            _text(r, "resourceDesc", res.description)
            _text(r, "mimeType", res.mime_type)
            _text(r, "size", str(res.size))
            _text(r, "uri", res.uri)
        for area in info.areas:
            a = etree.SubElement(node, q("area"))
            _text(a, "areaDesc", area.description)
            for code in area.geocodes:
                g = etree.SubElement(a, q("geocode"))
                _text(g, "valueName", GEOCODE_NAME)
                _text(g, "value", code)
    return root


def write(message: Message) -> bytes:
    """The signed document, checked against the schema before it leaves (a bug here must not go out)."""
    root = build(message)
    schema().assertValid(root)
    return sign(root)


# ------------------------------------------------------------------------------------------ reading


class CapError(ValueError):
    """A document that is not a CAP 1.2 alert the hub can take in; `code` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def parse(data: bytes) -> etree._Element:
    """Parse untrusted bytes: bounded, no DTD, no entities, no network; then the CAP 1.2 schema."""
    if len(data) > MAX_BYTES:
        raise CapError("too_large")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CapError("malformed", str(exc)[:200]) from None
    if root.getroottree().docinfo.doctype:
        raise CapError("malformed", "DOCTYPE")
    if root.tag != q("alert"):
        raise CapError("not_cap", str(root.tag)[:100])
    if not schema().validate(root):
        error = schema().error_log.last_error
        raise CapError("invalid", f"line {error.line}: {error.message}"[:300] if error else "")
    if len(root.findall(q("info"))) > MAX_INFOS:
        raise CapError("too_large")
    return root


def verify(data: bytes, certificate_pem: str) -> etree._Element:
    """The part of the document the sender's signature covers (a wrapped or altered document is refused)."""
    from signxml import InvalidInput, InvalidSignature, XMLVerifier

    try:
        result = XMLVerifier().verify(data, x509_cert=certificate_pem)
    except (InvalidSignature, InvalidInput) as exc:
        raise CapError("bad_signature", str(exc)[:200]) from None
    signed = result.signed_xml if not isinstance(result, list) else None
    if signed is None or signed.tag != q("alert"):
        raise CapError("bad_signature", "the signature does not cover the alert")
    return signed


def is_signed(root: etree._Element) -> bool:
    return root.find(f"{{{DSIG}}}Signature") is not None


def text(node: etree._Element, tag: str) -> str:
    found = node.find(q(tag))
    return (found.text or "").strip() if found is not None else ""


def parse_time(value: str) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value)


def references(value: str) -> list[tuple[str, str]]:
    """(sender, identifier) of each "sender,identifier,sent" triple."""
    out = []
    for triple in value.split():
        parts = triple.split(",")
        if len(parts) == 3:
            out.append((parts[0], parts[1]))
    return out


def read_info(node: etree._Element) -> dict[str, Any]:
    areas = []
    for area in node.findall(q("area")):
        codes = [text(g, "value") for g in area.findall(q("geocode"))
                 if text(g, "valueName").upper() in {GEOCODE_NAME, "GSO"}]
        areas.append(Area(text(area, "areaDesc"), codes))
    return {
        "language": text(node, "language") or "en-US",  # CAP's default when the element is absent
        "category": text(node, "category"),
        "event": text(node, "event"),
        "urgency": text(node, "urgency"),
        "severity": text(node, "severity"),
        "certainty": text(node, "certainty"),
        "headline": text(node, "headline"),
        "description": text(node, "description"),
        "instruction": text(node, "instruction"),
        "expires": parse_time(text(node, "expires")),
        "areas": areas,
    }
