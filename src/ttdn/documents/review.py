"""A plan draft as the reviewer reads it (`ttdn import-plan` prints it before anything is saved)."""

from __future__ import annotations

from typing import Any

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


def _who(entry: dict[str, Any]) -> str:
    code = entry.get("agency") or entry.get("group")
    return f"{entry.get('text') or '—'} [{code}]" if code else f"{entry.get('text') or '—'} [?]"


def review_text(draft: dict[str, Any]) -> str:
    plan = draft["plan"]
    number = f"{plan['number'] or '…'}/{plan['symbol'] or '…'}"
    period = plan.get("period") or {}
    lines = [
        f"KẾ HOẠCH {number}  {plan.get('date') or ''}",
        f"  {plan.get('title') or ''}",
        f"  Cơ quan ban hành: {plan.get('issuer') or '—'} [{plan.get('issuer_agency') or '?'}]",
        f"  Thời gian: {period.get('start', '…')} → {period.get('end', '…')}",
    ]
    for phase in plan.get("phases", []):
        lines.append(f"  Giai đoạn: {phase['name']}")
    sections = {s["key"]: s for s in draft["sections"]}
    current = None
    for task in draft["tasks"]:
        if task["section"] != current:
            current = task["section"]
            section = sections.get(current or "")
            lines.append("")
            lines.append(f"[{current}] {section['title'] if section else ''}")
        indent = "    " if task["parent"] else "  "
        tf = task["timeframe"]
        lines.append(f"{indent}{task['key']}  {task['title'][:110]}")
        lines.append(f"{indent}    chủ trì: {_who(task['lead'])}")
        if task["coordinating"]:
            lines.append(f"{indent}    phối hợp: " + "; ".join(_who(c) for c in task["coordinating"]))
        span = f"{tf['kind']} {tf['start'] or '…'} → {tf['end'] or '…'}"
        lines.append(f"{indent}    thời gian: {tf['text'] or '—'} ({span})")
    if draft["indicators"]:
        lines.append("")
        lines.append("Chỉ tiêu:")
        for indicator in draft["indicators"]:
            targets = ", ".join(f"{t['label']}: {t['value']}{'%' if indicator['unit'] == 'percent' else ''}"
                                for t in indicator["targets"])
            lines.append(f"  {indicator['key']}  {indicator['name'][:100]}  ({targets})")
    if draft["unplaced"]:
        lines.append("")
        lines.append(f"Chưa xếp được ({len(draft['unplaced'])}):")
        for entry in draft["unplaced"]:
            reason = REASONS_VI.get(entry["reason"], entry["reason"])
            where = f" ({entry['task']})" if entry.get("task") else ""
            lines.append(f"  - {reason}{where}: {entry['text'][:110]}")
    lines.append("")
    lines.append(f"{len(draft['sections'])} mục, {len(draft['tasks'])} nhiệm vụ, {len(draft['indicators'])} chỉ tiêu.")
    return "\n".join(lines)
