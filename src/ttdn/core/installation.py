"""Whether this installation's database is set up for this version's code: commands an operator may run before
`ttdn migrate` (on a new box, or after an upgrade) say what to run instead of failing on their first query."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _


def require_migrated(message: str) -> None:
    """Raise CommandError(`message`) when migrations are pending (or the database cannot be opened). Reading the
    migrations costs a few tenths of a second: a command run often calls this only once its first query failed."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(_("The database cannot be opened (%(error)s).") % {"error": exc}) from exc
    if pending:
        raise CommandError(message)
