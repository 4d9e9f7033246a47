"""The "staff of my agency" pages: an agency administrator lists, creates and manages the accounts of
their own agency, and nobody else's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import Role, RoleGrant, User
from ttdn.core.models import AuditEntry

from ..conftest import PASSWORD, World

pytestmark = pytest.mark.django_db

STAFF = "/accounts/staff/"


def log_in(client: Client, user: User, *, second_factor: bool = True) -> Client:
    client.force_login(user)
    if second_factor:
        session = client.session
        session[OTP_SESSION_KEY] = True
        session.save()
    return client


def new_account(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "nguyen_van_a",
        "full_name": "Nguyễn Văn A",
        "position": "Chuyên viên",
        "email": "a@example.vn",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "roles": [Role.CONTRIBUTOR.value],
    }
    data.update(overrides)
    return data


def roles_of(user: User) -> set[str]:
    return set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


def test_admin_sees_own_agency_only(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    page = client.get(STAFF)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-user="contributor"' in body and 'data-user="agency_admin"' in body
    for other in ("contributor_dl", "appraiser", "publisher", "reader", "operator"):
        assert f'data-user="{other}"' not in body
    assert world.gl_dept.name in body
    # The navigation offers the page to agency administrators only.
    assert 'href="/accounts/staff/"' in body
    other = log_in(Client(), world.contributor)
    assert 'href="/accounts/staff/"' not in other.get("/my-work/").content.decode()


def test_admin_needs_the_second_factor(client: Client, world: World) -> None:
    log_in(client, world.agency_admin, second_factor=False)
    response = client.get(STAFF)
    assert response.status_code == 302 and response["Location"].endswith("/accounts/two-factor/")
    response = client.post(STAFF, new_account())
    assert response.status_code == 302 and response["Location"].endswith("/accounts/two-factor/")
    assert not User.objects.filter(username="nguyen_van_a").exists()


def test_admin_creates_a_contributor_who_can_log_in(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    response = client.post(STAFF, new_account())
    assert response.status_code == 302 and response["Location"] == STAFF
    user = User.objects.get(username="nguyen_van_a")
    assert user.agency == world.gl_dept
    assert (user.full_name, user.position, user.email) == ("Nguyễn Văn A", "Chuyên viên", "a@example.vn")
    assert roles_of(user) == {Role.CONTRIBUTOR}
    assert AuditEntry.objects.filter(action="accounts.user.create", actor=world.agency_admin,
                                     object_id=str(user.pk)).exists()
    assert 'data-user="nguyen_van_a"' in client.get(STAFF).content.decode()

    fresh = Client()
    login = fresh.post("/accounts/login/", {"username": "nguyen_van_a", "password": PASSWORD})
    assert login.status_code == 302
    assert fresh.session.get("_auth_user_id") == str(user.pk)
    assert fresh.get("/items/new/").status_code == 200


def test_weak_password_is_shown_and_creates_nothing(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    response = client.post(STAFF, new_account(password="12345678", password_confirm="12345678"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "password" in errors and errors["password"][0]
    assert 'id="id_password_error"' in response.content.decode()
    assert not User.objects.filter(username="nguyen_van_a").exists()


def test_passwords_must_match(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    response = client.post(STAFF, new_account(password_confirm=PASSWORD + "x"))
    assert response.status_code == 400
    assert "password_confirm" in response.context["form"].errors
    assert not User.objects.filter(username="nguyen_van_a").exists()


def test_taken_user_name_is_a_conflict(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    response = client.post(STAFF, new_account(username="Contributor_DL"))
    assert response.status_code == 409
    assert "username" in response.context["form"].errors


def test_only_agency_roles_can_be_granted_on_creation(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    response = client.post(STAFF, new_account(roles=[Role.PUBLISHER.value]))
    assert response.status_code == 400
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(username="nguyen_van_a").exists()


@pytest.mark.parametrize("name", ["contributor", "reader", "contributor_dl", "translator_lo"])
def test_others_get_403(client: Client, world: World, name: str) -> None:
    user = world.users()[name]
    log_in(client, user)
    assert client.get(STAFF).status_code == 403
    assert client.post(STAFF, new_account()).status_code == 403
    assert client.get(f"{STAFF}{world.contributor.pk}/").status_code == 403
    response = client.post(f"{STAFF}{world.contributor.pk}/roles/", {"role": "reader", "op": "grant"})
    assert response.status_code == 403
    response = client.post(f"{STAFF}{world.contributor.pk}/password/",
                           {"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 403
    assert not User.objects.filter(username="nguyen_van_a").exists()
    assert roles_of(world.contributor) == {Role.CONTRIBUTOR}


def test_anonymous_is_sent_to_log_in(client: Client, world: World) -> None:
    response = client.get(STAFF)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_users_of_other_agencies_are_not_found(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    other = world.contributor_dl
    assert client.get(f"{STAFF}{other.pk}/").status_code == 404
    assert client.post(f"{STAFF}{other.pk}/roles/", {"role": "reader", "op": "grant"}).status_code == 404
    assert client.post(f"{STAFF}{other.pk}/roles/", {"role": "contributor", "op": "revoke"}).status_code == 404
    response = client.post(f"{STAFF}{other.pk}/password/", {"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 404
    other.refresh_from_db()
    assert roles_of(other) == {Role.CONTRIBUTOR}
    assert not other.has_usable_password()
    assert not AuditEntry.objects.filter(actor=world.agency_admin, object_id=str(other.pk)).exists()


def test_grant_and_revoke_are_audited(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    member = world.contributor
    page = client.get(f"{STAFF}{member.pk}/")
    assert page.status_code == 200 and 'data-testid="grant-reader"' in page.content.decode()

    response = client.post(f"{STAFF}{member.pk}/roles/", {"role": "reader", "op": "grant"})
    assert response.status_code == 302
    assert roles_of(member) == {Role.CONTRIBUTOR, Role.READER}
    grant = AuditEntry.objects.get(action="accounts.role.grant", actor=world.agency_admin)
    assert grant.object_id == str(member.pk) and grant.data["role"] == "reader"
    assert grant.agency_id == world.gl_dept.pk

    # Revoking asks first, saying what will happen, and changes nothing until confirmed.
    asked = client.post(f"{STAFF}{member.pk}/roles/", {"role": "contributor", "op": "revoke"})
    text = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="confirm-role-revoke"' in text
    assert "bị từ chối" in text and 'name="confirmed" value="1"' in text and 'value="contributor"' in text
    assert roles_of(member) == {Role.CONTRIBUTOR, Role.READER}
    assert not AuditEntry.objects.filter(action="accounts.role.revoke").exists()
    response = client.post(f"{STAFF}{member.pk}/roles/", {"role": "contributor", "op": "revoke", "confirmed": "1"})
    assert response.status_code == 302
    assert roles_of(member) == {Role.READER}
    revoke = AuditEntry.objects.get(action="accounts.role.revoke", actor=world.agency_admin)
    assert revoke.object_id == str(member.pk) and revoke.data["role"] == "contributor"


def test_central_roles_cannot_be_granted(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    response = client.post(f"{STAFF}{world.contributor.pk}/roles/", {"role": "publisher", "op": "grant"})
    assert response.status_code == 400
    assert roles_of(world.contributor) == {Role.CONTRIBUTOR}


def test_admin_cannot_revoke_own_admin_role(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    # Refused before any confirmation is asked, and again if confirmed by hand.
    response = client.post(f"{STAFF}{world.agency_admin.pk}/roles/", {"role": "agency_admin", "op": "revoke"})
    assert response.status_code == 409 and 'data-testid="confirm-role-revoke"' not in response.content.decode()
    response = client.post(f"{STAFF}{world.agency_admin.pk}/roles/",
                           {"role": "agency_admin", "op": "revoke", "confirmed": "1"})
    assert response.status_code == 409
    assert roles_of(world.agency_admin) == {Role.AGENCY_ADMIN}


def test_admin_sets_a_new_password(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    url = f"{STAFF}{world.contributor.pk}/password/"
    weak = client.post(url, {"password": "12345678", "password_confirm": "12345678"})
    assert weak.status_code == 400 and "password" in weak.context["password_form"].errors
    mismatch = client.post(url, {"password": PASSWORD, "password_confirm": PASSWORD + "x"})
    assert mismatch.status_code == 400 and "password_confirm" in mismatch.context["password_form"].errors
    world.contributor.refresh_from_db()
    assert not world.contributor.has_usable_password()

    response = client.post(url, {"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302
    world.contributor.refresh_from_db()
    assert world.contributor.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="accounts.user.password", actor=world.agency_admin,
                                     object_id=str(world.contributor.pk)).exists()


def test_staff_pages_are_csrf_protected(world: World) -> None:
    client = log_in(Client(enforce_csrf_checks=True), world.agency_admin)
    assert client.post(STAFF, new_account()).status_code == 403
    assert not User.objects.filter(username="nguyen_van_a").exists()
    response = client.post(f"{STAFF}{world.contributor.pk}/roles/", {"role": "reader", "op": "grant"})
    assert response.status_code == 403
    response = client.post(f"{STAFF}{world.contributor.pk}/password/",
                           {"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 403
    assert roles_of(world.contributor) == {Role.CONTRIBUTOR}
    # With the token from the page, the same request goes through.
    page = client.get(STAFF)
    token = page.context["csrf_token"]
    response = client.post(STAFF, {**new_account(), "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert User.objects.filter(username="nguyen_van_a").exists()


def test_agency_admin_resets_a_lost_second_factor(world: World) -> None:
    from ttdn.accounts import services as accounts
    from ttdn.accounts.models import TOTPDevice
    from ttdn.core.errors import PermissionDenied

    second_admin = accounts.do_create_user(None, "admin2", None, agency=world.gl_dept)
    accounts.do_grant_role(None, second_admin, Role.AGENCY_ADMIN)
    accounts.do_set_totp_secret(None, second_admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(world.agency_admin)
    session = client.session
    session["ttdn_otp_verified"] = True
    session.save()
    asked = client.post(f"/accounts/staff/{second_admin.pk}/two-factor/reset/")
    assert asked.status_code == 200 and "ứng dụng xác thực" in asked.content.decode()
    assert TOTPDevice.objects.filter(user=second_admin).exists()
    response = client.post(f"/accounts/staff/{second_admin.pk}/two-factor/reset/", {"confirmed": "1"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=second_admin).exists()
    assert AuditEntry.objects.filter(action="accounts.totp.reset", object_id=str(second_admin.pk)).exists()
    # Not one's own, and not in another agency.
    with pytest.raises(PermissionDenied):
        accounts.do_reset_totp(world.agency_admin, world.agency_admin)
    with pytest.raises(PermissionDenied):
        accounts.do_reset_totp(world.agency_admin, world.contributor_dl)
    assert client.post(f"/accounts/staff/{world.contributor_dl.pk}/two-factor/reset/").status_code == 404
    # One's own: refused with the reason, before any confirmation is asked.
    own = client.post(f"/accounts/staff/{world.agency_admin.pk}/two-factor/reset/")
    assert own.status_code == 403 and "quản trị viên khác" in own.content.decode()


def test_admin_grants_plan_roles(client: Client, world: World) -> None:
    log_in(client, world.agency_admin)
    member = world.contributor
    page = client.get(f"{STAFF}{member.pk}/").content.decode()
    assert 'data-testid="grant-plan_manager"' in page and 'data-testid="grant-plan_reporter"' in page
    assert 'data-testid="grant-publisher"' not in page
    response = client.post(f"{STAFF}{member.pk}/roles/", {"role": "plan_manager", "op": "grant"})
    assert response.status_code == 302
    assert roles_of(member) == {Role.CONTRIBUTOR, Role.PLAN_MANAGER}
    response = client.post(STAFF, new_account(roles=[Role.PLAN_REPORTER.value]))
    assert response.status_code == 302
    assert roles_of(User.objects.get(username="nguyen_van_a")) == {Role.PLAN_REPORTER}
    assert AuditEntry.objects.filter(action="accounts.role.grant", data__role="plan_reporter").exists()


def test_operator_manages_the_staff_of_any_agency(client: Client, world: World) -> None:
    log_in(client, world.operator)
    page = client.get(STAFF)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="/accounts/staff/"' in body and 'data-testid="choose-agency"' in body
    # Another agency, chosen on the page, and remembered for the pages that follow.
    body = client.get(STAFF, {"agency": world.dl_dept.pk}).content.decode()
    assert 'data-user="contributor_dl"' in body and 'data-user="contributor"' not in body
    response = client.post(STAFF, new_account())
    assert response.status_code == 302
    assert User.objects.get(username="nguyen_van_a").agency == world.dl_dept
    assert client.get(f"{STAFF}{world.contributor_dl.pk}/").status_code == 200
    # In the central office the operator also grants the central roles.
    client.get(STAFF, {"agency": world.central.pk})
    page = client.get(f"{STAFF}{world.appraiser.pk}/").content.decode()
    assert 'data-testid="grant-publisher"' in page
    response = client.post(f"{STAFF}{world.appraiser.pk}/roles/", {"role": "publisher", "op": "grant"})
    assert response.status_code == 302
    assert roles_of(world.appraiser) == {Role.APPRAISER, Role.PUBLISHER}
