"""400, 403, 404 and 500 come in the person's language, inside the site's layout (header, language switch)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from ..conftest import World
from ..content.test_views import login

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]

EXPECTED = {
    # status: (path, Vietnamese heading, English heading)
    400: ("/test-errors/400/", "Yêu cầu không hợp lệ", "The request could not be understood"),
    403: ("/test-errors/403/", "Bạn không có quyền mở trang này", "You may not open this page"),
    404: ("/khong-co-trang-nay/", "Không tìm thấy trang", "Page not found"),
    500: ("/test-errors/500/", "Hệ thống gặp sự cố", "Something went wrong on our side"),
}


def client_in(language: str) -> Client:
    client = Client(raise_request_exception=False)
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("status", sorted(EXPECTED))
def test_error_page_in_the_persons_language_and_layout(status: int, language: str) -> None:
    path, vi, en = EXPECTED[status]
    response = client_in(language).get(path)
    assert response.status_code == status
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{vi if language == 'vi' else en}</h1>" in html
    assert (en if language == "vi" else vi) not in html
    assert f'data-status="{status}"' in html
    # The site's layout: the header with the language switch, the stylesheet, the way back.
    assert 'class="site-header"' in html and 'id="language-select"' in html
    assert "/static/ttdn/css/ttdn.css" in html or "ttdn.css" in html
    assert 'href="/published/"' in html
    assert "Traceback" not in html and "a bug" not in html


def test_404_for_a_logged_in_official_keeps_their_navigation(world: World) -> None:
    client = client_in("en")
    login(client, world.contributor)
    html = client.get("/khong-co-trang-nay/").content.decode()
    assert "Page not found" in html and 'href="/my-work/"' in html
    assert "Officials: log in" not in html


def test_404_tells_anonymous_visitors_where_officials_log_in() -> None:
    html = client_in("vi").get("/khong-co-trang-nay/").content.decode()
    assert 'data-testid="officials-login"' in html and "/accounts/login/?next=" in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_form_sent_without_its_token_is_explained_in_the_persons_language(language: str) -> None:
    client = Client(enforce_csrf_checks=True)
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    heading = "Biểu mẫu đã hết hạn" if language == "vi" else "The form has expired"
    assert f"<h1>{heading}</h1>" in html and 'class="site-header"' in html


@pytest.mark.parametrize(("language", "heading"), [("vi", "Dịch vụ tạm thời gián đoạn"),
                                                   ("en", "The service is briefly unavailable")])
def test_the_database_away_is_a_503_in_the_persons_language(language: str, heading: str) -> None:
    """Not the 500 page: that one needs the database for its layout; this says to come back, and when."""
    response = client_in(language).get("/test-errors/503/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    html = response.content.decode()
    assert f"<html lang='{language}'>" in html and f"<h1>{heading}</h1>" in html
    assert "Traceback" not in html and "administrator command" not in html
