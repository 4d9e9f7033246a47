"""Families of material about border gates, trade and natural disasters, in every language they are written in.

Each family is one kind of recurring material (a gate's opening hours, a flood warning for a river, a yearly
trade fair); its instances are the places, years and figures that make each item different. Slots in braces
are filled from places.py or from the instance.
"""

# ruff: noqa: E501 — whole sentences in many scripts read better on one line each.
from __future__ import annotations

from tests.search.gold.model import Family, T

GATE_HOURS = Family(
    key="gate-hours",
    kind="leaflet",
    topics=["kinh-te-cua-khau"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad"],
    everywhere=("zh-Hans",),
    instances=[
        {"gate": g, "year": y, "open": o, "close": c}
        for g, y, o, c in [
            ("le-thanh", 2024, "7:00", "17:00"), ("le-thanh", 2026, "7:00", "19:00"),
            ("duc-lap", 2024, "7:30", "16:30"), ("duc-lap", 2026, "7:00", "17:00"),
            ("bu-prang", 2025, "7:00", "17:00"), ("moc-bai", 2025, "6:00", "22:00"),
            ("tinh-bien", 2025, "6:00", "20:00"), ("bo-y", 2024, "7:00", "18:00"), ("bo-y", 2026, "7:00", "19:00"),
            ("na-meo", 2025, "7:30", "16:30"), ("lao-bao", 2025, "7:00", "22:00"), ("cau-treo", 2025, "7:00", "18:00"),
            ("tay-trang", 2025, "7:00", "17:00"), ("huu-nghi", 2025, "7:00", "23:00"),
            ("mong-cai", 2025, "7:00", "22:00"), ("lao-cai", 2025, "7:00", "22:00"),
        ]
    ],
    texts={
        "vi": T(
            ["Thông báo giờ làm việc của {gate} từ năm {year}", "Giờ mở cửa {gate} năm {year}"],
            "Từ năm {year}, {gate} làm thủ tục xuất nhập cảnh từ {open} đến {close} hằng ngày, kể cả thứ Bảy, "
            "Chủ nhật và ngày lễ.",
            ["Người và phương tiện xuất cảnh, nhập cảnh được giải quyết thủ tục liên tục trong giờ làm việc.",
             "Ngoài giờ làm việc, chỉ giải quyết các trường hợp cấp cứu, thiên tai hoặc công vụ khẩn cấp.",
             "Đề nghị người dân và doanh nghiệp sắp xếp thời gian đi lại phù hợp để tránh ùn tắc tại cửa khẩu.",
             "Thông tin chi tiết xin liên hệ Đồn Biên phòng cửa khẩu."],
        ),
        "en": T(
            ["Opening hours of {gate} from {year}", "{gate}: new working hours ({year})"],
            "From {year}, {gate} handles entry and exit procedures from {open} to {close} every day, including "
            "weekends and public holidays.",
            ["Travellers and vehicles are cleared continuously during opening hours.",
             "Outside these hours only medical emergencies, natural disasters and urgent official business are "
             "handled.",
             "Please plan your journey to avoid queues at the gate.",
             "For details, contact the Border Guard Post at the gate."],
        ),
        "lo": T(
            ["ແຈ້ງການເວລາເຮັດວຽກຂອງ{gate} ແຕ່ປີ {year}", "ເວລາເປີດ-ປິດ{gate} ປີ {year}"],
            "ແຕ່ປີ {year} ເປັນຕົ້ນໄປ {gate} ເປີດບໍລິການອອກ-ເຂົ້າເມືອງແຕ່ເວລາ {open} ຫາ {close} ທຸກວັນ ລວມທັງວັນເສົາ "
            "ວັນອາທິດ ແລະ ວັນພັກ.",
            ["ຜູ້ເດີນທາງ ແລະ ພາຫະນະ ຈະໄດ້ຮັບການບໍລິການຢ່າງຕໍ່ເນື່ອງໃນເວລາເຮັດວຽກ.",
             "ນອກເວລາເຮັດວຽກ ແມ່ນບໍລິການສະເພາະກໍລະນີສຸກເສີນ ໄພທຳມະຊາດ ຫຼື ວຽກງານລັດຮີບດ່ວນເທົ່ານັ້ນ.",
             "ຂໍໃຫ້ປະຊາຊົນ ແລະ ວິສາຫະກິດ ຈັດເວລາເດີນທາງໃຫ້ເໝາະສົມ ເພື່ອຫຼີກລ່ຽງການແອອັດຢູ່ດ່ານ."],
        ),
        "km": T(
            ["សេចក្តីជូនដំណឹងអំពីម៉ោងធ្វើការនៃ{gate} ចាប់ពីឆ្នាំ {year}", "ម៉ោងបើកទ្វារ{gate} ឆ្នាំ {year}"],
            "ចាប់ពីឆ្នាំ {year} {gate}បំពេញនីតិវិធីចេញចូលពីម៉ោង {open} ដល់ម៉ោង {close} រៀងរាល់ថ្ងៃ "
            "រួមទាំងថ្ងៃសៅរ៍ ថ្ងៃអាទិត្យ និងថ្ងៃបុណ្យ។",
            ["អ្នកដំណើរ និងយានយន្តត្រូវបានបំពេញនីតិវិធីជាបន្តបន្ទាប់ក្នុងម៉ោងធ្វើការ។",
             "ក្រៅម៉ោងធ្វើការ មានតែករណីសង្គ្រោះបន្ទាន់ គ្រោះធម្មជាតិ ឬកិច្ចការរដ្ឋបន្ទាន់ប៉ុណ្ណោះដែលត្រូវបានដោះស្រាយ។",
             "សូមប្រជាជន និងសហគ្រាសរៀបចំពេលវេលាធ្វើដំណើរឱ្យសមស្រប ដើម្បីជៀសវាងការកកស្ទះនៅច្រកព្រំដែន។"],
        ),
        "zh-Hans": T(
            ["{gate}自{year}年起的工作时间通知", "{gate}{year}年开放时间"],
            "自{year}年起，{gate}开放时间为每天{open}至{close}，办理出入境手续，周末和节假日照常办理。",
            ["工作时间内，出入境人员和车辆可连续办理通关手续。",
             "工作时间以外，仅办理急救、自然灾害和紧急公务等情况。",
             "请居民和企业合理安排出行时间，避免在口岸拥堵。"],
        ),
        "jra": T(
            ["Mông pŏk {gate} thŭn {year}"],
            "Mơ̆ng thŭn {year}, {gate} pŏk mơ̆ng {open} truh {close} rĭm hrơi.",
            ["Ƀing ană plơi khŏm djă ba hră pơar tơdah tơbiă mŭt."],
        ),
        "rad": T(
            ["Mông pŏk {gate} hlăm thŭn {year}"],
            "Mơ̆ng thŭn {year}, {gate} pŏk mơ̆ng {open} truh {close} grăp hruê.",
            ["Mnuih ƀuôn sang brei djă ba hră mñă tơdah kbiă mŭt knông čar."],
        ),
    },
)

GATE_GUIDE = Family(
    key="gate-guide",
    kind="leaflet",
    topics=["kinh-te-cua-khau", "luat-bien-gioi"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad"],
    instances=[{"gate": g, "n": n} for g, n in [
        ("le-thanh", 6), ("duc-lap", 6), ("bu-prang", 6), ("moc-bai", 6), ("tinh-bien", 6), ("bo-y", 6),
        ("na-meo", 6), ("lao-bao", 6), ("cau-treo", 6), ("tay-trang", 6), ("huu-nghi", 6), ("mong-cai", 6),
        ("lao-cai", 6),
    ]],
    texts={
        "vi": T(
            ["Hướng dẫn xuất cảnh, nhập cảnh qua {gate}", "Những điều cần biết khi qua {gate}"],
            "Giấy tờ cần mang theo, hàng hóa bị cấm và thủ tục hải quan khi qua {gate} ({prov}) sang {neigh}.",
            ["Mang theo hộ chiếu còn giá trị ít nhất {n} tháng hoặc giấy thông hành biên giới đối với cư dân "
             "biên giới.",
             "Khai báo hải quan đối với ngoại tệ, vàng và hàng hóa vượt định mức miễn thuế.",
             "Không mang theo vũ khí, vật liệu nổ, ma túy, động vật hoang dã và hàng giả.",
             "Phương tiện cá nhân phải có giấy đăng ký xe và giấy phép liên vận.",
             "Khi cần hỗ trợ, liên hệ Đồn Biên phòng cửa khẩu hoặc Chi cục Hải quan cửa khẩu."],
        ),
        "en": T(
            ["Crossing the border at {gate}", "What to know before crossing at {gate}"],
            "Documents to bring, prohibited goods and customs procedures at {gate} ({prov}) to {neigh}.",
            ["Bring a passport valid for at least {n} more months, or a border pass if you live in the border "
             "area.",
             "Declare foreign currency, gold and goods above the duty-free allowance to customs.",
             "Do not carry weapons, explosives, drugs, wildlife or counterfeit goods.",
             "Private vehicles need their registration papers and a cross-border transport permit.",
             "For help, contact the Border Guard Post or the Customs Branch at the gate."],
        ),
        "lo": T(
            ["ຄຳແນະນຳການເດີນທາງອອກ-ເຂົ້າຜ່ານ{gate}", "ຂໍ້ຄວນຮູ້ເມື່ອເດີນທາງຜ່ານ{gate}"],
            "ເອກະສານທີ່ຕ້ອງນຳຕິດຕົວ ສິນຄ້າຕ້ອງຫ້າມ ແລະ ຂັ້ນຕອນພາສີ ເມື່ອຜ່ານ{gate} ໄປແຂວງ{neigh}.",
            ["ນຳໜັງສືຜ່ານແດນທີ່ຍັງມີອາຍຸຢ່າງໜ້ອຍ {n} ເດືອນ ຫຼື ບັດຜ່ານແດນສຳລັບປະຊາຊົນຊາຍແດນ.",
             "ແຈ້ງພາສີສຳລັບເງິນຕາຕ່າງປະເທດ ຄຳ ແລະ ສິນຄ້າທີ່ເກີນກຳນົດ.",
             "ຫ້າມນຳອາວຸດ ລະເບີດ ຢາເສບຕິດ ສັດປ່າ ແລະ ສິນຄ້າປອມ.",
             "ພາຫະນະສ່ວນຕົວຕ້ອງມີໃບທະບຽນລົດ ແລະ ໃບອະນຸຍາດຂົນສົ່ງຂ້າມແດນ."],
        ),
        "km": T(
            ["ការណែនាំអំពីការចេញចូលតាម{gate}", "អ្វីដែលត្រូវដឹងមុនពេលឆ្លងកាត់{gate}"],
            "ឯកសារដែលត្រូវយកតាមខ្លួន ទំនិញហាមឃាត់ និងនីតិវិធីគយ នៅ{gate} ឆ្ពោះទៅខេត្ត{neigh}។",
            ["យកលិខិតឆ្លងដែនដែលនៅមានសុពលភាពយ៉ាងតិច {n} ខែ ឬលិខិតអនុញ្ញាតឆ្លងព្រំដែនសម្រាប់ប្រជាជនព្រំដែន។",
             "ប្រកាសប្រាក់បរទេស មាស និងទំនិញលើសកម្រិតលើកលែងពន្ធ ទៅមន្ត្រីគយ។",
             "ហាមយកអាវុធ គ្រឿងផ្ទុះ គ្រឿងញៀន សត្វព្រៃ និងទំនិញក្លែងក្លាយ។",
             "យានយន្តផ្ទាល់ខ្លួនត្រូវមានប័ណ្ណចុះបញ្ជីរថយន្ត និងលិខិតអនុញ្ញាតដឹកជញ្ជូនឆ្លងដែន។"],
        ),
        "zh-Hans": T(
            ["经{gate}出入境指南", "通过{gate}须知"],
            "经{gate}（{prov}）前往{neigh}时须携带的证件、禁止携带的物品和海关手续。",
            ["请携带有效期至少{n}个月的护照，边境居民可使用边境通行证。",
             "外币、黄金和超过免税限额的物品须向海关申报。",
             "禁止携带武器、爆炸物、毒品、野生动物和假冒商品。",
             "自驾车辆须携带车辆登记证和跨境运输许可证。"],
        ),
        "jra": T(
            ["Tơlơi pơtô kơ tơlơi tơbiă mŭt ƀơi {gate}"],
            "Hră pơar khŏm djă ba laih anŭn gơnam ƀu brơi ba tơdah găn {gate}.",
            ["Anăm ba phao, jrao ma túy laih anŭn hlô mơnơ̆ng glai."],
        ),
        "rad": T(
            ["Klei mblang kơ klei kbiă mŭt ti {gate}"],
            "Hră mñă brei djă ba leh anăn mnơ̆ng amâo brei ba tơdah găn {gate}.",
            ["Đăm ba ôh phao, ma túy leh anăn hlô mnơ̆ng hlăm kmrơ̆ng."],
        ),
    },
)

TRADE_FAIR = Family(
    key="trade-fair",
    kind="article",
    topics=["xuc-tien-dau-tu", "kinh-te-cua-khau"],
    langs=["vi", "en", "lo", "km", "zh-Hans"],
    everywhere=("zh-Hans",),
    instances=[
        {"gate": g, "year": y, "month": m, "n": n}
        for g, y, m, n in [
            ("le-thanh", 2023, 11, 120), ("le-thanh", 2024, 12, 150), ("le-thanh", 2025, 12, 180),
            ("moc-bai", 2024, 10, 300), ("moc-bai", 2025, 10, 320), ("tinh-bien", 2025, 4, 200),
            ("na-meo", 2024, 10, 130), ("na-meo", 2025, 10, 150), ("lao-bao", 2023, 8, 250), ("lao-bao", 2025, 8, 280),
            ("cau-treo", 2025, 6, 140), ("bo-y", 2024, 9, 110), ("bo-y", 2025, 9, 130),
            ("lao-cai", 2024, 11, 400), ("lao-cai", 2025, 11, 450), ("mong-cai", 2025, 12, 500),
            ("huu-nghi", 2025, 9, 350),
        ]
    ],
    texts={
        "vi": T(
            ["Hội chợ thương mại biên giới Việt Nam – {country} tại {gate} năm {year}",
             "Khai mạc Hội chợ thương mại quốc tế {gate} {year}"],
            "Hội chợ thương mại biên giới Việt Nam – {country} diễn ra vào {month} năm {year} với khoảng {n} gian hàng của doanh nghiệp {prov} và tỉnh "
            "{neigh}.",
            ["Các gian hàng giới thiệu nông sản, hàng tiêu dùng, thủ công mỹ nghệ và máy móc nông nghiệp.",
             "Bên lề hội chợ có hội thảo xúc tiến thương mại và ký kết hợp đồng giữa doanh nghiệp hai nước.",
             "Ban tổ chức bố trí khu ẩm thực và biểu diễn văn nghệ của đồng bào các dân tộc.",
             "Hội chợ góp phần tăng kim ngạch xuất nhập khẩu qua cửa khẩu và quảng bá sản phẩm địa phương."],
        ),
        "en": T(
            ["Vietnam–{country} border trade fair at {gate}, {year}",
             "{gate} international trade fair {year} opens"],
            "The Vietnam–{country} border trade fair runs in {month} {year} with about {n} stands from businesses of {prov} and {neigh}.",
            ["Stands show farm produce, consumer goods, handicrafts and farm machinery.",
             "Trade promotion seminars and contract signings between companies of both countries are held "
             "alongside.",
             "There is a food court and performances by ethnic art troupes.",
             "The fair helps raise trade through the gate and promotes local products."],
        ),
        "lo": T(
            ["ງານວາງສະແດງສິນຄ້າຊາຍແດນ ຫວຽດນາມ – {country} ຢູ່{gate} ປີ {year}",
             "ເປີດງານວາງສະແດງສິນຄ້າສາກົນ{gate} {year}"],
            "ງານວາງສະແດງຈັດຂຶ້ນໃນເດືອນ{month} {year} ມີປະມານ {n} ຮ້ານ ຂອງວິສາຫະກິດແຂວງ{prov} ແລະ ແຂວງ{neigh}.",
            ["ບັນດາຮ້ານວາງສະແດງຜະລິດຕະພັນກະສິກຳ ເຄື່ອງໃຊ້ ຫັດຖະກຳ ແລະ ເຄື່ອງຈັກກະສິກຳ.",
             "ມີກອງປະຊຸມສົ່ງເສີມການຄ້າ ແລະ ການເຊັນສັນຍາລະຫວ່າງວິສາຫະກິດສອງປະເທດ.",
             "ງານດັ່ງກ່າວປະກອບສ່ວນເພີ່ມມູນຄ່າການຄ້າຜ່ານດ່ານ."],
        ),
        "km": T(
            ["ពិព័រណ៍ពាណិជ្ជកម្មព្រំដែនវៀតណាម – {country} នៅ{gate} ឆ្នាំ {year}",
             "បើកពិព័រណ៍ពាណិជ្ជកម្មអន្តរជាតិ{gate} {year}"],
            "ពិព័រណ៍ប្រព្រឹត្តទៅក្នុងខែ{month} ឆ្នាំ {year} មានស្តង់ប្រមាណ {n} របស់សហគ្រាសខេត្ត{prov} និងខេត្ត{neigh}។",
            ["ស្តង់នានាដាក់តាំងកសិផល ទំនិញប្រើប្រាស់ សិប្បកម្ម និងគ្រឿងយន្តកសិកម្ម។",
             "មានសិក្ខាសាលាលើកកម្ពស់ពាណិជ្ជកម្ម និងការចុះកិច្ចសន្យារវាងសហគ្រាសពីរប្រទេស។",
             "ពិព័រណ៍នេះរួមចំណែកបង្កើនទំហំពាណិជ្ជកម្មឆ្លងកាត់ច្រកព្រំដែន។"],
        ),
        "zh-Hans": T(
            ["{year}年越南—{country}边境贸易博览会在{gate}举办", "{year}年{gate}国际商品交易会开幕"],
            "交易会于{year}年{month}举行，{prov}和{neigh}的企业共设约{n}个展位。",
            ["展位展示农产品、日用消费品、手工艺品和农业机械。",
             "交易会期间举办贸易促进研讨会，两国企业签订合作合同。",
             "交易会有助于扩大口岸进出口贸易额，推广地方特色产品。"],
        ),
    },
)

FLOOD = Family(
    key="flood",
    kind="sms",
    topics=["an-toan-thien-tai"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad", "bdq", "hnj"],
    instances=[
        {"river": r, "year": y, "month": m, "n": n}
        for r, y, m, n in [
            ("se-san", 2023, 10, 2), ("se-san", 2024, 9, 3), ("se-san", 2025, 11, 2),
            ("srepok", 2023, 10, 2), ("srepok", 2024, 11, 3), ("srepok", 2025, 10, 1),
            ("ba", 2024, 11, 3), ("ba", 2025, 11, 2), ("krong-ana", 2024, 10, 2), ("krong-ana", 2025, 10, 2),
            ("ma", 2024, 9, 2), ("ma", 2025, 8, 3), ("ca", 2024, 9, 3), ("ca", 2025, 9, 2),
            ("hong", 2024, 9, 3), ("hong", 2025, 7, 2),
        ]
    ],
    texts={
        "vi": T(
            ["Cảnh báo lũ trên {river} {month} năm {year}", "Tin cảnh báo lũ khẩn cấp: {river} ({prov})"],
            "Trong {month} năm {year}, mực nước {river} ({prov}) đang lên nhanh, có thể vượt báo động {n} trong 24 giờ tới; người dân ven sông "
            "không qua lại ngầm, tràn.",
            ["Di chuyển người, gia súc và tài sản đến nơi an toàn.",
             "Không đánh bắt cá, vớt củi trên sông khi có lũ.",
             "Theo dõi tin cảnh báo trên loa truyền thanh xã và làm theo hướng dẫn của chính quyền.",
             "Khi cần cứu hộ, gọi số 112."],
        ),
        "en": T(
            ["Flood warning for the {river}, {month} {year}", "Urgent flood warning: {river} ({prov})"],
            "In {month} {year} the {river} ({prov}) is rising fast and may pass alert level {n} within 24 hours; people living along the "
            "river must not cross fords or spillways.",
            ["Move people, livestock and belongings to safe ground.",
             "Do not fish or collect driftwood in the river during the flood.",
             "Follow warnings on the commune loudspeakers and the instructions of the authorities.",
             "For rescue, call 112."],
        ),
        "lo": T(
            ["ແຈ້ງເຕືອນນ້ຳຖ້ວມ{river} ເດືອນ{month} {year}", "ແຈ້ງເຕືອນນ້ຳຖ້ວມດ່ວນ: {river}"],
            "ລະດັບນ້ຳ{river}ກຳລັງຂຶ້ນໄວ ອາດຈະເກີນລະດັບເຕືອນໄພ {n} ພາຍໃນ 24 ຊົ່ວໂມງ ປະຊາຊົນແຄມນ້ຳບໍ່ຄວນຂ້າມນ້ຳ.",
            ["ຍ້າຍຄົນ ສັດລ້ຽງ ແລະ ຊັບສິນໄປບ່ອນປອດໄພ.",
             "ບໍ່ຫາປາ ຫຼື ເກັບຟືນໃນແມ່ນ້ຳໃນເວລານ້ຳຖ້ວມ.",
             "ຕິດຕາມຂ່າວແຈ້ງເຕືອນທາງລຳໂພງບ້ານ ແລະ ປະຕິບັດຕາມຄຳແນະນຳຂອງເຈົ້າໜ້າທີ່."],
        ),
        "km": T(
            ["ការព្រមានទឹកជំនន់នៅ{river} ខែ{month} ឆ្នាំ {year}", "ការព្រមានបន្ទាន់អំពីទឹកជំនន់៖ {river}"],
            "កម្ពស់ទឹក{river}កំពុងឡើងយ៉ាងលឿន ហើយអាចលើសកម្រិតប្រកាសអាសន្នលេខ {n} ក្នុងរយៈពេល ២៤ ម៉ោង "
            "ប្រជាជនតាមមាត់ទន្លេមិនត្រូវឆ្លងទឹកឡើយ។",
            ["សូមផ្លាស់ទីមនុស្ស សត្វពាហនៈ និងទ្រព្យសម្បត្តិទៅកន្លែងមានសុវត្ថិភាព។",
             "កុំនេសាទ ឬរើសអុសក្នុងទន្លេពេលមានទឹកជំនន់។",
             "សូមតាមដានការព្រមានតាមឧបករណ៍បំពងសំឡេងភូមិ និងអនុវត្តតាមការណែនាំរបស់អាជ្ញាធរ។"],
        ),
        "zh-Hans": T(
            ["{year}年{month}{river}洪水预警", "紧急洪水预警：{river}（{prov}）"],
            "{river}水位快速上涨，未来24小时内可能超过{n}级警戒水位，沿河居民不要涉水过河。",
            ["请将人员、牲畜和财产转移到安全地点。",
             "洪水期间不要在河里捕鱼或打捞木柴。",
             "请收听村广播的预警信息，服从当地政府的指挥。"],
        ),
        "jra": T(
            ["Pơhiăp răng kơ ia li ƀơi {river} thŭn {year}"],
            "Ia {river} đĭ prŏng, ƀing ană plơi anăm găn ia ôh.",
            ["Ba mơnuih, hlô mơnơ̆ng laih anŭn gơnam nao pơ anih rơnŭk."],
        ),
        "rad": T(
            ["Klei mđar kơ êa lip ti {river} thŭn {year}"],
            "Êa {river} đĭ prŏng, mnuih ƀuôn sang đăm găn êa ôh.",
            ["Ba mnuih, hlô mnơ̆ng leh anăn dŏ dô nao kơ anôk êđăp ênang."],
        ),
        "bdq": T(
            ["Pơtho pơgang đak lŭng ƀơ̆t {river} sơnăm {year}"],
            "Đak {river} tơdrong hơ̆k, kon pơlei đei wă gah đak.",
            ["Ăn ba bơngai, nhŭng ier pă anih hiôk."],
        ),
        "hnj": T(
            ["Ceeb toom dej nyab ntawm {river} xyoo {year}"],
            "Dej {river} nce sai heev, cov neeg nyob ntug dej tsis txhob hla dej.",
            ["Coj neeg, tsiaj txhu thiab khoom mus nyob qhov chaw muaj kev nyab xeeb."],
        ),
    },
)

LANDSLIDE = Family(
    key="landslide",
    kind="sms",
    topics=["an-toan-thien-tai"],
    langs=["vi", "en", "lo", "jra", "rad", "hnj"],
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2024, 150), ("gia-lai", 2025, 200), ("dak-lak", 2025, 180), ("lam-dong", 2025, 250),
        ("quang-ngai", 2024, 300), ("quang-ngai", 2025, 220), ("thanh-hoa", 2025, 170), ("nghe-an", 2024, 230),
        ("nghe-an", 2025, 260), ("dien-bien", 2025, 140), ("lao-cai", 2024, 310), ("lao-cai", 2025, 280),
        ("ha-tinh", 2025, 190),
    ]],
    texts={
        "vi": T(
            ["Cảnh báo mưa lớn, nguy cơ sạt lở đất tại vùng núi {prov}", "Nguy cơ sạt lở đất, lũ quét ở {prov} năm {year}"],
            "Mưa lớn kéo dài, lượng mưa có thể vượt {n} mm; các hộ sống ven sườn đồi, khe suối cần sẵn sàng sơ tán.",
            ["Quan sát vết nứt trên sườn đồi, nước suối đục bất thường hoặc tiếng động lạ từ trên núi.",
             "Không ở lại trong nhà tạm ven taluy khi mưa kéo dài.",
             "Báo ngay cho trưởng thôn hoặc đồn biên phòng khi thấy dấu hiệu sạt lở."],
        ),
        "en": T(
            ["Heavy rain and landslide risk in the mountains of {prov}", "Landslide and flash flood risk in {prov}, {year}"],
            "Rainfall may exceed {n} mm; households living on hillsides and by streams should be ready to "
            "evacuate.",
            ["Watch for cracks on slopes, suddenly muddy streams or strange noises from the mountain.",
             "Do not stay in makeshift houses below cut slopes during prolonged rain.",
             "Tell the village head or the border guard post at once if you see signs of a landslide."],
        ),
        "lo": T(
            ["ແຈ້ງເຕືອນຝົນຕົກໜັກ ແລະ ດິນເຈື່ອນ ຢູ່ເຂດພູດອຍແຂວງ{prov}"],
            "ປະລິມານນ້ຳຝົນອາດເກີນ {n} ມມ ຄອບຄົວທີ່ອາໄສຢູ່ຕີນພູ ແລະ ແຄມຫ້ວຍຕ້ອງກຽມພ້ອມອົບພະຍົບ.",
            ["ສັງເກດຮອຍແຕກຢູ່ເນີນພູ ແລະ ນ້ຳຫ້ວຍຂຸ່ນຜິດປົກກະຕິ.",
             "ແຈ້ງນາຍບ້ານ ຫຼື ປ້ອມທະຫານຊາຍແດນທັນທີເມື່ອເຫັນສັນຍານດິນເຈື່ອນ."],
        ),
        "jra": T(
            ["Pơhiăp răng kơ hơjan prŏng laih anŭn lŏn rơlŭh ƀơi {prov}"],
            "Hơjan prŏng, lŏn dưi rơlŭh; ƀing ană plơi dŏ jĕ čư khŏm prap pre tơbiă nao pơ anih rơnŭk.",
            ["Tơdah ƀuh lŏn pơčah, pơhiăp brơi kơ khua plơi."],
        ),
        "rad": T(
            ["Klei mđar kơ hjan prŏng leh anăn lăn klŭh ti {prov}"],
            "Hjan prŏng, lăn dưi klŭh; mnuih dôk giăm čư brei mkra kbiă nao kơ anôk êđăp ênang.",
            ["Tơdah ƀuh lăn pơčah, hưn mtă kơ khua ƀuôn."],
        ),
        "hnj": T(
            ["Ceeb toom nag hnyav thiab av pob ntawm {prov}"],
            "Nag yuav los ntau tshaj {n} mm; cov tsev nyob ntawm roob thiab ntug kwj deg npaj khiav.",
            ["Thaum pom av tawg, qhia rau tus thawj zos lossis tub rog ciam teb tam sim ntawd."],
        ),
    },
)

FOREST_FIRE = Family(
    key="forest-fire",
    kind="sms",
    topics=["an-toan-thien-tai"],
    langs=["vi", "en", "jra", "rad", "km"],
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2024, 5), ("gia-lai", 2025, 4), ("dak-lak", 2024, 5), ("dak-lak", 2025, 4),
        ("lam-dong", 2025, 5), ("quang-ngai", 2025, 4), ("tay-ninh", 2025, 4),
    ]],
    texts={
        "vi": T(
            ["Cảnh báo cháy rừng cấp {n} mùa khô năm {year} tại {prov}", "Phòng cháy, chữa cháy rừng mùa khô {prov}"],
            "Nắng nóng kéo dài, nguy cơ cháy rừng cấp {n} (cấp nguy hiểm); không đốt nương rẫy, đốt ong, đốt "
            "rác gần rừng.",
            ["Người vào rừng không mang theo lửa, không hút thuốc trong rừng.",
             "Khi phát hiện cháy, báo ngay cho kiểm lâm, công an xã hoặc đồn biên phòng.",
             "Các thôn tổ chức tổ đội phòng cháy và trực 24/24 giờ trong những ngày cao điểm."],
        ),
        "en": T(
            ["Forest fire alert level {n}, dry season {year}, {prov}", "Preventing forest fires in the dry season in {prov}"],
            "Long hot spells bring fire danger level {n}; do not burn fields, smoke out bees or burn rubbish near "
            "the forest.",
            ["Do not take fire into the forest or smoke there.",
             "If you see a fire, tell the forest rangers, the commune police or the border guard post at once.",
             "Villages keep fire watch teams on duty around the clock on peak days."],
        ),
        "km": T(
            ["ការព្រមានអំពីភ្លើងឆេះព្រៃកម្រិត {n} រដូវប្រាំងឆ្នាំ {year} នៅខេត្ត{prov}"],
            "អាកាសធាតុក្តៅខ្លាំងរយៈពេលយូរ ធ្វើឱ្យមានហានិភ័យភ្លើងឆេះព្រៃកម្រិត {n}។ កុំដុតចម្ការ ឬដុតសំរាមជិតព្រៃ។",
            ["ពេលឃើញភ្លើងឆេះ សូមរាយការណ៍ភ្លាមៗទៅមន្ត្រីរដ្ឋបាលព្រៃឈើ ឬប៉ុស្តិ៍ការពារព្រំដែន។"],
        ),
        "jra": T(
            ["Răng kơ apui ƀong glai ƀơi bơyan phang thŭn {year}"],
            "Bơyan phang, apui dưi ƀong glai; anăm čuh hma jĕ glai ôh.",
            ["Tơdah ƀuh apui ƀong glai, pơhiăp brơi kơ ling tơhan wai guai."],
        ),
        "rad": T(
            ["Răng mgang pui ƀơ̆ng kmrơ̆ng hlăm yan bhang thŭn {year}"],
            "Yan bhang, pui dưi ƀơ̆ng kmrơ̆ng; đăm čuh hma giăm kmrơ̆ng ôh.",
            ["Tơdah ƀuh pui ƀơ̆ng kmrơ̆ng, hưn mtă kơ phung kiă kriê kmrơ̆ng."],
        ),
    },
)

FAMILIES = [GATE_HOURS, GATE_GUIDE, TRADE_FAIR, FLOOD, LANDSLIDE, FOREST_FIRE]
