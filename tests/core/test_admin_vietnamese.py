"""The Django admin in Vietnamese: the operator sees models and fields named in Vietnamese, and doing so
needs no migration (the names Django generates from the code are translated when shown)."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from ttdn.accounts.middleware import OTP_SESSION_KEY

from ..conftest import World

pytestmark = pytest.mark.django_db


def _operator(client: Client, world: World) -> Client:
    client.force_login(world.operator)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    return client


def test_operator_sees_the_admin_in_vietnamese(client: Client, world: World) -> None:
    _operator(client, world)
    index = client.get("/admin/").content.decode()
    for name in ("Quản trị TTĐN", "Tài khoản", "Cơ quan", "Phân quyền", "Tài liệu", "Điểm biên giới",
                 "Máy tại điểm biên giới", "Mã đăng ký"):
        assert name in index, name
    page = client.get(f"/admin/accounts/agency/{world.gl_dept.pk}/change/").content.decode()
    for label in ("Tên viết tắt", "Cơ quan cấp trên", "Hiệu lực từ", "Thuộc trung ương"):
        assert label in page, label
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "Họ và tên" in listing or "Tên đăng nhập" in listing


def test_every_admin_model_and_field_has_a_vietnamese_name() -> None:
    untranslated = []
    for model in admin.site._registry:
        opts = model._meta
        names = [("model", opts.verbose_name), ("models", opts.verbose_name_plural)]
        names += [(f.name, f.verbose_name) for f in opts.get_fields() if hasattr(f, "verbose_name")]
        for what, name in names:
            with translation.override("en"):
                english = str(name)
            with translation.override("vi"):
                vietnamese = str(name)
            if english == vietnamese and english.isascii() and english not in {"ID"}:
                untranslated.append(f"{opts.label}.{what}: {english}")
    assert untranslated == []


def test_the_names_need_no_migration() -> None:
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
