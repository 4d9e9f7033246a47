"""Whether this installation's database is set up for this version's code: commands an operator may run before
`ttdn migrate` (on a new box, or after an upgrade) say what to run instead of failing on their first query."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NOT_MIGRATED = gettext_lazy("The database has not been set up for this version: run `ttdn migrate` first.")
# Commands that set the database up or look at its migrations: a database error in them is not "run migrate first".
SETS_UP = frozenset({"migrate", "makemigrations", "showmigrations", "sqlmigrate", "squashmigrations",
                     "optimizemigration"})


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


def explain_database_error(command: str) -> str | None:
    """After `command` failed on a database error: what to tell the operator when the cause is a database not set up
    for this version (migrations pending, or none applied), else None (the error is the command's own)."""
    if command in SETS_UP:
        return None
    connection.close()  # the failed query may have left the connection unusable (PostgreSQL: an aborted transaction)
    try:
        require_migrated(str(NOT_MIGRATED))
    except CommandError as exc:
        return str(exc)
    return None
