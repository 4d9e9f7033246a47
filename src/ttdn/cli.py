"""The `ttdn` command: `serve` and `worker` here, every other word passed to Django's management commands
(`ttdn migrate`, `ttdn demo`, `ttdn createsuperuser`, `ttdn totp`, …)."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import threading
from pathlib import Path
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ttdn serve", description="Run the production WSGI server.")
    parser.add_argument("--host", default=os.environ.get("TTDN_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TTDN_PORT", "8000")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("TTDN_THREADS", "8")))
    parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
    parser.add_argument("--no-collectstatic", action="store_true",
                        help="do not gather the static files (hashed, compressed) first")
    parser.add_argument("--sweep-seconds", type=float, default=float(os.environ.get("TTDN_SWEEP_SECONDS", "60")),
                        help="seconds between sweeps (scheduled publication, expiry) in this process "
                             "(0: leave it to `ttdn worker`)")
    args = parser.parse_args(argv)
    _setup()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if not args.no_collectstatic:
        collect_static()
    if args.sweep_seconds > 0:
        _start_expiry_sweep(args.sweep_seconds)
    from ttdn.documents.decree30 import pdf_font_problem

    problem = pdf_font_problem()
    if problem:
        print(f"CẢNH BÁO / WARNING: {problem}", file=sys.stderr, flush=True)
    from ttdn.wsgi import application

    server = _server(application, host=args.host, port=args.port, threads=args.threads)
    print(f"TTĐN listening on http://{args.host}:{args.port}/", flush=True)
    server.run()
    return 0


def collect_static() -> bool:
    """Gather the static files into STATIC_ROOT under hashed names with compressed copies, unless the set of
    files is the same as last time (compressing them all takes a while on a small box). True if it ran."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.management import call_command

    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list(None), key=lambda pair: pair[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    stamp = Path(settings.STATIC_ROOT) / ".ttdn-collected"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest.hexdigest())
    return True


# Room for a multipart envelope around the largest upload allowed.
_BODY_OVERHEAD = 16 * 1024 * 1024


def _server(application: Any, **kw: Any) -> Any:
    """waitress, with a body limit just above the largest upload any kind may be, and the errors it answers
    by itself (a body over that limit: 413) in the API's JSON shape under /api/."""
    import waitress
    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer
    from waitress.task import ErrorTask

    from ttdn.api import transport_error
    from ttdn.content.files.sniff import upload_cap_bytes

    class ApiErrorTask(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            request = self.request
            body = transport_error(request.error.code, getattr(request, "path", "") or "",
                                   request.headers.get("ACCEPT_LANGUAGE", ""))
            if body is None:
                super().execute()
                return
            self.status = f"{request.error.code} {request.error.reason}"
            self.response_headers.append(("Content-Type", "application/json; charset=utf-8"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class ApiChannel(HTTPChannel):  # type: ignore[misc]
        error_task_class = ApiErrorTask

    sockets: dict[Any, Any] = {}
    server = waitress.create_server(application, map=sockets, ident="ttdn",
                                    max_request_body_size=upload_cap_bytes() + _BODY_OVERHEAD, **kw)
    for listener in list(sockets.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = ApiChannel
    return server


def sweep_once(now: datetime.datetime | None = None) -> None:
    """What the sweep does each time: publish what is scheduled for now, then end what expired."""
    from ttdn.content.services import do_expire_due
    from ttdn.editorial.services import do_publish_due

    do_publish_due(now)
    do_expire_due(now)


def _start_expiry_sweep(interval: float) -> threading.Event:
    """Scheduled publications happen and validity windows end by themselves even on a one-box install with
    no worker running.

    Running it in several processes is harmless: each step locks the item and checks its state again.
    """
    import logging

    from django.db import close_old_connections

    stop = threading.Event()

    def sweep() -> None:
        while not stop.is_set():
            try:
                sweep_once()
            except Exception:
                logging.getLogger("ttdn").exception("expiry sweep failed")
            finally:
                close_old_connections()
            stop.wait(interval)

    threading.Thread(target=sweep, name="ttdn-expiry-sweep", daemon=True).start()
    return stop


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "serve":
        return serve(args[1:])
    if args and "-" in args[0] and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `ttdn import-plan` is the management command import_plan
    _setup()
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["ttdn", *args])
    except DatabaseError:
        # Any command run on a box not (or not yet) set up for this version says what to run, not a traceback.
        from ttdn.core.installation import explain_database_error

        explained = explain_database_error(args[0] if args else "")
        if explained is None:
            raise
        print(f"CommandError: {explained}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
