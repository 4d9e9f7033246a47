"""Health, readiness and metrics as a load balancer and a Prometheus server use them; JSON logs; deploy checks."""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import World, advance, make_item
from ttdn.ops.logs import JsonFormatter

pytestmark = pytest.mark.django_db

# One sample line of the Prometheus text format: name{label="value",…} number
SAMPLE = re.compile(r'^[a-z_:][a-z0-9_:]*(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? -?[0-9.e+Inf]+$')


def test_liveness_and_readiness_need_no_login(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "disk": "ok", "data_dir": "ok"}


def test_not_ready_when_the_disk_is_nearly_full(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTDN_MIN_FREE_MB", str(10**12))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready" and ready.json()["checks"]["disk"].startswith("only")


def test_metrics_in_prometheus_format(client: Client, world: World) -> None:
    advance(world, make_item(world), "published")
    client.get("/healthz")
    client.get("/no-such-page-anywhere/")
    body = client.get("/metrics").content.decode()
    samples = [line for line in body.splitlines() if line and not line.startswith("#")]
    assert samples and all(SAMPLE.match(line) for line in samples), [s for s in samples if not SAMPLE.match(s)]
    assert 'ttdn_http_requests_total{view="ops:healthz",method="GET",status="2xx"}' in body
    assert 'view="not_found"' in body  # paths never become labels
    assert 'ttdn_items{state="published"} 1' in body
    assert 'ttdn_http_request_duration_seconds_bucket{view="ops:healthz",le="+Inf"}' in body


def test_metrics_count_the_queue_and_its_living_workers(client: Client, world: World) -> None:
    from datetime import timedelta

    from django.test import override_settings
    from django.utils import timezone

    from ttdn.core.models import WorkerBeat
    from ttdn.core.queue import STALE_SECONDS

    now = timezone.now()
    for name, ago in (("alive", 1.0), ("gone", STALE_SECONDS * 2)):
        WorkerBeat.objects.create(worker_id=name, host="h", pid=1, started_at=now, beat_at=now - timedelta(seconds=ago))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        body = client.get("/metrics").content.decode()
    assert "ttdn_task_queue_depth 0" in body and "ttdn_tasks_running 0" in body
    assert "ttdn_task_workers_alive 1" in body


def test_metrics_are_for_loopback_or_the_token(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10").status_code == 403
    monkeypatch.setenv("TTDN_METRICS_TOKEN", "a-long-random-metrics-token")
    assert client.get("/metrics").status_code == 403  # a token is set: loopback is not enough
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer a-long-random-metrics-token",
                      REMOTE_ADDR="192.0.2.10").status_code == 200


def test_json_logs_keep_vietnamese_and_extra_fields() -> None:
    record = logging.LogRecord("ttdn.sync", logging.WARNING, __file__, 1, "Nút %s mất kết nối", ("Đồn Ia Mơ",), None)
    record.node = "b7e1"
    record.lag = 42
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Nút Đồn Ia Mơ mất kết nối" and entry["level"] == "WARNING"
    assert entry["node"] == "b7e1" and entry["lag"] == 42 and entry["time"].endswith("+00:00")


def test_check_deploy_lists_what_production_lacks(monkeypatch: Any, settings: Any) -> None:
    monkeypatch.delenv("TTDN_BACKUP_DIR", raising=False)
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by the browser tests in this worker
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]  # the default; the test runner adds its own name
    settings.SESSION_COOKIE_SECURE = False  # the defaults, whatever an earlier test in this worker left
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    call_command("check", deploy=True, stdout=out, stderr=out)
    listed = out.getvalue()
    for check_id in ("ops.W001", "ops.W002", "ops.W003", "ops.W004"):
        assert check_id in listed, listed


def test_check_deploy_asks_for_an_offsite_copy(monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setenv("TTDN_BACKUP_DIR", str(tmp_path))
    monkeypatch.delenv("TTDN_BACKUP_OFFSITE", raising=False)
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    out = io.StringIO()
    call_command("check", deploy=True, stdout=out, stderr=out)
    assert "ops.W006" in out.getvalue() and "ops.W001" not in out.getvalue()
    monkeypatch.setenv("TTDN_BACKUP_OFFSITE", "s3://ttdn-offsite/hub")
    out = io.StringIO()
    call_command("check", deploy=True, stdout=out, stderr=out)
    assert "ops.W006" not in out.getvalue()
