"""Files in and out of the desk: XLIFF 2.0 and 1.2 for a job (outside translators), TMX for the memory, TBX and
CSV for the glossary. Writing is deterministic, so a file exported, left untouched and imported again changes
nothing, and the next export is byte for byte the same.

Reading is a bad-input surface: size-bounded, no DTD or entity (refused before parsing), a bounded number of
entries, and every fault a `ServiceError` with a sentence for the person; nothing is written here (the
services apply what was read, in one transaction)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from ttdn.core import languages
from ttdn.core.errors import ServiceError
from ttdn.core.text import nfc
from ttdn.translation.models import Job, JobState, MemoryUnit, Segment, Term, TermStatus

MAX_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 200_000
TERM_MAX = 200
TEXT_MAX = 20_000

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
TBX = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _bad(message: Any) -> ServiceError:
    return ServiceError("bad_file", message, field="file")


def _parse(data: bytes, what: Any) -> ET.Element:
    if len(data) > MAX_BYTES:
        raise _bad(_("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // (1024 * 1024)})
    if _DECLARATIONS.search(data):
        raise _bad(_("The file declares a DTD or entities; they are not accepted."))
    try:
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        raise _bad(_("The file is not well-formed %(what)s: %(error)s.") % {"what": what, "error": exc}) from None
    return root


def _text(element: ET.Element | None, where: Any) -> str:
    if element is None:
        return ""
    if len(element):
        raise _bad(_("%(where)s holds inline markup; only plain text is accepted.") % {"where": where})
    value = nfc(element.text or "")
    if len(value) > TEXT_MAX:
        raise _bad(_("%(where)s is longer than %(n)d characters.") % {"where": where, "n": TEXT_MAX})
    return value


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# ------------------------------------------------------------------------------------------------- XLIFF


def _state(segment: Segment, job: Job, version: str) -> str:
    if not segment.target:
        return "initial" if version == "2.0" else "new"
    if job.state >= JobState.APPROVED:
        return "final" if version == "2.0" else "signed-off"
    return "translated"


def export_xliff(job: Job, version: str = "2.0") -> bytes:
    segments = list(job.segments.order_by("position"))
    original = f"ttdn:item/{job.item.uid}/job/{job.pk}"
    if version == "1.2":
        ET.register_namespace("", XLIFF12)
        root = ET.Element(f"{{{XLIFF12}}}xliff", {"version": "1.2"})
        file = ET.SubElement(root, f"{{{XLIFF12}}}file", {
            "original": original, "source-language": job.from_language, "target-language": job.language,
            "datatype": "plaintext"})
        body = ET.SubElement(file, f"{{{XLIFF12}}}body")
        for s in segments:
            unit = ET.SubElement(body, f"{{{XLIFF12}}}trans-unit", {"id": f"s{s.position}", "resname": s.part})
            ET.SubElement(unit, f"{{{XLIFF12}}}source").text = s.source
            ET.SubElement(unit, f"{{{XLIFF12}}}target", {"state": _state(s, job, "1.2")}).text = s.target
        return _serialise(root)
    ET.register_namespace("", XLIFF2)
    root = ET.Element(f"{{{XLIFF2}}}xliff", {"version": "2.0", "srcLang": job.from_language,
                                              "trgLang": job.language})
    file = ET.SubElement(root, f"{{{XLIFF2}}}file", {"id": f"job-{job.pk}", "original": original})
    for s in segments:
        unit = ET.SubElement(file, f"{{{XLIFF2}}}unit", {"id": f"s{s.position}", "name": s.part})
        segment = ET.SubElement(unit, f"{{{XLIFF2}}}segment", {"state": _state(s, job, "2.0")})
        ET.SubElement(segment, f"{{{XLIFF2}}}source").text = s.source
        ET.SubElement(segment, f"{{{XLIFF2}}}target").text = s.target
    return _serialise(root)


@dataclass(frozen=True)
class Change:
    position: int
    source: str
    old: str
    new: str


def read_xliff(job: Job, data: bytes) -> list[Change]:
    """The translations a file brings for a job, as changes against what the job holds (unchanged ones left
    out). The file must be of this job's languages and of its current source, sentence by sentence."""
    root = _parse(data, "XLIFF")
    segments = {f"s{s.position}": s for s in job.segments.order_by("position")}
    pairs: list[tuple[str, str, str]] = []  # (id, source, target)
    if root.tag == f"{{{XLIFF2}}}xliff":
        src, tgt = root.get("srcLang", ""), root.get("trgLang", "")
        for unit in root.iter(f"{{{XLIFF2}}}unit"):
            parts = unit.findall(f"{{{XLIFF2}}}segment")
            if len(parts) != 1:
                raise _bad(_("Unit “%(id)s” must hold exactly one segment.") % {"id": unit.get("id", "")})
            where = _("Unit “%(id)s”") % {"id": unit.get("id", "")}
            pairs.append((unit.get("id", ""), _text(parts[0].find(f"{{{XLIFF2}}}source"), where),
                          _text(parts[0].find(f"{{{XLIFF2}}}target"), where)))
    elif root.tag == f"{{{XLIFF12}}}xliff":
        files = root.findall(f"{{{XLIFF12}}}file")
        if len(files) != 1:
            raise _bad(_("The file must hold exactly one <file>."))
        src, tgt = files[0].get("source-language", ""), files[0].get("target-language", "")
        for unit in files[0].iter(f"{{{XLIFF12}}}trans-unit"):
            where = _("Unit “%(id)s”") % {"id": unit.get("id", "")}
            pairs.append((unit.get("id", ""), _text(unit.find(f"{{{XLIFF12}}}source"), where),
                          _text(unit.find(f"{{{XLIFF12}}}target"), where)))
    else:
        raise _bad(_("This is not an XLIFF 2.0 or 1.2 file."))
    if languages.canonical_tag(src) != job.from_language or languages.canonical_tag(tgt) != job.language:
        raise _bad(_("The file is for %(src)s → %(tgt)s; this job is %(jsrc)s → %(jtgt)s.") % {
            "src": src or "?", "tgt": tgt or "?", "jsrc": job.from_language, "jtgt": job.language})
    if len(pairs) > MAX_ENTRIES:
        raise _bad(_("The file holds more than %(n)d entries.") % {"n": MAX_ENTRIES})
    seen: set[str] = set()
    changes: list[Change] = []
    for unit_id, source, target in pairs:
        segment = segments.get(unit_id)
        if segment is None or unit_id in seen:
            raise _bad(_("Unit “%(id)s” is not a sentence of this job (or comes twice).") % {"id": unit_id})
        seen.add(unit_id)
        if " ".join(source.split()) != segment.source:
            raise _bad(_("The source of unit “%(id)s” differs from the job's: the file was exported before the "
                         "source changed. Export it again.") % {"id": unit_id})
        target = " ".join(target.split())
        if target != segment.target:
            changes.append(Change(segment.position, segment.source, segment.target, target))
    return changes


# ------------------------------------------------------------------------------------------------- TMX


def export_tmx(source_language: str, target_language: str) -> bytes:
    root = ET.Element("tmx", {"version": "1.4"})
    ET.SubElement(root, "header", {
        "creationtool": "TTDN", "creationtoolversion": "1", "segtype": "sentence", "o-tmf": "ttdn",
        "adminlang": "en", "srclang": source_language, "datatype": "plaintext"})
    body = ET.SubElement(root, "body")
    units = MemoryUnit.objects.filter(source_language=source_language, target_language=target_language)
    for unit in units.order_by("id").iterator(chunk_size=2000):
        tu = ET.SubElement(body, "tu")
        if unit.kind:
            ET.SubElement(tu, "prop", {"type": "x-kind"}).text = unit.kind
        if unit.topic:
            ET.SubElement(tu, "prop", {"type": "x-topic"}).text = unit.topic
        for lang, text in ((source_language, unit.source), (target_language, unit.target)):
            tuv = ET.SubElement(tu, "tuv", {XML_LANG: lang})
            ET.SubElement(tuv, "seg").text = text
    return _serialise(root)


@dataclass(frozen=True)
class MemoryEntry:
    source_language: str
    target_language: str
    source: str
    target: str
    kind: str = ""
    topic: str = ""


def read_tmx(data: bytes) -> list[MemoryEntry]:
    root = _parse(data, "TMX")
    body = root.find("body")
    if root.tag != "tmx" or body is None:
        raise _bad(_("This is not a TMX file."))
    header = root.find("header")
    srclang = languages.canonical_tag(header.get("srclang", "")) if header is not None else None
    out: list[MemoryEntry] = []
    for n, tu in enumerate(list(body), start=1):
        if tu.tag != "tu":
            continue
        props = {p.get("type", ""): (p.text or "").strip()[:64] for p in tu.findall("prop")}
        texts: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            tag = languages.canonical_tag(tuv.get(XML_LANG, "") or tuv.get("lang", ""))
            if tag is None:
                raise _bad(_("Entry %(n)d names an unknown language “%(lang)s”.") % {
                    "n": n, "lang": tuv.get(XML_LANG, "")})
            texts[tag] = " ".join(_text(tuv.find("seg"), _("Entry %(n)d") % {"n": n}).split())
        source_lang = srclang if srclang in texts else next(iter(texts), None)
        if source_lang is None or not texts.get(source_lang):
            continue
        for lang, text in texts.items():
            if lang != source_lang and text:
                out.append(MemoryEntry(source_lang, lang, texts[source_lang], text, props.get("x-kind", ""),
                                       props.get("x-topic", "")))
        if len(out) > MAX_ENTRIES:
            raise _bad(_("The file holds more than %(n)d entries.") % {"n": MAX_ENTRIES})
    return out


# ---------------------------------------------------------------------------------------- TBX and CSV

_TBX_STATUS = {TermStatus.PREFERRED: "preferredTerm-admn-sts", TermStatus.FORBIDDEN: "deprecatedTerm-admn-sts",
               TermStatus.DO_NOT_TRANSLATE: "admittedTerm-admn-sts"}


@dataclass(frozen=True)
class TermEntry:
    source_language: str
    target_language: str
    source: str
    target: str
    status: str
    note: str = ""


def _terms(source_language: str, target_language: str) -> list[Term]:
    return list(Term.objects.filter(source_language=source_language, target_language=target_language)
                .order_by("source", "target", "id"))


def export_tbx(source_language: str, target_language: str) -> bytes:
    ET.register_namespace("", TBX)
    root = ET.Element(f"{{{TBX}}}tbx", {"type": "TBX-Basic", "style": "dca", XML_LANG: source_language})
    body = ET.SubElement(ET.SubElement(root, f"{{{TBX}}}text"), f"{{{TBX}}}body")
    for n, term in enumerate(_terms(source_language, target_language), start=1):
        entry = ET.SubElement(body, f"{{{TBX}}}conceptEntry", {"id": f"c{n}"})
        if term.note:
            ET.SubElement(entry, f"{{{TBX}}}descrip", {"type": "definition"}).text = term.note
        src = ET.SubElement(ET.SubElement(entry, f"{{{TBX}}}langSec", {XML_LANG: source_language}),
                            f"{{{TBX}}}termSec")
        ET.SubElement(src, f"{{{TBX}}}term").text = term.source
        tgt = ET.SubElement(ET.SubElement(entry, f"{{{TBX}}}langSec", {XML_LANG: target_language}),
                            f"{{{TBX}}}termSec")
        ET.SubElement(tgt, f"{{{TBX}}}term").text = term.target or term.source
        ET.SubElement(tgt, f"{{{TBX}}}termNote", {"type": "administrativeStatus"}).text = _TBX_STATUS[
            TermStatus(term.status)]
        ET.SubElement(tgt, f"{{{TBX}}}termNote", {"type": "x-ttdn-status"}).text = term.status
    return _serialise(root)


def _term_entry(src: str, tgt: str, source: str, target: str, status: str, note: str, where: Any) -> TermEntry:
    source_tag, target_tag = languages.canonical_tag(src), languages.canonical_tag(tgt)
    if source_tag is None or target_tag is None or source_tag == target_tag:
        raise _bad(_("%(where)s: choose two different known languages.") % {"where": where})
    source, target = " ".join(nfc(source).split()), " ".join(nfc(target).split())
    if not source or len(source) > TERM_MAX or len(target) > TERM_MAX:
        raise _bad(_("%(where)s: a term is empty or longer than %(n)d characters.") % {"where": where, "n": TERM_MAX})
    if status not in TermStatus.values:
        raise _bad(_("%(where)s: unknown status “%(s)s”.") % {"where": where, "s": status})
    if status == TermStatus.DO_NOT_TRANSLATE:
        target = ""
    elif not target:
        raise _bad(_("%(where)s: the translation of the term is missing.") % {"where": where})
    return TermEntry(source_tag, target_tag, source, target, status, nfc(note).strip()[:2000])


def read_tbx(data: bytes) -> list[TermEntry]:
    root = _parse(data, "TBX")
    if root.tag != f"{{{TBX}}}tbx":
        raise _bad(_("This is not a TBX file (ISO 30042:2019)."))
    source_language = root.get(XML_LANG, "")
    out: list[TermEntry] = []
    by_status = {v: k for k, v in _TBX_STATUS.items() if k != TermStatus.DO_NOT_TRANSLATE}
    for n, entry in enumerate(root.iter(f"{{{TBX}}}conceptEntry"), start=1):
        where = _("Entry %(n)d") % {"n": n}
        sections = entry.findall(f"{{{TBX}}}langSec")
        src = next((s for s in sections if s.get(XML_LANG) == source_language), None)
        if src is None:
            raise _bad(_("%(where)s has no term in the source language.") % {"where": where})
        source = _text(src.find(f"{{{TBX}}}termSec/{{{TBX}}}term"), where)
        note = _text(entry.find(f"{{{TBX}}}descrip"), where)
        for sec in sections:
            if sec is src:
                continue
            target = _text(sec.find(f"{{{TBX}}}termSec/{{{TBX}}}term"), where)
            notes = {n_.get("type", ""): (n_.text or "").strip() for n_ in sec.iter(f"{{{TBX}}}termNote")}
            status = notes.get("x-ttdn-status") or by_status.get(notes.get("administrativeStatus", ""),
                                                                  TermStatus.PREFERRED)
            out.append(_term_entry(source_language, sec.get(XML_LANG, ""), source, target, status, note, where))
        if len(out) > MAX_ENTRIES:
            raise _bad(_("The file holds more than %(n)d entries.") % {"n": MAX_ENTRIES})
    return out


CSV_FIELDS = ["source_language", "target_language", "source", "target", "status", "note"]


def export_csv(source_language: str, target_language: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for t in _terms(source_language, target_language):
        writer.writerow([t.source_language, t.target_language, t.source, t.target, t.status, t.note])
    return out.getvalue().encode("utf-8")


def read_csv(data: bytes) -> list[TermEntry]:
    if len(data) > MAX_BYTES:
        raise _bad(_("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // (1024 * 1024)})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad(_("The CSV file is not UTF-8 text.")) from None
    rows = csv.DictReader(io.StringIO(text))
    if rows.fieldnames is None or not {"source_language", "target_language", "source", "target", "status"} <= set(
            rows.fieldnames):
        raise _bad(_("The CSV file needs the columns %(cols)s.") % {"cols": ", ".join(CSV_FIELDS)})
    out: list[TermEntry] = []
    for n, row in enumerate(rows, start=2):
        where = _("Line %(n)d") % {"n": n}
        out.append(_term_entry(row["source_language"] or "", row["target_language"] or "", row["source"] or "",
                               row["target"] or "", row["status"] or "", row.get("note") or "", where))
        if len(out) > MAX_ENTRIES:
            raise _bad(_("The file holds more than %(n)d entries.") % {"n": MAX_ENTRIES})
    return out
