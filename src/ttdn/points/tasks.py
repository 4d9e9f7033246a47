"""Background work for the information points: the loudspeakers' speech made ahead of time (run by `ttdn worker`
after a sync brings material, and every hour for the day ahead)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.points import services
from ttdn.points.models import Device, DeviceKind

log = logging.getLogger("ttdn.points")


@task()
def pregenerate_speech() -> dict[str, Any]:
    run = services.pregenerate_speech()
    # The log says which languages only recordings play in: an officer wondering why a Jarai slot is short
    # finds it there as well as on the devices page.
    log.info("%s", run.summary())
    for failed in run.failed:
        log.warning("speech: could not make %s (made when first played instead)", failed)
    return {"made": run.made, "kept": run.kept, "failed": run.failed, "unspoken": run.unspoken}


def after_batch(batch: dict[str, Any]) -> None:
    """On the node, inside a batch's transaction (sync.node.apply.on_batch): when the batch brings material,
    bulletin classes or playlists and the site has loudspeakers, make their speech once the batch commits, in
    the background (the sync pass does not wait on eSpeak NG)."""
    if not any(batch.get(part) for part in ("records", "bulletins", "playlists")):
        return
    if not Device.objects.filter(kind=DeviceKind.SPEAKER, paired_at__isnull=False, revoked_at__isnull=True).exists():
        return
    transaction.on_commit(_enqueue_once, robust=True)


def _enqueue_once() -> None:
    from django_tasks_db.models import DBTaskResult

    # Several batches in one pass: one waiting run does for all of them.
    if not DBTaskResult.objects.ready().filter(task_path=pregenerate_speech.module_path).exists():
        pregenerate_speech.enqueue()


periodic(pregenerate_speech, every=3600)
