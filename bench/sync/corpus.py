"""The sync benchmark's hub corpus, its change, and the same data exported as files for rsync.

Run with the hub's environment (TTDN_DATA_DIR, TTDN_DATABASE_URL):

  python bench/sync/corpus.py build  [--items 5000 --files-mb 260 --big-mb 50 --subset-items 150 --subset-mb 6]
  python bench/sync/corpus.py change [--edit-percent 1 --withdraw 10 --big-change-mb 1]
  python bench/sync/corpus.py export --site gl-post-ia-o OUT_DIR

`build` loads the agencies, border sites, topics and accounts of the demo through the services, then writes the
items in bulk (bulk_create: 5,000 items through the per-item services would take most of the benchmark's time);
every row is what the services would write (published, reviewed translations, a transition), and the change is
announced with `content.changes.notify` in the writing transaction so the change feed and the search index
follow. Files are real: JPEG/PNG images and PDFs of random-noise pictures (they do not compress away) and MP3
audio of valid frames with noise payloads, each checked by the upload pipeline (`files.probes.inspect_upload`),
text-extracted, thumbnailed and stored as blobs with Asset and Attachment rows, as an upload would be.

Two groups of material:
- the main corpus, targeted at Gia Lai, for the node at `gl-post-ia-o` (languages vi, km, en, jra; some items
  also have lo or zh-Hans variants the node must not receive), with one large MP3 (`--big-mb`) on an English
  variant;
- a subset targeted at Thanh Hóa only, for the nodes at `th-post-na-meo` (initial sync through the shaped link).

`change` goes through the content services as editors would: an appraiser edits the English version of
`--edit-percent` of the main items and marks it reviewed again, the publisher withdraws `--withdraw` items, and the
appraiser replaces the large MP3 by a version with `--big-change-mb` overwritten in the middle (detach the old,
attach the new, one transaction).

`export` writes what a node at SITE is meant to have as files, one JSON file per item (with its variants and
files' metadata) under records/, and the files under files/<item uid>/<language>-<position>-<name>. Files keep
one stable path per attachment so that rsync's delta transfer can work on a revised file (named by hash, a
revised file would be a new name and rsync would send all of it). Unchanged files are not rewritten, so rsync's
quick check (size, time) skips them as it would on a real export.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MAIN_SITE = "gl-post-ia-o"
SUBSET_SITE = "th-post-na-meo"
MAIN_PROVINCE = "Gia Lai"
SUBSET_PROVINCE = "Thanh Hóa"
MAIN_LANGS = ("vi", "en", "km", "jra")
OTHER_LANGS = ("lo", "zh-Hans")  # present on some main items, not among the main site's languages
SUBSET_LANGS = ("vi", "lo", "en")
BIG_FILENAME = "chuong-trinh-phat-thanh-song-ngu.mp3"
MB = 1024 * 1024
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()


def log(message: str) -> None:
    print(f"[corpus {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------- texts


class Texts:
    """Paragraphs, titles and summaries of the demo material, per language, recombined into new items."""

    def __init__(self, rng: random.Random) -> None:
        from ttdn.content.demo import _load_items

        self.rng = rng
        self.paragraphs: dict[str, list[str]] = {}
        self.titles: dict[str, list[str]] = {}
        self.summaries: dict[str, list[str]] = {}
        for row in _load_items():
            for lang, text in row["variants"].items():
                body = text.get("body", "")
                parts = [p for p in re.findall(r"<(?:p|ul)>.*?</(?:p|ul)>", body, flags=re.S) if len(p) > 40]
                self.paragraphs.setdefault(lang, []).extend(parts)
                self.titles.setdefault(lang, []).append(text["title"])
                if text.get("summary"):
                    self.summaries.setdefault(lang, []).append(text["summary"])

    def variant(self, lang: str, n: int) -> tuple[str, str, str]:
        rng = self.rng
        title = f"{rng.choice(self.titles[lang])} ({n})"
        summary = rng.choice(self.summaries.get(lang) or self.titles[lang])
        paras = self.paragraphs.get(lang) or [f"<p>{t}</p>" for t in self.titles[lang]]
        body = "".join(rng.choice(paras) for _ in range(rng.randint(3, 7)))
        return title[:500], summary, body


# --------------------------------------------------------------------------------------------- files


def noise_image(rng: random.Random, fmt: str, min_side: int = 640, max_side: int = 1600) -> bytes:
    from PIL import Image

    w = rng.randint(min_side, max_side) // 8 * 8
    h = w * 3 // 4
    image = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    out = io.BytesIO()
    if fmt == "PNG":
        image = image.resize((w // 2, h // 2))  # PNG of noise is 3 bytes a pixel: keep it to a few MB
        image.save(out, "PNG", compress_level=1)
    else:
        image.save(out, "JPEG", quality=rng.choice([80, 85, 90]))
    return out.getvalue()


def noise_pdf(rng: random.Random, texts: Texts, pages: int) -> bytes:
    """A real PDF: one page of Vietnamese text, then pages carrying noise photographs."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    if FONT.exists():
        pdf.add_font("DejaVu", "", str(FONT))
        pdf.set_font("DejaVu", size=11)
        title, summary, body = texts.variant("vi", rng.randint(1, 10_000))
        plain = re.sub(r"<[^>]+>", " ", body)
        pdf.multi_cell(0, 6, f"{title}\n\n{summary}\n\n{plain}")
    else:
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, "Tai lieu thong tin doi ngoai")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(noise_image(rng, "JPEG", 1000, 1600)), x=10, y=10, w=190)
    return bytes(pdf.output())


MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0x44])  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, joint stereo
MP3_FRAME = 417  # 144 * 128000 / 44100, no padding


def mp3_frames(rng: random.Random, nbytes: int) -> bytes:
    frames = max(1, nbytes // MP3_FRAME)
    payload = rng.randbytes(frames * (MP3_FRAME - 4))
    step = MP3_FRAME - 4
    return b"".join(MP3_HEADER + payload[i * step:(i + 1) * step] for i in range(frames))


def noise_mp3(rng: random.Random, nbytes: int) -> bytes:
    return mp3_frames(rng, nbytes)


def overwrite_middle(data: bytes, rng: random.Random, nbytes: int) -> bytes:
    """The same MP3 with `nbytes` of frames in the middle replaced (frame-aligned: still a valid file)."""
    frames = len(data) // MP3_FRAME
    count = max(1, nbytes // MP3_FRAME)
    start = (frames - count) // 2 * MP3_FRAME
    new = mp3_frames(rng, count * MP3_FRAME)
    return data[:start] + new + data[start + len(new):]


def pick_kind(rng: random.Random) -> str:
    """Mostly photographs, then PDFs, some infographics and audio programmes."""
    r = rng.random()
    return "jpeg" if r < 0.55 else "png" if r < 0.62 else "pdf" if r < 0.90 else "mp3"


def make_file(kind: str, rng: random.Random, texts: Texts, small: bool) -> tuple[bytes, str, str]:
    """(bytes, filename stem, extension)."""
    if kind == "jpeg":
        return noise_image(rng, "JPEG", 480 if small else 800, 900 if small else 1600), "anh", ".jpg"
    if kind == "png":
        return noise_image(rng, "PNG", 480, 900 if small else 1400), "infographic", ".png"
    if kind == "pdf":
        return noise_pdf(rng, texts, 1 if small else rng.randint(2, 4)), "tai-lieu", ".pdf"
    return noise_mp3(rng, (rng.randint(1, 2) if small else rng.randint(3, 8)) * MB), "chuong-trinh", ".mp3"


def store_file(data: bytes, name: str, staging: Path) -> Any:
    """Check, extract, thumbnail and store one file as an upload would; returns an unsaved Asset."""
    from ttdn.content.files import blobs, probes, text, thumbnails
    from ttdn.content.models import Asset

    staging.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=staging, prefix="bench-", suffix=Path(name).suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        path = Path(tmp.name)
        info = probes.inspect_upload(path, name)
        words = text.extract_text(path, info)
        thumb = thumbnails.make_thumbnail(path, info)
        thumb_sha = blobs.store_bytes(thumb) if thumb else ""
        blobs.store_blob(path, info.sha256)
    return Asset(sha256=info.sha256, size=info.size, mime_type=info.mime_type, file_kind=info.kind,
                 extracted_text=words, page_count=info.page_count, width=info.width, height=info.height,
                 duration_seconds=info.duration_seconds, thumbnail_sha256=thumb_sha)


# --------------------------------------------------------------------------------------------- build


def _base(log_fn: Any) -> None:
    from ttdn.content.demo import DemoBuilder

    builder = DemoBuilder(log=log_fn)
    builder.places()
    builder.agencies_tree()
    builder.sites()
    builder.topics()
    builder.people()


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    setup_django()
    call_command("migrate", interactive=False, verbosity=0)
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from ttdn.accounts.models import Agency
    from ttdn.content import changes
    from ttdn.content.models import (
        Attachment,
        Audience,
        Item,
        ItemKind,
        State,
        Topic,
        Transition,
        TranslationState,
        Variant,
    )
    from ttdn.places.models import AdminUnit, UnitLevel

    started = time.monotonic()
    if Item.objects.exists():
        raise SystemExit("the hub already has material; build into a fresh data directory / database")
    _base(lambda m: log(m))
    rng = random.Random(args.seed)
    texts = Texts(rng)
    provinces = {p.short_name: p for p in AdminUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to=None)}
    topics = list(Topic.objects.all())
    agencies = {
        MAIN_PROVINCE: list(Agency.objects.filter(code__startswith="gl-")),
        SUBSET_PROVINCE: list(Agency.objects.filter(code__startswith="th-")),
    }
    staging = Path(settings.UPLOAD_STAGING_DIR)
    now = timezone.now()
    report: dict[str, Any] = {"items": 0, "variants": 0, "assets": 0, "file_bytes": 0}

    def make_group(province: str, count: int, file_bytes: int, langs: tuple[str, ...], extra: tuple[str, ...],
                   big_mb: int, small_files: bool) -> None:
        # Files first (generated, checked and stored one by one), until the group holds file_bytes of them.
        stored: list[tuple[str, Any, str]] = []
        group_bytes = 0
        while group_bytes < file_bytes:
            file_kind = pick_kind(rng)
            data, stem, ext = make_file(file_kind, rng, texts, small_files)
            name = f"{stem}-{len(stored)}{ext}"
            stored.append((file_kind, store_file(data, name, staging), name))
            group_bytes += len(data)
            if len(stored) % 25 == 0:
                log(f"{province}: {len(stored)} files, {group_bytes / MB:.0f} MB")
        big_asset = None
        if big_mb:
            big_asset = store_file(noise_mp3(rng, big_mb * MB), BIG_FILENAME, staging)
            group_bytes += big_asset.size
        report["file_bytes"] += group_bytes
        # Which items carry a file: spread over the group; the big MP3 goes on an English variant.
        with_file = rng.sample(range(count), min(count, len(stored) + (1 if big_mb else 0)))
        file_of = {n: stored[i] for i, n in enumerate(with_file[:len(stored)])}
        big_index = with_file[-1] if big_mb else None
        items: list[Any] = []
        for n in range(count):
            carried = file_of[n][0] if n in file_of else ""
            kind = {"jpeg": ItemKind.IMAGE, "png": ItemKind.IMAGE, "pdf": ItemKind.PUBLICATION,
                    "mp3": ItemKind.AUDIO}.get(carried, rng.choice(
                        [ItemKind.ARTICLE, ItemKind.ORIENTATION_NOTE, ItemKind.LEAFLET]))
            if n == big_index:
                kind = ItemKind.AUDIO
            published = now - dt.timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))
            items.append(Item(
                kind=kind, source_language="vi", agency=rng.choice(agencies[province]),
                audience=Audience.OFFICIALS if rng.random() < 0.1 else Audience.PUBLIC,
                target_countries=[], state=State.PUBLISHED, state_changed_at=published,
                created_at=published - dt.timedelta(days=3), updated_at=published, published_at=published,
            ))
        with transaction.atomic():
            Item.objects.bulk_create(items, batch_size=500)
            Item.target_provinces.through.objects.bulk_create(
                [Item.target_provinces.through(item_id=i.pk, adminunit_id=provinces[province].pk) for i in items],
                batch_size=1000)
            Item.topics.through.objects.bulk_create(
                [Item.topics.through(item_id=i.pk, topic_id=t.pk) for i in items
                 for t in rng.sample(topics, rng.randint(1, 2))], batch_size=1000, ignore_conflicts=True)
            Transition.objects.bulk_create(
                [Transition(item=i, from_state=State.APPROVED, to_state=State.PUBLISHED, at=i.published_at)
                 for i in items], batch_size=1000)
            sources = []
            for n, item in enumerate(items):
                title, summary, body = texts.variant("vi", n)
                sources.append(Variant(item=item, language="vi", title=title, summary=summary, body=body,
                                       translation_state=TranslationState.REVIEWED, created_at=item.created_at,
                                       updated_at=item.published_at))
            Variant.objects.bulk_create(sources, batch_size=500)
            translations = []
            for n, (item, src) in enumerate(zip(items, sources, strict=True)):
                chosen = [lang for lang, p in zip(langs[1:], (0.7, 0.4, 0.2), strict=False) if rng.random() < p]
                chosen += [lang for lang in extra if rng.random() < 0.1]
                if n == big_index and "en" not in chosen:
                    chosen.append("en")
                for lang in chosen:
                    title, summary, body = texts.variant(lang if lang in texts.titles else "en", n)
                    translations.append(Variant(
                        item=item, language=lang, title=title, summary=summary, body=body, source_variant=src,
                        source_revision=1, translation_state=TranslationState.REVIEWED,
                        created_at=item.created_at, updated_at=item.published_at))
            Variant.objects.bulk_create(translations, batch_size=500)
        report["items"] += len(items)
        report["variants"] += len(sources) + len(translations)
        log(f"{province}: {len(items)} items, {len(sources) + len(translations)} variants")

        en_of = {v.item_id: v for v in translations if v.language == "en"}
        attachments: list[tuple[Any, Any, str]] = [
            (sources[n], asset, name) for n, (_k, asset, name) in file_of.items()]
        if big_index is not None and big_asset is not None:
            attachments.append((en_of[items[big_index].pk], big_asset, BIG_FILENAME))
            report["big_item_uid"] = str(items[big_index].uid)
            report["big_sha256"] = big_asset.sha256
        with transaction.atomic():
            from ttdn.content.models import Asset

            Asset.objects.bulk_create([a for _v, a, _n in attachments], batch_size=200, ignore_conflicts=True)
            by_sha = {a.sha256: a for a in Asset.objects.filter(sha256__in=[a.sha256 for _v, a, _n in attachments])}
            Attachment.objects.bulk_create([
                Attachment(variant=v, asset=by_sha[a.sha256], filename=name, position=0, added_at=now)
                for v, a, name in attachments], batch_size=500)
        report["assets"] += len(attachments)
        # Announce everything, as the services do inside their transactions: the change feed and the search
        # index follow. In batches, so no transaction holds the hub for long.
        ids = [i.pk for i in items]
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                changes.notify(ids[start:start + 500])
        log(f"{province}: {len(attachments)} files, announced {len(ids)} items")

    make_group(MAIN_PROVINCE, args.items, args.files_mb * MB, MAIN_LANGS, OTHER_LANGS, args.big_mb, args.small_files)
    make_group(SUBSET_PROVINCE, args.subset_items, args.subset_mb * MB, SUBSET_LANGS, (), 0, True)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["blob_bytes"] = sum(p.stat().st_size for p in Path(settings.BLOB_DIR).rglob("*") if p.is_file())
    return report


# -------------------------------------------------------------------------------------------- change


def change(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from ttdn.accounts.models import User
    from ttdn.content import services
    from ttdn.content.files import blobs as files
    from ttdn.content.models import Attachment, Item, State, TranslationState, Variant
    from ttdn.core.transactions import bulk_load

    rng = random.Random(args.seed + 1)
    appraiser = User.objects.get(username="tran.minh.duc")
    publisher = User.objects.get(username="vu.thanh.ha")
    started = time.monotonic()
    main = Item.objects.filter(state=State.PUBLISHED, target_provinces__short_name=MAIN_PROVINCE,
                               target_provinces__valid_to=None)
    big = Attachment.objects.select_related("variant__item", "asset").get(filename=BIG_FILENAME)
    big_item_id = big.variant.item_id
    ids = sorted(main.exclude(pk=big_item_id).values_list("pk", flat=True))
    with_en = set(Variant.objects.filter(item_id__in=ids, language="en").values_list("item_id", flat=True))
    n_edit = max(1, round(len(ids) * args.edit_percent / 100))
    edit_ids = rng.sample(sorted(with_en), min(n_edit, len(with_en)))
    withdraw_ids = rng.sample(sorted(set(ids) - set(edit_ids)), args.withdraw)

    for item in Item.objects.filter(pk__in=edit_ids):
        variant = item.variants.get(language="en")
        body = variant.body.replace("</p>", " (updated)</p>", 1) + "<p>Updated: new opening hours and contacts.</p>"
        saved = services.do_save_variant(appraiser, item, "en", variant.title, variant.summary, body)
        services.do_set_translation_state(appraiser, saved, TranslationState.REVIEWED)
    log(f"edited the English version of {len(edit_ids)} items")
    for item in Item.objects.filter(pk__in=withdraw_ids):
        services.do_transition(publisher, item, "withdraw", "Thông tin đã cũ, thay bằng tài liệu mới.")
    log(f"withdrew {len(withdraw_ids)} items")

    with files.open_blob(big.asset.sha256) as fh:
        old = fh.read()
    new = overwrite_middle(old, rng, args.big_change_mb * MB)
    variant = big.variant
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / BIG_FILENAME
        path.write_bytes(new)
        with bulk_load():  # the benchmark's own repair: both steps or neither
            services.do_detach_file(appraiser, big)
            attached = services.do_attach_file(appraiser, variant, path, BIG_FILENAME)
    changed = sum(1 for i in range(0, len(old), 4096) if old[i:i + 4096] != new[i:i + 4096]) * 4096
    log(f"replaced the large file: {big.asset.sha256[:12]} → {attached.asset.sha256[:12]}")
    return {"edited": len(edit_ids), "withdrawn": len(withdraw_ids), "big_old": big.asset.sha256,
            "big_new": attached.asset.sha256, "big_size": len(new), "big_changed_bytes_approx": changed,
            "seconds": round(time.monotonic() - started, 1)}


# -------------------------------------------------------------------------------------------- export


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def node_items(site_code: str, officials: bool) -> tuple[Any, list[Any]]:
    """What a node at this site is meant to hold: live items targeted at its province (or none) and its
    neighbour country (or none); officials-only or internal material only to a node for officials at a post,
    gate or airport (never a commune's public screen). The same rules as the hub's targeting."""
    from django.db.models import Count, Q

    from ttdn.content import permissions as perms
    from ttdn.content.models import Audience, Classification, Item
    from ttdn.places.models import BorderSite, SiteKind

    site = BorderSite.objects.select_related("province").get(code=site_code)
    qs = Item.objects.filter(perms.live_q()).annotate(n_prov=Count("target_provinces"))
    qs = qs.filter(Q(n_prov=0) | Q(target_provinces=site.province))
    if not officials or site.kind == SiteKind.BORDER_COMMUNE:
        qs = qs.filter(audience=Audience.PUBLIC, classification=Classification.PUBLIC)
    items = [i for i in qs.distinct().prefetch_related("variants__attachments__asset", "topics",
                                                          "target_provinces", "agency")
             if not i.target_countries or (site.neighbour_country and site.neighbour_country in i.target_countries)]
    return site, items


def export(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.contrib.auth.models import AnonymousUser

    from ttdn.content import permissions as perms
    from ttdn.content.files import blobs as files

    started = time.monotonic()
    out = Path(args.out)
    anonymous = AnonymousUser()
    site, items = node_items(args.site, args.officials)
    langs = set(args.languages.split(",") if args.languages else site.languages or []) | {"vi"}
    wanted: set[Path] = set()
    written = 0
    total_bytes = 0
    for item in items:
        variants = [v for v in perms.shown_variants(anonymous, item, list(item.variants.all()))
                    if v.language in langs or v.language == item.source_language]
        record = {
            "uid": str(item.uid), "kind": item.kind, "source_language": item.source_language,
            "agency": item.agency.code, "audience": item.audience, "classification": item.classification,
            "topics": sorted(t.code for t in item.topics.all()),
            "target_provinces": sorted(p.key for p in item.target_provinces.all()),
            "target_countries": item.target_countries,
            "valid_from": item.valid_from.isoformat() if item.valid_from else None,
            "valid_until": item.valid_until.isoformat() if item.valid_until else None,
            "state": item.state, "published_at": item.published_at.isoformat() if item.published_at else None,
            "updated_at": item.updated_at.isoformat(), "version": item.version,
            "variants": [],
        }
        for v in variants:
            entry: dict[str, Any] = {
                "language": v.language, "title": v.title, "summary": v.summary, "body": v.body,
                "revision": v.revision, "source_revision": v.source_revision,
                "translation_state": v.translation_state, "updated_at": v.updated_at.isoformat(), "files": [],
            }
            for att in v.attachments.all():
                a = att.asset
                entry["files"].append({
                    "filename": att.filename, "position": att.position, "sha256": a.sha256, "size": a.size,
                    "mime_type": a.mime_type, "file_kind": a.file_kind, "extracted_text": a.extracted_text,
                    "page_count": a.page_count, "width": a.width, "height": a.height,
                    "duration_seconds": a.duration_seconds, "thumbnail_sha256": a.thumbnail_sha256,
                })
                base = out / "files" / str(item.uid)
                target = base / f"{v.language}-{att.position}-{att.filename}"
                wanted.add(target)
                total_bytes += a.size
                if not (target.exists() and target.stat().st_size == a.size
                        and os.path.samefile(target, files.blob_path(a.sha256))):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.unlink(missing_ok=True)
                    os.link(files.blob_path(a.sha256), target)  # same bytes, no copy
                    written += 1
                if a.thumbnail_sha256 and args.thumbnails:
                    thumb = base / f"{v.language}-{att.position}-{att.filename}.thumb.jpg"
                    wanted.add(thumb)
                    if not thumb.exists():
                        thumb.parent.mkdir(parents=True, exist_ok=True)
                        os.link(files.blob_path(a.thumbnail_sha256), thumb)
                        written += 1
                    total_bytes += thumb.stat().st_size
            record["variants"].append(entry)
        data = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1).encode()
        path = out / "records" / f"{item.uid}.json"
        wanted.add(path)
        total_bytes += len(data)
        written += _write_if_changed(path, data)
    removed = 0
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return {"site": site.code, "records": len(items), "files": sum(1 for p in wanted if "files" in p.parts),
            "bytes": total_bytes, "written": written, "removed": removed,
            "seconds": round(time.monotonic() - started, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Sync benchmark corpus")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--items", type=int, default=5000)
    b.add_argument("--files-mb", type=int, default=260, help="files other than the big one")
    b.add_argument("--big-mb", type=int, default=50)
    b.add_argument("--subset-items", type=int, default=150)
    b.add_argument("--subset-mb", type=int, default=6)
    b.add_argument("--small-files", action="store_true", help="smaller pictures and documents (quick run)")
    b.add_argument("--seed", type=int, default=2026)
    c = sub.add_parser("change")
    c.add_argument("--edit-percent", type=float, default=1.0)
    c.add_argument("--withdraw", type=int, default=10)
    c.add_argument("--big-change-mb", type=int, default=1)
    c.add_argument("--seed", type=int, default=2026)
    e = sub.add_parser("export")
    e.add_argument("--site", default=MAIN_SITE)
    e.add_argument("--languages", default="", help="comma-separated; default: the site's languages")
    e.add_argument("--officials", action="store_true", help="the node receives officials-only material")
    e.add_argument("--no-thumbnails", dest="thumbnails", action="store_false")
    e.add_argument("out")
    args = parser.parse_args(argv)
    result = {"build": build, "change": change, "export": export}[args.command](args)
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
