"""Reading what was fetched: feeds (RSS 0.9x/1.0/2.0, Atom, news sitemaps), the encoding of a page, the article's
text (trafilatura, then a paragraph-density fallback), and the keys that deduplicate (normalised URL, title).

XML is parsed by lxml with entities, DTDs and the network off; a document declaring entities is refused
outright (the billion-laughs family), and broken XML is read as far as it goes (recover).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.utils.translation import gettext as _
from lxml import etree
from lxml import html as lxml_html

from ttdn.search.normalize import fold

MAX_ENTRIES = 500  # per feed document: a feed of a million entries is read to this many


class ParseError(Exception):
    """The document could not be read; the message is for the source's page."""


@dataclass
class Entry:
    url: str
    title: str = ""
    summary: str = ""
    published: dt.datetime | None = None
    language: str = ""


# ------------------------------------------------------------------------------------------------ encodings

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def decode(body: bytes, content_type: str = "") -> str:
    """The text of a page or feed: BOM, then the declared charset (header, meta, XML declaration), checked
    against the bytes; UTF-8 that a header calls Latin-1 (a common misconfiguration) is read as UTF-8; text
    that fits nothing declared is read as UTF-8 with replacement characters, never refused."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return _nfc(body.decode(name, errors="replace").lstrip("\ufeff"))
    head = body[:4096]
    declared: list[str] = []
    match = _HEADER_CHARSET.search(content_type or "")
    for candidate in (match.group(1) if match else None,
                      (m.group(1).decode("ascii") if (m := _XML_ENCODING.search(head)) else None),
                      (m.group(1).decode("ascii") if (m := _META_CHARSET.search(head)) else None)):
        codec = _codec(candidate)
        if codec and codec not in declared:
            declared.append(codec)
    try:
        text = body.decode("utf-8")
        # Valid UTF-8 with non-ASCII bytes is almost never meant as anything else.
        if not declared or not body.isascii() or declared[0] in ("utf-8", "ascii"):
            return _nfc(text)
    except UnicodeDecodeError:
        pass
    for name in declared:
        if name == "utf-8":
            continue
        try:
            return _nfc(body.decode(name))
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
        if best is not None and best.encoding:
            return _nfc(body.decode(best.encoding, errors="replace"))
    except ImportError:  # pragma: no cover - charset_normalizer comes with trafilatura
        pass
    return _nfc(body.decode("utf-8", errors="replace"))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ------------------------------------------------------------------------------------------------ feeds

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, recover=True, remove_comments=True, remove_pis=True)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    return " ".join("".join(node.itertext()).split())


def _child(node: etree._Element, *names: str) -> etree._Element | None:
    for child in node:
        if _local(child.tag) in names:
            return child
    return None


def parse_date(value: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when


def _strip_html(fragment: str) -> str:
    if "<" not in fragment:
        return " ".join(fragment.split())
    try:
        return " ".join(lxml_html.fromstring(fragment).text_content().split())
    except (etree.ParserError, ValueError):
        return " ".join(re.sub(r"<[^>]*>", " ", fragment).split())


def parse_feed(body: bytes, base_url: str, content_type: str = "") -> tuple[str, list[Entry]]:
    """(kind, entries) of an RSS/Atom feed or a (news) sitemap. Raise ParseError when nothing can be read."""
    if _ENTITY_DECL.search(body[:65536]):
        raise ParseError(_("The feed declares XML entities; it is refused for safety."))
    text = decode(body, content_type)
    # lxml wants bytes when an encoding is declared; the text is already decoded, so the declaration goes.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        root = etree.fromstring(text.encode("utf-8"), _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(_("The feed is not XML: %(error)s") % {"error": str(exc)[:200]}) from exc
    if root is None:
        raise ParseError(_("The feed is empty or not XML."))
    kind = _local(root.tag)
    entries: list[Entry] = []
    if kind == "feed":  # Atom
        lang = root.get("{http://www.w3.org/XML/1998/namespace}lang", "")
        for node in root:
            if _local(node.tag) != "entry":
                continue
            link = ""
            for child in node:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
                    link = child.get("href", "")
                    break
            summary = _text(_child(node, "summary")) or _strip_html(_text(_child(node, "content")))
            published = parse_date(_text(_child(node, "published")) or _text(_child(node, "updated")))
            entries.append(Entry(link, _text(_child(node, "title")), summary, published,
                                 node.get("{http://www.w3.org/XML/1998/namespace}lang", lang)))
        out_kind = "feed"
    elif kind in ("rss", "rdf"):
        channel = _child(root, "channel")
        lang = _text(_child(channel, "language")) if channel is not None else ""
        holders = [channel, root] if channel is not None else [root]
        for holder in holders:
            for node in holder:
                if _local(node.tag) != "item":
                    continue
                link = _text(_child(node, "link")) or node.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about", "")
                if not link:
                    guid = _child(node, "guid")
                    if guid is not None and guid.get("isPermaLink", "true") != "false":
                        link = _text(guid)
                published = parse_date(_text(_child(node, "pubdate")) or _text(_child(node, "date")))
                entries.append(Entry(link, _strip_html(_text(_child(node, "title"))),
                                     _strip_html(_text(_child(node, "description"))), published, lang))
        out_kind = "feed"
    elif kind == "urlset":  # a (news) sitemap
        for node in root:
            if _local(node.tag) != "url":
                continue
            news = _child(node, "news")
            title, published, lang = "", None, ""
            if news is not None:
                title = _text(_child(news, "title"))
                published = parse_date(_text(_child(news, "publication_date")))
                publication = _child(news, "publication")
                if publication is not None:
                    lang = _text(_child(publication, "language"))
            published = published or parse_date(_text(_child(node, "lastmod")))
            entries.append(Entry(_text(_child(node, "loc")), title, "", published, lang))
        out_kind = "sitemap"
    else:
        raise ParseError(_("Not a feed or a sitemap (the document is <%(tag)s>).") % {"tag": kind[:40]})
    clean: list[Entry] = []
    for entry in entries[:MAX_ENTRIES]:
        url = entry.url.strip()
        if not url:
            continue
        url = urljoin(base_url, url)
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        entry.url = url
        entry.title = entry.title[:1000]
        entry.summary = entry.summary[:5000]
        clean.append(entry)
    if not clean and not entries and len(root) == 0:
        raise ParseError(_("The feed has no entries."))
    return out_kind, clean


# ------------------------------------------------------------------------------------------------ pages


@dataclass
class Page:
    title: str
    text: str
    lang_tag: str  # what the page says about itself (<html lang>, og:locale, content-language)
    published: dt.datetime | None


_BLOCK_TAGS = ("p", "li", "blockquote", "h2", "h3", "td", "div")
_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg")


def _fallback_text(doc: lxml_html.HtmlElement) -> str:
    """The paragraphs of the densest container: long runs of text inside one parent, not menus."""
    for bad in doc.iter(*_DROP):
        bad.drop_tree()
    best: dict[etree._Element, int] = {}
    for p in doc.iter("p"):
        text = p.text_content().strip()
        if len(text) >= 40:
            parent = p.getparent()
            if parent is not None:
                best[parent] = best.get(parent, 0) + len(text)
    if best:
        container = max(best, key=lambda el: best[el])
        parts = [" ".join(p.text_content().split()) for p in container.iter("p", "h2", "h3", "li", "blockquote")]
        return "\n".join(p for p in parts if p)
    body = doc.find("body")
    return " ".join((body if body is not None else doc).text_content().split())


def extract(html_text: str, url: str = "") -> Page:
    """Title, main text, the page's own language tag and date. trafilatura first; its fallback when it finds
    nothing (short pages, odd markup)."""
    if not html_text.strip():
        return Page("", "", "", None)
    try:
        doc = lxml_html.document_fromstring(html_text)
    except (etree.ParserError, ValueError):
        return Page("", "", "", None)
    lang_tag = (doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
    title = ""
    published = None
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("http-equiv") or "").lower()
        value = (meta.get("content") or "").strip()
        if key == "og:title" and value and not title:
            title = value
        elif key in ("og:locale", "content-language", "language") and value and not lang_tag:
            lang_tag = value
        elif key in ("article:published_time", "pubdate", "date", "dc.date") and value and published is None:
            published = parse_date(value)
    if not title:
        node = doc.find(".//h1")
        if node is None:
            node = doc.find(".//title")
        title = " ".join(node.text_content().split()) if node is not None else ""
    text = ""
    try:
        import trafilatura

        text = trafilatura.extract(doc, url=url or None, include_comments=False, include_tables=False,
                                   favor_precision=True, deduplicate=False, with_metadata=False) or ""
    except Exception:
        text = ""
    if len(text) < 80:
        fallback = _fallback_text(doc)
        if len(fallback) > len(text):
            text = fallback
    return Page(title[:1000], text.strip(), lang_tag[:35], published)


# ------------------------------------------------------------------------------------------------ keys

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|yclid$|mc_|_ga$|ref$|ref_src$|cmpid$|at_)", re.I)


def normalize_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no www., no default port, no fragment, no tracking
    parameters, the other parameters sorted, no trailing slash; http and https the same."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    path = re.sub(r"/+", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    for suffix in ("/index.html", "/index.htm", "/index.php"):
        if path.endswith(suffix):
            path = path[: -len(suffix)] or "/"
    return urlunsplit(("http", netloc, path, query, ""))


def url_key(url: str) -> str:
    return hashlib.sha256(normalize_url(url).encode("utf-8")).hexdigest()


def title_key(title: str) -> str:
    """The folded title without punctuation: "Gia Lai: mở cửa khẩu!" and "GIA LAI mo cua khau" are one."""
    words = re.findall(r"\w+", fold(title))
    if not words:
        return ""
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
