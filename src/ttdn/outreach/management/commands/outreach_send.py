"""`ttdn outreach_send --operator CODE`: the long-running sender of one operator's campaigns (one per operator)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ttdn.outreach.models import Operator
from ttdn.outreach.sending import operator_lock, run_operator


class Command(BaseCommand):
    help = "Send the approved campaigns' messages to one operator's SMSC over SMPP, exactly once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="the operator's code")
        parser.add_argument("--until-idle", action="store_true",
                            help="return when nothing is left to send or to settle (else keep running)")
        parser.add_argument("--grace", type=float, default=None,
                            help="seconds an unconfirmed submit waits for a receipt (default: the operator's)")
        parser.add_argument("--wait-receipts", type=float, default=0,
                            help="with --until-idle: seconds to wait for the receipts of what was sent")
        parser.add_argument("--batch", type=int, default=None, help="messages claimed at a time (default 5×window)")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["operator"]
        if not Operator.objects.filter(code=code).exists():
            raise CommandError(f"no operator {code!r}")
        grace = timedelta(seconds=options["grace"]) if options["grace"] is not None else None
        try:
            with operator_lock(code):
                report = asyncio.run(run_operator(code, until_idle=options["until_idle"], grace=grace,
                                                  batch=options["batch"],
                                                  receipts_wait=options["wait_receipts"]))
        except RuntimeError as busy:
            raise CommandError(str(busy)) from None
        self.stdout.write(json.dumps(report.__dict__))
