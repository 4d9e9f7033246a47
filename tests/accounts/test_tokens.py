"""API tokens do not outlive what vouched for them: a new password, a second-factor reset or deactivation
revokes them; operators and agency administrators list and revoke the tokens of the accounts they manage,
on the staff pages and through the API. Every revocation is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from ttdn.accounts import services as accounts
from ttdn.accounts.models import ApiToken, User
from ttdn.core.errors import PermissionDenied
from ttdn.core.models import AuditEntry

from ..conftest import PASSWORD, TOTP_SECRET, World
from .test_staff import log_in

pytestmark = pytest.mark.django_db


def _token(user: User, name: str = "máy chủ huyện") -> tuple[ApiToken, str]:
    return accounts.do_create_token(user, user, name)


def _revocations(token: ApiToken) -> list[dict[str, object]]:
    return [e.data for e in AuditEntry.objects.filter(action="accounts.token.revoke", object_id=str(token.pk))]


def _api(secret: str) -> Client:
    return Client(headers={"authorization": f"Bearer {secret}"})


def test_a_new_password_set_on_the_staff_page_revokes_the_tokens(world: World) -> None:
    token, secret = _token(world.contributor)
    assert _api(secret).get("/api/v1/me").status_code == 200
    admin = log_in(Client(), world.agency_admin)
    answer = admin.post(f"/accounts/staff/{world.contributor.pk}/password/",
                        {"password": PASSWORD + "x", "password_confirm": PASSWORD + "x"})
    assert answer.status_code == 302
    assert accounts.user_for_token(secret) is None
    assert _api(secret).get("/api/v1/me").status_code == 401
    assert [d.get("reason") for d in _revocations(token)] == ["password"]
    assert AuditEntry.objects.get(action="accounts.user.password").data["tokens_revoked"] == 1


def test_a_second_factor_reset_revokes_the_tokens(world: World) -> None:
    accounts.do_set_totp_secret(None, world.contributor, TOTP_SECRET)
    token, secret = _token(world.contributor)
    admin = log_in(Client(), world.agency_admin)
    url = f"/accounts/staff/{world.contributor.pk}/two-factor/reset/"
    asked = admin.post(url)
    assert asked.status_code == 200 and 'data-testid="confirm-totp-reset"' in asked.content.decode()
    assert accounts.user_for_token(secret) is not None  # nothing happens until confirmed
    assert admin.post(url, {"confirmed": "1"}).status_code == 302
    assert accounts.user_for_token(secret) is None
    assert [d.get("reason") for d in _revocations(token)] == ["second_factor_reset"]
    # The shell command an operator uses goes through the same service.
    from django.core.management import call_command

    _token2, secret2 = _token(world.appraiser)
    call_command("reset_totp", "appraiser")
    assert accounts.user_for_token(secret2) is None


def test_deactivation_revokes_the_tokens_for_good(world: World) -> None:
    token, secret = _token(world.contributor)
    admin = log_in(Client(), world.agency_admin)
    page = admin.get(f"/accounts/staff/{world.contributor.pk}/").content.decode()
    assert 'data-testid="deactivate"' in page and token.prefix in page and "Mã truy cập API" in page
    asked = admin.post(f"/accounts/staff/{world.contributor.pk}/active/", {"active": "0"})
    assert asked.status_code == 200 and 'data-testid="confirm-deactivate"' in asked.content.decode()
    world.contributor.refresh_from_db()
    assert world.contributor.is_active
    confirmed = admin.post(f"/accounts/staff/{world.contributor.pk}/active/", {"active": "0", "confirmed": "1"})
    assert confirmed.status_code == 302
    world.contributor.refresh_from_db()
    assert not world.contributor.is_active and accounts.user_for_token(secret) is None
    assert [d.get("reason") for d in _revocations(token)] == ["deactivated"]
    assert AuditEntry.objects.filter(action="accounts.user.deactivate", object_id=str(world.contributor.pk)).exists()
    # Reactivated: the account logs in again, the old token stays revoked.
    assert admin.post(f"/accounts/staff/{world.contributor.pk}/active/", {"active": "1"}).status_code == 302
    world.contributor.refresh_from_db()
    assert world.contributor.is_active and accounts.user_for_token(secret) is None
    # Nobody deactivates themselves, nor someone of another agency.
    with pytest.raises(PermissionDenied):
        accounts.do_set_active(world.agency_admin, world.agency_admin, False)
    with pytest.raises(PermissionDenied):
        accounts.do_set_active(world.agency_admin, world.contributor_dl, False)
    assert admin.post(f"/accounts/staff/{world.contributor_dl.pk}/active/", {"active": "0"}).status_code == 404


def test_an_agency_administrator_revokes_a_token_of_their_staff_on_the_staff_page(world: World) -> None:
    own, own_secret = _token(world.contributor)
    foreign, foreign_secret = _token(world.contributor_dl)
    admin = log_in(Client(), world.agency_admin)
    # Another agency's token is not found, even under the address of one's own staff member.
    assert admin.post(f"/accounts/staff/{world.contributor.pk}/tokens/{foreign.pk}/revoke/").status_code == 404
    assert accounts.user_for_token(foreign_secret) == world.contributor_dl
    assert admin.post(f"/accounts/staff/{world.contributor.pk}/tokens/{own.pk}/revoke/").status_code == 302
    assert accounts.user_for_token(own_secret) is None
    entry = AuditEntry.objects.get(action="accounts.token.revoke", object_id=str(own.pk))
    assert entry.actor == world.agency_admin
    page = admin.get(f"/accounts/staff/{world.contributor.pk}/").content.decode()
    assert f'data-token="{own.pk}"' in page and "Đã thu hồi" in page


def test_administrators_list_and_revoke_the_tokens_of_their_scope_through_the_api(world: World) -> None:
    own, own_secret = _token(world.contributor, "trạm Ia Chia")
    foreign, foreign_secret = _token(world.contributor_dl, "trạm Đắk Lắk")
    _admin_token, admin_secret = _token(world.agency_admin, "máy quản trị")
    _op_token, op_secret = _token(world.operator, "máy vận hành")
    admin, operator = _api(admin_secret), _api(op_secret)

    listed = admin.get("/api/v1/admin/tokens").json()
    assert {(t["username"], t["agency"]) for t in listed} == {("contributor", "gl-svhttdl"),
                                                              ("agency_admin", "gl-svhttdl")}
    assert all("token" not in t and "key_hash" not in t for t in listed)
    assert {t["username"] for t in operator.get("/api/v1/admin/tokens").json()} >= {"contributor", "contributor_dl"}
    only = admin.get("/api/v1/admin/tokens", {"username": "contributor"}).json()
    assert [t["id"] for t in only] == [own.pk]

    assert admin.delete(f"/api/v1/admin/tokens/{foreign.pk}").status_code == 404
    assert accounts.user_for_token(foreign_secret) == world.contributor_dl
    assert admin.delete(f"/api/v1/admin/tokens/{own.pk}").status_code == 204
    assert accounts.user_for_token(own_secret) is None
    assert admin.get("/api/v1/admin/tokens", {"live": "false"}).json()[0]["id"] == own.pk
    assert operator.delete(f"/api/v1/admin/tokens/{foreign.pk}").status_code == 204
    assert accounts.user_for_token(foreign_secret) is None
    assert {e.actor for e in AuditEntry.objects.filter(action="accounts.token.revoke")} == {world.agency_admin,
                                                                                             world.operator}

    # Others may not: their own tokens are under /api/v1/tokens.
    _c_token, contributor_secret = _token(world.contributor, "máy khác")
    refused = _api(contributor_secret).get("/api/v1/admin/tokens")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    bounded = admin.get("/api/v1/admin/tokens", {"limit": 10_000})
    assert bounded.status_code == 422 and bounded.json()["code"] == "validation_error"
    assert admin.delete(f"/api/v1/admin/tokens/{'9' * 20}").status_code == 422
