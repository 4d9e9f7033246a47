"""On an edge node (TTDN_ROLE=edge): the replica is read-only, and views and downloads are counted.

Central material is edited on the hub only, so every unsafe request (POST, PUT, PATCH, DELETE) is refused
here, except logging in and out, choosing the interface language and managing the site's own devices
(points). Counting keeps one number per item per day and kind, nothing about who looked.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Unsafe requests a node still accepts: sessions and the language switch.
ALLOWED_WRITES = frozenset({
    "accounts:login", "accounts:logout", "accounts:two_factor", "set_language",
    # The site's own devices: they belong to the node, not to the hub's material.
    "points:pair", "points:revoke", "points:add_rule", "points:set_pinned", "points:bulletin",
    "points:add_slot", "points:remove_slot", "points:remove_rule", "points:conflict_seen",
    "points:player_start", "points:player_heartbeat",
})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if settings.ROLE != "edge":
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        name = match.view_name if match else ""
        if request.method not in SAFE_METHODS and name not in ALLOWED_WRITES:
            message = _("This is a border-site copy of the database: material is changed on the hub only.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "read_only_node", "message": message}, status=403,
                                    json_dumps_params={"ensure_ascii": False})
            return render(request, "core/forbidden.html", {"message": message}, status=403)
        response = self.get_response(request)
        if match is not None and request.method == "GET" and response.status_code == 200:
            self._count(name, match.kwargs, request)
        return response

    @staticmethod
    def _count(name: str, kwargs: dict[str, Any], request: HttpRequest) -> None:
        from ttdn.sync.models import CountKind
        from ttdn.sync.node.services import count_display

        try:
            if name == "content:item_detail":
                count_display(kwargs["uid"], CountKind.VIEW)
            elif name == "content:file" and "Range" not in request.headers:
                from ttdn.content.models import Attachment

                uid = Attachment.objects.filter(asset__sha256=kwargs["sha256"]).values_list(
                    "variant__item__uid", flat=True).first()
                if isinstance(uid, uuid.UUID):
                    count_display(uid, CountKind.DOWNLOAD)
        except Exception:
            # A count must never cost the reader their page.
            logger.exception("could not count a display")
