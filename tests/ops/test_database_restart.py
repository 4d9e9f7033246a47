"""The fault "the database restarted mid-request": the hub (`ttdn serve`) and its worker (`ttdn worker`) on the private
PostgreSQL primary (scripts/pg-test-cluster.sh), browsers logging in and reading, a border-site node syncing and
material being published, when PostgreSQL shuts down and comes back. Requests fail cleanly (503 with Retry-After,
in the person's language, JSON for machines; never a 500 or a traceback), nothing is half-written, and the hub,
the worker and the node's sync carry on by themselves on new connections."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.ops.conftest import ROOT, Hub, PgPair, ttdn
from tests.sync.conftest import Node, _uid, base_env, last_json, run

pytestmark = pytest.mark.slow

PASSWORD = "Mật-khẩu-khởi-động-lại-2026"  # a test account's
DB = "ttdn_fault"


@pytest.fixture
def fault_hub(pg_pair: PgPair, tmp_path: Path) -> Iterator[tuple[Hub, dict[str, list[str]]]]:
    """A hub database of its own on the pair's primary with a published corpus, and the hub serving it."""
    from tests import refdata

    # A fresh installation, not a copy of ttdn_hub: the replica tests fill that one (their hub's accounts), and
    # this hub's set-up would then find its accounts taken when it runs after them.
    refdata.fresh_install({"TTDN_DATA_DIR": str(tmp_path / "install"), "TTDN_DATABASE_URL": pg_pair.url("primary", DB)})
    corpus: dict[str, list[str]] = {}

    def prepare(env: dict[str, str]) -> None:
        env["TTDN_ROLE"] = "hub"
        built = run(env, "-m", "tests.sync.hubtool", "setup", "24", "8", timeout=1200)
        corpus.update(last_json(built.stdout))
        done = ttdn({**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, "createsuperuser", "--noinput", "--username",
                    "vanhanh", "--email", "vanhanh@example.gov.vn")
        assert done.returncode == 0, done.stderr[-2000:]

    hub = Hub(pg_pair, tmp_path / "hub", db=DB, prepare=prepare)
    try:
        yield hub, corpus
    finally:
        hub.stop()
        pg_pair.sql("primary", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")


def make_node(hub: Hub, tmp_path: Path) -> Node:
    from tests import refdata

    data = tmp_path / "node"
    env = base_env(data, "edge")
    refdata.fresh_install(env)
    run(env, "-m", "tests.refdata", "restore")
    code = last_json(run(hub.env, "-m", "tests.sync.hubtool", "codes", "pc-ia-chia", "1").stdout)[0]
    node = Node({**env, "TTDN_SYNC_BATCH_LIMIT": "2"}, data)  # small batches: the sync is many requests
    node.cli("edge", "enroll", hub.base, code)
    with node.db() as conn:
        node.uid = _uid(conn.execute("SELECT node_uid FROM sync_nodestate").fetchone()[0])
    return node


class Load:
    """Browsers for as long as it runs: anonymous readers, and people logging in (a write: the session and the
    audit trail) and opening a page. Every answer is kept."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.answers: list[tuple[str, int, str, str]] = []  # what, status, Retry-After, start of the body
        self.errors: Counter[str] = Counter()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.reader, daemon=True),
                        threading.Thread(target=self.writer, daemon=True),
                        threading.Thread(target=self.writer, daemon=True)]

    def keep(self, what: str, answer: requests.Response) -> None:
        self.answers.append((what, answer.status_code, answer.headers.get("Retry-After", ""), answer.text[:3000]))

    def reader(self) -> None:
        while not self.stop.is_set():
            try:
                self.keep("home", requests.get(f"{self.hub.base}/", timeout=30))
            except requests.RequestException as exc:  # the server itself must stay up: counted, then asserted
                self.errors[type(exc).__name__] += 1
            time.sleep(0.05)

    def writer(self) -> None:
        while not self.stop.is_set():
            try:
                session = requests.Session()
                page = session.get(f"{self.hub.base}/accounts/login/", timeout=30)
                self.keep("login page", page)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                if token:
                    done = session.post(f"{self.hub.base}/accounts/login/", timeout=30, allow_redirects=False,
                                        data={"username": "vanhanh", "password": PASSWORD,
                                              "csrfmiddlewaretoken": token.group(1)},
                                        headers={"Referer": f"{self.hub.base}/accounts/login/"})
                    self.keep("login", done)
                    if done.status_code == 302:
                        self.keep("after login", session.get(f"{self.hub.base}/accounts/two-factor/", timeout=30,
                                                             allow_redirects=False))
            except requests.RequestException as exc:
                self.errors[type(exc).__name__] += 1
            time.sleep(0.05)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def wait_for(check: Any, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def metric(hub: Hub, view: str) -> float:
    text = requests.get(f"{hub.base}/metrics", timeout=30).text
    return sum(float(n) for n in re.findall(rf'ttdn_http_requests_total\{{view="{re.escape(view)}",[^}}]*\}} (\S+)',
                                            text))


def test_the_database_restarting_mid_request(pg_pair: PgPair, fault_hub: tuple[Hub, dict[str, list[str]]],
                                             tmp_path: Path) -> None:
    hub, corpus = fault_hub
    node = make_node(hub, tmp_path)
    with open(tmp_path / "worker.log", "w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "ttdn.cli", "worker", "--interval", "0.3",
                                   "--sweep-interval", "1"], env=hub.env, cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
    publisher: subprocess.Popen[str] | None = None
    syncing: subprocess.Popen[str] | None = None
    try:
        with Load(hub) as load:
            syncing = subprocess.Popen([sys.executable, "-m", "ttdn.cli", "sync"], env=node.env, cwd=ROOT,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # Material being published (one transaction: the item, its versions, the feed, the index, the audit).
            publisher = subprocess.Popen([sys.executable, "-m", "tests.sync.hubtool", "publish-one",
                                          "Tin khẩn trong lúc khởi động lại"], env=hub.env, cwd=ROOT,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            wait_for(lambda: metric(hub, "sync:feed") >= 1 and len(load.answers) > 10, "the sync and the load run")

            pg_pair.script("stop-primary")
            down_at = time.time()
            # While it is away: a clean 503 in the person's language, JSON for machines, and not ready.
            page = requests.get(f"{hub.base}/", timeout=30)
            assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
            assert "Dịch vụ tạm thời gián đoạn" in page.text and "Traceback" not in page.text
            english = requests.get(f"{hub.base}/", cookies={"django_language": "en"}, timeout=30)
            assert english.status_code == 503 and "briefly unavailable" in english.text
            api = requests.get(f"{hub.base}/api/v1/search?q=biên", timeout=30)
            assert api.status_code == 503 and api.json()["code"] == "database_unavailable"
            assert requests.get(f"{hub.base}/readyz", timeout=30).status_code == 503
            assert requests.get(f"{hub.base}/healthz", timeout=30).status_code == 200
            time.sleep(2)
            pg_pair.script("start", str(pg_pair.primary_port), str(pg_pair.replica_port))
            up_at = time.time()
            # Back by itself: no process restarted.
            wait_for(lambda: requests.get(f"{hub.base}/", timeout=30).status_code == 200, "the hub serves again",
                     timeout=60)
            assert requests.get(f"{hub.base}/readyz", timeout=30).status_code == 200
            settled = len(load.answers)
            wait_for(lambda: sum(1 for a in load.answers[settled:] if a[0] == "after login") >= 3,
                     "people log in again")
        assert hub.proc.poll() is None and worker.poll() is None

        # Every answer was a page, a redirect or the clean 503; never a 500 nor a traceback.
        statuses = Counter((what, status) for what, status, _r, _b in load.answers)
        assert not load.errors, load.errors
        for what, status, retry_after, body in load.answers:
            assert status in {200, 302, 503}, (what, status, body)
            assert "Traceback" not in body
            if status == 503:
                assert retry_after.isdigit() and "Dịch vụ tạm thời gián đoạn" in body, body
        assert statuses[("home", 503)] >= 1, statuses  # the readers did meet the restart
        # After the restart, every request succeeds again on new connections.
        assert all(a[1] in {200, 302} for a in load.answers[settled:]), statuses

        # The publish either committed whole or not at all; run again, it commits.
        publisher.communicate(timeout=600)
        if publisher.returncode != 0:
            assert last_json(run(hub.env, "-m", "tests.sync.hubtool", "publish-one", "Tin khẩn").stdout)["uid"]

        # The node's sync in flight ends cleanly by itself (it retried the 503s and the dropped answers, and the
        # "feed busy" 503s while a publish held the feed's lock). It may end with part of the feed when its retries
        # ran out, so the next sync, as a node runs every few minutes, takes the rest.
        out, err = syncing.communicate(timeout=600)
        summary = last_json(out)
        assert summary.get("status") in {"ok", "offline"} or "database" in str(summary), (summary, err[-2000:])
        assert "Traceback" not in err, err[-3000:]
        summary = node.sync()
        assert summary["status"] == "ok", summary
        assert set(corpus["public"]) <= set(node.items()), summary
        half = pg_pair.sql("primary", "SELECT count(*) FROM content_item i WHERE NOT EXISTS "
                           "(SELECT 1 FROM content_variant v WHERE v.item_id = i.id)", db=DB)
        assert half == [(0,)]
        published = pg_pair.sql("primary", "SELECT count(*) FROM content_item i WHERE i.state = 'published' AND "
                                "NOT EXISTS (SELECT 1 FROM sync_feedentry f WHERE f.item_uid = i.uid)", db=DB)
        assert published == [(0,)]
        # Every login the hub answered as done is in the audit trail (a password step whose session could not be
        # saved is audited but answered 503: more entries than logins, never fewer).
        logins = sum(1 for what, status, _r, _b in load.answers if what == "login" and status == 302)
        audited = pg_pair.sql("primary", "SELECT count(*) FROM core_auditentry WHERE action = "
                              "'accounts.login.password'", db=DB)[0][0]
        assert audited >= logins

        # The worker took the queue again: tasks it ran after the database came back.
        def ran_after_restart() -> bool:
            rows = pg_pair.sql("primary", "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE "
                               "status = 'SUCCESSFUL' AND finished_at > to_timestamp(%s)", db=DB, params=(up_at,))
            return bool(rows[0][0])

        wait_for(ran_after_restart, "the worker runs tasks again", timeout=120)
        # And none is left "running" for ever by the restart (one cut short is marked failed, with why).
        wait_for(lambda: pg_pair.sql("primary", "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE "
                                     "status = 'RUNNING' AND started_at < to_timestamp(%s)", db=DB,
                                     params=(up_at,)) == [(0,)], "no task stays running from before the restart")
        assert worker.poll() is None
        assert up_at > down_at
    finally:
        for proc in (syncing, publisher, worker):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(tmp_path / "node", ignore_errors=True)
