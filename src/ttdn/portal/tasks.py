"""Background work for the portal: pushing webhook deliveries to receiving systems (run by `ttdn worker`)."""

from __future__ import annotations

from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.portal import services, webhooks


@task()
def deliver_webhooks() -> int:
    return webhooks.do_deliver_due()


# Every sweep of the worker: a due delivery waits at most one sweep; back-off is in the rows themselves.
periodic(deliver_webhooks, every=15)


@task()
def poll_cap_feeds() -> dict[str, int]:
    return services.do_poll_cap_feeds()


# Alerting systems that publish an Atom index of CAP messages instead of posting them: read once a minute.
periodic(poll_cap_feeds, every=60)
