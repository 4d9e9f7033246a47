"""The central office's starting checklist; the operator edits it in the admin afterwards."""

from typing import Any

from django.db import migrations

CRITERIA = [
    ("facts", "Tính chính xác của thông tin, số liệu", "Accuracy of facts and figures",
     "Sự kiện, số liệu, tên người, địa danh, thời gian đúng và có nguồn kiểm chứng."),
    ("sovereignty", "Bản đồ, chủ quyền, biên giới lãnh thổ", "Maps and sovereignty",
     "Bản đồ thể hiện đúng chủ quyền, đường biên giới, Hoàng Sa, Trường Sa; tên gọi biên giới, cửa khẩu đúng."),
    ("sensitivity", "Vấn đề dân tộc, tôn giáo nhạy cảm", "Ethnic and religious sensitivity",
     "Không có nội dung xúc phạm, kỳ thị hoặc gây hiểu lầm về dân tộc, tôn giáo, tín ngưỡng, quan hệ với nước láng giềng."),
    ("sources", "Nguồn tin và quyền tác giả", "Sources and rights",
     "Nguồn tin rõ ràng; ảnh, video, âm thanh, văn bản được phép sử dụng (bản quyền, chân dung)."),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Criterion = apps.get_model("editorial", "Criterion")
    for position, (code, name, name_en, guidance) in enumerate(CRITERIA):
        Criterion.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "guidance": guidance, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("editorial", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
