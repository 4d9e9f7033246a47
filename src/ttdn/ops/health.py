"""Health, readiness and Prometheus metrics for a hub or a node behind a load balancer and a monitoring server.

- `/healthz`: the process answers (liveness; nothing else is touched, so a slow database does not get it killed).
- `/readyz`: it can serve: the database answers, every migration is applied, the data directory has room.
- `/metrics`: Prometheus text format, for a bearer token (`TTDN_METRICS_TOKEN`) or, without one, for loopback
  clients only. Request counts and durations are this process's own (scrape each process); the rest is read from
  the database at scrape time.
"""

from __future__ import annotations

import hmac
import math
import os
import shutil
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

# Upper bounds of the request-duration histogram, in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _RequestStats:
    """Counters shared by the threads of one process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, str, str], int] = {}
        self.buckets: dict[str, list[int]] = {}
        self.sums: dict[str, float] = {}

    def observe(self, view: str, method: str, status: int, seconds: float) -> None:
        status_class = f"{status // 100}xx"
        with self.lock:
            key = (view, method, status_class)
            self.counts[key] = self.counts.get(key, 0) + 1
            buckets = self.buckets.setdefault(view, [0] * (len(BUCKETS) + 1))
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[index] += 1
            buckets[-1] += 1
            self.sums[view] = self.sums.get(view, 0.0) + seconds


STATS = _RequestStats()


class MetricsMiddleware:
    """Counts every request by the URL pattern's name (never the path: ids would explode the label set)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            match = resolve(request.path_info)
            view = match.view_name or "unnamed"
        except Resolver404:
            view = "not_found"
        if view.startswith("api-1.0.0:"):
            view = "api:" + view.split(":", 1)[1]
        method = request.method if request.method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} else "OTHER"
        STATS.observe(view, method or "OTHER", response.status_code, time.perf_counter() - started)
        return response


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readiness() -> dict[str, str]:
    """Each check's outcome, "ok" or what is wrong (in plain words, nothing secret)."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks
    try:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except Exception as exc:
        checks["migrations"] = f"unknown: {type(exc).__name__}"
    data_dir = Path(settings.DATA_DIR)
    free_mb = shutil.disk_usage(data_dir).free // (1024 * 1024)
    min_free_mb = int(os.environ.get("TTDN_MIN_FREE_MB", "1024"))
    checks["disk"] = "ok" if free_mb >= min_free_mb else f"only {free_mb} MB free"
    checks["data_dir"] = "ok" if os.access(data_dir, os.W_OK) else "not writable"
    return checks


def replica_state() -> dict[str, object] | None:
    """The read replica as a load balancer or an operator sees it (None without one). It is not a readiness check:
    without the replica the hub reads from the primary and still serves."""
    from ttdn.ops import replica

    if not replica.configured():
        return None
    current = replica.status(fresh=True)
    return {"state": current.describe(), "serving_reads": current.usable,
            "lag_seconds": None if math.isinf(current.lag_seconds) else round(current.lag_seconds, 3),
            "max_lag_seconds": replica.max_lag_seconds()}


def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
    if ready:
        found = replica_state()
        if found is not None:
            body["replica"] = found
    return JsonResponse(body, status=200 if ready else 503)


def _allowed(request: HttpRequest) -> bool:
    token = os.environ.get("TTDN_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    return request.META.get("REMOTE_ADDR", "") in {"127.0.0.1", "::1"}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(name: str, value: float, **labels: str) -> str:
    if labels:
        inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
        return f"{name}{{{inner}}} {value:g}"
    return f"{name} {value:g}"


def render_metrics() -> str:
    from django.db.models import Count, Max
    from django.utils import timezone

    from ttdn.content.models import Item
    from ttdn.sync.models import EdgeNode, FeedEntry

    lines = ["# HELP ttdn_http_requests_total Requests answered by this process.",
             "# TYPE ttdn_http_requests_total counter"]
    with STATS.lock:
        counts = dict(STATS.counts)
        buckets = {k: list(v) for k, v in STATS.buckets.items()}
        sums = dict(STATS.sums)
    for (view, method, status), count in sorted(counts.items()):
        lines.append(_line("ttdn_http_requests_total", count, view=view, method=method, status=status))
    lines += ["# HELP ttdn_http_request_duration_seconds Time to answer, by view.",
              "# TYPE ttdn_http_request_duration_seconds histogram"]
    for view, values in sorted(buckets.items()):
        for bound, count in zip(BUCKETS, values, strict=False):
            lines.append(_line("ttdn_http_request_duration_seconds_bucket", count, view=view, le=f"{bound:g}"))
        lines.append(_line("ttdn_http_request_duration_seconds_bucket", values[-1], view=view, le="+Inf"))
        lines.append(_line("ttdn_http_request_duration_seconds_sum", sums.get(view, 0.0), view=view))
        lines.append(_line("ttdn_http_request_duration_seconds_count", values[-1], view=view))

    lines += ["# HELP ttdn_items Material by workflow state.", "# TYPE ttdn_items gauge"]
    for row in Item.objects.values("state").annotate(n=Count("id")).order_by("state"):
        lines.append(_line("ttdn_items", row["n"], state=row["state"]))

    lines += ["# HELP ttdn_task_queue_depth Background tasks waiting to run.", "# TYPE ttdn_task_queue_depth gauge"]
    if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        lines.append(_line("ttdn_task_queue_depth", DBTaskResult.objects.ready().count()))
        from ttdn.core.models import WorkerBeat
        from ttdn.core.queue import STALE_SECONDS

        lines += ["# HELP ttdn_tasks_running Background tasks a worker has taken and not finished.",
                  "# TYPE ttdn_tasks_running gauge",
                  _line("ttdn_tasks_running", DBTaskResult.objects.running().count()),
                  "# HELP ttdn_task_workers_alive Workers that beat within the stale time (0: nothing runs tasks).",
                  "# TYPE ttdn_task_workers_alive gauge",
                  _line("ttdn_task_workers_alive", WorkerBeat.objects.filter(
                      beat_at__gte=timezone.now() - timedelta(seconds=STALE_SECONDS)).count())]

    lines += _replica_lines()

    newest = FeedEntry.objects.aggregate(seq=Max("seq"))["seq"] or 0
    now = timezone.now()
    lines += ["# HELP ttdn_sync_node_changes_behind Changes of the feed a node has not applied yet.",
              "# TYPE ttdn_sync_node_changes_behind gauge",
              "# HELP ttdn_sync_node_silence_seconds Seconds since a node last reached the hub.",
              "# TYPE ttdn_sync_node_silence_seconds gauge"]
    for node in EdgeNode.objects.filter(revoked_at__isnull=True).only("uid", "last_applied_seq", "last_contact_at"):
        lines.append(_line("ttdn_sync_node_changes_behind", max(0, newest - node.last_applied_seq), node=str(node.uid)))
        if node.last_contact_at:
            silence = (now - node.last_contact_at).total_seconds()
            lines.append(_line("ttdn_sync_node_silence_seconds", round(silence, 1), node=str(node.uid)))
    return "\n".join(lines) + "\n"


def _replica_lines() -> list[str]:
    from ttdn.ops import replica

    if not replica.configured():
        return []
    current = replica.status()
    with replica._reads_lock:
        reads = dict(replica.READS)
    lines = ["# HELP ttdn_database_replica_up 1 when the read replica answers and is a replica.",
             "# TYPE ttdn_database_replica_up gauge",
             _line("ttdn_database_replica_up", 1 if current.reachable and current.error == "" else 0),
             "# HELP ttdn_database_replica_lag_seconds How far the read replica's replay is behind the primary "
             "(+Inf: not replaying or unreachable).",
             "# TYPE ttdn_database_replica_lag_seconds gauge"]
    lag = "+Inf" if math.isinf(current.lag_seconds) else f"{current.lag_seconds:g}"
    lines.append(f"ttdn_database_replica_lag_seconds {lag}")
    lines += ["# HELP ttdn_database_replica_serving 1 while the lag is under the limit and reads go to the replica.",
              "# TYPE ttdn_database_replica_serving gauge",
              _line("ttdn_database_replica_serving", 1 if current.usable else 0),
              "# HELP ttdn_database_requests_total Requests of this process by the database they read from.",
              "# TYPE ttdn_database_requests_total counter"]
    lines += [_line("ttdn_database_requests_total", count, database=where) for where, count in sorted(reads.items())]
    return lines


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_metrics(), content_type="text/plain; version=0.0.4; charset=utf-8")
