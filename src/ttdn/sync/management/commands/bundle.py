"""`ttdn bundle export --node N [--node N2 …] OUT` on the hub; `ttdn bundle import FILE` on a node (writes a
return bundle) or on the hub (reads a node's return bundle)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ttdn.core.errors import ServiceError
from ttdn.sync.hub import services as hub_services
from ttdn.sync.node import services as node_services


class Command(BaseCommand):
    help = "Signed bundles for sites without a link (USB)."
    # As `ttdn sync`: run on a border box, where Django's system checks would import every view of the product (and
    # the PDF, image and media libraries with them) for each command — about a second of CPU. `ttdn check`,
    # `migrate` and `serve` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="(hub) write a bundle for one or several nodes")
        export.add_argument("--node", action="append", required=True, help="node id or site code; repeatable")
        export.add_argument("--full", action="store_true", help="everything the node should hold, not only changes")
        export.add_argument("out", type=Path, help="a directory or a file name")
        imp = sub.add_parser("import", help="(node) apply a hub bundle; (hub) read a node's return bundle")
        imp.add_argument("file", type=Path)
        imp.add_argument("--return-to", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "export":
                if settings.ROLE != "hub":
                    raise CommandError("Bundles are exported on the hub.")
                nodes = [hub_services.find_node(ref) for ref in options["node"]]
                path = hub_services.do_export_bundle(None, nodes, options["out"], full=options["full"])
                self.stdout.write(str(path))
            elif settings.ROLE == "hub":
                node = hub_services.do_import_return_bundle(None, options["file"])
                self.stdout.write(json.dumps({"status": "recorded", "node": str(node.uid)}))
            else:
                result = node_services.do_import_bundle(None, options["file"], options["return_to"])
                self.stdout.write(json.dumps({
                    "status": result.status, "bundle": result.bundle_id, "records": result.stats.records,
                    "tombstones": result.stats.tombstones, "cursor": result.stats.cursor,
                    "return_bundle": str(result.return_path) if result.return_path else None,
                    "message": result.message,
                }, ensure_ascii=False))
                if result.status == "gap":
                    raise CommandError(result.message)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
