from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ttdn.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from ttdn.ops import checks, replica  # noqa: F401  (checks: registers the deploy checks)

        if replica.configured():
            pre_save.connect(replica.stale_save, dispatch_uid="ttdn.ops.replica.stale_save")
