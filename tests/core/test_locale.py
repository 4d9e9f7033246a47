"""Vietnamese first in the web interface; English when chosen; the API follows Accept-Language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_web_is_vietnamese_whatever_the_browser_says(client: Client) -> None:
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi"' in page and "Đăng nhập" in page


def test_english_when_chosen(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en"' in page and "Log in" in page


def test_api_messages_follow_accept_language(client: Client) -> None:
    english = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()
    vietnamese = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert english["code"] == vietnamese["code"] == "unauthenticated"
    assert english["message"] != vietnamese["message"]


def test_password_rules_are_vietnamese(db: object) -> None:
    from django.utils import translation

    from ttdn.accounts import services as accounts
    from ttdn.core.errors import ServiceError

    with translation.override("vi"):
        with pytest.raises(ServiceError) as exc:
            accounts.do_create_user(None, "weak_one", "123", agency=None)
        message = str(exc.value.message)
    assert "Mật khẩu quá ngắn" in message and "chữ số" in message
