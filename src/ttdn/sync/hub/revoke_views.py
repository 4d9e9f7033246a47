"""Revoking a border-site node from the nodes page: a confirmation page that says what will happen (no script,
so it works under a strict content policy), then the service, which checks the operator and audits."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ttdn.core.errors import ServiceError
from ttdn.sync.hub import services


@login_required
@require_http_methods(["GET", "POST"])
def node_revoke(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    node = services.nodes_visible_to(user).filter(uid=uid).first()
    if node is None:
        raise Http404
    try:
        services.check_manage_nodes(user)
    except ServiceError as exc:
        return render(request, "core/forbidden.html", {"message": exc.message}, status=403)
    back = reverse("sync:dashboard")
    if node.revoked_at is not None:
        messages.info(request, _("This node was already revoked."))
        return redirect(back)
    reason = request.POST.get("reason", "")
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.do_revoke_node(user, node, reason)
        messages.success(request, _("The node at %(site)s was revoked.") % {"site": node.site.name})
        return redirect(back)
    return render(request, "core/confirm.html", {
        "heading": _("Revoke this node?"),
        "subject": f"{node.site.name} · {node.site.province.name}",
        "consequences": [
            _("The node can no longer sync: the hub refuses its key from now on, for the feed, files and reports."),
            _("What it holds stays on its screens until it is reset; to serve the site again it must be "
              "enrolled anew with a new code."),
            _("The revocation and its reason are recorded in the audit trail. It cannot be undone."),
        ],
        "action_url": request.path,
        "confirm_label": _("Revoke the node"),
        "cancel_url": back,
        "danger": True,
        "reason_field": True,
        "reason_value": reason,
        "testid": "confirm-node-revoke",
    })
