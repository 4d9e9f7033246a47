"""`ttdn edge …`: on the hub, issue enrolment codes, list, target and revoke nodes; on a node, enrol it and
create local accounts for the officials who work there."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ttdn.core.errors import ServiceError
from ttdn.core.installation import require_migrated
from ttdn.places.models import BorderSite
from ttdn.sync.hub import services
from ttdn.sync.models import EdgeNode
from ttdn.sync.node import services as node_services


class Command(BaseCommand):
    help = "Border-site nodes: issue-code, list, target, revoke (hub); enroll, add-official (node)."
    # As `ttdn sync`: run on a border box, where Django's system checks would import every view of the product (and
    # the PDF, image and media libraries with them) for each command — about a second of CPU. `ttdn check`,
    # `migrate` and `serve` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue-code", help="print a one-time enrolment code for a border site")
        issue.add_argument("site", help="the border site's code")
        issue.add_argument("--valid-hours", type=float, default=72)
        sub.add_parser("list", help="the nodes, one JSON object a line")
        target = sub.add_parser("target", help="change what a node receives")
        target.add_argument("node", help="node id, or the site code when the site has one node")
        target.add_argument("--languages", help="comma-separated BCP 47 tags besides Vietnamese")
        target.add_argument("--audience", choices=["public", "officials"])
        revoke = sub.add_parser("revoke", help="refuse every further request of a node")
        revoke.add_argument("node")
        revoke.add_argument("--reason", default="")
        enroll = sub.add_parser("enroll", help="(on the node) enrol this box with a hub")
        enroll.add_argument("hub_url")
        enroll.add_argument("code")
        enroll.add_argument("--name", default="")
        official = sub.add_parser("add-official", help="(on the node) a local account that sees officials-only "
                                                       "material")
        official.add_argument("username")
        official.add_argument("--password", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc

    def do_issue_code(self, options: dict[str, Any]) -> None:
        site = BorderSite.objects.filter(code=options["site"]).first()
        if site is None:
            raise CommandError(f"No border site with code {options['site']!r}.")
        self.stdout.write(services.do_issue_code(None, site, options["valid_hours"]))

    def do_list(self, options: dict[str, Any]) -> None:
        for node in EdgeNode.objects.select_related("site"):
            self.stdout.write(json.dumps({
                "node": str(node.uid), "site": node.site.code, "name": node.name, "languages": node.languages,
                "audience": node.audience, "revoked": node.revoked_at is not None,
                "last_contact": node.last_contact_at.isoformat() if node.last_contact_at else None,
                "applied_seq": node.last_applied_seq, "version": node.software_version,
                "free_disk": node.free_disk_bytes,
            }, ensure_ascii=False))

    def do_target(self, options: dict[str, Any]) -> None:
        node = services.find_node(options["node"])
        langs = None if options["languages"] is None else [t for t in options["languages"].split(",") if t.strip()]
        node = services.do_set_targeting(None, node, languages_=langs, audience=options["audience"])
        self.stdout.write(f"{node.uid}: languages={','.join(node.languages)} audience={node.audience} "
                          f"epoch={node.targeting_epoch}")

    def do_revoke(self, options: dict[str, Any]) -> None:
        node = services.do_revoke_node(None, services.find_node(options["node"]), options["reason"])
        self.stdout.write(f"{node.uid} revoked")

    def do_enroll(self, options: dict[str, Any]) -> None:
        from ttdn.sync.node.client import HubError

        try:
            state = node_services.do_enroll_node(options["hub_url"], options["code"], options["name"])
        except DatabaseError:
            require_migrated(str(node_services.NOT_SET_UP))  # a box never set up: say what to run, not a traceback
            raise
        except HubError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(f"{options['hub_url']}: {exc}") from exc
        self.stdout.write(f"enrolled as {state.node_uid} for {state.site_name}")

    def do_add_official(self, options: dict[str, Any]) -> None:
        user = node_services.do_add_local_official(options["username"], options["password"])
        self.stdout.write(f"{user.username} may now log in on this node")
