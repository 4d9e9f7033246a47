"""The hub's sync endpoints (signed by the node's key, no session, no CSRF) and the dashboard of nodes.

POST /sync/enroll                   one-time code + public key → node id, hub key
POST /sync/uplink                   heartbeat, display counts, acks → the hub's feed position
GET  /sync/feed?after=N&epoch=E     the next batch (zstd JSON, signed by the hub) or a reconcile batch
POST /sync/records                  records of the named items (after a reconcile)
POST /sync/chunks                   many chunks in one response (framed), so small chunks cost no round trip each
GET  /sync/chunks/<sha>             one chunk; Range continues a chunk cut by a dropped connection
GET  /sync/nodes/                   the dashboard (operators, central editors, agency administrators)
POST /sync/nodes/codes/             an operator issues a one-time enrolment code for a site
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import zstandard
from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

from ttdn.core.errors import ServiceError
from ttdn.core.transactions import reads_primary
from ttdn.places.models import BorderSite
from ttdn.sync.hub import chunking, feed, services
from ttdn.sync.models import EdgeNode
from ttdn.sync.transport import keys, wire

_SHA = re.compile(r"[0-9a-f]{64}")
MAX_CHUNKS_PER_REQUEST = 4096
MAX_BODY = 8 * 1024 * 1024


def _error(exc: ServiceError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=exc.status,
                        json_dumps_params={"ensure_ascii": False})


def _hub_only() -> JsonResponse | None:
    from django.conf import settings

    if settings.ROLE != "hub":
        return JsonResponse({"code": "not_hub", "message": "This is an edge node, not a hub."}, status=404)
    return None


def signed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Authenticate the node from its signature; hand the view the node."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = _hub_only()
        if refused is not None:
            return refused
        body = request.body if request.method == "POST" else b""
        if len(body) > MAX_BODY:
            return JsonResponse({"code": "too_large", "message": "Request too large."}, status=413)
        try:
            node = services.authenticate_request(dict(request.headers), request.method or "GET",
                                                 request.get_full_path(), body)
            # Refused before anything is served or recorded: a batch the node could not read helps no one.
            wire.served_format(request.headers.get(wire.FORMATS_HEADER))
            return view(request, node, *args, **kwargs)
        except ServiceError as exc:
            return _error(exc)

    # Every signed request writes (its nonce, the node's contact): its reads, the node's revocation first, are the
    # primary's, never a lagging replica's.
    return reads_primary(csrf_exempt(wrapper))


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ServiceError("bad_request", "The body is not JSON.") from None
    if not isinstance(data, dict):
        raise ServiceError("bad_request", "The body is not a JSON object.")
    return data


def _batch_response(batch: dict[str, Any] | bytes) -> HttpResponse:
    """A batch (or its JSON, `wire.dumps`) compressed and signed."""
    raw = batch if isinstance(batch, bytes) else wire.dumps(batch)
    payload, signature = wire.encode_json(raw, keys.hub_key())
    response = HttpResponse(payload, content_type="application/zstd")
    response["X-Ttdn-Batch-Signature"] = signature
    response["Content-Length"] = str(len(payload))
    return response


@csrf_exempt
@require_POST
def enroll(request: HttpRequest) -> HttpResponse:
    refused = _hub_only()
    if refused is not None:
        return refused
    try:
        data = _json_body(request)
        node = services.do_enroll(str(data.get("code", "")), str(data.get("public_key", "")),
                                  str(data.get("name", "")), str(data.get("version", "")))
    except ServiceError as exc:
        return _error(exc)
    return JsonResponse(services.enrol_answer(node))


@signed
@require_POST
def uplink(request: HttpRequest, node: EdgeNode) -> HttpResponse:
    services.do_record_contact(node, _json_body(request))
    return JsonResponse({"hwm": feed.high_water_mark(), "epoch": node.targeting_epoch})


@signed
@require_GET
def feed_view(request: HttpRequest, node: EdgeNode) -> HttpResponse:
    try:
        after = max(0, int(request.GET.get("after", "0")))
        epoch = int(request.GET.get("epoch", "0"))
        limit = min(max(1, int(request.GET.get("limit", "1000"))), 5000)
        # A node reading ahead says what it has applied; otherwise asking after `after` says it is there.
        applied = max(0, int(request.GET.get("applied", str(after))))
        if max(after, applied) > services.MAX_SEQ or abs(epoch) > services.MAX_EPOCH:
            raise ValueError
    except ValueError:
        return _error(ServiceError("bad_request", "after, epoch, applied and limit are numbers in range."))
    services.do_note_feed_read(node, applied)
    # A node starting from nothing gets the feed under today's targeting: nothing to reconcile.
    if epoch != node.targeting_epoch and after > 0:
        return _batch_response(feed.reconcile_batch(node))
    try:
        return _batch_response(feed.feed_batch_json(node, after, limit))
    except ServiceError as exc:
        answer = _error(exc)
        if exc.status == 503:
            answer["Retry-After"] = "2"
        return answer


@signed
@require_POST
def records(request: HttpRequest, node: EdgeNode) -> HttpResponse:
    uids = _json_body(request).get("uids", [])
    if not isinstance(uids, list) or len(uids) > 5000:
        return _error(ServiceError("bad_request", "uids: a list of at most 5000 item ids."))
    return _batch_response(feed.records_batch(node, [str(u) for u in uids]))


def _frames(shas: list[str], allowed: set[str]) -> Iterator[bytes]:
    compressor = zstandard.ZstdCompressor(level=3)
    for sha in shas:
        # A chunk the node is not sent is answered like one the hub does not have.
        data = chunking.read_chunk(sha) if sha in allowed else None
        if data is None:
            yield wire.FRAME.pack(bytes.fromhex(sha), wire.FRAME_UNKNOWN, 0)
            continue
        packed = compressor.compress(data)
        if len(packed) < len(data) * 0.95:
            yield wire.FRAME.pack(bytes.fromhex(sha), wire.FRAME_ZSTD, len(packed)) + packed
        else:
            yield wire.FRAME.pack(bytes.fromhex(sha), wire.FRAME_RAW, len(data)) + data


@signed
@require_POST
def chunks(request: HttpRequest, node: EdgeNode) -> HttpResponseBase:
    wanted = _json_body(request).get("chunks", [])
    if not isinstance(wanted, list) or len(wanted) > MAX_CHUNKS_PER_REQUEST or not all(
        isinstance(s, str) and _SHA.fullmatch(s) for s in wanted
    ):
        return _error(ServiceError("bad_request", "chunks: a list of SHA-256 digests."))
    allowed = feed.chunks_for_node(node, wanted)
    return StreamingHttpResponse(_frames(wanted, allowed), content_type="application/octet-stream")


@signed
@require_GET
def chunk(request: HttpRequest, node: EdgeNode, sha: str) -> HttpResponse:
    data = chunking.read_chunk(sha) if feed.chunks_for_node(node, [sha]) else None
    if data is None:
        return _error(ServiceError("unknown_chunk", "No such chunk.", status=404))
    match = re.fullmatch(r"bytes=(\d+)-", request.headers.get("Range", ""))
    if match:
        start = int(match.group(1))
        if start >= len(data):
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{len(data)}"
            return response
        response = HttpResponse(data[start:], status=206, content_type="application/octet-stream")
        response["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        return response
    return HttpResponse(data, content_type="application/octet-stream")


# -------------------------------------------------------------------------------------------- dashboard


# How long a new enrolment code stays valid, as the nodes page offers it (hours).
CODE_VALIDITY_HOURS = (24, 72, 168)


class IssueCodeForm(forms.Form):
    site = forms.ModelChoiceField(label=gettext_lazy("Border site"), queryset=BorderSite.objects.none())
    valid_hours = forms.TypedChoiceField(label=gettext_lazy("Valid for"), coerce=int, initial=72, choices=[
        (24, gettext_lazy("1 day")), (72, gettext_lazy("3 days")), (168, gettext_lazy("7 days")),
    ])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = BorderSite.objects.filter(active=True).select_related("province")
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        self.fields["site"].label_from_instance = (  # type: ignore[attr-defined]
            lambda site: f"{site.name} — {site.get_kind_display()}, {site.province.name}")


def _forbidden_nodes(request: HttpRequest) -> HttpResponse:
    message = _("Only operators, central editors and agency administrators see the border-site nodes.")
    return render(request, "core/forbidden.html", {"message": message}, status=403)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not services.can_see_dashboard(user):
        return _forbidden_nodes(request)
    return _dashboard_page(request, IssueCodeForm() if user.is_superuser else None)


@login_required
@require_POST
@never_cache
def issue_code(request: HttpRequest) -> HttpResponse:
    """An operator issues a one-time enrolment code for a site; it is shown once, on this answer only."""
    user: Any = request.user
    if not services.can_see_dashboard(user):
        return _forbidden_nodes(request)
    try:
        services.check_manage_nodes(user)  # before the form: only operators learn what it must hold
    except ServiceError as exc:
        return render(request, "core/forbidden.html", {"message": exc.message}, status=403)
    form = IssueCodeForm(request.POST)
    if not form.is_valid():
        return _dashboard_page(request, form, status=400)
    site = form.cleaned_data["site"]
    try:
        code = services.do_issue_code(user, site, form.cleaned_data["valid_hours"])
    except ServiceError as exc:
        if exc.status == 403:
            return render(request, "core/forbidden.html", {"message": exc.message}, status=403)
        form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None,
                       str(exc.message))
        return _dashboard_page(request, form, status=400)
    issued = {"code": code, "site": site,
              "expires_at": timezone.now() + dt.timedelta(hours=form.cleaned_data["valid_hours"])}
    return _dashboard_page(request, IssueCodeForm(), issued=issued)


def _dashboard_page(request: HttpRequest, form: IssueCodeForm | None, *, issued: dict[str, Any] | None = None,
                    status: int = 200) -> HttpResponse:
    user: Any = request.user
    nodes = list(services.nodes_visible_to(user))
    hwm = max(feed.high_water_mark(), 0)
    now = timezone.now()
    online_since = now - dt.timedelta(days=1)
    rows: list[dict[str, Any]] = []
    for node in nodes:
        rows.append({
            "node": node, "lag": max(hwm - node.last_applied_seq, 0),
            "online": node.revoked_at is None and node.last_contact_at is not None
            and node.last_contact_at >= online_since,
            "free_gb": None if node.free_disk_bytes is None else node.free_disk_bytes / 1024**3,
        })
    provinces: dict[str, dict[str, Any]] = {}
    for row in rows:
        node = row["node"]
        name = node.site.province.name
        entry = provinces.setdefault(name, {"name": name, "nodes": 0, "online": 0, "revoked": 0})
        entry["nodes"] += 1
        entry["online"] += int(row["online"])
        entry["revoked"] += int(node.revoked_at is not None)
    from ttdn.points.uplink import devices_by_node

    point_devices = devices_by_node([n.pk for n in nodes], now)
    for row in rows:
        row["devices"] = point_devices.get(row["node"].pk, [])
        row["silent_devices"] = sum(1 for d in row["devices"] if d["silent"])
    sites = EdgeNode.objects.filter(pk__in=[n.pk for n in nodes]).aggregate(
        equipped=Count("site", distinct=True, filter=Q(revoked_at__isnull=True)))
    return render(request, "sync/dashboard.html", {
        "rows": rows, "provinces": sorted(provinces.values(), key=lambda p: p["name"]), "hwm": hwm,
        "equipped": sites["equipped"], "online_sites": len({r["node"].site_id for r in rows if r["online"]}),
        "form": form, "issued": issued,
    }, status=status)

