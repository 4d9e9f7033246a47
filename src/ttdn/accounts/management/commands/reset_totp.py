"""`ttdn reset_totp USER`: remove a person's second factor (lost phone); they set a new one up at next login.

For operators with access to the server, e.g. when the only administrator of an agency lost the phone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.accounts.models import User
from ttdn.accounts.services import do_reset_totp


class Command(BaseCommand):
    help = "Reset a person's second factor so that they set up a new one at their next login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no account named {options['username']}")
        do_reset_totp(None, user)
        self.stdout.write(f"second factor of {user.username} reset")
