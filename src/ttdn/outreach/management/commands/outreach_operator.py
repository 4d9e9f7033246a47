"""`ttdn outreach_operator CODE --name … --host … --port … --system-id … --password … --price …`: an SMSC account."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ttdn.core.errors import ServiceError
from ttdn.outreach.services import OperatorData, do_save_operator


class Command(BaseCommand):
    help = "Add or change a telecom operator's SMSC account (where to bind, window, rate, price per segment)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("--name", required=True)
        parser.add_argument("--host", default="")
        parser.add_argument("--port", type=int, default=2775)
        parser.add_argument("--system-id", default="")
        parser.add_argument("--password", default="")
        parser.add_argument("--window", type=int, default=10)
        parser.add_argument("--per-second", type=float, default=0)
        parser.add_argument("--price", type=Decimal, default=Decimal(0), help="VND per SMS segment")
        parser.add_argument("--grace", type=int, default=1800,
                            help="seconds an unanswered submit waits for a receipt before it is offered again")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            operator = do_save_operator(None, OperatorData(
                code=o["code"], name=o["name"], host=o["host"], port=o["port"], system_id=o["system_id"],
                password=o["password"], window=o["window"], per_second=o["per_second"], price_per_segment=o["price"],
                reconcile_grace_seconds=o["grace"]))
        except ServiceError as refused:
            raise CommandError(str(refused.message)) from None
        self.stdout.write(f"{operator.code}: {operator.host}:{operator.port}")
