"""Plans in: the upload and the review of the importer's draft (corrections, registering missing agencies,
confirming)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ttdn.accounts.models import Agency, AgencyKind
from ttdn.core.errors import ServiceError
from ttdn.core.forms import DAY_FORMAT, parse_day
from ttdn.documents.agency_match import resolve_province
from ttdn.documents.plan_draft import (
    Draft,
    DraftTask,
    EquipmentProposal,
    Period,
    ProposedPlace,
    TrainingProposal,
)
from ttdn.places.models import BorderSite, EquipmentKind, SiteKind
from ttdn.programme import permissions as perms
from ttdn.programme import services
from ttdn.programme.forms import PlanUploadForm
from ttdn.programme.models import AgencyGroup, Course, CourseKind, PlanDraft, TimeframeKind
from ttdn.programme.views.common import error_status, forbidden, plan_user


@require_http_methods(["GET", "POST"])
@plan_user
def plan_import(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_plan(request.user):
        return forbidden(request, _("Only plan managers may create plans."))
    form = PlanUploadForm()
    status = 200
    if request.method == "POST":
        form = PlanUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                draft = services.do_read_plan_upload(request.user, form.cleaned_data["file"])  # type: ignore[arg-type]
                return redirect("programme:draft_review", pk=draft.pk)
            except ServiceError as exc:
                form.add_error("file", str(exc.message))
                status = error_status(exc)
        else:
            status = 400
    return render(request, "programme/plan_import.html", {"form": form}, status=status)


def _apply_review(draft: Draft, post: Any) -> Draft:
    """The reviewer's corrections (number, title, period, issuer, task titles, leads, tasks left out) written into
    the draft."""
    plan = draft.plan
    if "plan_number" in post:
        plan.number = post.get("plan_number", "").strip()
    if "plan_symbol" in post:
        plan.symbol = post.get("plan_symbol", "").strip()
    if "plan_title" in post:
        plan.title = post.get("plan_title", "").strip()
    for key in ("start", "end"):
        if f"period_{key}" in post:
            plan.period = plan.period or Period()
            # Typed as dd/mm/yyyy; the draft keeps ISO dates (what the plan reader wrote). Unreadable text is
            # kept as typed, so the import refuses it with its message.
            typed = (post.get(f"period_{key}") or "").strip()
            day = parse_day(typed)
            setattr(plan.period, key, day.isoformat() if day else (typed or None))
    if "plan_issuer_agency" in post:
        plan.issuer_agency = post.get("plan_issuer_agency") or None
    kept = []
    for n, task in enumerate(draft.tasks):
        if f"task_{n}_title" in post:
            task.title = post.get(f"task_{n}_title", "").strip()
        if f"task_{n}_lead" in post:
            choice = post.get(f"task_{n}_lead", "")
            task.lead.agency, task.lead.group = None, None
            if choice.startswith("agency:"):
                task.lead.agency = choice.removeprefix("agency:")
            elif choice.startswith("group:"):
                task.lead.group = choice.removeprefix("group:")
        _apply_proposals(task, n, post)
        if not post.get(f"task_{n}_drop"):
            kept.append(task)
    draft.tasks = kept
    keys = {t.key for t in kept}
    for task in kept:
        if task.parent and task.parent not in keys:
            task.parent = None
    return draft


def _number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else None


def _apply_proposals(task: DraftTask, n: int, post: Any) -> None:
    """The reviewer's answers to what a task proposes for the registries: accepted or not, and the details the
    plan does not give (a course, participants per class, hours) or gives wrongly (month, venue, sites)."""
    for m, proposal in enumerate(task.proposals):
        prefix = f"prop_{n}_{m}_"
        if f"{prefix}shown" not in post:  # a post from a page without the proposals: left as they were
            continue
        proposal.accepted = bool(post.get(f"{prefix}accept"))
        if isinstance(proposal, TrainingProposal):
            course = post.get(f"{prefix}course", "")
            proposal.course_id = int(course) if course.isdigit() else None
            proposal.course_kind = post.get(f"{prefix}course_kind", "")
            proposal.classes = _number(post.get(f"{prefix}classes", "")) or 0
            proposal.capacity = _number(post.get(f"{prefix}capacity", ""))
            proposal.hours = _number(post.get(f"{prefix}hours", ""))
            typed = (post.get(f"{prefix}month") or "").strip()
            month = re.fullmatch(r"(\d{1,2})/(\d{4})", typed)
            proposal.month = f"{month.group(2)}-{int(month.group(1)):02d}" if month else (typed or None)
            proposal.venue = (post.get(f"{prefix}venue") or "").strip()
        elif isinstance(proposal, EquipmentProposal):
            proposal.equipment = post.get(f"{prefix}equipment", proposal.equipment)
            for k, place in enumerate(proposal.places):
                if f"{prefix}site_{k}" in post:
                    place.site = post.get(f"{prefix}site_{k}") or None


# The importer's reasons for a line it could not place, as the reviewer reads them.
UNPLACED_REASONS = {
    "agency not recognised": gettext_lazy("no registered agency has this name"),
    "timeframe not understood": gettext_lazy("timeframe not understood"),
    "target without a figure": gettext_lazy("target without a figure"),
    "before the plan's title": gettext_lazy("above the plan's title"),
    "introduction": gettext_lazy("introduction"),
    "outside any section": gettext_lazy("outside any section"),
    "after the plan's body": gettext_lazy("after the plan's text"),
    "in the appendix, outside its table": gettext_lazy("in the appendix, outside its table"),
    "table row without a task": gettext_lazy("table row without a task"),
    "plan number not found in the text": gettext_lazy("the plan's number was not found"),
    "plan date not found in the text": gettext_lazy("the plan's date was not found"),
    "plan title not found in the text": gettext_lazy("the plan's title was not found"),
}


# A kind to propose for a name the plan gives an agency that is not registered; the reviewer can change it.
_KIND_BY_NAME: list[tuple[str, str]] = [
    (r"^ban .*tỉnh ủy|^tỉnh ủy|^ban .*(tuyên giáo|dân vận|tổ chức|kiểm tra)", AgencyKind.PARTY_BODY),
    (r"^bộ chỉ huy bộ đội biên phòng", AgencyKind.BORDER_GUARD_COMMAND),
    (r"^bộ chỉ huy quân sự", AgencyKind.MILITARY_COMMAND), (r"^đồn biên phòng", AgencyKind.BORDER_POST),
    (r"^công an", AgencyKind.POLICE), (r"^báo ", AgencyKind.NEWSPAPER), (r"^đài ", AgencyKind.RADIO_TV),
    (r"^(ủy ban nhân dân|ubnd) (xã|phường)", AgencyKind.COMMUNE_PC),
    (r"^(ủy ban nhân dân|ubnd) (huyện|thị xã)", AgencyKind.DISTRICT_PC),
    (r"^(ủy ban nhân dân|ubnd) tỉnh", AgencyKind.PROVINCIAL_PC), (r"^liên hiệp", AgencyKind.FRIENDSHIP_UNION),
    (r"^trung tâm xúc tiến", AgencyKind.TOURISM_CENTRE), (r"^sở ", AgencyKind.DEPARTMENT),
]


def _guess_kind(name: str) -> str:
    low = name.lower().replace("uỷ", "ủy")
    return next((kind for pattern, kind in _KIND_BY_NAME if re.search(pattern, low)), AgencyKind.OTHER)


def _suggested_name(name: str, province: str) -> str:
    """"Sở Nội vụ" of a Quảng Trị plan is registered as "Sở Nội vụ tỉnh Quảng Trị" (names are unique across
    provinces only with it); names that already say where stay."""
    if not province or province.lower() in name.lower() or _guess_kind(name) in (
            AgencyKind.BORDER_POST, AgencyKind.COMMUNE_PC, AgencyKind.DISTRICT_PC):
        return name
    if name.lower().endswith((" tỉnh", " tỉnh ủy", " tỉnh uỷ")):
        return f"{name} {province}"
    return f"{name} tỉnh {province}"


def _registration_rows(post: Any, count: int) -> list[services.NewAgency]:
    """The agencies ticked in the review's list of names not matched, in order; a parent among them refers to
    its place among those ticked."""
    chosen = [i for i in range(min(count, 200)) if post.get(f"new_{i}_use")]
    rows: list[services.NewAgency] = []
    for i in chosen:
        parent = post.get(f"new_{i}_parent", "")
        if parent.startswith("new:"):
            index = parent.removeprefix("new:")
            parent = f"new:{chosen.index(int(index))}" if index.isdigit() and int(index) in chosen else "new:-"
        rows.append(services.NewAgency(name=post.get(f"new_{i}_name", ""), kind=post.get(f"new_{i}_kind", ""),
                                       parent=parent))
    return rows


def _site_rows(post: Any, places: list[ProposedPlace]) -> list[services.NewSite]:
    """The border sites ticked in the review's list of places not matched, in order, each for its place."""
    return [services.NewSite(name=post.get(f"site_{i}_name", ""), kind=post.get(f"site_{i}_kind", ""),
                             commune=post.get(f"site_{i}_commune", ""), place=place)
            for i, place in enumerate(places[:200]) if post.get(f"site_{i}_use")]


def _family(kind: str) -> str:
    return "gate" if kind.startswith("gate_") else kind


def _sites_for(sites: list[BorderSite], place: ProposedPlace) -> list[BorderSite]:
    return sorted(sites, key=lambda site: (_family(site.kind) != _family(place.kind), site.kind, site.name))


def _proposal_rows(data: Draft, province: Any) -> list[dict[str, Any]]:
    """What the tasks propose, as the review page shows it: each with its task, and the sites to choose from."""
    sites = list(BorderSite.objects.filter(province=province, active=True).order_by("kind", "name")) \
        if province is not None else []
    rows = []
    for n, task in enumerate(data.tasks):
        for m, proposal in enumerate(task.proposals):
            row: dict[str, Any] = {"n": n, "m": m, "task": task, "proposal": proposal, "prefix": f"prop_{n}_{m}_"}
            if isinstance(proposal, TrainingProposal):
                row["month"] = f"{proposal.month[5:7]}/{proposal.month[:4]}" if proposal.month and re.fullmatch(
                    r"\d{4}-\d{2}", proposal.month) else (proposal.month or "")
            else:
                # Every site of the province can be chosen, those of the kind the plan names first.
                row["places"] = [{"k": k, "place": place, "sites": _sites_for(sites, place)}
                                 for k, place in enumerate(proposal.places)]
            rows.append(row)
    return rows


@require_http_methods(["GET", "POST"])
@plan_user
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(PlanDraft, pk=pk)
    try:
        services.check_draft(request.user, draft)  # type: ignore[arg-type]
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.info(request, str(exc.message))
        return redirect("programme:plan_detail", pk=draft.plan_id) if draft.plan_id else redirect("programme:plans")
    error = None
    status = 200
    if request.method == "POST" and request.POST.get("register"):
        stored = services.as_draft(draft.data)
        rows = _registration_rows(request.POST, len(stored.missing_agencies()))
        sites = _site_rows(request.POST, stored.missing_sites())
        # The corrections typed so far are kept: registering is one step of the same review.
        typed = _apply_review(services.as_draft(draft.data), request.POST)
        services.do_update_draft(request.user, draft, typed)  # type: ignore[arg-type]
        try:
            created = services.do_register_agencies(request.user, draft, rows, sites)  # type: ignore[arg-type]
            messages.success(request, _("Registered: %(names)s. The plan was matched again.")
                             % {"names": "; ".join(a.name for a in created)})
            return redirect("programme:draft_review", pk=draft.pk)
        except ServiceError as exc:
            error = exc.message
            status = error_status(exc)
    elif request.method == "POST":
        typed = _apply_review(services.as_draft(draft.data), request.POST)
        services.do_update_draft(request.user, draft, typed)  # type: ignore[arg-type]
        if request.POST.get("confirm"):
            try:
                plan = services.do_confirm_draft(request.user, draft)  # type: ignore[arg-type]
                messages.success(request, _("The plan was created."))
                return redirect("programme:plan_detail", pk=plan.pk)
            except ServiceError as exc:
                error = exc.message
                status = error_status(exc)
    data = services.as_draft(draft.data)
    agencies = Agency.objects.order_by("name")
    kinds = dict(TimeframeKind.choices)
    tasks = []
    for n, task in enumerate(data.tasks):
        lead = task.lead
        current = f"agency:{lead.agency}" if lead.agency else f"group:{lead.group}" if lead.group else ""
        timeframe = {"text": task.timeframe.text, "label": kinds.get(task.timeframe.kind, task.timeframe.kind)}
        for key in ("start", "end"):  # shown as dd/mm/yyyy
            day = parse_day(getattr(task.timeframe, key) or "")
            timeframe[key] = day.strftime(DAY_FORMAT) if day else ""
        tasks.append({"n": n, "task": task, "lead": lead, "current": current, "coordinating": task.coordinating,
                      "timeframe": timeframe})
    head = data.plan
    province = head.province or ""
    missing = [{"n": n, "text": name, "name": _suggested_name(name, province), "kind": _guess_kind(name)}
               for n, name in enumerate(data.missing_agencies())]
    province_agencies = Agency.objects.filter(province__short_name=province).order_by("name") if province \
        else Agency.objects.none()
    unplaced = [{"text": u.text, "reason_label": UNPLACED_REASONS.get(u.reason, u.reason)} for u in data.unplaced]
    province_unit = resolve_province(province) if province else None
    missing_sites = [{"n": n, "place": place} for n, place in enumerate(data.missing_sites())]
    period: dict[str, str] = {}
    for key in ("start", "end"):  # shown as dd/mm/yyyy
        typed_day = getattr(head.period, key) if head.period else None
        day = parse_day(typed_day or "")
        if typed_day:
            period[key] = day.strftime(DAY_FORMAT) if day else typed_day
    return render(request, "programme/draft_review.html", {
        "draft": draft, "plan": head, "period": period, "tasks": tasks, "agencies": agencies,
        "groups": AgencyGroup.choices, "sections": data.sections,
        "indicators": data.indicators, "unplaced": unplaced, "error": error,
        "timeframe_kinds": kinds, "missing": missing, "province": province,
        "kinds": [(k, label) for k, label in AgencyKind.choices if k in services.REGISTRABLE_KINDS],
        "province_agencies": province_agencies, "missing_sites": missing_sites,
        "site_kinds": SiteKind.choices, "can_register": province_unit is not None,
        "proposals": _proposal_rows(data, province_unit), "courses": Course.objects.order_by("name"),
        "course_kinds": CourseKind.choices, "equipment_kinds": EquipmentKind.choices,
    }, status=status)
