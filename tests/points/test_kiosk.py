"""The kiosk's catalogue: only what anyone may see, live now; languages in their own names, in the plans' order
and only when there is material; a keyboard for each script; bad input to the pairing refused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.portal.conftest import TRANSLATIONS
from ttdn.content import services as content
from ttdn.content.models import State, TranslationState
from ttdn.core.errors import ServiceError
from ttdn.points import kiosk, services
from ttdn.points.models import DeviceKind
from ttdn.points.services import PairingInput

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db


def _translated(world: World, languages: tuple[str, ...], **kw: Any) -> Any:
    item = make_item(world, **kw)
    advance(world, item, State.IN_APPRAISAL)
    for lang in languages:
        title, summary = TRANSLATIONS[lang]
        variant = content.do_save_variant(world.appraiser, item, lang, title, summary, f"<p>{title}</p><p>2</p>")
        content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
    item.refresh_from_db()
    return advance(world, item, State.PUBLISHED)


def test_the_catalogue_holds_what_anyone_may_see_in_each_language(world: World, client: Client) -> None:
    now = timezone.now()
    shown = _translated(world, ("lo", "km", "zh-Hans", "jra"))
    expiring = advance(world, make_item(world, title="Hết hạn sớm", valid_until=now + timedelta(hours=1)),
                       State.PUBLISHED)
    officials = advance(world, make_item(world, title="Chỉ cán bộ", audience="officials"), State.PUBLISHED)
    draft = make_item(world, title="Bản nháp")
    device, token = services.do_start_pairing(kind=DeviceKind.KIOSK)
    assert device.kind == "kiosk"
    services.do_pair(world.operator, PairingInput(code=device.pairing_code, name="Kiosk", idle_seconds=30))
    device.refresh_from_db()

    data = kiosk.catalogue(device, services.showable(now), ["jra"], now)
    uids = {i["uid"] for i in data["items"]}
    assert {str(shown.uid), str(expiring.uid)} <= uids
    assert not {str(officials.uid), str(draft.uid)} & uids
    assert data["idle"] == 30
    tags = [lang["tag"] for lang in data["languages"]]
    assert tags == ["vi", "lo", "km", "zh-Hans", "jra"]  # the plans' order, the site's language, no English
    names = {lang["tag"]: lang["name"] for lang in data["languages"]}
    assert names["lo"] == "ພາສາລາວ" and names["km"] == "ភាសាខ្មែរ" and names["zh-Hans"] == "中文"
    keyboards = {lang["tag"]: lang["keyboard"] for lang in data["languages"]}
    assert all("\u0e80" <= k <= "\u0eff" for k in keyboards["lo"]) and "ກ" in keyboards["lo"]
    assert "ក" in keyboards["km"] and "边" in keyboards["zh-Hans"] and "đ" in keyboards["vi"]
    labels = {lang["tag"]: lang["label_lang"] for lang in data["languages"]}
    assert labels["jra"] == "vi"  # a Jarai visitor reads the buttons in Vietnamese rather than English
    lao = next(i for i in data["items"] if i["uid"] == str(shown.uid))["variants"]["lo"]
    assert lao["text"] == [TRANSLATIONS["lo"][0], "2"]
    # Later, the expired item is gone from the catalogue even though nobody touched it.
    later = kiosk.catalogue(device, services.showable(now + timedelta(hours=2)), [], now + timedelta(hours=2))
    assert str(expiring.uid) not in {i["uid"] for i in later["items"]}

    # Over HTTP: the token is the credential.
    assert client.get("/points/kiosk/catalogue").status_code == 401
    answer = client.get("/points/kiosk/catalogue", headers={"X-Points-Token": token})
    assert answer.status_code == 200 and answer.json()["paired"] is True


def test_bad_input_to_pairing_is_refused(world: World, client: Client) -> None:
    refused = client.post("/points/player/start", json.dumps({"kind": "toaster"}), content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "bad_kind"
    assert client.post("/points/player/start", "[1]", content_type="application/json").status_code == 400
    device, _token = services.do_start_pairing(kind=DeviceKind.KIOSK)
    with pytest.raises(ServiceError) as bad:
        services.do_pair(world.operator, PairingInput(code=device.pairing_code, name="K", idle_seconds=1))
    assert bad.value.code == "bad_idle"
