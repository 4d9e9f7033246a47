"""What operating the hub keeps in its database."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import ApiToken


class TokenWritePosition(models.Model):
    """Where the primary's WAL stood after an API token's last write (`ttdn.ops.replica`): that token's reads go
    to the streaming replica only once it has replayed past this point. Machines keep no cookie, so the position a
    browser carries in `ttdn_wal` is kept here instead. PostgreSQL only; unused on SQLite."""

    token = models.OneToOneField(ApiToken, on_delete=models.CASCADE, primary_key=True, related_name="+")
    lsn = models.BigIntegerField(_("WAL position"))

    class Meta:
        verbose_name = _("token write position")
        verbose_name_plural = _("token write positions")

    def __str__(self) -> str:
        return f"{self.token_id}: {self.lsn:x}"
