"""API authentication, the error shape every operation declares, and the account endpoints.

Three ways in, tried in this order:

* ``Authorization: Bearer ttdn_…`` — machine tokens (`TokenAuth`). A token that is sent but not valid is
  refused with 401 even on public endpoints, so a client never mistakes a revoked token for anonymity.
* the Django session of the browser (`SessionAuth`), with the CSRF token required on unsafe methods and,
  for users who must use a second factor, only once that factor was passed in this session.
* nobody (`allow_anonymous`), only on the GET endpoints that show published public material.

Routers here: ``/api/v1/me``, ``/api/v1/tokens`` (one's own tokens only) and ``/api/v1/admin/tokens`` (the
tokens of the accounts an operator or agency administrator manages).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from ttdn.accounts import permissions as acl
from ttdn.accounts import services
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import ApiToken, Role, User
from ttdn.core.errors import NotFound, PermissionDenied

# ------------------------------------------------------------------------------------------------ errors


class ErrorOut(Schema):
    """Every error: a stable machine code, a message in the caller's language, optional details."""

    code: str = Field(..., description="Stable machine-readable code, e.g. `not_found`, `invalid_transition`.")
    message: str = Field(..., description="Human-readable message in the language of the request.")
    details: Any = Field(None, description="Optional: the offending field, or the list of validation errors.")


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Response declarations for the error statuses an operation can return."""
    return dict.fromkeys(statuses, ErrorOut)


class InvalidToken(AuthenticationError):
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(401, str(_("The API token is not valid or has been revoked.")))


class CsrfFailed(HttpError):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(403, str(_("CSRF check failed: send the X-CSRFToken header with the CSRF cookie.")))


# -------------------------------------------------------------------------------------------------- auth


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ttdn_…`, resolved through the accounts service."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = services.user_for_token(token.strip())
        if user is None:
            raise InvalidToken()
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session. CSRF is checked for unsafe methods; second factor where required."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check happens in `authenticate`, and only for a logged-in session: an anonymous
        # caller must get 401 from a protected endpoint, not a CSRF complaint.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if acl.requires_two_factor(user) and not request.session.get(OTP_SESSION_KEY):
            return None  # half logged in: not authenticated for the API
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed()
        return user


def allow_anonymous(request: HttpRequest) -> AnonymousUser:
    """Last in the list of the public GET endpoints: whoever is left is served as anonymous."""
    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth()
# Every endpoint not listed as public.
AUTH: list[Any] = [token_auth, session_auth]
# GET list/detail of published public material.
PUBLIC_AUTH: list[Any] = [token_auth, session_auth, allow_anonymous]
# OpenAPI: on public endpoints, no credentials is an option too.
PUBLIC_OPENAPI: dict[str, Any] = {"security": [{}]}


def request_user(request: HttpRequest) -> Any:
    """The authenticated user of an API request (AnonymousUser on public endpoints)."""
    return request.auth  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------------- /me

me_router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    full_name: str
    agency: str | None
    agency_code: str | None
    roles: list[str]
    languages: list[str] = Field(..., description="Languages the user translates into (translators).")
    is_operator: bool


@me_router.get("", response={200: MeOut, **errors(401)}, summary="Who am I")
def get_me(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    info = services.describe(user)
    return {
        **info,
        "full_name": user.full_name,
        "agency_code": user.agency.code if user.agency else None,
        "is_operator": bool(user.is_superuser),
    }


# ---------------------------------------------------------------------------------------------- /tokens

tokens_router = Router(tags=["accounts"])

TOKEN_ID_MAX = 2**63 - 1


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="The machine that will use the token.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret. Shown once; only its hash is stored.")


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@tokens_router.get("", response={200: list[TokenOut], **errors(401)}, summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    user = request_user(request)
    return [_token_out(t) for t in ApiToken.objects.filter(user=user).order_by("-created_at", "-id")]


@tokens_router.post("", response={201: TokenCreatedOut, **errors(400, 401, 403, 422)}, summary="Create a token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    token, secret = services.do_create_token(user, user, payload.name)
    return Status(201, {**_token_out(token), "token": secret})


@tokens_router.delete(
    "/{token_id}", response={204: None, **errors(401, 403, 404, 422)}, summary="Revoke one of my tokens"
)
def revoke_token(request: HttpRequest, token_id: int = Path(..., ge=1, le=TOKEN_ID_MAX)) -> Status[None]:
    user = request_user(request)
    token = ApiToken.objects.select_related("user").filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        services.do_revoke_token(user, token)
    return Status(204, None)


# ---------------------------------------------------------------------------------- /admin/tokens

admin_tokens_router = Router(tags=["accounts"])

ADMIN_TOKENS_PAGE_MAX = 500


class AdminTokenOut(TokenOut):
    username: str
    agency: str | None = Field(..., description="The code of the holder's agency.")


def _admin_token_out(token: ApiToken) -> dict[str, Any]:
    return {**_token_out(token), "username": token.user.username,
            "agency": token.user.agency.code if token.user.agency else None}


def _administrator(request: HttpRequest) -> User:
    user = request_user(request)
    if not (user.is_superuser or acl.has_role(user, Role.AGENCY_ADMIN)):
        raise PermissionDenied(_("Only operators and agency administrators manage other people's tokens."))
    return user  # type: ignore[no-any-return]


@admin_tokens_router.get("", response={200: list[AdminTokenOut], **errors(401, 403, 422)},
                         summary="Tokens of the accounts I administer")
def list_administered_tokens(
    request: HttpRequest,
    username: str | None = Query(None, min_length=1, max_length=150, description="Only this account's tokens."),
    live: bool | None = Query(None, description="Only live (true) or only revoked (false) tokens."),
    limit: int = Query(100, ge=1, le=ADMIN_TOKENS_PAGE_MAX),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> list[dict[str, Any]]:
    tokens = services.tokens_administered_by(_administrator(request)).select_related("user__agency")
    if username:
        tokens = tokens.filter(user__username__iexact=username)
    if live is not None:
        tokens = tokens.filter(revoked_at__isnull=live)
    return [_admin_token_out(t) for t in tokens.order_by("-created_at", "-id")[offset:offset + limit]]


@admin_tokens_router.delete(
    "/{token_id}", response={204: None, **errors(401, 403, 404, 422)},
    summary="Revoke a token of an account I administer",
)
def revoke_administered_token(request: HttpRequest, token_id: int = Path(..., ge=1, le=TOKEN_ID_MAX)) -> Status[None]:
    actor = _administrator(request)
    token = services.tokens_administered_by(actor).select_related("user__agency").filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        services.do_revoke_token(actor, token)
    return Status(204, None)
