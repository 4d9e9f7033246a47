"""Authentication (tokens, sessions with CSRF and second factor, anonymity), /me, tokens, reference data,
the error shape, the language of messages, and the offline documentation."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from ttdn.accounts import services as accounts
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import ApiToken, User
from ttdn.content import services as content
from ttdn.content.models import Item, State
from ttdn.core import languages

from ..conftest import World, advance, make_item
from .conftest import ApiClient, assert_error, token_for

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]

PROTECTED = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/topics"),
    ("get", "/api/v1/languages"),
    ("post", "/api/v1/items"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_endpoints_need_credentials(world: World, method: str, path: str) -> None:
    client = ApiClient()
    response = client.get(path) if method == "get" else client.post(path, {"name": "x"})
    body = assert_error(response, 401, "unauthenticated")
    assert "details" not in body
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_tokens_are_refused_even_on_public_endpoints(world: World) -> None:
    for header in ("Bearer ttdn_not-a-real-token", "Bearer nonsense", "Bearer "):
        response = Client(headers={"authorization": header}).get("/api/v1/items")
        assert_error(response, 401, "invalid_token")
    # Another scheme is not a token at all: the caller is anonymous.
    assert Client(headers={"authorization": "Basic dXNlcjpwYXNz"}).get("/api/v1/items").status_code == 200


def test_tokens_for_oneself(world: World) -> None:
    client = ApiClient(token_for(world.translator_lo))
    response = client.post("/api/v1/tokens", {"name": "  máy chủ  dịch "})
    assert response.status_code == 201, response.content
    created = response.json()
    secret = created["token"]
    assert secret.startswith("ttdn_") and created["prefix"] == secret[:12]
    assert created["name"] == "máy chủ dịch"
    assert ApiToken.objects.get(pk=created["id"]).key_hash != secret  # only the hash is kept

    listed = client.get("/api/v1/tokens").json()
    mine = ApiToken.objects.filter(user=world.translator_lo).values_list("pk", flat=True)
    assert {t["id"] for t in listed} == set(mine)
    assert all("token" not in t for t in listed)

    new_client = ApiClient(secret)
    assert new_client.get("/api/v1/me").json()["username"] == "translator_lo"
    # Someone else's token does not exist for me.
    other = accounts.do_create_token(world.reader, world.reader, "reader's")[0]
    assert_error(client.delete(f"/api/v1/tokens/{other.pk}"), 404, "not_found")
    assert_error(client.delete("/api/v1/tokens/0"), 422, "validation_error")
    assert_error(client.post("/api/v1/tokens", {"name": "   "}), 400, "invalid")
    assert_error(client.post("/api/v1/tokens", {}), 422, "validation_error")

    assert client.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    assert client.delete(f"/api/v1/tokens/{created['id']}").status_code == 204  # idempotent
    assert_error(new_client.get("/api/v1/me"), 401, "invalid_token")
    revoked = next(t for t in client.get("/api/v1/tokens").json() if t["id"] == created["id"])
    assert revoked["revoked_at"] is not None


def test_inactive_users_tokens_stop_working(world: World) -> None:
    secret = token_for(world.contributor)
    User.objects.filter(pk=world.contributor.pk).update(is_active=False)
    assert_error(ApiClient(secret).get("/api/v1/me"), 401, "invalid_token")


def test_me(world: World, api_as: Api) -> None:
    me = api_as("translator_lo").get("/api/v1/me").json()
    assert me == {
        "username": "translator_lo", "full_name": "Translator_Lo", "agency": world.central.name,
        "agency_code": "central", "roles": ["translator"], "languages": ["lo"], "is_operator": False,
    }


def test_reference_data(world: World, api_as: Api) -> None:
    content.do_save_topic(None, "y-te", "Y tế", "Health")
    assert api_as("reader").get("/api/v1/topics").json() == [
        {"code": "y-te", "name": "Y tế", "name_en": "Health", "description": ""}
    ]
    langs = api_as("reader").get("/api/v1/languages").json()
    assert [lang["tag"] for lang in langs] == [lang.tag for lang in languages.LANGUAGES]
    assert langs[2] == {"tag": "lo", "iso639_3": "lao", "name_vi": "Tiếng Lào", "name_en": "Lao",
                        "script": "Laoo", "minority": False, "unspaced": True}


# ---------------------------------------------------------------------------------------------- sessions


def _session_client(user: User, *, otp: bool) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    if otp:
        session = client.session
        session[OTP_SESSION_KEY] = True
        session.save()
    csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = csrf
    return client, csrf


def test_session_auth_with_csrf(world: World) -> None:
    client, csrf = _session_client(world.contributor, otp=False)  # contributors need no second factor
    assert client.get("/api/v1/me").json()["username"] == "contributor"
    payload = json.dumps({"kind": "sms", "title": "Tin nhắn", "body": "Chú ý", "no_state_secrets": True})
    refused = client.post("/api/v1/items", payload, content_type="application/json")
    assert_error(refused, 403, "csrf_failed")
    assert not Item.objects.exists()
    accepted = client.post("/api/v1/items", payload, content_type="application/json", headers={"x-csrftoken": csrf})
    assert accepted.status_code == 201, accepted.content


def test_session_needs_second_factor_where_required(world: World) -> None:
    item = advance(world, make_item(world), State.SUBMITTED)
    half, _csrf = _session_client(world.appraiser, otp=False)
    assert_error(half.get("/api/v1/me"), 401, "unauthenticated")
    # Half logged in is anonymous on the public endpoints: no submitted material visible.
    assert half.get("/api/v1/items").json()["count"] == 0
    full, csrf = _session_client(world.appraiser, otp=True)
    assert full.get("/api/v1/me").json()["roles"] == ["appraiser"]
    response = full.post(f"/api/v1/items/{item.uid}/transitions", {"action": "start_appraisal"},
                         content_type="application/json", headers={"x-csrftoken": csrf})
    assert response.status_code == 200 and response.json()["state"] == "in_appraisal"


# ------------------------------------------------------------------------------------- errors, language


def test_error_shapes(world: World, api_as: Api) -> None:
    anon = api_as("anonymous")
    assert_error(anon.get("/api/v1/items/00000000-0000-0000-0000-000000000000"), 404, "not_found")
    assert_error(anon.get("/api/v1/nowhere/at/all"), 404, "not_found")
    assert_error(anon.get("/api/"), 404, "not_found")
    body = assert_error(anon.get("/api/v1/items/123"), 422, "validation_error")
    assert body["details"][0]["loc"] == ["path", "uid"]
    response = api_as("reader").client.put("/api/v1/me")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_messages_follow_accept_language(world: World) -> None:
    english = Client(headers={"accept-language": "en"}).get("/api/v1/me")
    assert english["Content-Language"] == "en"
    assert english.json()["message"] == "Authentication required: send an API token or log in."
    default = Client().get("/api/v1/me")
    assert default["Content-Language"] == "vi"  # the product's language unless the client asks otherwise
    assert default.json()["code"] == "unauthenticated"
    # Service messages too (lazy translations are rendered for the request).
    item = make_item(world)
    client = ApiClient(token_for(world.contributor), **{"accept-language": "en"})
    response = client.post(f"/api/v1/items/{item.uid}/transitions", {"action": "publish"})
    assert response["Content-Language"] == "en"
    assert response.json()["message"] == "“Publish” is not possible while the material is Draft."


def test_openapi_and_offline_docs(world: World) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert {"/api/v1/items", "/api/v1/items/{uid}", "/api/v1/me", "/api/v1/tokens", "/api/v1/topics",
            "/api/v1/languages"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Nothing from the internet: every linked asset is this server's (the page's CSRF token is random text and
    # may spell anything, so the check is on the links, not on words).
    linked = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert linked and all(url.startswith("/") and not url.startswith("//") for url in linked), linked
    assert "https://" not in html and "http://" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"/api/docs/assets/{asset}" in html
        assert Client().get(f"/api/docs/assets/{asset}").status_code == 200
    assert_error(Client().get("/api/docs/assets/redoc.standalone.js.map"), 404, "not_found")
