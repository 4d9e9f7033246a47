"""Documents out of a plan: the consolidated annual report and the phase (five-year) summary as Decree 30 DOCX,
the task table and the budget as XLSX. Read-only; the writers live in ttdn.documents."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency, AgencyKind, User
from ttdn.core.errors import NotFound, PermissionDenied
from ttdn.programme import permissions as perms
from ttdn.programme import services
from ttdn.programme.models import (
    BudgetLine,
    Plan,
    ProgressReport,
    ProgressUpdate,
    ReportEntry,
    ReportPeriod,
    ReportState,
    Task,
    TaskStatus,
)

STATUS_VI: dict[str, str] = {
    TaskStatus.NOT_STARTED: "Chưa triển khai",
    TaskStatus.IN_PROGRESS: "Đang thực hiện",
    TaskStatus.AT_RISK: "Có nguy cơ chậm",
    TaskStatus.DONE: "Hoàn thành",
    TaskStatus.OVERDUE: "Quá hạn",
}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _check(actor: User, plan: Plan) -> None:
    if not perms.can_manage_plan(actor, plan):
        raise PermissionDenied(_("Only the plan's managers may download its consolidated documents."))


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}".rstrip("0").rstrip(".").replace(",", "X").replace(".", ",").replace("X", ".")
    return text + ("%" if unit == "percent" else "")


def _place(plan: Plan) -> str:
    agency = plan.coordinating_agency or plan.issuing_agency
    province = agency.province if agency is not None else None
    return province.short_name if province is not None else ""


def _heading_agencies(plan: Plan) -> tuple[str, str, str]:
    """(issuing agency, its parent, symbol suffix) for the report: the coordinating agency reports."""
    agency = plan.coordinating_agency or plan.issuing_agency
    if agency is None:
        return "", "", "BC"
    parent = agency.parent
    parent_name, name = "", agency.name
    if parent is not None:
        parent_name = parent.name
        if parent.kind == AgencyKind.PROVINCIAL_PC and parent.province is not None:
            parent_name = f"UBND tỉnh {parent.province.short_name}"
            # The line above names the province: "Sở Nội vụ tỉnh Gia Lai" is headed "SỞ NỘI VỤ" under it, as
            # officials write it (the name keeps the province only to be unique in the registry).
            where = f" tỉnh {parent.province.short_name}"
            if name.lower().endswith(where.lower()) and len(name) > len(where):
                name = name[:-len(where)]
    suffix = f"BC-{agency.abbreviation}" if agency.abbreviation else "BC"
    return name.upper(), parent_name.upper(), suffix


def _signature(agency: Agency | None, signer: str, position: str = "") -> Any:
    """Who signs: a deputy for the head by default (KT.); the position given on the report form instead when
    there is one — the head signs alone, a deputy for the head."""
    from ttdn.documents.decree30 import Signature

    ppc = agency is not None and agency.kind == AgencyKind.PROVINCIAL_PC
    head = "CHỦ TỊCH" if ppc else "GIÁM ĐỐC"
    collective = "TM. ỦY BAN NHÂN DÂN\n" if ppc else ""
    position = " ".join(position.split()).upper()
    if not position:
        return Signature(f"{collective}KT. {head}", f"PHÓ {head}", signer)
    if position.startswith("PHÓ "):
        return Signature(f"{collective}KT. {position.removeprefix('PHÓ ')}", position, signer)
    return Signature(collective.strip(), position, signer)


def _plan_line(plan: Plan) -> str:
    ref = f"Kế hoạch số {plan.reference}" if plan.reference else "Kế hoạch"
    if plan.date:
        ref += f" ngày {plan.date:%d/%m/%Y}"
    if plan.issuer_text:
        ref += f" của {plan.issuer_text}"
    return ref


def _entries_by_task(reports: list[ProgressReport]) -> dict[int, list[tuple[Agency, ReportEntry]]]:
    by_task: dict[int, list[tuple[Agency, ReportEntry]]] = defaultdict(list)
    for entry in ReportEntry.objects.filter(report__in=reports).exclude(text="").select_related("report__agency"):
        by_task[entry.task_id].append((entry.report.agency, entry))
    return by_task


def _evidence_by_task(plan: Plan, periods: list[ReportPeriod]) -> dict[int, list[str]]:
    """Each task's evidence in the periods: the files of its progress updates and the published material linked."""
    if not periods:
        return {}
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    by_task: dict[int, list[str]] = defaultdict(list)
    updates = ProgressUpdate.objects.filter(task__plan=plan, created_at__date__gte=start, created_at__date__lte=end)
    for update in updates.select_related("agency").prefetch_related("evidence", "items__variants").order_by(
            "created_at", "pk"):
        for evidence in update.evidence.all():
            by_task[update.task_id].append(f"tệp “{evidence.filename}” ({update.agency.name})")
        for item in update.items.all():
            source = item.source_variant()
            title = source.title if source is not None and source.title else str(item.uid)
            by_task[update.task_id].append(f"tài liệu “{title}” ({update.agency.name})")
    return by_task


def _general_results(reports: list[ProgressReport], by_year: bool) -> list[Any]:
    """Each agency's general results (Kết quả chung) in its own words."""
    from ttdn.documents.decree30 import Paragraph

    lines = []
    for report in sorted(reports, key=lambda r: (r.agency.name, r.period.year)):
        if report.summary.strip():
            year = f" (năm {report.period.year})" if by_year else ""
            lines.append(Paragraph(f"- {report.agency.name}{year}: {report.summary.strip()}"))
    return lines or [Paragraph("Chưa có báo cáo của các cơ quan, đơn vị.")]


def _task_lines(plan: Plan, reports: list[ProgressReport], periods: list[ReportPeriod]) -> list[Any]:
    from ttdn.documents.decree30 import Paragraph

    body: list[Any] = []
    by_task = _entries_by_task(reports)
    evidence = _evidence_by_task(plan, periods)
    tasks = list(plan.tasks.select_related("section", "lead_agency"))
    sections = list(plan.sections.all())
    by_section: dict[int | None, list[Task]] = defaultdict(list)
    for task in tasks:
        by_section[task.section_id].append(task)
    groups: list[tuple[str, list[Task]]] = [(f"{s.key}. {s.title}", by_section[s.pk]) for s in sections
                                            if by_section[s.pk]]
    if by_section[None]:
        groups.append(("Nhiệm vụ khác", by_section[None]))
    for heading, section_tasks in groups:
        # The plan's own numbering ("II.1. …"), once: the report adds none of its own.
        body.append(Paragraph(heading, bold=True, level=2))
        for task in section_tasks:
            status = STATUS_VI.get(task.effective_status(), "")
            body.append(Paragraph(f"- {task.key} {task.title} (chủ trì: {task.lead_label()}; {status.lower()})",
                                  italic=True))
            lines = by_task.get(task.pk, [])
            if not lines:
                body.append(Paragraph("Chưa có báo cáo kết quả thực hiện."))
            for agency, entry in lines:
                body.append(Paragraph(f"{agency.name}: {entry.text}"))
            if evidence.get(task.pk):
                body.append(Paragraph("Minh chứng: " + "; ".join(evidence[task.pk]) + "."))
    return body


def _indicator_table(plan: Plan) -> Any:
    from ttdn.documents.decree30 import Table

    rows = []
    for n, row in enumerate(services.attainment(plan), start=1):
        unit = row.indicator.unit
        target = row.target
        rows.append([
            str(n), row.indicator.name, f"{target.label}: {_fmt(target.value, unit)}" if target else "—",
            _fmt(row.actual, unit), _fmt(row.percent, "percent") if row.percent is not None else "—",
        ])
    return Table(["TT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đạt"], rows, widths_mm=[10, 70, 35, 25, 25])


def _completeness_table(plan: Plan, periods: list[ReportPeriod]) -> tuple[Any, services.Rates]:
    from ttdn.documents.decree30 import Table

    total, rows = services.reporting_rates(plan, periods=periods)
    labels = {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Chưa gửi", ReportState.DRAFT: "Chưa gửi",
              ReportState.RETURNED: "Trả lại"}
    table_rows = []
    for n, row in enumerate(rows, start=1):
        marks = "; ".join(f"{year}: {labels.get(mark, mark)}" for year, mark in sorted(row.by_year.items()))
        table_rows.append([str(n), row.agency.name, marks])
    return Table(["TT", "Cơ quan, đơn vị", "Tình hình gửi báo cáo"], table_rows, widths_mm=[10, 85, 70]), total


def _document(actor: User, plan: Plan, periods: list[ReportPeriod], title: str, intro: str, signer: str,
              on: dt.date | None, position: str = "") -> bytes:
    with translation.override("vi"):  # an official document: Vietnamese whatever the reader's interface language
        return _write_document(plan, periods, title, intro, signer, on, position)


def _write_document(plan: Plan, periods: list[ReportPeriod], title: str, intro: str, signer: str,
                    on: dt.date | None, position: str = "") -> bytes:
    from ttdn.documents.decree30 import OfficialDocument, Paragraph, write_docx

    reports = list(ProgressReport.objects.filter(period__in=periods, state=ReportState.SUBMITTED)
                   .select_related("agency", "period"))
    agency_name, parent_name, symbol = _heading_agencies(plan)
    body: list[Any] = [Paragraph(intro)]
    body.append(Paragraph("I. KẾT QUẢ CHUNG", bold=True, level=1))
    body.extend(_general_results(reports, by_year=len(periods) > 1))
    body.append(Paragraph("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", bold=True, level=1))
    body.extend(_task_lines(plan, reports, periods))
    body.append(Paragraph("III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", bold=True, level=1))
    body.append(_indicator_table(plan))
    body.append(Paragraph("IV. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", bold=True, level=1))
    table, total = _completeness_table(plan, periods)
    body.append(Paragraph(
        f"Số báo cáo phải gửi: {total.expected}; đã gửi: {total.submitted} "
        f"(tỷ lệ đầy đủ {_fmt(total.completeness, 'percent')}); gửi đúng hạn: {total.on_time} "
        f"(tỷ lệ đúng hạn {_fmt(total.timeliness, 'percent')})."
    ))
    body.append(table)
    difficulties = [f"{r.agency.name}: {r.difficulties}" for r in reports if r.difficulties.strip()]
    proposals = [f"{r.agency.name}: {r.proposals}" for r in reports if r.proposals.strip()]
    body.append(Paragraph("V. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ", bold=True, level=1))
    body.extend(Paragraph(f"- {line}") for line in difficulties + proposals)
    if not difficulties and not proposals:
        body.append(Paragraph("Không có."))
    recipients = []
    if plan.issuing_agency is not None:
        recipients.append(plan.issuing_agency.name + " (b/c)")
    recipients += ["Các sở, ban, ngành, địa phương liên quan", "Lưu: VT"]
    doc = OfficialDocument(
        agency=agency_name, parent_agency=parent_name, number=None, symbol=symbol, place=_place(plan),
        date=on or timezone.localdate(), kind_title="BÁO CÁO", title=title, body=body, recipients=recipients,
        signature=_signature(plan.coordinating_agency, signer, position),
    )
    return write_docx(doc)


def annual_report_docx(actor: User, plan: Plan, year: int, *, signer: str = "", position: str = "",
                       on: dt.date | None = None) -> bytes:
    """The consolidated report of one year: each task with the agencies' submitted texts, indicators, completeness."""
    _check(actor, plan)
    period = plan.periods.filter(year=year).first()
    if period is None:
        raise NotFound(_("The plan has no reporting period for this year."))
    title = f"Kết quả thực hiện {_plan_line(plan)} năm {year}"
    intro = (f"Thực hiện {_plan_line(plan)} về {plan.title[:1].lower() + plan.title[1:]}, "
             f"trên cơ sở báo cáo của các cơ quan, đơn vị, kết quả thực hiện năm {year} như sau:")
    return _document(actor, plan, [period], title, intro, signer, on, position)


def phase_summary_docx(actor: User, plan: Plan, phase: int, *, signer: str = "", position: str = "",
                       on: dt.date | None = None) -> bytes:
    """The summary of a phase (the five-year review) over every yearly report of its years."""
    _check(actor, plan)
    phases = plan.phases or [{"name": f"{plan.period_start.year} - {plan.period_end.year}",
                              "start": plan.period_start.isoformat(), "end": plan.period_end.isoformat()}]
    if not 0 <= phase < len(phases):
        raise NotFound(_("The plan has no such phase."))
    chosen = phases[phase]
    start, end = dt.date.fromisoformat(chosen["start"]), dt.date.fromisoformat(chosen["end"])
    periods = list(plan.periods.filter(year__gte=start.year, year__lte=end.year))
    title = f"Sơ kết, tổng kết thực hiện {_plan_line(plan)} giai đoạn {chosen['name']}"
    intro = (f"Thực hiện {_plan_line(plan)}, trên cơ sở báo cáo của các cơ quan, đơn vị, kết quả thực hiện "
             f"giai đoạn {chosen['name']} như sau:")
    return _document(actor, plan, periods, title, intro, signer, on, position)


def _party_names(task: Task) -> str:
    return "; ".join(c.label() for c in task.coordinators.all())


def tasks_xlsx(actor: User, plan: Plan) -> bytes:
    if not perms.can_view_plan(actor, plan):
        raise PermissionDenied(_("You may not see this plan."))
    with translation.override("vi"):  # an official table: Vietnamese whatever the reader's interface language
        return _tasks_xlsx(plan)


def _tasks_xlsx(plan: Plan) -> bytes:
    from ttdn.documents.xlsx import Sheet, write_xlsx

    rows: list[list[object]] = []
    for task in plan.tasks.select_related("section", "lead_agency").prefetch_related("coordinators__agency"):
        latest = task.updates.first()
        rows.append([
            task.key, task.section.key if task.section else "", task.title, task.lead_label(), _party_names(task),
            task.timeframe_text or task.get_timeframe_kind_display(), task.start, task.end,
            STATUS_VI.get(task.effective_status(), ""), latest.text if latest else "",
        ])
    headers = ["Số TT", "Mục", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện",
               "Từ ngày", "Đến ngày", "Tình trạng", "Tiến độ gần nhất"]
    sheets = [Sheet("Nhiệm vụ", headers, rows, widths=[8, 8, 60, 30, 40, 20, 12, 12, 16, 50])]
    ind_rows: list[list[object]] = []
    for row in services.attainment(plan):
        ind_rows.append([row.indicator.name, row.indicator.get_unit_display(),
                         row.target.label if row.target else "", row.target.value if row.target else None,
                         row.actual, row.percent])
    sheets.append(Sheet("Chỉ tiêu", ["Chỉ tiêu", "Đơn vị", "Giai đoạn", "Mục tiêu", "Kết quả", "Đạt (%)"],
                        ind_rows, widths=[60, 10, 14, 10, 10, 10]))
    return write_xlsx(sheets)


def budget_xlsx(actor: User, plan: Plan) -> bytes:
    """The budget estimates per task and year, consolidated for the Department of Finance."""
    from ttdn.documents.xlsx import Sheet, write_xlsx

    if not perms.can_view_plan(actor, plan):
        raise PermissionDenied(_("You may not see this plan."))
    lines = list(BudgetLine.objects.filter(plan=plan, agency__in=perms.agencies_in_view(actor, plan))
                 .select_related("task", "agency"))
    rows: list[list[object]] = []
    for line in lines:
        rows.append([line.year, line.task.key if line.task else "", line.task.title if line.task else line.note,
                     line.agency.name, int(line.estimate), int(line.approved) if line.approved is not None else None,
                     int(line.spent) if line.spent is not None else None])
    by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in lines:
        sums = by_year[line.year]
        sums[0] += int(line.estimate)
        sums[1] += int(line.approved or 0)
        sums[2] += int(line.spent or 0)
    totals: list[list[object]] = [[year, *sums] for year, sums in sorted(by_year.items())]
    return write_xlsx([
        Sheet("Dự toán", ["Năm", "Nhiệm vụ", "Nội dung", "Cơ quan chủ trì", "Dự toán (đồng)", "Được duyệt (đồng)",
                          "Đã chi (đồng)"], rows, widths=[8, 10, 60, 40, 18, 18, 18]),
        Sheet("Tổng hợp theo năm", ["Năm", "Dự toán (đồng)", "Được duyệt (đồng)", "Đã chi (đồng)"], totals,
              widths=[8, 18, 18, 18]),
    ])

