from typing import Any

from django.apps import AppConfig

from ttdn.core import registry


class ProgrammeConfig(AppConfig):
    name = "ttdn.programme"
    label = "programme"
    verbose_name = "Programme"

    def ready(self) -> None:
        from ttdn.accounts.services import agency_changed, agency_succeeded
        from ttdn.programme import services

        agency_succeeded.connect(services.follow_successor, dispatch_uid="programme.follow_successor")
        # An agency registered or changed joins the reporters of the plans whose groups now include it.
        agency_changed.connect(services.follow_registry, dispatch_uid="programme.follow_registry")
        # A reporter's home page lists the reports their agency still owes, the overdue first.
        registry.home_part("programme.reports_due", "programme/_home_reports.html", _reports_due, order=10)


def _reports_due(user: Any) -> dict[str, Any] | None:
    from ttdn.programme import services

    rows = services.reports_due(user) if user.is_authenticated else []
    return {"rows": rows, "late": sum(1 for row in rows if row.late)} if rows else None
