"""`ttdn check` (and `--deploy`) says what is wrong with `TTDN_BLOB_STORE`, in Vietnamese and English: a URL it
cannot use, an endpoint that does not answer, a bucket that is not there, keys the store refuses. Against the real
Ceph RADOS gateway of tests/ops (`s3_server`, `bucket`)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.ops.conftest import ttdn
from tests.sync.conftest import base_env, free_port
from ttdn.content.files.blobs import S3_ENDPOINT_ENV

pytestmark = pytest.mark.slow  # the Ceph gateway


def _check(deploy: bool = False) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", deploy=deploy, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def store_env(bucket: tuple[str, Any], s3_server: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(S3_ENDPOINT_ENV, s3_server["TTDN_BACKUP_S3_ENDPOINT"])
    # Set by the browser tests for the rest of their worker's session; `check --deploy` calls it an error.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    return bucket[0]


@pytest.mark.parametrize("location", ["ftp://files.example/ttdn", "s3://", "s3:/bucket/ttdn", "/srv/ttdn/blobs"])
def test_an_unusable_url_is_named(location: str) -> None:
    with override_settings(BLOB_STORE=location):
        said = _check()
    assert "ops.W011" in said and repr(location) in said
    assert "không hợp lệ" in said and "is not usable" in said


def test_a_bucket_that_answers_to_its_keys_gives_no_warning(store_env: str) -> None:
    with override_settings(BLOB_STORE=f"s3://{store_env}/ttdn"):
        said = _check(deploy=True)
    assert "ops.W011" not in said and "ops.W012" not in said, said


def test_a_missing_bucket_is_named(store_env: str) -> None:
    with override_settings(BLOB_STORE=f"s3://{store_env}-absent/ttdn"):
        said = _check()
    assert "ops.W012" in said and f"'{store_env}-absent'" in said
    assert "không có bucket" in said and "has no bucket" in said


def test_wrong_keys_are_named(store_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with override_settings(BLOB_STORE=f"s3://{store_env}/ttdn"):
        said = _check(deploy=True)
    assert "ops.W012" in said and "từ chối khóa truy cập" in said and "refuses the access keys" in said, said


def test_an_endpoint_that_does_not_answer_is_named(store_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv(S3_ENDPOINT_ENV, nobody)
    with override_settings(BLOB_STORE=f"s3://{store_env}/ttdn"):
        said = _check()
    assert "ops.W012" in said and nobody in said
    assert "Không kết nối được kho tệp" in said and "Cannot reach the file store" in said


def test_the_command_itself_says_it_and_other_commands_do_not_probe(
        store_env: str, s3_server: dict[str, str], tmp_path: Any) -> None:
    env = {**base_env(tmp_path / "data", "hub"), **s3_server, S3_ENDPOINT_ENV: s3_server["TTDN_BACKUP_S3_ENDPOINT"],
           "TTDN_BLOB_STORE": f"s3://{store_env}-absent/ttdn"}
    done = ttdn(env, "check", "--deploy")
    said = done.stdout + done.stderr
    assert "ops.W012" in said and "has no bucket" in said and "Traceback" not in said, said[-3000:]
    # `migrate` (which `ttdn serve` runs first) runs the system checks too: a bad URL is named there, but the store
    # is not reached for (a store that does not answer must not hold up every start).
    bad_url = ttdn({**env, "TTDN_BLOB_STORE": "s3:/x"}, "migrate", "--plan")
    assert "ops.W011" in bad_url.stdout + bad_url.stderr
    other = ttdn(env, "migrate", "--plan")
    assert other.returncode == 0 and "ops.W012" not in other.stdout + other.stderr, other.stderr[-2000:]
