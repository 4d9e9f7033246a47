"""Django's createsuperuser, with the new operator recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser

from ttdn.accounts.models import User
from ttdn.core import audit


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        before = set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in User.objects.filter(is_superuser=True).exclude(pk__in=before):
            audit.record(None, "accounts.user.create_superuser", user)
