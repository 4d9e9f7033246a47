"""The OpenAPI document and the validators agree: every input an operation takes — path, query and body — is
bounded in the schema (ids, page sizes, strings, lists), and a value past a bound is refused with 422 in the
API's error shape before any handler or database sees it, never a 500."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from ttdn.accounts import services as accounts
from ttdn.api import api

from ..conftest import World

# Strings bounded otherwise than by maxLength: a fixed format, or an anchored pattern of bounded length.
BOUNDED_FORMATS = {"uuid", "date", "date-time", "time", "binary"}  # parsed by pydantic-core, length-checked
BOUNDED_PATTERN = re.compile(r"^\^[^*+]*\$$")
# Sample values for the path parameters that are not integers.
PATH_SAMPLES = {"uid": str(uuid.uuid4()), "lang": "vi", "sha256": "0" * 64}


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema()  # type: ignore[no-any-return]


def _unbounded(schema: dict[str, Any], where: str, components: dict[str, Any]) -> Iterator[str]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _unbounded(sub, where, components)
    kind = schema.get("type")
    if "enum" in schema:
        return
    if kind == "integer" and ("minimum" not in schema or "maximum" not in schema):
        yield f"{where}: integer without minimum and maximum"
    if kind == "string" and "maxLength" not in schema and schema.get("format") not in BOUNDED_FORMATS \
            and not BOUNDED_PATTERN.match(schema.get("pattern", "")):
        yield f"{where}: string without maxLength"
    if kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: list without maxItems"
        yield from _unbounded(schema.get("items", {}), f"{where}[]", components)
    for name, sub in schema.get("properties", {}).items():
        yield from _unbounded(sub, f"{where}.{name}", components)


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_every_input_is_bounded_in_the_schema() -> None:
    components = _schema()["components"]["schemas"]
    problems: list[str] = []
    for method, path, operation in _operations():
        for param in operation.get("parameters", []):
            problems += _unbounded(param["schema"], f"{method.upper()} {path} {param['in']} {param['name']}",
                                   components)
        for content in operation.get("requestBody", {}).get("content", {}).values():
            problems += _unbounded(content["schema"], f"{method.upper()} {path} body", components)
    assert problems == []


@pytest.fixture
def operator_client(world: World) -> Client:
    _token, secret = accounts.do_create_token(world.operator, world.operator, "kiểm thử")
    return Client(headers={"authorization": f"Bearer {secret}"})


def _cases() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, url, parameter, query) with one integer parameter just past one of its bounds."""
    for method, path, operation in _operations():
        params = operation.get("parameters", [])
        for param in params:
            schema = param["schema"]
            if schema.get("type") != "integer" or "enum" in schema:
                continue
            for wrong in (schema["maximum"] + 1, schema["minimum"] - 1):
                values: dict[str, Any] = {}
                query: dict[str, Any] = {}
                for other in params:
                    if other["in"] != "path":
                        continue
                    values[other["name"]] = 1 if other["schema"].get("type") == "integer" else PATH_SAMPLES[
                        other["name"]]
                if param["in"] == "path":
                    values[param["name"]] = wrong
                else:
                    query[param["name"]] = wrong
                yield method, path.format(**values), param["name"], query


def test_an_integer_past_its_bound_is_a_422_in_the_error_shape(operator_client: Client) -> None:
    cases = list(_cases())
    assert len(cases) >= 20  # ids of plans, reports and tokens, page sizes and offsets
    for method, url, name, query in cases:
        if method == "get":
            answer = operator_client.get(url, query)
        else:
            answer = operator_client.generic(method.upper(), url + ("?" + "&".join(f"{k}={v}" for k, v in
                                                                                   query.items()) if query else ""),
                                             b"{}", content_type="application/json")
        assert answer.status_code == 422, (method, url, name, answer.status_code, answer.content[:300])
        body = answer.json()
        assert body["code"] == "validation_error" and name in str(body["details"]), (url, body)


def test_a_json_body_over_the_memory_limit_is_a_413_in_the_error_shape(operator_client: Client, settings: Any) -> None:
    body = b'{"name": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    answer = operator_client.post("/api/v1/tokens", body, content_type="application/json")
    assert answer.status_code == 413 and answer.json() == {"code": "too_large", "message": "Yêu cầu quá lớn."}
