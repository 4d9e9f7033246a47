"""Machine translation as a pluggable suggestion source: an HTTP engine speaking LibreTranslate's API
(POST /translate {q, source, target, format}), configured by URL (settings.MT_URL). Its output is only ever a
suggestion, labelled as machine translation in the editor, and reaches the public only through a person's
saving and a second person's review. Without an engine, or when it is down or slow, there is simply no machine
suggestion: the desk never waits long for it and never fails because of it."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)
MAX_RESPONSE = 200_000
# After a failure the engine is left alone for a while, so a page of many sentences never waits on each.
PAUSE_SECONDS = 60.0
_paused_until = 0.0
# LibreTranslate's codes where ours differ.
_CODES = {"zh-Hans": "zh", "zh-Hant": "zt"}


def enabled() -> bool:
    return bool(getattr(settings, "MT_URL", ""))


def resume() -> None:
    """Try the engine again at the next request (tests; an operator after fixing it)."""
    global _paused_until
    _paused_until = 0.0


def suggest(text: str, source_language: str, target_language: str) -> str | None:
    """The engine's translation of one sentence, or None (no engine, an error, a timeout, nonsense)."""
    global _paused_until
    url = getattr(settings, "MT_URL", "")
    if not url or not text.strip() or not url.startswith(("http://", "https://")):
        return None
    if time.monotonic() < _paused_until:
        return None
    body: dict[str, Any] = {"q": text, "source": _CODES.get(source_language, source_language),
                            "target": _CODES.get(target_language, target_language), "format": "text"}
    if getattr(settings, "MT_API_KEY", ""):
        body["api_key"] = settings.MT_API_KEY
    request = urllib.request.Request(  # noqa: S310  (the operator's configured http(s) URL)
        url.rstrip("/") + "/translate", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.MT_TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE + 1)
        if len(raw) > MAX_RESPONSE:
            return None
        answer = json.loads(raw)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        logger.warning("machine translation unavailable for %.0f s: %s", PAUSE_SECONDS, exc)
        _paused_until = time.monotonic() + PAUSE_SECONDS
        return None
    translated = answer.get("translatedText") if isinstance(answer, dict) else None
    if not isinstance(translated, str) or not translated.strip():
        logger.warning("machine translation answered without a translation; paused for %.0f s", PAUSE_SECONDS)
        _paused_until = time.monotonic() + PAUSE_SECONDS
        return None
    return " ".join(translated.split())[:20_000]
