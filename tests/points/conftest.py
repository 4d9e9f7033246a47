"""The sync tests' hub and nodes (separate processes on loopback), for the end-to-end tests of the points."""

from tests.sync.conftest import hub, make_node, migrated_node_db  # noqa: F401
