"""Machine translation from a LibreTranslate-compatible server on loopback: a labelled suggestion, saved as
"machine" when taken, never public without review; a server that is down, slow or answering nonsense gives no
suggestion and breaks nothing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from ttdn.content.models import Variant
from ttdn.translation import mt, services

from ..content.test_views import login
from .conftest import Desk

pytestmark = pytest.mark.django_db


class Engine(BaseHTTPRequestHandler):
    mode = "ok"
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Engine.seen.append(body)
        if Engine.mode == "slow":
            time.sleep(2)
        if Engine.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        payload = {"translatedText": f"[MT {body['target']}] {body['q']}"} if Engine.mode != "nonsense" else [1]
        data = json.dumps(payload).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except BrokenPipeError:
            pass  # the desk stopped waiting (the "slow" case)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def engine() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Engine)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Engine.mode, Engine.seen = "ok", []
    mt.resume()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_suggestion_is_labelled_and_never_public_unreviewed(desk: Desk, engine: str, client: Client) -> None:
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["zh-Hans"], translator_id=None))[0]
    with override_settings(MT_URL=engine):
        login(client, w.appraiser)
        page = client.get(reverse("translation:job", args=[job.pk])).content.decode()
    assert 'data-testid="machine-suggestion"' in page and "[MT zh] Quy chế khu vực biên giới" in page
    assert "dịch máy" in page  # labelled, in the person's language
    assert Engine.seen[0]["source"] == "vi" and Engine.seen[0]["target"] == "zh"
    first = job.segments.get(position=0)
    saved = services.do_save_segment(w.appraiser, first, "[MT zh] Quy chế khu vực biên giới", origin="machine")
    assert saved.origin == "machine"
    assert not Variant.objects.filter(item=desk.item, language="zh-Hans").exists()


@pytest.mark.parametrize("mode", ["error", "slow", "nonsense"])
def test_a_broken_engine_gives_no_suggestion(engine: str, mode: str) -> None:
    Engine.mode = mode
    with override_settings(MT_URL=engine, MT_TIMEOUT_SECONDS=0.5):
        assert mt.suggest("Xin chào.", "vi", "lo") is None
        # Then left alone for a while: the next sentences do not wait on it.
        asked = len(Engine.seen)
        assert mt.suggest("Tạm biệt.", "vi", "lo") is None and len(Engine.seen) == asked


def test_no_engine_no_request() -> None:
    with override_settings(MT_URL=""):
        assert not mt.enabled() and mt.suggest("Xin chào.", "vi", "lo") is None
    with override_settings(MT_URL="http://127.0.0.1:9"):  # nothing listens: refused at once
        assert mt.suggest("Xin chào.", "vi", "lo") is None
    mt.resume()
