"""Clients for the API tests: one per role of the World, authenticated with a real API token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ttdn.accounts import services as accounts
from ttdn.accounts.models import User

from ..conftest import World


class ApiClient:
    """Django's test client with a bearer token and JSON bodies."""

    def __init__(self, secret: str | None = None, **headers: str) -> None:
        if secret:
            headers["authorization"] = f"Bearer {secret}"
        self.client = Client(headers=headers)
        self.secret = secret

    def get(self, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.get(path, data or {}, **extra)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.post(path, json.dumps(data if data is not None else {}), content_type="application/json",
                                **extra)

    def upload(self, path: str, files: dict[str, Any], **extra: Any) -> Any:
        return self.client.post(path, files, **extra)

    def patch(self, path: str, data: Any, **extra: Any) -> Any:
        return self.client.patch(path, json.dumps(data), content_type="application/json", **extra)

    def put(self, path: str, data: Any, **extra: Any) -> Any:
        return self.client.put(path, json.dumps(data), content_type="application/json", **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.client.delete(path, **extra)


def token_for(user: User) -> str:
    return accounts.do_create_token(user, user, "test")[1]


@pytest.fixture
def api_as(world: World) -> Callable[[str], ApiClient]:
    """`api_as("appraiser")` — a client holding a token of that World user; `api_as("anonymous")` has none."""
    cache: dict[str, ApiClient] = {}

    def make(who: str) -> ApiClient:
        if who not in cache:
            if who == "anonymous":
                cache[who] = ApiClient()
            else:
                user = world.operator if who == "operator" else world.users()[who]
                cache[who] = ApiClient(token_for(user))
        return cache[who]

    return make


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """An error response: the status, JSON, and the stable code with a non-empty message."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "message", "details"}
    return body
