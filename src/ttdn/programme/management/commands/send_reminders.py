"""`ttdn send_reminders`: remind agencies of reports due soon or overdue (in the app and by e-mail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.programme.services import do_send_reminders


class Command(BaseCommand):
    help = "Send the reporting reminders due today (each one once only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="act as if today were this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not YYYY-MM-DD") from exc
        sent = do_send_reminders(today)
        self.stdout.write(f"Đã gửi {sent} nhắc nhở / {sent} reminders sent.")
