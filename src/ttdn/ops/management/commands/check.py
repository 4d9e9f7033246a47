"""`ttdn check`: Django's system checks, with the stores probed over the network (`ttdn.ops.checks`): a blob store
whose endpoint does not answer, whose bucket is missing or whose keys are refused is found here, before the first
upload fails."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.check import Command as DjangoCheck

from ttdn.ops import checks


class Command(DjangoCheck):
    def handle(self, *app_labels: Any, **options: Any) -> None:
        checks.PROBE_STORES = True
        try:
            super().handle(*app_labels, **options)
        finally:
            checks.PROBE_STORES = False
