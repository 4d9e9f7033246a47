"""Login (argon2, lock-out, two factors), role grants scoped by agency, API tokens, audit entries."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from ttdn.accounts import services as accounts
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import Role
from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.core.models import AuditEntry

from ..conftest import PASSWORD, TOTP_SECRET, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw_world(db: object) -> World:
    return build_world(password=PASSWORD)


def test_passwords_are_argon2(pw_world: World) -> None:
    assert pw_world.contributor.password.startswith("argon2$argon2id$")


def test_login_page_logs_in_a_contributor(pw_world: World, client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "contributor", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(pw_world.contributor.pk)
    assert AuditEntry.objects.filter(action="accounts.login", actor=pw_world.contributor).exists()


def test_lock_out_after_repeated_failures(pw_world: World, client: Client, settings: object) -> None:
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "contributor", "password": "wrong-password"})
        assert response.status_code == 400
    # Even the right password is refused while locked.
    response = client.post("/accounts/login/", {"username": "contributor", "password": PASSWORD})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    with pytest.raises(PermissionDenied) as exc:
        accounts.check_login(None, "contributor", PASSWORD)
    assert exc.value.code == "locked_out"
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() >= 5


def test_success_resets_failure_count(pw_world: World) -> None:
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            accounts.check_login(None, "reader", "nope-nope-nope")
    user = accounts.check_login(None, "reader", PASSWORD)
    accounts.do_login_succeeded(user)
    for _ in range(3):
        with pytest.raises(PermissionDenied) as exc:
            accounts.check_login(None, "reader", "nope-nope-nope")
        assert exc.value.code == "bad_credentials"


@pytest.mark.parametrize(("name", "needs"), [("appraiser", True), ("publisher", True), ("agency_admin", True),
                                             ("contributor", False), ("translator_lo", False), ("reader", False)])
def test_two_factor_required_for_sensitive_roles(pw_world: World, client: Client, name: str, needs: bool) -> None:
    client.post("/accounts/login/", {"username": name, "password": PASSWORD})
    response = client.get("/my-work/")
    if needs:
        assert response.status_code == 302 and response["Location"].endswith("/accounts/two-factor/")
    else:
        assert response.status_code == 200


def test_two_factor_enrolment_and_replay(pw_world: World, client: Client) -> None:
    client.post("/accounts/login/", {"username": "appraiser", "password": PASSWORD})
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and b"<svg" in page.content
    secret = pw_world.appraiser.totp_device.secret
    bad = client.post("/accounts/two-factor/", {"code": "000000"})
    assert bad.status_code == 400
    code = pyotp.TOTP(secret).now()
    ok = client.post("/accounts/two-factor/", {"code": code})
    assert ok.status_code == 302
    assert client.session.get(OTP_SESSION_KEY) is True
    assert client.get("/my-work/").status_code == 200
    # The same code cannot be used twice.
    with pytest.raises(PermissionDenied):
        accounts.do_verify_totp(pw_world.appraiser, code)


def test_central_roles_need_the_central_office(world: World) -> None:
    with pytest.raises(ServiceError) as exc:
        accounts.do_grant_role(None, world.contributor, Role.APPRAISER)
    assert exc.value.code == "role_needs_central_agency"


def test_translator_grant_needs_a_language(world: World) -> None:
    user = accounts.do_create_user(None, "tr2", None, agency=world.central)
    with pytest.raises(ServiceError):
        accounts.do_grant_role(None, user, Role.TRANSLATOR, "")
    grant = accounts.do_grant_role(None, user, Role.TRANSLATOR, "ZH-hans")
    assert grant.language == "zh-Hans"


def test_agency_admin_manages_only_own_agency(world: World) -> None:
    own = accounts.do_create_user(world.agency_admin, "new_staff", None, agency=world.gl_dept)
    accounts.do_grant_role(world.agency_admin, own, Role.CONTRIBUTOR)
    with pytest.raises(PermissionDenied):
        accounts.do_create_user(world.agency_admin, "other_staff", None, agency=world.dl_dept)
    with pytest.raises(PermissionDenied):
        accounts.do_grant_role(world.agency_admin, world.contributor_dl, Role.CONTRIBUTOR)
    for name in ["contributor", "appraiser", "publisher", "translator_lo", "reader"]:
        with pytest.raises(PermissionDenied):
            accounts.do_create_user(world.users()[name], f"x_{name}", None, agency=world.gl_dept)


def test_weak_password_refused(world: World) -> None:
    with pytest.raises(ServiceError) as exc:
        accounts.do_create_user(None, "weak", "12345678", agency=world.gl_dept)
    assert exc.value.code == "weak_password"


def test_api_tokens(world: World) -> None:
    token, secret = accounts.do_create_token(world.contributor, world.contributor, "máy chủ huyện")
    assert token.key_hash != secret and secret.startswith("ttdn_")
    assert accounts.user_for_token(secret) == world.contributor
    assert accounts.user_for_token(secret + "x") is None
    with pytest.raises(PermissionDenied):
        accounts.do_create_token(world.contributor_dl, world.contributor, "lạ")
    accounts.do_revoke_token(world.contributor, token)
    assert accounts.user_for_token(secret) is None
    entries = AuditEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
    actions = set(entries.values_list("action", flat=True))
    assert actions == {"accounts.token.create", "accounts.token.revoke"}


def test_every_service_change_is_audited(world: World) -> None:
    # The world was built through the services: every agency, user and grant left an entry.
    for action in ["accounts.agency.create", "accounts.user.create", "accounts.role.grant"]:
        assert AuditEntry.objects.filter(action=action).exists(), action


def test_logout_is_audited(pw_world: World, client: Client) -> None:
    client.post("/accounts/login/", {"username": "reader", "password": PASSWORD})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="accounts.logout", actor=pw_world.reader).exists()
    assert client.get("/my-work/").status_code == 302


def test_admin_login_goes_through_the_one_login(pw_world: World, client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/admin/")
    # The operator needs the second factor before reaching the admin.
    client.post("/accounts/login/", {"username": "operator", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/")["Location"].endswith("/accounts/two-factor/")


def test_operator_resets_a_second_factor_from_the_shell(world: World) -> None:
    from django.core.management import CommandError, call_command

    from ttdn.accounts.models import TOTPDevice

    accounts.do_set_totp_secret(None, world.appraiser, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    call_command("reset_totp", "appraiser")
    assert not TOTPDevice.objects.filter(user=world.appraiser).exists()
    with pytest.raises(CommandError):
        call_command("reset_totp", "nobody-here")


def test_second_factor_failures_are_counted_across_password_logins(pw_world: World, settings: object) -> None:
    """Wrong codes after fresh password logins add up: logging in again does not reset the count."""
    accounts.do_set_totp_secret(None, pw_world.appraiser, TOTP_SECRET)
    right = pyotp.TOTP(TOTP_SECRET).now()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(settings.LOGIN_MAX_FAILURES):  # type: ignore[attr-defined]
        client = Client()
        login = client.post("/accounts/login/", {"username": "appraiser", "password": PASSWORD})
        assert login.status_code == 302 and login["Location"].endswith("/accounts/two-factor/")
        client.post("/accounts/two-factor/", {"code": wrong})
    # Locked now, as after wrong passwords: neither the password nor the right code lets anyone in.
    client = Client()
    refused = client.post("/accounts/login/", {"username": "appraiser", "password": PASSWORD})
    assert refused.status_code == 400 and "_auth_user_id" not in client.session
    assert "khóa" in refused.content.decode() or "locked" in refused.content.decode()
    with pytest.raises(PermissionDenied) as exc:
        accounts.do_verify_totp(pw_world.appraiser, right)
    assert exc.value.code == "locked_out"
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() == settings.LOGIN_MAX_FAILURES  # type: ignore[attr-defined]


def test_second_factor_success_clears_the_failures(pw_world: World) -> None:
    from ttdn.accounts.models import LoginThrottle

    accounts.do_set_totp_secret(None, pw_world.appraiser, TOTP_SECRET)
    client = Client()
    client.post("/accounts/login/", {"username": "appraiser", "password": PASSWORD})
    assert client.post("/accounts/two-factor/", {"code": "000000" if pyotp.TOTP(TOTP_SECRET).now() != "000000"
                                                 else "111111"}).status_code == 400
    # The password alone does not clear the count of wrong codes …
    client = Client()
    client.post("/accounts/login/", {"username": "appraiser", "password": PASSWORD})
    assert LoginThrottle.objects.get(username="appraiser").failures == 1
    # … the second factor passing does.
    ok = client.post("/accounts/two-factor/", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert ok.status_code == 302 and client.session.get(OTP_SESSION_KEY) is True
    assert not LoginThrottle.objects.filter(username="appraiser").exists()
    assert AuditEntry.objects.filter(action="accounts.login", actor=pw_world.appraiser).exists()
