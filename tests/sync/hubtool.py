"""Run in a hub's environment (its own data directory and database) by the two-process tests:
`python -m tests.sync.hubtool COMMAND …` builds a corpus and changes it through the product's services."""

from __future__ import annotations

import io
import json
import os
import random
import sys
from pathlib import Path
from typing import Any


def pdf_bytes(payload: bytes, title: str = "Tài liệu") -> bytes:
    """A one-page PDF carrying `payload` as an uncompressed stream (chunks survive small edits)."""
    content = b"BT /F1 12 Tf 20 100 Td (" + title.encode("latin-1", "replace") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(payload)).encode() + b" >>\nstream\n" + payload + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()


def main(argv: list[str]) -> Any:
    _setup()
    from django.core.management import call_command

    from tests.conftest import advance, build_world, make_item
    from ttdn.content import services as content
    from ttdn.content.models import Item, State
    from ttdn.places.models import AdminUnit, BorderSite
    from ttdn.places.services import SiteData, do_load_admin_units, do_save_border_site

    command, args = argv[0], argv[1:]
    if command == "setup":
        call_command("migrate", interactive=False, verbosity=0)
        if not AdminUnit.objects.exists():
            # The test run's reference dump when there is one (a copy, in a second), else the real load.
            from tests import refdata

            refdata.restore() if refdata.path().exists() else do_load_admin_units()
        world = build_world()
        gia_lai, dak_lak = world.gia_lai, world.dak_lak
        do_save_border_site(None, SiteData(code="pc-ia-chia", name="Đồn Biên phòng Ia Chia", kind="border_post",
                                           province_id=gia_lai.pk, neighbour_country="KH", languages=["km"]))
        do_save_border_site(None, SiteData(code="xa-ia-o", name="Xã Ia O", kind="border_commune",
                                           province_id=gia_lai.pk, neighbour_country="KH", languages=["jra"]))
        n_items, file_kb = int(args[0]), int(args[1])
        rng = random.Random(4)
        uids: dict[str, list[str]] = {"public": [], "officials": [], "other_province": [], "files": []}
        for i in range(n_items):
            kind = "public"
            kw: dict[str, Any] = {}
            if i % 10 == 3:
                kind = "officials"
                kw["audience"] = "officials"
            item = make_item(world, title=f"Tài liệu biên giới số {i}", body=f"<p>Nội dung {i} — biên giới.</p>"
                             + "<p>" + "Quy chế khu vực biên giới. " * rng.randint(1, 20) + "</p>", **kw)
            if i % 10 == 7:
                kind = "other_province"
                item.target_provinces.set([dak_lak])
            if i % 5 == 0:
                variant = item.variants.get(language="vi")
                path = Path(os.environ["TTDN_DATA_DIR"]) / f"upload-{i}.pdf"
                size = file_kb * 1024 * (16 if i == 0 else 1)  # one larger file, revised by the tests
                path.write_bytes(pdf_bytes(rng.randbytes(size), f"File {i}"))
                content.do_attach_file(world.contributor, variant, path, f"tai-lieu-{i}.pdf")
                path.unlink()
                uids["files"].append(str(item.uid))
            advance(world, item, State.PUBLISHED)
            if i % 4 == 1:
                from ttdn.accounts.models import User

                appraiser = User.objects.get(username="appraiser")
                v = content.do_save_variant(appraiser, item, "km", f"ឯកសារ {i}", "", "<p>ព្រំដែន</p>")
                content.do_set_translation_state(appraiser, v, 40)
            uids[kind].append(str(item.uid))
        return uids
    if command == "withdraw":
        world = _world()
        for uid in args:
            content.do_transition(world["publisher"], Item.objects.get(uid=uid), "withdraw", reason="Hết hiệu lực")
        return {"withdrawn": args}
    if command == "publish-one":
        world_obj = _world_obj()
        item = make_item(world_obj, title=args[0] if args else "Tin mới")
        advance(world_obj, item, State.PUBLISHED)
        return {"uid": str(item.uid)}
    if command == "revise-file":
        # A new version of an item's file: the same bytes except `args[1]` KiB changed in the middle.
        world = _world()
        item = Item.objects.get(uid=args[0])
        variant = item.variants.get(language="vi")
        attachment = variant.attachments.select_related("asset").get()
        from ttdn.content.files import blobs as files

        data = files.blob_path(attachment.asset.sha256).read_bytes()
        start = data.index(b"stream\n", data.index(b"/Length", 400)) + 7
        payload_len = int(data[data.rindex(b"/Length", 0, start) + 8:start - 10].split(b" ")[0])
        payload = bytearray(data[start:start + payload_len])
        middle, size = len(payload) // 2, int(args[1]) * 1024
        payload[middle:middle + size] = random.Random(9).randbytes(size)
        path = Path(os.environ["TTDN_DATA_DIR"]) / "revised.pdf"
        path.write_bytes(pdf_bytes(bytes(payload), "revised"))
        # Back to the agency, new file, through the workflow again (as people would).
        return _replace_file(world, item, attachment, path)
    if command == "nodes":
        from django.db.models import Sum

        from ttdn.sync.models import EdgeNode

        return [{"uid": str(n.uid), "site": n.site.code, "applied": n.last_applied_seq,
                 "revoked": n.revoked_at is not None,
                 "views": n.display_counts.filter(kind="view").aggregate(s=Sum("count"))["s"] or 0}
                for n in EdgeNode.objects.select_related("site")]
    if command == "state":
        # What node args[0] should hold: uid → [hub version, seq of its last change, wanted by the node].
        from django.db.models import Max

        from ttdn.sync.hub import feed
        from ttdn.sync.models import EdgeNode, FeedEntry

        node = EdgeNode.objects.select_related("site").get(uid=args[0])
        wanted = feed.targeted_versions(node)
        last = dict(FeedEntry.objects.values_list("item_uid").annotate(m=Max("seq")))
        return {str(uid): [version, last.get(uid, 0), str(uid) in wanted]
                for uid, version in Item.objects.values_list("uid", "version")}
    if command == "codes":
        from ttdn.sync.hub.services import do_issue_code

        site = BorderSite.objects.get(code=args[0])
        return [do_issue_code(None, site) for _n in range(int(args[1]))]
    if command == "officials-file":
        # An officials-only item with a file smaller than a chunk: its one chunk hash is the file hash.
        from ttdn.sync.hub import chunking

        world_obj = _world_obj()
        item = make_item(world_obj, title="Định hướng thông tin (chỉ cán bộ)", audience="officials")
        path = Path(os.environ["TTDN_DATA_DIR"]) / "dinh-huong.pdf"
        path.write_bytes(pdf_bytes(random.Random(13).randbytes(4000), "Định hướng"))
        attachment = content.do_attach_file(world_obj.contributor, item.variants.get(language="vi"), path,
                                            "dinh-huong.pdf")
        path.unlink()
        advance(world_obj, item, State.PUBLISHED)
        sha = attachment.asset.sha256
        return {"uid": str(item.uid), "sha": sha, "chunks": [c[0] for c in chunking.chunks_of(sha).chunks]}
    if command == "chunks-of":
        from ttdn.sync.hub import chunking

        variant = Item.objects.get(uid=args[0]).variants.get(language="vi")
        sha = variant.attachments.select_related("asset").get().asset.sha256
        return {"sha": sha, "chunks": [c[0] for c in chunking.chunks_of(sha).chunks]}
    if command in ("translate", "approve"):
        # The desk on the hub: a translator into `args[1]` translates the item, sends it for review ("translate");
        # the central editor, another person, approves it ("approve").
        import re

        from tests.conftest import _user
        from ttdn.accounts.models import Role, User
        from ttdn.translation import services as desk
        from ttdn.translation.models import Job

        world_obj = _world_obj()
        item = Item.objects.get(uid=args[0])
        lang = args[1]
        if command == "approve":
            job = desk.do_approve(world_obj.appraiser, Job.objects.get(item=item, language=lang))
            return {"job": job.pk, "state": job.state}
        translator = (User.objects.filter(username=f"translator_{lang}").first()
                      or _user(f"translator_{lang}", world_obj.central, (Role.TRANSLATOR, lang)))
        job = desk.do_request(world_obj.appraiser, item, desk.RequestData(languages=[lang],
                                                                           translator_id=translator.pk))[0]
        for segment in job.segments.order_by("position"):
            numbers = " ".join(re.findall(r"\d+", segment.source))
            desk.do_save_segment(translator, segment, f"ឯកសារព្រំដែន {numbers}".strip())
        job = desk.do_submit(translator, job)
        return {"job": job.pk, "state": job.state, "title": item.variants.get(language=lang).title}
    if command == "site":
        return {"id": BorderSite.objects.get(code=args[0]).pk}
    raise SystemExit(f"unknown command {command}")


def _world() -> dict[str, Any]:
    from ttdn.accounts.models import User

    return {u.username: u for u in User.objects.all()}


def _world_obj() -> Any:
    from tests.conftest import World, province
    from ttdn.accounts.models import Agency

    users = _world()
    agencies = {a.code: a for a in Agency.objects.all()}
    return World(
        central=agencies["central"], gl_ppc=agencies["gl-ppc"], gl_dept=agencies["gl-svhttdl"],
        gl_bgc=agencies["gl-bchbdbp"], dl_dept=agencies["dl-svhttdl"], gia_lai=province("Gia Lai"),
        dak_lak=province("Đắk Lắk"), contributor=users["contributor"], contributor_dl=users["contributor_dl"],
        appraiser=users["appraiser"], publisher=users["publisher"], translator_lo=users["translator_lo"],
        agency_admin=users["agency_admin"], reader=users["reader"], operator=users["operator"],
    )


def _replace_file(world: dict[str, Any], item: Any, attachment: Any, path: Path) -> dict[str, Any]:
    """Attach the revised file in place of the old one (an operator-level repair through the services)."""
    from django.db import transaction

    from ttdn.content import changes
    from ttdn.content.files import blobs, probes
    from ttdn.content.models import Asset, Attachment

    info = probes.inspect_upload(path, "revised.pdf")
    blobs.store_blob(path, info.sha256)
    with transaction.atomic():
        asset, _ = Asset.objects.get_or_create(sha256=info.sha256, defaults={
            "size": info.size, "mime_type": info.mime_type, "file_kind": info.kind})
        Attachment.objects.filter(pk=attachment.pk).update(asset=asset)
        changes.item_changed(item.pk, touch_updated_at=True)
    return {"old": attachment.asset.sha256, "new": info.sha256, "size": info.size}


if __name__ == "__main__":
    result = main(sys.argv[1:])
    print(json.dumps(result, ensure_ascii=False))
