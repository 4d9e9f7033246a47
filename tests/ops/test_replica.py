"""Reads from a streaming replica where its lag allows, with the real pair (scripts/pg-test-cluster.sh) and the hub
as `ttdn serve` runs it: a writer reads its own writes even while the replica is behind, an anonymous reader is
served by the replica, a replica whose replay is paused past the lag limit is bypassed, and a stopped replica
falls back to the primary. What a client sees is told apart by the session: a login is written on the primary; a
session read from a replica that has not replayed it is no login at all. API tokens read their own writes too (the
position kept per token), a revoked token is refused at once, and a node's signed request reads the primary (its
revocation counts at once)."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.ops.conftest import Hub, PgPair, ttdn
from tests.sync.conftest import last_json, run
from ttdn.sync.transport import keys

pytestmark = pytest.mark.slow

PASSWORD = "Mật-khẩu-bản-sao-2026"  # a test account's


@pytest.fixture(scope="module")
def operator(pg_pair: PgPair, tmp_path_factory: pytest.TempPathFactory) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")
           and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"TTDN_DATA_DIR": str(tmp_path_factory.mktemp("replica-cli")),
                "TTDN_DATABASE_URL": pg_pair.url("primary"), "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    name = f"vanhanh{int(time.time() * 1000) % 10**9}"
    done = ttdn(env, "createsuperuser", "--noinput", "--username", name, "--email", f"{name}@example.gov.vn")
    assert done.returncode == 0, done.stderr[-2000:]
    return name


@pytest.fixture(scope="module")
def hubs(pg_pair: PgPair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, Hub]]:
    """Two hub processes on the pair: one allowing a minute of lag (the replica serves while paused), one two
    seconds (a paused replica is soon bypassed)."""
    base = tmp_path_factory.mktemp("replica-hubs")
    # Published material to search (tests/sync/hubtool.py, through the product's services).
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"TTDN_DATA_DIR": str(base / "tool"), "TTDN_DATABASE_URL": pg_pair.url("primary"),
                "TTDN_SECRET_KEY": "test-only-hub-0123456789abcdefghijklmnopqrstuvwxyz"})
    (base / "tool").mkdir()
    run(env, "-m", "tests.sync.hubtool", "setup", "3", "4", timeout=1200)
    patient = Hub(pg_pair, base / "patient", TTDN_DATABASE_REPLICA_URL=pg_pair.url("replica"),
                  TTDN_DATABASE_REPLICA_MAX_LAG="60")
    strict = Hub(pg_pair, base / "strict", TTDN_DATABASE_REPLICA_URL=pg_pair.url("replica"),
                 TTDN_DATABASE_REPLICA_MAX_LAG="2")
    try:
        yield patient, strict
    finally:
        patient.stop()
        strict.stop()


@pytest.fixture
def replay_resumed(pg_pair: PgPair) -> Iterator[None]:
    yield
    pg_pair.script("start", str(pg_pair.primary_port), str(pg_pair.replica_port))
    pg_pair.sql("replica", "SELECT pg_wal_replay_resume()")


def login(hub: Hub, name: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{hub.base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:2000]
    done = session.post(f"{hub.base}/accounts/login/", timeout=30, allow_redirects=False,
                        data={"username": name, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
                        headers={"Referer": f"{hub.base}/accounts/login/"})
    assert done.status_code == 302 and "two-factor" in done.headers["Location"], (done.status_code, done.text[:2000])
    return session


def logged_in(session: requests.Session, hub: Hub, *, wal: bool = True) -> bool:
    """The second-factor page answers a logged-in person; anyone else is sent to the login page."""
    cookies = {k: v for k, v in session.cookies.items() if wal or k != "ttdn_wal"}
    answer = requests.get(f"{hub.base}/accounts/two-factor/", cookies=cookies, timeout=30, allow_redirects=False)
    assert answer.status_code in {200, 302}, (answer.status_code, answer.text[:2000])
    return answer.status_code == 200


def ready(hub: Hub) -> dict[str, Any]:
    answer = requests.get(f"{hub.base}/readyz", timeout=30)
    assert answer.status_code == 200, answer.text
    replica: dict[str, Any] = answer.json()["replica"]
    return replica


def reads(hub: Hub) -> dict[str, float]:
    text = requests.get(f"{hub.base}/metrics", timeout=30).text
    return {m[0]: float(m[1]) for m in re.findall(r'ttdn_database_requests_total\{database="(\w+)"\} (\S+)', text)}


def hubs_env(hub: Hub) -> dict[str, str]:
    return {**hub.env, "TTDN_DATA_DIR": str(hub.log.with_suffix("")) + "-tool"}


def found(hub: Hub, words: str) -> list[str]:
    """Anonymous search through the API (no token: a read the replica may serve)."""
    answer = requests.get(f"{hub.base}/api/v1/search", params={"q": words}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [hit["uid"] for hit in answer.json()["hits"]]


def poll(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_a_writer_reads_its_own_writes_while_others_read_the_replica(
        pg_pair: PgPair, hubs: tuple[Hub, Hub], operator: str, replay_resumed: None) -> None:
    patient, _strict = hubs
    poll(lambda: ready(patient)["serving_reads"], "the replica serves reads")
    pg_pair.sql("replica", "SELECT pg_wal_replay_pause()")
    poll(lambda: pg_pair.sql("replica", "SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused", "paused")

    session = login(patient, operator)  # written on the primary only: the replica does not replay it
    assert "ttdn_wal" in session.cookies
    before = reads(patient)
    # The writer: its next request reads from the primary, since the replica has not replayed its write.
    assert logged_in(session, patient)
    # The same session without the write's position is read from the replica, where it does not exist yet: so the
    # replica really serves reads, and it is behind.
    assert not logged_in(session, patient, wal=False)
    after = reads(patient)
    assert after["replica"] > before.get("replica", 0)
    state = ready(patient)
    assert state["serving_reads"] is True and "ok" == state["state"]

    pg_pair.sql("replica", "SELECT pg_wal_replay_resume()")
    poll(lambda: logged_in(session, patient, wal=False), "the replica replays the login")


def test_a_lagging_replica_is_bypassed(pg_pair: PgPair, hubs: tuple[Hub, Hub], operator: str,
                                       replay_resumed: None) -> None:
    patient, strict = hubs
    poll(lambda: ready(strict)["serving_reads"], "the replica serves reads")
    pg_pair.sql("replica", "SELECT pg_wal_replay_pause()")
    session = login(strict, operator)
    # The primary moves on (an item published); the paused replica falls behind by more than the strict hub's 2 s.
    published = last_json(run(hubs_env(strict), "-m", "tests.sync.hubtool", "publish-one",
                              "Bản tin zebraquokka khẩn").stdout)["uid"]
    poll(lambda: not ready(strict)["serving_reads"], "the strict hub sees the lag", timeout=60)
    state = ready(strict)
    assert state["state"].startswith("lagging") and "replay paused" in state["state"]
    assert state["lag_seconds"] > 2
    # Read from the primary: the login is there, even without the writer's position.
    assert logged_in(session, strict, wal=False)
    # The hub allowing a minute of lag still reads from the replica, which does not have the login yet.
    assert not logged_in(session, patient, wal=False)
    metrics = requests.get(f"{strict.base}/metrics", timeout=30).text
    assert "ttdn_database_replica_serving 0" in metrics
    assert re.search(r"ttdn_database_replica_lag_seconds (\d+(\.\d+)?)", metrics)
    # Search too: the strict hub searches the primary and finds the new item; the patient one searches the replica,
    # which has not replayed it, until it has.
    assert found(strict, "zebraquokka") == [published]
    assert found(patient, "zebraquokka") == []
    pg_pair.sql("replica", "SELECT pg_wal_replay_resume()")
    poll(lambda: found(patient, "zebraquokka") == [published], "the replica's search finds it once replayed")


def test_a_stopped_replica_falls_back_to_the_primary(pg_pair: PgPair, hubs: tuple[Hub, Hub], operator: str,
                                                     replay_resumed: None) -> None:
    patient, _strict = hubs
    poll(lambda: ready(patient)["serving_reads"], "the replica serves reads")
    session = login(patient, operator)
    poll(lambda: logged_in(session, patient, wal=False), "the replica replays the login")
    pg_pair.script("stop-replica")
    # At once, before the hub looks at the replica again: a read that meets the closed replica is answered again
    # from the primary, not with a 503; and every request after it goes to the primary, the anonymous ones too.
    for _ in range(5):
        assert logged_in(session, patient, wal=False)
        assert requests.get(f"{patient.base}/", timeout=30).status_code == 200
    assert ready(patient)["state"].startswith("unreachable")
    metrics = requests.get(f"{patient.base}/metrics", timeout=30).text
    assert "ttdn_database_replica_up 0" in metrics and "ttdn_database_replica_lag_seconds +Inf" in metrics
    pg_pair.script("start", str(pg_pair.primary_port), str(pg_pair.replica_port))
    poll(lambda: ready(patient)["serving_reads"], "the replica serves again once it is back", timeout=90)


def test_check_deploy_names_the_replica(pg_pair: PgPair, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")
           and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"TTDN_DATA_DIR": str(tmp_path), "TTDN_DATABASE_URL": pg_pair.url("primary")})
    alone = ttdn(env, "check", "--deploy")
    assert "ops.I001" in alone.stdout + alone.stderr
    env["TTDN_DATABASE_REPLICA_URL"] = pg_pair.url("replica")
    paired = ttdn(env, "check", "--deploy")
    assert "ops.I002" in paired.stdout + paired.stderr, paired.stdout + paired.stderr
    env["TTDN_DATABASE_REPLICA_URL"] = pg_pair.url("primary")  # a mistake: the primary named as the replica
    wrong = ttdn(env, "check", "--deploy")
    assert "ops.W009" in wrong.stdout + wrong.stderr
    # A replica named for a SQLite installation is not used, and said so.
    sqlite = {k: v for k, v in env.items() if k != "TTDN_DATABASE_URL"}
    alone_sqlite = ttdn(sqlite, "check", "--deploy")
    assert "ops.W007" in alone_sqlite.stdout + alone_sqlite.stderr


def test_check_deploy_is_not_misled_by_wal_that_commits_nothing(pg_pair: PgPair, tmp_path: Path,
                                                                replay_resumed: None) -> None:
    """The primary writes WAL that commits nothing (a checkpoint, a standby snapshot; here a message) while the
    replica's last replayed commit is older than the lag limit: a replica that replays it a moment later is not
    reported as lagging by the age of that commit (it once was: ops.W010, "6.9 s behind", under the whole suite)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")
           and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"TTDN_DATA_DIR": str(tmp_path), "TTDN_DATABASE_URL": pg_pair.url("primary"),
                "TTDN_DATABASE_REPLICA_URL": pg_pair.url("replica"), "TTDN_DATABASE_REPLICA_MAX_LAG": "3"})
    replayed_to_now(pg_pair)
    time.sleep(3.5)  # the replica's last replayed commit is now older than the limit
    pause_replay(pg_pair)
    pg_pair.sql("primary", "SELECT pg_logical_emit_message(false, 'ttdn-test', 'commits nothing')")
    # Replayed two seconds on: after the check's first look at the replica, within the limit.
    resume = threading.Timer(2.0, pg_pair.sql, ("replica", "SELECT pg_wal_replay_resume()"))
    resume.start()
    try:
        checked = ttdn(env, "check", "--deploy")
    finally:
        resume.join()
    assert "ops.I002" in checked.stdout + checked.stderr, checked.stdout + checked.stderr


def new_token(pg_pair: PgPair, username: str) -> str:
    """An API token made on the primary (as `POST /api/v1/tokens` stores it: the SHA-256 of the secret)."""
    secret = "ttdn_" + secrets.token_urlsafe(32)
    made = pg_pair.sql("primary", "INSERT INTO accounts_apitoken (user_id, name, key_hash, prefix, created_at)"
                       " SELECT id, %s, %s, %s, now() FROM accounts_user WHERE username = %s RETURNING id",
                       params=("Máy đồng bộ thử", hashlib.sha256(secret.encode()).hexdigest(), secret[:12], username))
    assert len(made) == 1
    return secret


def api(hub: Hub, secret: str, method: str, path: str, **more: Any) -> requests.Response:
    return requests.request(method, f"{hub.base}/api/v1{path}", headers={"Authorization": f"Bearer {secret}"},
                            timeout=30, **more)


def replayed_to_now(pg_pair: PgPair) -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    position = pg_pair.sql("primary", "SELECT pg_current_wal_insert_lsn()::text")[0][0]
    poll(lambda: pg_pair.sql("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                             params=(position,))[0][0], "the replica replays the primary")


def pause_replay(pg_pair: PgPair) -> None:
    pg_pair.sql("replica", "SELECT pg_wal_replay_pause()")
    poll(lambda: pg_pair.sql("replica", "SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused", "paused")


def test_an_api_token_reads_its_own_writes_and_a_revoked_one_is_refused_at_once(
        pg_pair: PgPair, hubs: tuple[Hub, Hub], replay_resumed: None) -> None:
    patient, _strict = hubs
    poll(lambda: ready(patient)["serving_reads"], "the replica serves reads")
    writer, other = new_token(pg_pair, "contributor"), new_token(pg_pair, "contributor")
    for secret in (writer, other):  # a token's first request reads the primary and records its position
        assert api(patient, secret, "GET", "/me").json()["username"] == "contributor"
    replayed_to_now(pg_pair)
    pause_replay(pg_pair)
    assert ready(patient)["serving_reads"]  # (and the hub has looked at the replica since it replayed the tokens)

    made = api(patient, writer, "POST", "/items", json={"kind": "article", "title": "Bài ngựavằn thử bản sao",
                                                             "no_state_secrets": True})
    assert made.status_code == 201, made.text
    uid = made.json()["uid"]
    # The writer reads its new item at once, from the primary: the paused replica has not replayed its position.
    assert api(patient, writer, "GET", f"/items/{uid}").status_code == 200
    # Another token of the same account, which wrote nothing since the replica's position, reads the replica,
    # where the item does not exist yet: so token reads really go to the replica, and it is behind.
    assert api(patient, other, "GET", f"/items/{uid}").status_code == 404
    # A token made now, which the paused replica has never seen, is found: its first request reads the primary.
    fresh = new_token(pg_pair, "contributor")
    assert api(patient, fresh, "GET", f"/items/{uid}").status_code == 200
    # Revoked on the primary: refused at once, although the replica still has it live.
    pg_pair.sql("primary", "UPDATE accounts_apitoken SET revoked_at = now() WHERE key_hash = %s",
                params=(hashlib.sha256(other.encode()).hexdigest(),))
    assert api(patient, other, "GET", "/me").status_code == 401

    pg_pair.sql("replica", "SELECT pg_wal_replay_resume()")
    replayed_to_now(pg_pair)
    assert api(patient, writer, "GET", f"/items/{uid}").status_code == 200
    assert api(patient, fresh, "GET", "/me").status_code == 200
    assert "stale_save" not in patient.output()


def test_a_nodes_signed_reads_are_the_primarys(pg_pair: PgPair, hubs: tuple[Hub, Hub], replay_resumed: None) -> None:
    """A node revoked a moment ago is refused at once, though the replica still has it: its feed read and its
    wake-up poll (each writes its nonce) read the primary from the first query."""
    patient, _strict = hubs
    poll(lambda: ready(patient)["serving_reads"], "the replica serves reads")
    code = last_json(run(hubs_env(patient), "-m", "tests.sync.hubtool", "codes", "pc-ia-chia", "1").stdout)[0]
    key = Ed25519PrivateKey.generate()
    enrolled = requests.post(f"{patient.base}/sync/enroll", timeout=30,
                             json={"code": code, "public_key": keys.public_hex(key), "name": "Đồn thử bản sao",
                                   "version": "0"})
    assert enrolled.status_code == 200, enrolled.text
    node = enrolled.json()["node"]
    epoch = pg_pair.sql("primary", "SELECT targeting_epoch FROM sync_edgenode WHERE uid = %s::uuid",
                        params=(node,))[0][0]

    def signed_get(path: str) -> requests.Response:
        stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
        return requests.get(f"{patient.base}{path}", timeout=30, headers={
            "X-Ttdn-Node": node, "X-Ttdn-Time": stamp, "X-Ttdn-Nonce": nonce,
            "X-Ttdn-Signature": keys.sign(key, keys.request_message("GET", path, stamp, nonce, b""))})

    # (Past the end of the feed: the hub processes here have none of the tool's stored files to chunk.)
    feed, wake = f"/sync/feed?after={2**62}&epoch={epoch}", "/points/hub/wake"
    assert signed_get(feed).status_code == 200
    assert signed_get(wake).status_code == 200
    replayed_to_now(pg_pair)
    pause_replay(pg_pair)
    assert ready(patient)["serving_reads"]
    pg_pair.sql("primary", "UPDATE sync_edgenode SET revoked_at = now() WHERE uid = %s::uuid", params=(node,))
    for path in (feed, wake):
        refused = signed_get(path)
        assert refused.status_code == 403 and refused.json()["code"] == "node_revoked", (path, refused.text)
