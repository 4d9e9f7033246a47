"""The translation desk's part of `ttdn demo`: jobs in every state on real demo material, with hand-written
translations (a Lao one reviewed and public, a Khmer one waiting for review, a Khmer one returned with a word on
one sentence, a Chinese one half done, a Khmer one just asked for), the memory and more glossary terms.

Everything goes through ttdn.translation.services, as the desk's people would do it. Run after content's part
(its material and accounts); a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ttdn.core.registry import DemoPart, demo_part

EDITOR = "tran.minh.duc"  # the central editor: asks for translations and reviews them
LAO_KHMER = "phan.thi.lan"  # translates into Lao and Khmer
CHINESE = "le.hoai.an"  # translates into Chinese and English

# The demo material's Vietnamese titles (ttdn/content/demo_data), and per job its language, translator, the
# state to leave it in, and the translation of each sentence (by its Vietnamese source).
CARRY_PAPERS = "Mang theo giấy tờ tùy thân khi vào vành đai biên giới"
FLASH_FLOOD = "Cảnh báo lũ quét, sạt lở gần biên giới"
HOTLINE = "Phòng, chống mua bán người – gọi 111"
VN_LAO_65 = "Infographic: 65 năm quan hệ ngoại giao Việt Nam – Lào (1962–2027)"

JOBS: list[tuple[str, str, str, str, dict[str, str]]] = [
    (CARRY_PAPERS, "lo", LAO_KHMER, "approved", {
        CARRY_PAPERS: "ນຳເອົາເອກະສານປະຈຳຕົວໄປນຳ ເມື່ອເຂົ້າເຂດແຄມຊາຍແດນ",
        "Tin nhắn nhắc người dân mang giấy tờ tùy thân khi vào vành đai biên giới.":
            "ຂໍ້ຄວາມເຕືອນປະຊາຊົນໃຫ້ນຳເອົາເອກະສານປະຈຳຕົວໄປນຳ ເມື່ອເຂົ້າເຂດແຄມຊາຍແດນ.",
        "BĐBP Gia Lai: Khi vào vành đai biên giới, bà con mang theo CCCD hoặc giấy tờ tùy thân và báo đồn biên "
        "phòng sở tại.": "ປ້ອງກັນຊາຍແດນ ຢາລາຍ: ເມື່ອເຂົ້າເຂດແຄມຊາຍແດນ, ພີ່ນ້ອງຕ້ອງນຳບັດປະຈຳຕົວ ຫຼື ເອກະສານປະຈຳຕົວ"
                         "ໄປນຳ ແລະ ແຈ້ງປ້ອມປ້ອງກັນຊາຍແດນທ້ອງຖິ່ນ.",
        "Không tự ý xê dịch mốc quốc giới.": "ຫ້າມເຄື່ອນຍ້າຍຫຼັກໝາຍຊາຍແດນໂດຍພະລາການ.",
    }),
    (FLASH_FLOOD, "km", LAO_KHMER, "translated", {
        FLASH_FLOOD: "ការព្រមានពីទឹកជំនន់ភ្លាមៗ និងការបាក់ដី នៅជិតព្រំដែន",
        "Tin nhắn cảnh báo mưa lớn, lũ quét ở các bản ven suối gần biên giới.":
            "សារព្រមានពីភ្លៀងធ្លាក់ខ្លាំង និងទឹកជំនន់ភ្លាមៗ នៅភូមិតាមដងអូរជិតព្រំដែន។",
        "UBND xã Pù Nhi: Mưa lớn kéo dài, nguy cơ lũ quét, sạt lở ven suối gần biên giới.":
            "គណៈកម្មាធិការប្រជាជនឃុំពូញី៖ ភ្លៀងធ្លាក់ខ្លាំងជាបន្តបន្ទាប់ មានហានិភ័យទឹកជំនន់ភ្លាមៗ "
            "និងការបាក់ដីតាមដងអូរជិតព្រំដែន។",
        "Không qua suối, ngầm tràn khi nước lên; đưa người và tài sản đến nơi an toàn.":
            "កុំឆ្លងអូរ ឬផ្លូវទឹកលិច ពេលទឹកឡើង ហើយនាំមនុស្ស និងទ្រព្យសម្បត្តិទៅកាន់កន្លែងសុវត្ថិភាព។",
    }),
    (HOTLINE, "km", LAO_KHMER, "returned", {
        HOTLINE: "ការពារ និងប្រយុទ្ធប្រឆាំងការជួញដូរមនុស្ស – ហៅលេខ 111",
        "Tin nhắn cảnh báo thủ đoạn lừa “việc nhẹ lương cao” và số điện thoại 111.":
            "សារព្រមានពីល្បិចបោកប្រាស់ «ការងារស្រួល ប្រាក់ខែខ្ពស់» និងលេខទូរសព្ទ 111។",
        "CA Thanh Hóa: Cảnh giác lời mời “việc nhẹ lương cao” ở nước ngoài.":
            "នគរបាលខេត្តថាញ់ហ័រ៖ ប្រយ័ត្នការអញ្ជើញ «ការងារស្រួល ប្រាក់ខែខ្ពស់» នៅបរទេស។",
        "Không vượt biên trái phép.": "កុំឆ្លងដែនដោយខុសច្បាប់។",
        # The reviewer returns this one: "(miễn phí)" was left out.
        "Nghi ngờ mua bán người, gọi ngay 111 (miễn phí).": "បើសង្ស័យការជួញដូរមនុស្ស សូមហៅលេខ 111 ភ្លាម។",
    }),
    (HOTLINE, "zh-Hans", CHINESE, "in_progress", {
        HOTLINE: "预防和打击拐卖人口——拨打111",
        "Tin nhắn cảnh báo thủ đoạn lừa “việc nhẹ lương cao” và số điện thoại 111.":
            "提醒警惕“轻松高薪”骗局并公布111电话的短信。",
    }),
    (VN_LAO_65, "km", "", "requested", {}),
]
RETURN_WORD = ("Câu cuối thiếu “(miễn phí)”: người dân cần biết gọi 111 không mất tiền.",
               "Nghi ngờ mua bán người, gọi ngay 111 (miễn phí).")

# Memory from earlier work (as a TMX import would bring it), and glossary terms beyond the starting ones.
MEMORY = [
    ("vi", "en", "Không tự ý xê dịch mốc quốc giới.", "Do not move border markers."),
    ("vi", "km", "Không tự ý xê dịch mốc quốc giới.", "កុំផ្លាស់ទីបង្គោលព្រំដែនដោយខ្លួនឯង។"),
    ("vi", "lo", "Không vượt biên trái phép.", "ຫ້າມຂ້າມຊາຍແດນໂດຍຜິດກົດໝາຍ."),
    ("vi", "zh-Hans", "Không vượt biên trái phép.", "不得非法越境。"),
    ("vi", "km", "2027: kỷ niệm 65 năm thiết lập quan hệ ngoại giao.",
     "ឆ្នាំ 2027៖ ខួប 65 ឆ្នាំនៃការបង្កើតទំនាក់ទំនងការទូត។"),
    ("vi", "km", "Việt Nam và Lào thiết lập quan hệ ngoại giao.", "វៀតណាម និងឡាវបានបង្កើតទំនាក់ទំនងការទូត។"),
]
TERMS = [
    ("vi", "en", "Bộ đội Biên phòng", "Border Guard", "preferred", ""),
    ("vi", "lo", "vành đai biên giới", "ເຂດແຄມຊາຍແດນ", "preferred", ""),
    ("vi", "en", "vành đai biên giới", "border belt", "preferred", ""),
    ("vi", "en", "vượt biên trái phép", "illegal border crossing", "preferred", ""),
    ("vi", "en", "CCCD", "CCCD", "do_not_translate", "Căn cước công dân: giữ nguyên, kèm chú thích nếu cần."),
    ("vi", "en", "đồn biên phòng", "border station", "forbidden", "Dùng “border-guard post”."),
]


def _item(title: str) -> object | None:
    from ttdn.content.models import Item

    return Item.objects.filter(variants__language="vi", variants__title=title).distinct().first()


@demo_part(order=30)
def build_demo(log: Callable[[str], None]) -> DemoPart:
    from django.utils import timezone

    from ttdn.accounts.models import User
    from ttdn.translation import exchange, services
    from ttdn.translation.models import Job

    editor = User.objects.filter(username=EDITOR).first()
    people = {u.username: u for u in User.objects.filter(username__in=[LAO_KHMER, CHINESE])}
    if editor is None or len(people) < 2 or Job.objects.exists():
        return DemoPart()
    made: dict[str, int] = {}
    for title, language, translator, state, texts in JOBS:
        item = _item(title)
        if item is None:
            continue
        who = people.get(translator)
        due = timezone.localdate() + dt.timedelta(days=7 if state == "requested" else 3)
        job = services.do_request(editor, item, services.RequestData(  # type: ignore[arg-type]
            languages=[language], translator_id=who.pk if who else None,
            reviewer_id=editor.pk if who else None, due=due))[0]
        for segment in job.segments.order_by("position"):
            if segment.source in texts and who is not None:
                services.do_save_segment(who, segment, texts[segment.source])
        job.refresh_from_db()
        if state in ("approved", "translated", "returned") and who is not None:
            services.do_submit(who, job)
            if state == "approved":
                services.do_approve(editor, job)
            elif state == "returned":
                word, source = RETURN_WORD
                segment_pk = job.segments.get(source=source).pk
                services.do_return(editor, job, "Cần sửa một câu.", {segment_pk: word})
        job.refresh_from_db()
        made[job.get_state_display()] = made.get(job.get_state_display(), 0) + 1
    services.do_import_memory(editor, [exchange.MemoryEntry(s, t, a, b, "sms") for s, t, a, b in MEMORY])
    services.do_import_terms(editor, [exchange.TermEntry(*row) for row in TERMS])
    line = (f"translation desk: {sum(made.values())} jobs ("
            + ", ".join(f"{n} {label}" for label, n in sorted(made.items())) + f"), {len(MEMORY)} memory units "
            f"and {len(TERMS)} glossary terms added")
    log(line)
    return DemoPart(lines=[line])
