"""The appraisal opinion as an administrative document (Decree 30/2020 layout), in Vietnamese."""

from __future__ import annotations

from django.utils import timezone

from ttdn.documents.decree30 import OfficialDocument, Paragraph, Signature, Table, write_docx
from ttdn.editorial.models import Decision, Opinion

DECISION_VI = {Decision.APPROVE: "Đồng ý thông qua (phê duyệt)", Decision.RETURN: "Trả lại để chỉnh sửa, bổ sung"}


def opinion_docx(opinion: Opinion) -> bytes:
    appraiser = opinion.appraiser
    agency = appraiser.agency if appraiser is not None else None
    place = "Hà Nội"
    if agency is not None and agency.province is not None:
        place = agency.province.short_name
    item = opinion.item
    checks = list(opinion.checks.all())
    body: list[Paragraph | Table] = [
        Paragraph(f"Tài liệu: {opinion.title}", bold=True),
        Paragraph(f"Cơ quan cung cấp: {item.agency.name}"),
        Paragraph(f"Loại tài liệu: {item.get_kind_display()}; mã: {item.uid}"),
        Paragraph("Kết quả thẩm định theo từng tiêu chí", level=1),
        Table(
            headers=["TT", "Tiêu chí", "Kết quả", "Ghi chú"],
            rows=[[str(n), c.criterion_name, "Đạt" if c.passed else "Không đạt", c.note]
                  for n, c in enumerate(checks, start=1)],
            widths_mm=[12, 63, 25, 65],
        ),
        Paragraph("Ý kiến chung", level=1),
        Paragraph(opinion.comment or "Không có."),
        Paragraph("Kết luận", level=1),
        Paragraph(DECISION_VI.get(Decision(opinion.decision), opinion.decision), bold=True),
    ]
    return write_docx(OfficialDocument(
        agency=(agency.name if agency else "").upper(),
        parent_agency=(agency.parent.name if agency is not None and agency.parent is not None else "").upper(),
        number=None,
        symbol="YKTĐ",
        place=place,
        date=timezone.localdate(opinion.created_at),
        kind_title="Ý KIẾN THẨM ĐỊNH",
        title=f"Tài liệu “{opinion.title}”",
        body=body,
        recipients=[item.agency.name, "Lưu: VT"],
        signature=Signature("NGƯỜI THẨM ĐỊNH", "", opinion.appraiser_name),
    ))
