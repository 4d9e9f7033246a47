"""A plan draft as the reviewer reads it (`ttdn import-plan` prints it before anything is saved)."""

from __future__ import annotations

from .plan_draft import Draft, Party, Period, Proposal, TrainingProposal

# The reasons the parser gives, as the reviewer reads them.
REASONS_VI = {
    "agency not recognised": "không khớp cơ quan nào",
    "timeframe not understood": "không hiểu thời gian",
    "target without a figure": "chỉ tiêu không có số liệu",
    "before the plan's title": "trước tên kế hoạch",
    "introduction": "phần mở đầu",
    "outside any section": "ngoài các mục",
    "after the plan's body": "sau phần nội dung",
    "in the appendix, outside its table": "trong phụ lục, ngoài bảng",
    "table row without a task": "dòng bảng không có nhiệm vụ",
    "plan number not found in the text": "không thấy số kế hoạch",
    "plan date not found in the text": "không thấy ngày ban hành",
    "plan title not found in the text": "không thấy tên kế hoạch",
}


# A place's kind as the word before its name.
SITE_WORDS_VI = {"border_commune": "xã", "gate_main": "cửa khẩu", "gate_international": "cửa khẩu quốc tế",
                 "gate_secondary": "cửa khẩu phụ", "border_post": "đồn biên phòng"}
EQUIPMENT_VI = {"billboard": "pano, bảng tin", "screen": "màn hình", "loudspeaker": "loa", "kiosk": "ki-ốt",
                "edge_box": "thiết bị biên"}


def _proposal(proposal: Proposal) -> str:
    """What a task proposes for the registries, in a line: the classes, or the equipment and where (a site
    matched shows its code, one not yet registered "?")."""
    if isinstance(proposal, TrainingProposal):
        details = [f"tháng {proposal.month[5:7]}/{proposal.month[:4]}" if proposal.month else "",
                   f"mỗi lớp {proposal.capacity} học viên" if proposal.capacity else "", proposal.venue]
        return f"{proposal.classes} lớp bồi dưỡng" + "".join(f"; {d}" for d in details if d)
    places = ", ".join(f"{p.name} [{p.site or '?'}]" for p in proposal.places) or "—"
    return f"{EQUIPMENT_VI.get(proposal.equipment, proposal.equipment)} tại {places}"


def _who(party: Party) -> str:
    code = party.agency or party.group
    return f"{party.text or '—'} [{code}]" if code else f"{party.text or '—'} [?]"


def review_text(draft: Draft) -> str:
    plan = draft.plan
    number = f"{plan.number or '…'}/{plan.symbol or '…'}"
    period = plan.period or Period()
    lines = [
        f"KẾ HOẠCH {number}  {plan.date or ''}",
        f"  {plan.title or ''}",
        f"  Cơ quan ban hành: {plan.issuer or '—'} [{plan.issuer_agency or '?'}]",
        f"  Thời gian: {period.start or '…'} → {period.end or '…'}",
    ]
    for phase in plan.phases:
        lines.append(f"  Giai đoạn: {phase.name}")
    sections = {s.key: s for s in draft.sections}
    current = None
    for task in draft.tasks:
        if task.section != current:
            current = task.section
            section = sections.get(current or "")
            lines.append("")
            lines.append(f"[{current}] {section.title if section else ''}")
        indent = "    " if task.parent else "  "
        tf = task.timeframe
        lines.append(f"{indent}{task.key}  {task.title[:110]}")
        lines.append(f"{indent}    chủ trì: {_who(task.lead)}")
        if task.coordinating:
            lines.append(f"{indent}    phối hợp: " + "; ".join(_who(c) for c in task.coordinating))
        span = f"{tf.kind} {tf.start or '…'} → {tf.end or '…'}"
        lines.append(f"{indent}    thời gian: {tf.text or '—'} ({span})")
        for proposal in task.proposals:
            lines.append(f"{indent}    đề xuất: {_proposal(proposal)}")
    if draft.indicators:
        lines.append("")
        lines.append("Chỉ tiêu:")
        for indicator in draft.indicators:
            targets = ", ".join(f"{t.label}: {t.value}{'%' if indicator.unit == 'percent' else ''}"
                                for t in indicator.targets)
            lines.append(f"  {indicator.key}  {indicator.name[:100]}  ({targets})")
    if draft.unplaced:
        lines.append("")
        lines.append(f"Chưa xếp được ({len(draft.unplaced)}):")
        for entry in draft.unplaced:
            reason = REASONS_VI.get(entry.reason, entry.reason)
            where = f" ({entry.task})" if entry.task else ""
            lines.append(f"  - {reason}{where}: {entry.text[:110]}")
    missing_sites = draft.missing_sites()
    if missing_sites:
        lines.append("")
        lines.append(f"Điểm biên giới chưa đăng ký ({len(missing_sites)}): "
                     + ", ".join(f"{SITE_WORDS_VI.get(p.kind, '')} {p.name}".strip() for p in missing_sites))
    lines.append("")
    lines.append(f"{len(draft.sections)} mục, {len(draft.tasks)} nhiệm vụ, {len(draft.indicators)} chỉ tiêu.")
    return "\n".join(lines)
