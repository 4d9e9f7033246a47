"""The test run's flush after a transactional test leaves the administrative units in place only while they are
the run's (tests/refdata.py, KEPT_ACROSS_FLUSH): a test that changed one has them emptied and copied back whole."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from tests import refdata
from ttdn.places.models import AdminUnit

pytestmark = pytest.mark.django_db(transaction=True)

UNITS = AdminUnit._meta.db_table
SUCCESSORS = AdminUnit.successors.through._meta.db_table


def flush() -> None:  # as Django's TransactionTestCase ends a test
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False,
                 inhibit_post_migrate=False)


def test_unchanged_units_stay_through_a_flush_and_changed_ones_are_copied_back() -> None:
    rows = len(refdata.load()["places.adminunit"][1])
    first = AdminUnit.objects.order_by("pk").first()
    assert first is not None and AdminUnit.objects.count() == rows
    assert refdata.tables_kept_by_flush(connection) == {UNITS, SUCCESSORS}
    flush()
    assert AdminUnit.objects.count() == rows  # kept: nothing to copy back

    # A changed name, a removed unit: both tables are emptied by the flush and the dump copied back.
    AdminUnit.objects.filter(pk=first.pk).update(name=first.name + " (đã đổi)")
    assert refdata.tables_kept_by_flush(connection) == {SUCCESSORS}
    AdminUnit.successors.through.objects.order_by("pk").first().delete()  # type: ignore[union-attr]
    assert refdata.tables_kept_by_flush(connection) == set()
    flush()
    assert not AdminUnit.objects.exists()
    refdata.restore()
    assert AdminUnit.objects.count() == rows
    assert AdminUnit.successors.through.objects.count() == len(refdata.load()["places.adminunit_successors"][1])
    assert AdminUnit.objects.get(pk=first.pk).name == first.name
    assert refdata.tables_kept_by_flush(connection) == {UNITS, SUCCESSORS}
