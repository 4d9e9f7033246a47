"""`ttdn check --deploy`: what a production set-up of the hub still lacks, besides Django's own deploy checks."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("ttdn", deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    found: list[Warning] = []
    if not os.environ.get("TTDN_BACKUP_DIR"):
        found.append(Warning("No backups are taken: set TTDN_BACKUP_DIR (and TTDN_BACKUP_PASSPHRASE) for the worker's "
                             "daily snapshot.", id="ops.W001"))
    if set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]"}:
        found.append(Warning("TTDN_ALLOWED_HOSTS names only this machine: set the host names the hub is reached by.",
                             id="ops.W002"))
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        found.append(Warning("E-mail is written to the console, not sent: set TTDN_EMAIL_BACKEND and TTDN_EMAIL_HOST.",
                             id="ops.W003"))
    if not settings.SESSION_COOKIE_SECURE:
        found.append(Warning("Cookies are not marked secure: serve over HTTPS and set TTDN_SECURE_COOKIES=1.",
                             id="ops.W004"))
    if not os.environ.get("TTDN_METRICS_TOKEN"):
        found.append(Warning("/metrics answers loopback clients only: set TTDN_METRICS_TOKEN for a monitoring server.",
                             id="ops.W005"))
    return found
