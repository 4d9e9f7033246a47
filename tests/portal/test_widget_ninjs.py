"""The embeddable widget and ninjs 2.0 documents: only public live material, in the chosen language."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.test import Client

from tests.conftest import World, advance
from tests.portal.conftest import TRANSLATIONS, publish_with_translations
from ttdn.content import services as content
from ttdn.content.models import Item

MEDIA = Path(__file__).parents[1] / "fixtures" / "media"

# ninjs 2.0 (IPTC): the top-level properties the schema allows (additionalProperties is false), `uri` required.
NINJS_PROPERTIES = {
    "uri", "type", "representationtype", "profile", "version", "firstcreated", "versioncreated",
    "contentcreated", "embargoed", "pubstatus", "urgency", "copyrightholder", "copyrightnotice", "usageterms",
    "ednote", "language", "descriptions", "bodies", "headlines", "people", "organisations", "places",
    "subjects", "events", "objects", "infosources", "title", "by", "slugline", "located", "renditions",
    "associations", "altids", "trustindicators", "standard", "genres", "rightsinfo",
}
RENDITION_PROPERTIES = {"name", "href", "contenttype", "title", "height", "width", "sizeinbytes", "duration",
                        "format"}


def check_ninjs(doc: dict[str, Any]) -> None:
    assert set(doc) <= NINJS_PROPERTIES, set(doc) - NINJS_PROPERTIES
    assert isinstance(doc["uri"], str) and ":" in doc["uri"]
    assert doc["type"] in {"text", "audio", "video", "picture", "graphic", "composite", "component"}
    assert doc["pubstatus"] in {"usable", "withheld", "canceled"}
    for key in ("firstcreated", "versioncreated", "contentcreated"):
        dt.datetime.fromisoformat(doc[key])
    for key in ("headlines", "descriptions", "bodies"):
        for block in doc.get(key, []):
            assert set(block) <= {"role", "contenttype", "value", "charcount", "wordcount"}
            assert isinstance(block["value"], str)
    for rendition in doc.get("renditions", []):
        assert set(rendition) <= RENDITION_PROPERTIES and isinstance(rendition["name"], str)
        assert isinstance(rendition["sizeinbytes"], int)


def test_ninjs_per_language_with_renditions(world: World, published: Item, client: Client) -> None:
    lao = published.variants.get(language="lo")
    content.do_attach_file(world.appraiser, lao, MEDIA / "sample.ogg", "ban-tin.ogg")
    for lang in ["vi", *TRANSLATIONS]:
        response = client.get(f"/portal/ninjs/{lang}/{published.uid}.json")
        assert response.status_code == 200
        doc = json.loads(response.content)
        check_ninjs(doc)
        assert doc["language"] == lang
        expected = TRANSLATIONS[lang][0] if lang in TRANSLATIONS else "Tờ gấp về đường biên giới Đắk Lắk"
        assert doc["headlines"][0]["value"] == expected
    doc = json.loads(client.get(f"/portal/ninjs/lo/{published.uid}.json").content)
    [rendition] = doc["renditions"]
    assert rendition["contenttype"].startswith("audio/")
    file = client.get(rendition["href"])
    assert file.status_code == 200 and b"".join(file.streaming_content) == (MEDIA / "sample.ogg").read_bytes()
    assert client.get(f"/portal/ninjs/th/{published.uid}.json").status_code == 404


def test_ninjs_and_widget_never_show_hidden_material(world: World, published: Item, client: Client) -> None:
    officials = publish_with_translations(world, "Chỉ cán bộ", audience="officials")
    withdrawn = publish_with_translations(world, "Đã thu hồi")
    advance(world, withdrawn, "withdrawn")
    for item in (officials, withdrawn):
        for lang in ("vi", "lo"):
            assert client.get(f"/portal/ninjs/{lang}/{item.uid}.json").status_code == 404
    for lang in ("vi", "lo", "jra"):
        html = client.get(f"/portal/widget/{lang}/").content.decode()
        assert "Chỉ cán bộ" not in html and "Đã thu hồi" not in html


def test_widget_is_framable_plain_list_without_cookies(world: World, published: Item, client: Client) -> None:
    response = client.get("/portal/widget/lo/?limit=5")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src 'self'" in policy  # the rest of the policy stays
    assert not response.cookies
    html = response.content.decode()
    assert '<html lang="lo">' in html
    assert f'<a href="http://testserver/portal/lo/items/{published.uid}/' in html and 'target="_top"' in html
    assert TRANSLATIONS["lo"][0] in html
    # Only this page may be framed.
    home = client.get("/portal/")
    assert home["X-Frame-Options"] == "DENY" and "frame-ancestors 'self'" in home["Content-Security-Policy"]
    assert client.get("/portal/widget/xx/").status_code == 400
