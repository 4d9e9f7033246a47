"""The polling pass, once a minute, and the digests by e-mail, checked hourly (ttdn.core.registry.periodic)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from ttdn.core.registry import periodic


@task()
def poll_sources() -> dict[str, Any]:
    from ttdn.monitoring.poll import run_pass

    report = run_pass()
    return {"feeds": report.feeds_polled, "failed": report.feeds_failed, "new": report.entries_new,
            "articles": report.articles_done, "articles_failed": report.articles_failed}


@task()
def send_digests() -> int:
    from ttdn.monitoring.digest import do_send_digests

    return do_send_digests()


periodic(poll_sources, every=60, order=200)
periodic(send_digests, every=3600, order=210)
