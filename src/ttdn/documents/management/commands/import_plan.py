"""`ttdn import-plan FILE`: read a plan (TXT, DOCX, PDF) and print the proposed draft for review.

`--format json` prints the draft as JSON, `--format text` a readable review; nothing is saved unless `--save
--user USERNAME` is given, which hands the draft to the plans service as that user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.accounts.models import Agency
from ttdn.core.errors import ServiceError
from ttdn.documents.agency_match import resolve_province
from ttdn.documents.plan_import import parse_plan, read_plan_file


class Command(BaseCommand):
    help = "Read a plan (TXT, DOCX or PDF) and print the proposed draft; --save creates it after review."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--province", help="the province whose agencies to match (AdminUnit key or name)")
        parser.add_argument("--save", action="store_true", help="create the plan from the draft")
        parser.add_argument("--user", help="the account the plan is created as (with --save)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if options["save"] and not options["user"]:
            raise CommandError("--save needs --user USERNAME")
        agencies = Agency.objects.all()
        if options["province"]:
            province = resolve_province(options["province"])
            if province is None:
                raise CommandError(f"unknown province: {options['province']}")
            agencies = agencies.filter(province__isnull=True) | agencies.filter(province=province)
        try:
            draft = parse_plan(read_plan_file(path), agencies=agencies)
        except ServiceError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(draft, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(review_text(draft))
        if options["save"]:
            self.save(draft, options["user"])

    def save(self, draft: dict[str, Any], username: str) -> None:
        from ttdn.accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username}")
        try:
            from ttdn.programme.services import do_import_plan  # type: ignore[attr-defined]
        except ImportError as exc:
            raise CommandError("plans cannot be saved on this installation yet") from exc
        try:
            plan = do_import_plan(user, draft)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(f"saved: {plan}")


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
