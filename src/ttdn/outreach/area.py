"""The area broadcast order as the operators receive it: the texts per language with their segment counts, the
communes, the schedule — as a workbook (XLSX), a flat CSV and an official letter (DOCX, Decree 30 layout).
Always in Vietnamese: it is an official document whatever the reader's interface language."""

from __future__ import annotations

import csv
import io

from django.utils import timezone, translation

from ttdn.core import languages
from ttdn.core.sms import analyse
from ttdn.outreach.models import Campaign


def _when(value: object) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""  # type: ignore[arg-type]


def order_lines(campaign: Campaign) -> dict[str, list[list[object]]]:
    texts: list[list[object]] = []
    for t in campaign.texts.order_by("language"):
        info = analyse(t.text, no_accents=campaign.no_accents and t.language == "vi")
        texts.append([t.language, languages.name(t.language), info.text, info.encoding, info.characters,
                      info.segments])
    communes: list[list[object]] = [[c.gso_code, c.name, c.parent.name if c.parent else ""]
                for c in campaign.communes.select_related("parent").order_by("gso_code")]
    quiet = ("" if campaign.quiet_start == campaign.quiet_end
             else f"{campaign.quiet_start:%H:%M}–{campaign.quiet_end:%H:%M}")
    schedule: list[list[object]] = [["Bắt đầu", _when(campaign.start_at) or "Ngay khi nhận lệnh"],
                ["Không phát sau", _when(campaign.expires_at) or "—"],
                ["Giờ không phát", quiet or "—"], ["Tên người gửi", campaign.sender_name]]
    return {"texts": texts, "communes": communes, "schedule": schedule}


TEXT_HEADERS = ["Mã ngôn ngữ", "Ngôn ngữ", "Nội dung", "Mã hóa", "Số ký tự", "Số phần tin SMS"]
COMMUNE_HEADERS = ["Mã xã", "Tên xã", "Tỉnh"]


def order_xlsx(campaign: Campaign) -> bytes:
    from ttdn.documents.xlsx import Sheet, write_xlsx

    lines = order_lines(campaign)
    return write_xlsx([Sheet("Nội dung", TEXT_HEADERS, lines["texts"]),
                       Sheet("Địa bàn", COMMUNE_HEADERS, lines["communes"]),
                       Sheet("Lịch phát", ["Mục", "Giá trị"], [list(r) for r in lines["schedule"]])])


def order_csv(campaign: Campaign) -> bytes:
    """One row per (language, commune): what a script at the operator reads."""
    lines = order_lines(campaign)
    schedule = dict((str(k), str(v)) for k, v in lines["schedule"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ma_ngon_ngu", "noi_dung", "so_doan", "ma_xa", "ten_xa", "bat_dau", "khong_phat_sau",
                     "gio_khong_phat", "ten_nguoi_gui"])
    for lang, _name, text, _enc, _chars, segments in lines["texts"]:
        for code, commune, _province in lines["communes"]:
            writer.writerow([lang, text, segments, code, commune, schedule["Bắt đầu"], schedule["Không phát sau"],
                             schedule["Giờ không phát"], schedule["Tên người gửi"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def order_docx(campaign: Campaign) -> bytes:
    from ttdn.documents.decree30 import OfficialDocument, Paragraph, Signature, Table, write_docx

    lines = order_lines(campaign)
    with translation.override("vi"):
        agency = campaign.agency
        parent = getattr(agency, "parent", None)
        body: list[Paragraph | Table] = [
            Paragraph("Thực hiện nhiệm vụ thông tin đối ngoại tại khu vực biên giới, đề nghị các doanh nghiệp viễn "
                      "thông phát tin nhắn theo địa bàn (phát quảng bá) tới thuê bao đang ở các xã dưới đây, với "
                      "nội dung và lịch phát như sau:"),
            Paragraph("1. Nội dung tin nhắn", bold=True, level=2),
            Table(["Ngôn ngữ", "Nội dung", "Mã hóa", "Số phần tin"],
                  [[str(r[1]), str(r[2]), str(r[3]), str(r[5])] for r in lines["texts"]], [30, 95, 20, 20]),
            Paragraph("2. Địa bàn phát", bold=True, level=2),
            Table(COMMUNE_HEADERS, [[str(c) for c in r] for r in lines["communes"]], [25, 80, 60]),
            Paragraph("3. Lịch phát", bold=True, level=2),
            *[Paragraph(f"- {k}: {v}") for k, v in lines["schedule"]],
            Paragraph("Đề nghị doanh nghiệp báo cáo kết quả (số thuê bao đã phát, số tin đến máy, chi phí) theo từng "
                      "xã sau khi hoàn thành."),
        ]
        doc = OfficialDocument(
            agency=agency.name.upper(), parent_agency=(parent.name.upper() if parent else ""), number=None,
            symbol=f"{agency.abbreviation or 'TTĐN'}-TTĐN", place="", date=timezone.localdate(),
            kind_title="CÔNG VĂN", title=f"V/v phát tin nhắn theo địa bàn: {campaign.title}", body=body,
            recipients=["Các doanh nghiệp viễn thông", "Lưu: VT"],
            signature=Signature("", "", campaign.approved_by.display_name() if campaign.approved_by else ""))
        return write_docx(doc)
