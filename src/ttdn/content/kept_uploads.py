"""Files sent with a form that came back with an error are kept, so nobody has to choose them again.

A browser empties a file input whenever the page is shown again, and on a slow link sending a 200 MB video
twice is an afternoon. So when a form with files fails (a missing title, a refused transition), each file it
carried is copied into the staging area under its SHA-256 and listed in the user's session; the form shows
them, ticked, and the next submission attaches them through the one ingestion path (`do_attach_upload`)
like any upload. Only digests held in the session are honoured: nobody can claim another person's file.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ttdn.content.files.sniff import upload_cap_bytes
from ttdn.core.text import clean_line

SESSION_KEY = "ttdn_kept_uploads"
FIELD = "kept_uploads"
# A kept file nobody came back for is removed after this long.
MAX_AGE_SECONDS = 24 * 3600
# One session keeps at most this many files, together at most twice the largest file allowed: refused forms
# must not become a way to fill the hub's disk.
MAX_FILES_PER_SESSION = 20


@dataclass(frozen=True)
class KeptUpload:
    """Quacks like the UploadedFile `do_attach_upload` takes (name, size, temporary_file_path)."""

    sha256: str
    name: str
    size: int

    def temporary_file_path(self) -> str:
        return str(_path(self.sha256))


def _dir() -> Path:
    path = Path(settings.UPLOAD_STAGING_DIR) / "kept"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 digest")
    return _dir() / sha256


def _session(request: HttpRequest) -> dict[str, dict[str, Any]]:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, dict) else {}


def chosen(request: HttpRequest) -> list[KeptUpload]:
    """The kept files this submission still wants (their boxes left ticked), that this session owns."""
    held = _session(request)
    out: list[KeptUpload] = []
    for sha in dict.fromkeys(request.POST.getlist(FIELD)):
        entry = held.get(sha)
        if entry and _path(sha).is_file():
            out.append(KeptUpload(sha, str(entry["name"]), int(entry["size"])))
    return out


def keep(request: HttpRequest, uploads: Iterable[Any], already: Sequence[KeptUpload] = ()) -> list[KeptUpload]:
    """Copy the uploads into the staging area and remember them in the session; returns `already` plus them."""
    _sweep()
    held = {sha: entry for sha, entry in _session(request).items() if _path(sha).is_file()}
    out = list(already)
    seen = {k.sha256 for k in out}
    cap = upload_cap_bytes()
    held_bytes = sum(int(entry["size"]) for entry in held.values())
    for upload in uploads:
        size = int(upload.size or 0)
        if size == 0 or size > cap:  # over every limit: only its first bytes were received
            continue
        if len(held) >= MAX_FILES_PER_SESSION or held_bytes + size > 2 * cap:
            break
        held_bytes += size
        tmp = _dir() / f".incoming-{os.getpid()}-{time.monotonic_ns()}"
        digest = hashlib.sha256()
        with tmp.open("wb") as out_file:
            for chunk in upload.chunks():
                digest.update(chunk)
                out_file.write(chunk)
        sha = digest.hexdigest()
        os.replace(tmp, _path(sha))
        name = clean_line(Path(upload.name or "").name)[:255] or sha[:12]
        held[sha] = {"name": name, "size": size}
        if sha not in seen:
            seen.add(sha)
            out.append(KeptUpload(sha, name, size))
    request.session[SESSION_KEY] = held
    return out


def forget(request: HttpRequest, kept: Iterable[KeptUpload]) -> None:
    """Attached (or refused): drop them from the session and the staging area."""
    held = _session(request)
    for item in kept:
        held.pop(item.sha256, None)
        _path(item.sha256).unlink(missing_ok=True)
    request.session[SESSION_KEY] = held


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in _dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            continue
