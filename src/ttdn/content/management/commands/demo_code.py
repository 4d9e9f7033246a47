"""`ttdn demo_code USER`: the current second-factor code of a demo account (demo accounts only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.content.demo import demo_code


class Command(BaseCommand):
    help = "Print the current six-digit code of a demo account."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(demo_code(options["username"]))
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
