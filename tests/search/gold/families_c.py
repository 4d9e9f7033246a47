"""Families of material about neighbours, elections and the law, culture, farming, schools and health cover."""

# ruff: noqa: E501 — whole sentences in many scripts read better on one line each.
from __future__ import annotations

from tests.search.gold.model import Family, T

MARKERS = Family(
    key="markers",
    kind="article",
    topics=["phan-gioi-cam-moc", "chu-quyen-lanh-tho"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad"],
    instances=[{"prov": p, "n": n, "year": y} for p, n, y in [
        ("gia-lai", 19, 2024), ("gia-lai", 21, 2025), ("dak-lak", 36, 2025), ("lam-dong", 41, 2024),
        ("tay-ninh", 127, 2025), ("an-giang", 273, 2024), ("quang-ngai", 688, 2025), ("thanh-hoa", 321, 2024),
        ("quang-tri", 600, 2025), ("nghe-an", 410, 2025), ("dien-bien", 72, 2024), ("lang-son", 1116, 2025),
        ("lao-cai", 102, 2024), ("quang-ninh", 1369, 2025), ("ha-tinh", 456, 2024),
    ]],
    texts={
        "vi": T(
            ["Tuần tra song phương, bảo vệ mốc quốc giới số {n} ({prov})",
             "Việt Nam – {country} phối hợp quản lý mốc quốc giới trên tuyến biên giới {prov} năm {year}"],
            "Năm {year}, lực lượng bảo vệ biên giới hai bên tuần tra song phương, kiểm tra và tu bổ mốc quốc giới "
            "số {n} trên tuyến biên giới đất liền Việt Nam – {country} thuộc {prov}.",
            ["Phân giới cắm mốc và tăng dày, tôn tạo hệ thống mốc quốc giới đã hoàn thành trên phần lớn tuyến "
             "biên giới.",
             "Người dân phát hiện mốc bị hư hỏng, xê dịch cần báo ngay cho đồn biên phòng.",
             "Hai bên cam kết xây dựng đường biên giới hòa bình, hữu nghị, hợp tác và phát triển."],
        ),
        "en": T(
            ["Joint patrol protects boundary marker No. {n} ({prov})",
             "Vietnam and {country} jointly manage boundary markers along the {prov} border, {year}"],
            "In {year} border forces of both sides patrolled together, inspected and repaired boundary marker No. "
            "{n} on the Vietnam–{country} land border in {prov}.",
            ["Demarcation and the densification of boundary markers are complete along most of the border.",
             "Residents who find a damaged or moved marker should tell the border guard post at once.",
             "Both sides are committed to a border of peace, friendship, cooperation and development.",
             "Joint patrols take place every month."],
        ),
        "lo": T(
            ["ລາດຕະເວນຮ່ວມກັນ ປົກປັກຮັກສາຫຼັກໝາຍເລກທີ {n}"],
            "ໃນປີ {year} ກຳລັງປ້ອງກັນຊາຍແດນສອງຝ່າຍ ໄດ້ລາດຕະເວນຮ່ວມກັນ ກວດກາ ແລະ ສ້ອມແປງຫຼັກໝາຍເລກທີ {n} ຢູ່ຊາຍແດນ ຫວຽດນາມ – ລາວ.",
            ["ການປັກຫຼັກໝາຍ ແລະ ການເພີ່ມທະວີຄວາມໜາແໜ້ນຂອງຫຼັກໝາຍ ໄດ້ສຳເລັດແລ້ວ.",
             "ສອງຝ່າຍຕັ້ງໜ້າສ້າງຊາຍແດນແຫ່ງສັນຕິພາບ ມິດຕະພາບ ແລະ ການຮ່ວມມື."],
        ),
        "km": T(
            ["ការល្បាតរួមគ្នា ការពារបង្គោលព្រំដែនលេខ {n}"],
            "ក្នុងឆ្នាំ {year} កងកម្លាំងការពារព្រំដែនភាគីទាំងពីរ បានល្បាតរួមគ្នា ពិនិត្យ និងជួសជុលបង្គោលព្រំដែនលេខ {n} "
            "នៅលើព្រំដែនគោកវៀតណាម – កម្ពុជា។",
            ["ការបោះបង្គោលព្រំដែនត្រូវបានបញ្ចប់នៅលើផ្នែកភាគច្រើននៃព្រំដែន។",
             "ភាគីទាំងពីរប្តេជ្ញាកសាងព្រំដែនសន្តិភាព មិត្តភាព សហប្រតិបត្តិការ និងអភិវឌ្ឍន៍។"],
        ),
        "zh-Hans": T(
            ["双边联合巡逻保护第{n}号界碑"],
            "{year}年，双方边防力量联合巡逻，检查并维修越南—{country}陆地边界{prov}段第{n}号界碑。",
            ["边界勘界立碑和界碑加密工作已在大部分边界线上完成。", "双方致力于建设和平、友好、合作与发展的边界。"],
        ),
        "jra": T(
            ["Ling tơhan dua gah nao lăng ƀlŏk mốc guai dêh čar {n}"],
            "Thŭn {year}, ling tơhan wai guai dua gah ră anăm nao lăng laih anŭn pơkra ƀlŏk mốc {n}.",
            ["Tơdah ƀuh mốc rai, pơhiăp brơi kơ ling tơhan wai guai."],
        ),
        "rad": T(
            ["Kahan dua gah nao dlăng mốc knông čar {n}"],
            "Thŭn {year}, kahan mgang knông čar dua gah nao dlăng leh anăn mkra mốc {n}.",
            ["Tơdah ƀuh mốc rai, hưn kơ kahan mgang knông čar."],
        ),
    },
)

LAOS_FRIENDSHIP = Family(
    key="laos-friendship",
    kind="article",
    topics=["huu-nghi-viet-lao"],
    langs=["vi", "en", "lo", "zh-Hans", "hnj"],
    country="LA",
    everywhere=("zh-Hans",),
    instances=[{"prov": p, "neigh": nb, "year": y, "n": n} for p, nb, y, n in [
        ("thanh-hoa", "houaphanh", 2022, 60), ("thanh-hoa", "houaphanh", 2025, 63),
        ("quang-tri", "savannakhet", 2022, 60), ("quang-tri", "savannakhet", 2024, 62),
        ("ha-tinh", "bolikhamxay", 2023, 61), ("nghe-an", "houaphanh", 2024, 62), ("nghe-an", "bolikhamxay", 2025, 63),
        ("dien-bien", "houaphanh", 2025, 63), ("quang-ngai", "attapeu", 2024, 62), ("quang-ngai", "attapeu", 2026, 64),
    ]],
    texts={
        "vi": T(
            ["Tình hữu nghị đặc biệt Việt Nam – Lào: {prov} và {neigh} kết nghĩa bản – bản",
             "Kỷ niệm {n} năm quan hệ ngoại giao Việt Nam – Lào tại {prov}"],
            "Năm {year}, nhân kỷ niệm {n} năm thiết lập quan hệ ngoại giao Việt Nam – Lào, {prov} và tỉnh {neigh} "
            "tổ chức giao lưu văn hóa, thể thao và trồng cây hữu nghị.",
            ["Các cặp bản kết nghĩa hai bên biên giới cùng giữ gìn an ninh trật tự và giúp nhau sản xuất.",
             "Tỉnh hỗ trợ xây trường học, trạm y tế và đào tạo cán bộ cho tỉnh bạn.",
             "Quan hệ hữu nghị vĩ đại, đoàn kết đặc biệt Việt Nam – Lào là tài sản vô giá của hai dân tộc."],
        ),
        "en": T(
            ["Vietnam–Laos special friendship: twinned villages of {prov} and {neigh}",
             "{n} years of Vietnam–Laos diplomatic relations celebrated in {prov}"],
            "In {year}, marking {n} years of Vietnam–Laos diplomatic relations, {prov} and {neigh} held cultural "
            "and sports exchanges and planted friendship trees.",
            ["Twinned villages on both sides of the border keep order together and help each other farm.",
             "The province helps build schools and health stations and trains officials for its partner.",
             "The great friendship and special solidarity of Vietnam and Laos is a priceless asset of both "
             "peoples."],
        ),
        "lo": T(
            ["ສາຍພົວພັນພິເສດ ລາວ – ຫວຽດນາມ: ບ້ານຄູ່ມິດ{neigh} – {prov}", "ສະເຫຼີມສະຫຼອງ {n} ປີ ແຫ່ງສາຍພົວພັນທາງການທູດ ລາວ – ຫວຽດນາມ"],
            "ໃນປີ {year} ເນື່ອງໃນໂອກາດ {n} ປີ ແຫ່ງການສ້າງຕັ້ງສາຍພົວພັນທາງການທູດ ລາວ – ຫວຽດນາມ ແຂວງ{neigh} ແລະ "
            "ແຂວງ{prov} ໄດ້ຈັດງານແລກປ່ຽນວັດທະນະທຳ ກິລາ ແລະ ປູກຕົ້ນໄມ້ມິດຕະພາບ.",
            ["ບັນດາບ້ານຄູ່ມິດສອງຝັ່ງຊາຍແດນ ຮ່ວມກັນປົກປັກຮັກສາຄວາມສະຫງົບ ແລະ ຊ່ວຍເຫຼືອກັນໃນການຜະລິດ.",
             "ສາຍພົວພັນມິດຕະພາບອັນຍິ່ງໃຫຍ່ ແລະ ຄວາມສາມັກຄີພິເສດ ແມ່ນຊັບສົມບັດອັນລ້ຳຄ່າຂອງສອງຊາດ."],
        ),
        "zh-Hans": T(
            ["越老特殊友谊：{prov}与{neigh}结对村寨", "{prov}纪念越老建交{n}周年"],
            "{year}年，为纪念越老建交{n}周年，{prov}与{neigh}举办文化体育交流活动并种植友谊树。",
            ["边境两侧的结对村寨共同维护治安，互相帮助发展生产。"],
        ),
        "hnj": T(
            ["Kev phooj ywg Nyab Laj – Nplog: cov zos {prov} thiab {neigh}"],
            "Xyoo {year}, {prov} thiab {neigh} sib pauv kab lis kev cai thiab cog ntoo phooj ywg.",
            ["Cov zos ob sab ciam teb sib pab zov kev thaj yeeb."],
        ),
    },
)

CAMBODIA_FRIENDSHIP = Family(
    key="cambodia-friendship",
    kind="article",
    topics=["huu-nghi-viet-campuchia"],
    langs=["vi", "en", "km", "zh-Hans", "jra", "rad"],
    country="KH",
    instances=[{"prov": p, "neigh": nb, "year": y, "n": n} for p, nb, y, n in [
        ("gia-lai", "ratanakiri", 2022, 55), ("gia-lai", "ratanakiri", 2025, 58), ("dak-lak", "mondulkiri", 2023, 56),
        ("dak-lak", "mondulkiri", 2025, 58), ("lam-dong", "mondulkiri", 2024, 57), ("tay-ninh", "svay-rieng", 2024, 57),
        ("an-giang", "svay-rieng", 2025, 58), ("tay-ninh", "svay-rieng", 2026, 59),
    ]],
    texts={
        "vi": T(
            ["Hữu nghị Việt Nam – Campuchia: {prov} và {neigh} hợp tác toàn diện",
             "{prov} kỷ niệm {n} năm thiết lập quan hệ ngoại giao Việt Nam – Campuchia"],
            "Năm {year}, {prov} và tỉnh {neigh} ký kế hoạch hợp tác về an ninh biên giới, thương mại, y tế và "
            "giáo dục, nhân {n} năm quan hệ ngoại giao (24/6/1967).",
            ["Hai tỉnh phối hợp tìm kiếm, quy tập hài cốt liệt sĩ quân tình nguyện Việt Nam hy sinh tại Campuchia.",
             "Bác sĩ hai bên khám bệnh, cấp thuốc miễn phí cho người dân vùng biên.",
             "Quan hệ láng giềng tốt đẹp, hữu nghị truyền thống được vun đắp qua nhiều thế hệ."],
        ),
        "en": T(
            ["Vietnam–Cambodia friendship: {prov} and {neigh} widen cooperation",
             "{prov} marks {n} years of Vietnam–Cambodia diplomatic relations"],
            "In {year}, for {n} years of diplomatic relations (24 June 1967), {prov} and {neigh} signed a plan "
            "of cooperation on border security, trade, health and education.",
            ["The two provinces search for and repatriate the remains of Vietnamese volunteer soldiers who fell in "
             "Cambodia.",
             "Doctors from both sides give free check-ups and medicine to border residents."],
        ),
        "km": T(
            ["មិត្តភាពវៀតណាម – កម្ពុជា៖ ខេត្ត{prov} និងខេត្ត{neigh}ពង្រីកកិច្ចសហប្រតិបត្តិការ",
             "ខួបលើកទី {n} នៃការបង្កើតទំនាក់ទំនងការទូតវៀតណាម – កម្ពុជា"],
            "ក្នុងឆ្នាំ {year} ខេត្ត{prov} និងខេត្ត{neigh}បានចុះហត្ថលេខាលើផែនការសហប្រតិបត្តិការលើសន្តិសុខព្រំដែន "
            "ពាណិជ្ជកម្ម សុខាភិបាល និងការអប់រំ ក្នុងឱកាសខួបលើកទី {n} នៃការបង្កើតទំនាក់ទំនងការទូតវៀតណាម – កម្ពុជា។",
            ["ខេត្តទាំងពីរសហការស្វែងរក និងប្រមូលសាកសពទាហានស្ម័គ្រចិត្តវៀតណាមដែលបានពលីនៅកម្ពុជា។",
             "គ្រូពេទ្យភាគីទាំងពីរពិនិត្យជំងឺ និងផ្តល់ថ្នាំដោយឥតគិតថ្លៃដល់ប្រជាជនតាមព្រំដែន។",
             "ទំនាក់ទំនងមិត្តភាពវៀតណាម – កម្ពុជា ត្រូវបានពង្រឹងពីមួយជំនាន់ទៅមួយជំនាន់។"],
        ),
        "zh-Hans": T(
            ["越柬友谊：{prov}与{neigh}深化全面合作"],
            "{year}年，值越柬建交{n}周年之际，{prov}与{neigh}签署边境安全、贸易、卫生和教育合作计划。",
            ["两省医生为边境居民免费看病送药。"],
        ),
        "jra": T(
            ["Tơlơi pơgop pơlir Việt Nam – Kur: {prov} hăng {neigh}"],
            "Thŭn {year}, {prov} hăng {neigh} pơgop pơlir ngă bruă wai guai dêh čar, tơlơi suaih pral laih anŭn tơlơi hrăm.",
            ["Pô ngă jrao dua gah lăng tơlơi ruă brơi kơ ƀing ană plơi."],
        ),
        "rad": T(
            ["Klei bi mguôp Việt Nam – Kur: {prov} hŏng {neigh}"],
            "Thŭn {year}, {prov} hŏng {neigh} bi mguôp mă bruă mgang knông čar, klei suaih leh anăn klei hriăm.",
            ["Phung mdrao dua gah dlăng klei ruă kơ mnuih ƀuôn sang."],
        ),
    },
)

CHINA_COOP = Family(
    key="china-coop",
    kind="article",
    topics=["hoi-nhap-quoc-te", "kinh-te-cua-khau"],
    langs=["vi", "en", "zh-Hans", "hnj"],
    country="CN",
    instances=[{"prov": p, "neigh": nb, "year": y, "n": n} for p, nb, y, n in [
        ("lang-son", "guangxi", 2024, 5), ("lang-son", "guangxi", 2025, 6), ("quang-ninh", "guangxi", 2025, 4),
        ("lao-cai", "yunnan", 2024, 7), ("lao-cai", "yunnan", 2025, 8), ("dien-bien", "yunnan", 2025, 3),
    ]],
    texts={
        "vi": T(
            ["{prov} và {neigh} (Trung Quốc) tăng cường hợp tác cửa khẩu", "Hội đàm giữa {prov} và Khu tự trị {neigh} năm {year}"],
            "Năm {year}, {prov} và {neigh} thống nhất {n} nội dung hợp tác về thông quan hàng hóa, cửa khẩu thông "
            "minh và quản lý biên giới.",
            ["Hai bên thí điểm cửa khẩu thông minh, rút ngắn thời gian thông quan xe hàng nông sản.",
             "Hai bên phối hợp chống xuất nhập cảnh trái phép và buôn lậu qua biên giới."],
        ),
        "en": T(
            ["{prov} and {neigh} (China) strengthen border gate cooperation", "Talks between {prov} and {neigh}, {year}"],
            "In {year} {prov} and {neigh} agreed on {n} areas of cooperation on customs clearance, smart border "
            "gates and border management.",
            ["The two sides are piloting smart border gates to cut clearance time for farm produce trucks."],
        ),
        "zh-Hans": T(
            ["{prov}与中国{neigh}加强口岸合作", "{year}年{prov}与{neigh}举行会谈"],
            "{year}年，{prov}与{neigh}就货物通关、智慧口岸和边境管理达成{n}项合作共识。",
            ["双方试点建设智慧口岸，缩短农产品货车通关时间。", "双方联合打击非法出入境和跨境走私。"],
        ),
        "hnj": T(
            ["{prov} thiab {neigh} koom tes ntawm ciam teb"],
            "Xyoo {year}, {prov} thiab {neigh} pom zoo koom tes {n} yam.",
            ["Ob sab koom tes tiv thaiv kev hla ciam teb tsis raws cai."],
        ),
    },
)

ELECTION = Family(
    key="election",
    kind="article",
    topics=["thanh-tuu-phat-trien"],
    langs=["vi", "en", "jra", "rad", "bdq", "hnj", "km", "lo"],
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2021, 98), ("gia-lai", 2026, 99), ("dak-lak", 2021, 99), ("dak-lak", 2026, 99),
        ("lam-dong", 2026, 98), ("quang-ngai", 2026, 99), ("thanh-hoa", 2021, 99), ("thanh-hoa", 2026, 99),
        ("lao-cai", 2021, 97), ("lao-cai", 2026, 98), ("dien-bien", 2026, 98), ("an-giang", 2026, 99),
    ]],
    texts={
        "vi": T(
            ["Cử tri vùng biên {prov} đi bầu cử đại biểu Quốc hội và Hội đồng nhân dân năm {year}",
             "Bầu cử năm {year}: hướng dẫn cử tri {prov}"],
            "Ngày bầu cử đại biểu Quốc hội và Hội đồng nhân dân năm {year}, hơn {n}% cử tri ở các xã biên giới {prov} đã đi bỏ phiếu; mỗi cử tri tự mình "
            "bỏ phiếu, không bầu thay.",
            ["Cử tri mang theo thẻ cử tri và giấy tờ tùy thân khi đến khu vực bỏ phiếu.",
             "Danh sách ứng cử viên được niêm yết tại thôn, bản.",
             "Đồn biên phòng bố trí lực lượng bảo đảm an ninh cho các điểm bỏ phiếu ở vùng sâu."],
        ),
        "en": T(
            ["Border voters of {prov} elect the National Assembly and People's Councils, {year}",
             "Election {year}: a guide for voters in {prov}"],
            "On election day {year} more than {n}% of voters in the border communes of {prov} cast their ballots; "
            "each voter votes in person, never for someone else.",
            ["Bring your voter card and identity papers to the polling station.",
             "The list of candidates is posted in every village."],
        ),
        "lo": T(
            ["ຜູ້ມີສິດເລືອກຕັ້ງເຂດຊາຍແດນໄປເລືອກຕັ້ງສະມາຊິກສະພາແຫ່ງຊາດ ປີ {year}"],
            "ໃນວັນເລືອກຕັ້ງປີ {year} ຜູ້ມີສິດເລືອກຕັ້ງຫຼາຍກວ່າ {n}% ໄດ້ໄປປ່ອນບັດ.",
            ["ນຳບັດເລືອກຕັ້ງ ແລະ ເອກະສານປະຈຳຕົວໄປຫ້ອງເລືອກຕັ້ງ."],
        ),
        "km": T(
            ["អ្នកបោះឆ្នោតតំបន់ព្រំដែនទៅបោះឆ្នោតជ្រើសរើសតំណាងរាស្ត្រ ឆ្នាំ {year}"],
            "នៅថ្ងៃបោះឆ្នោតឆ្នាំ {year} អ្នកបោះឆ្នោតជាង {n}% បានទៅបោះឆ្នោត។",
            ["សូមយកប័ណ្ណបោះឆ្នោត និងឯកសារអត្តសញ្ញាណទៅការិយាល័យបោះឆ្នោត។"],
        ),
        "jra": T(
            ["Ƀing ană plơi {prov} nao ruah mơnuih pơala thŭn {year}"],
            "Hrơi ruah thŭn {year}, ƀing ană plơi ƀơi guai dêh čar nao ruah mơnuih pơala; rĭm čô ruah pô, anăm ruah brơi ôh.",
            ["Djă ba hră ruah laih anŭn hră pơar tơdah nao ruah."],
        ),
        "rad": T(
            ["Mnuih ƀuôn sang {prov} nao ruah mnuih kđi thŭn {year}"],
            "Hruê ruah thŭn {year}, mnuih ƀuôn sang giăm knông čar nao ruah; grăp čô ruah ñu pô.",
            ["Djă ba hră ruah leh anăn hră mñă tơdah nao ruah."],
        ),
        "bdq": T(
            ["Kon pơlei {prov} năm ruah bơngai pơ̆ng sơnăm {year}"],
            "Năr ruah sơnăm {year}, kon pơlei năm ruah.",
            ["Ba hla ar ruah tơdang năm ruah."],
        ),
        "hnj": T(
            ["Cov neeg {prov} mus xaiv tsa xyoo {year}"],
            "Hnub xaiv tsa xyoo {year}, cov neeg nyob ciam teb mus pov npav; txhua tus pov npav rau nws tus kheej.",
            ["Nqa daim npav xaiv tsa thiab ntawv pov thawj mus."],
        ),
    },
)

NATIONALITY = Family(
    key="nationality",
    kind="publication",
    topics=["nhan-quyen", "luat-bien-gioi"],
    langs=["vi", "en", "lo", "km", "zh-Hans"],
    everywhere=("lo", "km", "zh-Hans"),
    instances=[{"aspect": a, "year": y} for a, y in [
        ("birth", 2025), ("stateless", 2025), ("restore", 2025), ("dual", 2025), ("birth", 2020), ("stateless", 2021),
    ]],
    extra={"aspect": {
        "birth": {"vi": "quốc tịch của trẻ em sinh ra ở khu vực biên giới", "en": "the nationality of children born in the border area",
                  "lo": "ສັນຊາດຂອງເດັກທີ່ເກີດຢູ່ເຂດຊາຍແດນ", "km": "សញ្ជាតិរបស់កុមារដែលកើតនៅតំបន់ព្រំដែន", "zh-Hans": "边境地区出生儿童的国籍"},
        "stateless": {"vi": "giải quyết cho người không quốc tịch cư trú ổn định", "en": "settling stateless people with long residence",
                      "lo": "ການແກ້ໄຂໃຫ້ຜູ້ທີ່ບໍ່ມີສັນຊາດ", "km": "ការដោះស្រាយជនគ្មានសញ្ជាតិ", "zh-Hans": "解决长期居住的无国籍人问题"},
        "restore": {"vi": "thủ tục xin trở lại quốc tịch Việt Nam", "en": "applying to regain Vietnamese nationality",
                    "lo": "ຂັ້ນຕອນຂໍກັບຄືນສັນຊາດຫວຽດນາມ", "km": "នីតិវិធីស្នើសុំសញ្ជាតិវៀតណាមវិញ", "zh-Hans": "申请恢复越南国籍的手续"},
        "dual": {"vi": "những điểm mới về giữ quốc tịch nước ngoài", "en": "new rules on keeping a foreign nationality",
                 "lo": "ຈຸດໃໝ່ກ່ຽວກັບການຖືສັນຊາດຕ່າງປະເທດ", "km": "ចំណុចថ្មីអំពីការរក្សាសញ្ជាតិបរទេស", "zh-Hans": "关于保留外国国籍的新规定"},
    }},
    texts={
        "vi": T(
            ["Luật Quốc tịch Việt Nam: {aspect}", "Hỏi – đáp Luật Quốc tịch ({year}): {aspect}"],
            "Tài liệu hỏi – đáp về {aspect} theo Luật Quốc tịch Việt Nam, cập nhật năm {year}.",
            ["Trẻ em sinh ra trên lãnh thổ Việt Nam có cha hoặc mẹ là công dân Việt Nam thì có quốc tịch Việt Nam.",
             "Người không quốc tịch cư trú ổn định từ 20 năm trở lên được xem xét nhập quốc tịch Việt Nam.",
             "Hồ sơ nộp tại Ủy ban nhân dân cấp xã hoặc Sở Tư pháp nơi cư trú."],
        ),
        "en": T(
            ["Law on Vietnamese Nationality: {aspect}", "Q&A on the Nationality Law ({year}): {aspect}"],
            "Questions and answers on {aspect} under the Law on Vietnamese Nationality, updated {year}.",
            ["A child born in Vietnam with a Vietnamese father or mother has Vietnamese nationality.",
             "Stateless people who have lived in Vietnam for 20 years or more may be granted nationality.",
             "Applications go to the commune People's Committee or the provincial Department of Justice."],
        ),
        "lo": T(
            ["ກົດໝາຍວ່າດ້ວຍສັນຊາດຫວຽດນາມ: {aspect}"],
            "ເອກະສານຖາມ – ຕອບ ກ່ຽວກັບ{aspect} ຕາມກົດໝາຍວ່າດ້ວຍສັນຊາດຫວຽດນາມ ປີ {year}.",
            ["ເດັກທີ່ເກີດໃນດິນແດນຫວຽດນາມ ທີ່ມີພໍ່ ຫຼື ແມ່ເປັນພົນລະເມືອງຫວຽດນາມ ມີສັນຊາດຫວຽດນາມ."],
        ),
        "km": T(
            ["ច្បាប់ស្តីពីសញ្ជាតិវៀតណាម៖ {aspect}"],
            "ឯកសារសំណួរ – ចម្លើយអំពី{aspect} តាមច្បាប់ស្តីពីសញ្ជាតិវៀតណាម ឆ្នាំ {year}។",
            ["កុមារដែលកើតនៅវៀតណាម ហើយមានឪពុក ឬម្តាយជាពលរដ្ឋវៀតណាម មានសញ្ជាតិវៀតណាម។"],
        ),
        "zh-Hans": T(
            ["《越南国籍法》：{aspect}"],
            "关于《越南国籍法》中{aspect}的问答材料，{year}年更新。",
            ["在越南境内出生、父亲或母亲为越南公民的儿童具有越南国籍。"],
        ),
    },
)

TOURISM = Family(
    key="tourism",
    kind="video",
    topics=["xuc-tien-dau-tu", "van-hoa-lich-su"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad"],
    everywhere=("lo", "km", "zh-Hans"),
    instances=[{"place": pl, "prov": p, "n": n} for pl, p, n in [
        ("bien-ho", "gia-lai", 1), ("chu-dang-ya", "gia-lai", 2), ("kon-ka-kinh", "gia-lai", 3),
        ("buon-don", "dak-lak", 1), ("dray-nur", "dak-lak", 2), ("lak-lake", "dak-lak", 3),
        ("ta-dung", "lam-dong", 1), ("ba-den", "tay-ninh", 1), ("pu-luong", "thanh-hoa", 1),
        ("ho-citadel", "thanh-hoa", 2), ("khe-sanh", "quang-tri", 1), ("sa-pa", "lao-cai", 1),
        ("mang-den", "quang-ngai", 1), ("tra-su", "an-giang", 1),
    ]],
    extra={"place": {
        "bien-ho": {"vi": "Biển Hồ", "en": "Bien Ho Lake", "lo": "ໜອງບຽນໂຮ່", "km": "បឹងបៀនហូ", "zh-Hans": "海湖", "jra": "Dơnao Tơnưng", "rad": "Ênao Tơnưng"},
        "chu-dang-ya": {"vi": "núi lửa Chư Đăng Ya", "en": "Chu Dang Ya volcano", "lo": "ພູໄຟຈູດັງຢາ", "km": "ភ្នំភ្លើងជូដាំងយ៉ា", "zh-Hans": "朱当雅火山", "jra": "čư Đăng Ya", "rad": "čư Đăng Ya"},
        "kon-ka-kinh": {"vi": "Vườn quốc gia Kon Ka Kinh", "en": "Kon Ka Kinh National Park", "lo": "ອຸທະຍານແຫ່ງຊາດກອນກາກິງ", "km": "ឧទ្យានជាតិកុងកាគីញ", "zh-Hans": "昆卡金国家公园", "jra": "glai Kon Ka Kinh", "rad": "kmrơ̆ng Kon Ka Kinh"},
        "buon-don": {"vi": "Buôn Đôn", "en": "Buon Don", "lo": "ບວນດົນ", "km": "ប៊ួនដូន", "zh-Hans": "布东", "jra": "Buôn Đôn", "rad": "Buôn Đôn"},
        "dray-nur": {"vi": "thác Dray Nur", "en": "Dray Nur waterfall", "lo": "ນ້ຳຕົກດຣາຍນູ", "km": "ទឹកធ្លាក់ដ្រាយនូ", "zh-Hans": "德赖努尔瀑布", "jra": "ia ƀlung Dray Nur", "rad": "êa drơh Dray Nur"},
        "lak-lake": {"vi": "hồ Lắk", "en": "Lak Lake", "lo": "ໜອງລັກ", "km": "បឹងឡាក់", "zh-Hans": "乐湖", "jra": "dơnao Lăk", "rad": "ênao Lăk"},
        "ta-dung": {"vi": "hồ Tà Đùng", "en": "Ta Dung Lake", "lo": "ໜອງຕາດຸງ", "km": "បឹងតាឌុង", "zh-Hans": "达东湖", "jra": "dơnao Tà Đùng", "rad": "ênao Tà Đùng"},
        "ba-den": {"vi": "núi Bà Đen", "en": "Ba Den Mountain", "lo": "ພູບ່າແດນ", "km": "ភ្នំបាដិន", "zh-Hans": "黑婆山"},
        "pu-luong": {"vi": "Pù Luông", "en": "Pu Luong", "lo": "ພູລວງ", "km": "ពូលួង", "zh-Hans": "普隆"},
        "ho-citadel": {"vi": "Thành nhà Hồ", "en": "Citadel of the Ho Dynasty", "lo": "ປ້ອມລາຊະວົງໂຮ", "km": "បន្ទាយរាជវង្សហូ", "zh-Hans": "胡朝城"},
        "khe-sanh": {"vi": "Khe Sanh", "en": "Khe Sanh", "lo": "ເຂຊັນ", "km": "ខេសាញ", "zh-Hans": "溪山"},
        "sa-pa": {"vi": "Sa Pa", "en": "Sa Pa", "lo": "ຊາປາ", "km": "សាប៉ា", "zh-Hans": "沙坝"},
        "mang-den": {"vi": "Măng Đen", "en": "Mang Den", "lo": "ມັງແດນ", "km": "ម៉ាំងដែន", "zh-Hans": "芒登", "jra": "Măng Đen", "rad": "Măng Đen"},
        "tra-su": {"vi": "rừng tràm Trà Sư", "en": "Tra Su cajuput forest", "lo": "ປ່າຕົ້ນເມັກຈາຊື", "km": "ព្រៃស្រល់ត្រាស៊ឺ", "zh-Hans": "茶梳白千层林"},
    }},
    texts={
        "vi": T(
            ["Khám phá {place} ({prov})", "{place} – điểm đến không thể bỏ qua khi đến {prov}"],
            "Phim ngắn giới thiệu {place}, một trong những điểm du lịch nổi bật của {prov}, dành cho du khách "
            "trong nước và quốc tế.",
            ["Du khách có thể đi bộ, cắm trại và thưởng thức ẩm thực của đồng bào dân tộc địa phương.",
             "Mùa đẹp nhất là từ tháng 11 đến tháng 4 năm sau, khi trời ít mưa.",
             "Hãy giữ gìn vệ sinh môi trường và tôn trọng phong tục của người dân bản địa."],
        ),
        "en": T(
            ["Discover {place} ({prov})", "{place}: a must-see in {prov}"],
            "A short film about {place}, one of the highlights of {prov}, for visitors from Vietnam and abroad.",
            ["Visitors can hike, camp and taste the food of the local ethnic communities.",
             "The best season is November to April, when there is little rain.",
             "Please keep the place clean and respect local customs."],
        ),
        "lo": T(
            ["ທ່ອງທ່ຽວ{place} ແຂວງ{prov}"],
            "ວິດີໂອແນະນຳ{place} ເຊິ່ງເປັນແຫຼ່ງທ່ອງທ່ຽວທີ່ໂດດເດັ່ນຂອງແຂວງ{prov}.",
            ["ລະດູທີ່ງາມທີ່ສຸດແມ່ນແຕ່ເດືອນພະຈິກ ຫາ ເດືອນເມສາ.", "ນັກທ່ອງທ່ຽວສາມາດຍ່າງປ່າ ແລະ ຊີມອາຫານພື້ນເມືອງ."],
        ),
        "km": T(
            ["ទេសចរណ៍{place} ខេត្ត{prov}"],
            "វីដេអូណែនាំ{place} ដែលជាគោលដៅទេសចរណ៍ដ៏ល្បីមួយរបស់ខេត្ត{prov}។",
            ["រដូវល្អបំផុតគឺចាប់ពីខែវិច្ឆិកា ដល់ខែមេសា។", "ភ្ញៀវទេសចរអាចដើរលេង បោះតង់ និងភ្លក់ម្ហូបក្នុងស្រុក។"],
        ),
        "zh-Hans": T(
            ["探访{prov}{place}", "{place}——到{prov}不容错过的景点"],
            "短片介绍{prov}著名景点{place}，面向国内外游客。",
            ["游客可以徒步、露营，品尝当地少数民族美食。", "最佳旅游季节是11月至次年4月。"],
        ),
        "jra": T(["Nao lăng {place} ƀơi {prov}"], "Tơlơi pơhiăp kơ {place}, anih hiam ƀơi {prov}.", ["Anăm glŏm gơnam ƀu hiam ƀơi anih anŭn."]),
        "rad": T(["Nao dlăng {place} ti {prov}"], "Klei mblang kơ {place}, anôk siam ti {prov}.", ["Đăm hwiê mnơ̆ng ƀai ti anôk anăn."]),
    },
)

COFFEE = Family(
    key="coffee",
    kind="article",
    topics=["thanh-tuu-phat-trien", "xuc-tien-dau-tu"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad"],
    everywhere=("zh-Hans",),
    instances=[{"crop": c, "prov": p, "year": y, "n": n} for c, p, y, n in [
        ("coffee", "dak-lak", 2024, 210), ("coffee", "dak-lak", 2025, 215), ("coffee", "gia-lai", 2024, 105),
        ("coffee", "gia-lai", 2025, 110), ("coffee", "lam-dong", 2025, 180), ("rubber", "gia-lai", 2024, 100),
        ("rubber", "dak-lak", 2025, 40), ("rubber", "tay-ninh", 2025, 100), ("rubber", "quang-tri", 2024, 20),
        ("pepper", "gia-lai", 2025, 18), ("pepper", "dak-lak", 2024, 35), ("durian", "dak-lak", 2025, 30),
        ("durian", "gia-lai", 2025, 12),
    ]],
    extra={"crop": {
        "coffee": {"vi": "cà phê", "en": "coffee", "lo": "ກາເຟ", "km": "កាហ្វេ", "zh-Hans": "咖啡", "jra": "kơphê", "rad": "kphê"},
        "rubber": {"vi": "cao su", "en": "rubber", "lo": "ຢາງພາລາ", "km": "កៅស៊ូ", "zh-Hans": "橡胶", "jra": "kơsu", "rad": "kơsu"},
        "pepper": {"vi": "hồ tiêu", "en": "pepper", "lo": "ພິກໄທ", "km": "ម្រេច", "zh-Hans": "胡椒", "jra": "hơbua", "rad": "hơbua"},
        "durian": {"vi": "sầu riêng", "en": "durian", "lo": "ທຸລຽນ", "km": "ធូរេន", "zh-Hans": "榴莲", "jra": "sầu riêng", "rad": "sầu riêng"},
    }},
    texts={
        "vi": T(
            ["Phát triển {crop} bền vững ở {prov}", "{crop} {prov} năm {year}: sản lượng và thị trường xuất khẩu"],
            "Năm {year}, {prov} có khoảng {n} nghìn ha {crop}; nông dân được hỗ trợ tái canh, tưới tiết kiệm và "
            "liên kết tiêu thụ.",
            ["Sản phẩm đạt chứng nhận bền vững được doanh nghiệp thu mua với giá cao hơn.",
             "Nông dân không phá rừng để mở rộng diện tích cây trồng.",
             "Hợp tác xã giúp đồng bào dân tộc thiểu số tiếp cận giống tốt và kỹ thuật canh tác."],
        ),
        "en": T(
            ["Sustainable {crop} farming in {prov}", "{prov} {crop} in {year}: harvest and export markets"],
            "In {year} {prov} has about {n} thousand hectares of {crop}; farmers get help with replanting, "
            "water-saving irrigation and sales contracts.",
            ["Certified sustainable produce fetches higher prices from buyers.",
             "Farmers must not clear forest to plant more."],
        ),
        "lo": T(
            ["ການປູກ{crop}ແບບຍືນຍົງຢູ່ແຂວງ{prov}"],
            "ໃນປີ {year} ແຂວງ{prov} ມີເນື້ອທີ່ປູກ{crop}ປະມານ {n} ພັນເຮັກຕາ.",
            ["ຊາວກະສິກອນບໍ່ທຳລາຍປ່າໄມ້ເພື່ອຂະຫຍາຍເນື້ອທີ່ປູກ."],
        ),
        "km": T(
            ["ការដាំ{crop}ប្រកបដោយនិរន្តរភាពនៅខេត្ត{prov}"],
            "ក្នុងឆ្នាំ {year} ខេត្ត{prov}មានផ្ទៃដី{crop}ប្រមាណ {n} ពាន់ហិកតា។",
            ["កសិករមិនត្រូវកាប់ព្រៃដើម្បីពង្រីកផ្ទៃដីដាំដុះឡើយ។"],
        ),
        "zh-Hans": T(
            ["{prov}可持续发展{crop}种植", "{year}年{prov}{crop}产量与出口市场"],
            "{year}年，{prov}{crop}种植面积约{n}千公顷，农民在重新种植、节水灌溉和产销对接方面获得支持。",
            ["获得可持续认证的产品收购价格更高。"],
        ),
        "jra": T(["Pla {crop} ƀơi {prov}"], "Thŭn {year}, ƀing ană plơi {prov} pla {crop} hăng tơlơi djru kơ ia laih anŭn čơđeh pla.", ["Anăm ruăt glai kiăng pla {crop} ôh."]),
        "rad": T(["Pla {crop} ti {prov}"], "Thŭn {year}, mnuih ƀuôn sang {prov} pla {crop} hŏng klei đru kơ êa leh anăn asăr pla.", ["Đăm druôm kmrơ̆ng čiăng pla {crop} ôh."]),
    },
)

GONGS = Family(
    key="gongs",
    kind="image",
    topics=["van-hoa-lich-su", "dan-toc-ton-giao"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad", "bdq"],
    everywhere=("lo", "km", "zh-Hans"),
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2023, 20), ("gia-lai", 2025, 20), ("dak-lak", 2023, 18), ("dak-lak", 2025, 20),
        ("lam-dong", 2024, 19), ("quang-ngai", 2024, 19), ("quang-ngai", 2026, 21),
    ]],
    texts={
        "vi": T(
            ["Không gian văn hóa Cồng chiêng Tây Nguyên ở {prov}", "Liên hoan cồng chiêng {prov} năm {year}"],
            "Năm {year}, {prov} tổ chức liên hoan với {n} đội cồng chiêng, kỷ niệm {n} năm UNESCO công nhận Không "
            "gian văn hóa Cồng chiêng Tây Nguyên là di sản của nhân loại (2005).",
            ["Cồng chiêng gắn với lễ mừng lúa mới, lễ bỏ mả, lễ cầu mưa của người Jrai, Bahnar, Êđê.",
             "Các nghệ nhân truyền dạy đánh chiêng và chỉnh chiêng cho thanh thiếu niên trong buôn làng.",
             "Nhà rông, nhà dài là nơi diễn ra sinh hoạt cộng đồng và lễ hội."],
        ),
        "en": T(
            ["The Space of Gong Culture of the Central Highlands in {prov}", "{prov} gong festival {year}"],
            "In {year} {prov} held a festival with {n} gong ensembles, {n} years after UNESCO recognised the Space "
            "of Gong Culture in the Central Highlands as a heritage of humanity (2005).",
            ["Gongs go with the new rice festival, the grave-leaving ceremony and rain prayers of the Jrai, "
             "Bahnar and Ede.",
             "Master artists teach young villagers to play and tune gongs."],
        ),
        "lo": T(["ພື້ນທີ່ວັດທະນະທຳຄ້ອງຂອງພາກທີ່ສູງພາກກາງ ຢູ່ແຂວງ{prov}"],
                "ໃນປີ {year} ແຂວງ{prov} ໄດ້ຈັດງານບຸນຄ້ອງ ມີ {n} ທີມ.",
                ["ອົງການອຸຍເນດໂກ ໄດ້ຮັບຮອງພື້ນທີ່ວັດທະນະທຳຄ້ອງເປັນມໍລະດົກຂອງມວນມະນຸດ ໃນປີ 2005."]),
        "km": T(["លំហវប្បធម៌គងនៃតំបន់ខ្ពង់រាបកណ្តាល នៅខេត្ត{prov}"],
                "ក្នុងឆ្នាំ {year} ខេត្ត{prov}បានរៀបចំមហោស្រពគង ដែលមានក្រុមគងចំនួន {n}។",
                ["អង្គការយូណេស្កូបានទទួលស្គាល់លំហវប្បធម៌គងជាបេតិកភណ្ឌរបស់មនុស្សជាតិ នៅឆ្នាំ ២០០៥។"]),
        "zh-Hans": T(["{prov}西原锣钲文化空间", "{year}年{prov}锣钲节"],
                     "{year}年，{prov}举办锣钲节，共有{n}支锣钲队参加。",
                     ["2005年，联合国教科文组织将西原锣钲文化空间列为人类口头和非物质遗产代表作。"]),
        "jra": T(["Čing čêng Tây Nguyên ƀơi {prov}"], "Thŭn {year}, {prov} ngă tơlơi phet čing čêng hăng {n} grup.",
                 ["Čing čêng jing gơnam yom kơ mơnuih mơnam."]),
        "rad": T(["Čing chêng Lăn Dap Kngư ti {prov}"], "Thŭn {year}, {prov} ngă klei mđĭ čing chêng hŏng {n} phung.",
                 ["Čing chêng jing mnơ̆ng yuôm kơ jih jang mnuih mnam."]),
        "bdq": T(["Chêng Tây Nguyên ƀơ̆t {prov}"], "Sơnăm {year}, {prov} pơm tơdrong chêng.",
                 ["Chêng jing tơmam yuơ̆ kơ kon bơngai."]),
    },
)

FESTIVALS = Family(
    key="festivals",
    kind="article",
    topics=["van-hoa-lich-su", "dan-toc-ton-giao"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad"],
    everywhere=("zh-Hans",),
    instances=[{"fest": f, "prov": p, "year": y} for f, p, y in [
        ("elephant-race", "dak-lak", 2025), ("elephant-race", "dak-lak", 2024), ("new-rice", "gia-lai", 2025),
        ("new-rice", "dak-lak", 2024), ("bunpimay", "thanh-hoa", 2025), ("bunpimay", "quang-tri", 2024),
        ("chol-chnam", "an-giang", 2025), ("chol-chnam", "tay-ninh", 2024), ("ok-om-bok", "an-giang", 2024),
        ("gau-tao", "lao-cai", 2025), ("coffee-fest", "dak-lak", 2025), ("coffee-fest", "dak-lak", 2023),
    ]],
    extra={"fest": {
        "elephant-race": {"vi": "Hội đua voi", "en": "the elephant race festival", "lo": "ບຸນແຂ່ງຊ້າງ", "km": "ពិធីបុណ្យប្រណាំងដំរី", "zh-Hans": "赛象节", "jra": "tơlơi lơba rơmông", "rad": "klei bi lông êman"},
        "new-rice": {"vi": "Lễ mừng lúa mới", "en": "the new rice festival", "lo": "ບຸນກິນເຂົ້າໃໝ່", "km": "ពិធីបុណ្យស្រូវថ្មី", "zh-Hans": "新米节", "jra": "tơlơi huă ƀơ̆ng ƀrah mrông", "rad": "klei ƀơ̆ng mdiê mrâo"},
        "bunpimay": {"vi": "Tết Bunpimay của người Lào", "en": "Lao New Year (Pi Mai)", "lo": "ບຸນປີໃໝ່ລາວ", "km": "បុណ្យចូលឆ្នាំថ្មីឡាវ", "zh-Hans": "老挝新年宋干节"},
        "chol-chnam": {"vi": "Tết Chôl Chnăm Thmây", "en": "Khmer New Year (Chol Chnam Thmey)", "lo": "ບຸນປີໃໝ່ຂະແມ", "km": "បុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិខ្មែរ", "zh-Hans": "高棉新年"},
        "ok-om-bok": {"vi": "Lễ hội Ok Om Bok và đua ghe ngo", "en": "the Ok Om Bok festival and ngo boat race", "lo": "ບຸນໄຫຼເຮືອໄຟ ແລະ ແຂ່ງເຮືອ", "km": "ពិធីបុណ្យអកអំបុក និងប្រណាំងទូកង", "zh-Hans": "拜月节和龙舟赛"},
        "gau-tao": {"vi": "Lễ hội Gầu Tào của người Mông", "en": "the Hmong Gau Tao festival", "lo": "ບຸນເກົາເຕົາຂອງຊາວມົ້ງ", "km": "ពិធីបុណ្យហ្គៅតាវរបស់ជនជាតិម៉ុង", "zh-Hans": "苗族踩花山节"},
        "coffee-fest": {"vi": "Lễ hội Cà phê Buôn Ma Thuột", "en": "the Buon Ma Thuot Coffee Festival", "lo": "ງານບຸນກາເຟບວນມາທວດ", "km": "មហោស្រពកាហ្វេប៊ួនម៉ាធួត", "zh-Hans": "邦美蜀咖啡节", "jra": "tơlơi phet kơphê Buôn Ma Thuột", "rad": "klei mđĭ kphê Buôn Ma Thuột"},
    }},
    texts={
        "vi": T(
            ["{fest} năm {year} ở {prov}", "Đặc sắc {fest} – {prov} {year}"],
            "{fest} năm {year} tại {prov} thu hút đông đảo người dân, du khách và bạn bè từ các tỉnh giáp biên.",
            ["Lễ hội là dịp bảo tồn phong tục, trang phục và ẩm thực truyền thống của đồng bào.",
             "Chương trình có các trò chơi dân gian, biểu diễn cồng chiêng, múa xoang và hội chợ sản vật.",
             "Ban tổ chức bảo đảm an ninh trật tự, an toàn giao thông và vệ sinh thực phẩm."],
        ),
        "en": T(
            ["{fest} {year} in {prov}", "Highlights of {fest}, {prov} {year}"],
            "{fest} in {prov} in {year} drew crowds of residents, tourists and friends from the provinces across "
            "the border.",
            ["The festival keeps alive the customs, costumes and traditional food of the communities.",
             "There are folk games, gong performances, xoang dances and a fair of local products."],
        ),
        "lo": T(["{fest} ປີ {year} ຢູ່ແຂວງ{prov}"], "{fest} ປີ {year} ໄດ້ດຶງດູດປະຊາຊົນ ແລະ ນັກທ່ອງທ່ຽວເປັນຈຳນວນຫຼວງຫຼາຍ.",
                ["ງານບຸນເປັນໂອກາດອະນຸລັກຮີດຄອງປະເພນີ ແລະ ອາຫານພື້ນເມືອງ."]),
        "km": T(["{fest} ឆ្នាំ {year} នៅខេត្ត{prov}"], "{fest} ឆ្នាំ {year} បានទាក់ទាញប្រជាជន និងភ្ញៀវទេសចរយ៉ាងច្រើនកុះករ។",
                ["ពិធីបុណ្យនេះជាឱកាសថែរក្សាទំនៀមទម្លាប់ សម្លៀកបំពាក់ និងម្ហូបប្រពៃណី។"]),
        "zh-Hans": T(["{year}年{prov}{fest}"], "{year}年{prov}{fest}吸引了众多居民、游客和邻国边境省份的朋友。",
                     ["节日期间有民间游戏、锣钲表演和土特产集市。"]),
        "jra": T(["{fest} thŭn {year} ƀơi {prov}"], "{fest} thŭn {year} ƀơi {prov}, lu ƀing ană plơi nao lăng.",
                 ["Ƀing ană plơi pơđĭ čing čêng laih anŭn suang."]),
        "rad": T(["{fest} thŭn {year} ti {prov}"], "{fest} thŭn {year} ti {prov}, lu mnuih ƀuôn sang nao dlăng.",
                 ["Mnuih ƀuôn sang tŭk čing chêng leh anăn kdŏ."]),
    },
)

LAO_STUDENTS = Family(
    key="lao-students",
    kind="article",
    topics=["huu-nghi-viet-lao", "boi-duong-nghiep-vu"],
    langs=["vi", "en", "lo", "zh-Hans"],
    country="LA",
    everywhere=("zh-Hans",),
    instances=[{"prov": p, "neigh": nb, "year": y, "n": n} for p, nb, y, n in [
        ("thanh-hoa", "houaphanh", 2024, 120), ("thanh-hoa", "houaphanh", 2025, 135),
        ("quang-tri", "savannakhet", 2024, 210), ("quang-tri", "savannakhet", 2025, 230),
        ("nghe-an", "bolikhamxay", 2025, 300), ("ha-tinh", "bolikhamxay", 2025, 150),
        ("quang-ngai", "attapeu", 2025, 90), ("dien-bien", "houaphanh", 2024, 80),
    ]],
    texts={
        "vi": T(
            ["Học bổng cho lưu học sinh Lào tại {prov} năm học {year}",
             "{prov} cấp {n} suất học bổng cho học viên tỉnh {neigh} (Lào)"],
            "Năm {year}, {prov} tiếp nhận {n} lưu học sinh Lào của tỉnh {neigh} học tiếng Việt, cao đẳng và đại "
            "học theo diện học bổng của tỉnh.",
            ["Học bổng gồm học phí, chỗ ở trong ký túc xá, bảo hiểm y tế và sinh hoạt phí hằng tháng.",
             "Lưu học sinh học dự bị tiếng Việt một năm trước khi vào học chuyên ngành.",
             "Nhà trường tổ chức đón Tết Bunpimay cho lưu học sinh Lào."],
        ),
        "en": T(
            ["Scholarships for Lao students in {prov}, {year}", "{prov} grants {n} scholarships to students from {neigh} (Laos)"],
            "In {year} {prov} welcomed {n} Lao students from {neigh} to study Vietnamese, at college and at "
            "university on provincial scholarships.",
            ["The scholarship covers fees, a dormitory place, health insurance and a monthly allowance.",
             "Students take a one-year Vietnamese language course before their degree."],
        ),
        "lo": T(
            ["ທຶນການສຶກສາສຳລັບນັກສຶກສາລາວຢູ່ແຂວງ{prov} ສົກຮຽນ {year}", "ແຂວງ{prov} ມອບທຶນການສຶກສາ {n} ທຶນ ໃຫ້ນັກຮຽນແຂວງ{neigh}"],
            "ໃນປີ {year} ແຂວງ{prov} ໄດ້ຮັບນັກສຶກສາລາວ {n} ຄົນ ຈາກແຂວງ{neigh} ມາຮຽນພາສາຫວຽດນາມ ວິທະຍາໄລ ແລະ ມະຫາວິທະຍາໄລ.",
            ["ທຶນການສຶກສາລວມມີຄ່າຮຽນ ຫໍພັກ ປະກັນສຸຂະພາບ ແລະ ເງິນອຸດໜູນປະຈຳເດືອນ.",
             "ນັກສຶກສາຮຽນພາສາຫວຽດນາມໜຶ່ງປີ ກ່ອນເຂົ້າຮຽນວິຊາສະເພາະ."],
        ),
        "zh-Hans": T(["{prov}为老挝留学生提供奖学金（{year}年）"],
                     "{year}年，{prov}接收{neigh}的{n}名老挝留学生学习越南语及大专、本科课程。",
                     ["奖学金包括学费、宿舍、医疗保险和每月生活费。"]),
    },
)

BOARDING = Family(
    key="boarding-school",
    kind="article",
    topics=["dan-toc-ton-giao", "thanh-tuu-phat-trien"],
    langs=["vi", "en", "jra", "rad", "bdq", "hnj"],
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2025, 1200), ("dak-lak", 2025, 1500), ("quang-ngai", 2025, 900), ("lao-cai", 2025, 1100),
        ("dien-bien", 2025, 800), ("nghe-an", 2025, 1300), ("gia-lai", 2026, 1250),
    ]],
    texts={
        "vi": T(
            ["Tuyển sinh trường phổ thông dân tộc nội trú {prov} năm học {year}",
             "Trường nội trú liên cấp cho học sinh xã biên giới {prov}"],
            "Năm học {year}, các trường phổ thông dân tộc nội trú của {prov} tuyển {n} học sinh người dân tộc "
            "thiểu số ở các xã biên giới.",
            ["Học sinh được miễn học phí, ở nội trú và nhận học bổng chính sách hằng tháng.",
             "Hồ sơ nộp tại trường hoặc Ủy ban nhân dân xã trước ngày 30 tháng 6.",
             "Nhà trường dạy tiếng dân tộc và tổ chức câu lạc bộ cồng chiêng, dệt thổ cẩm."],
        ),
        "en": T(
            ["Ethnic boarding schools of {prov}: admissions {year}", "Boarding schools for children of the border communes of {prov}"],
            "For the {year} school year the ethnic boarding schools of {prov} take {n} pupils from ethnic "
            "minorities in the border communes.",
            ["Pupils pay no fees, board at school and receive a monthly allowance.",
             "Applications go to the school or the commune People's Committee before 30 June."],
        ),
        "jra": T(["Sang hrăm dŏ kơ ană čơđai kơnung djuai ƀơi {prov} thŭn {year}"],
                 "Thŭn {year}, sang hrăm dŏ ƀơi {prov} mă {n} čô ană čơđai kơnung djuai ƀơi guai dêh čar.",
                 ["Ană čơđai ƀu kla prăk hrăm ôh laih anŭn dŏ ƀơi sang hrăm."]),
        "rad": T(["Sang hră dôk kơ hđeh djuê ana ti {prov} thŭn {year}"],
                 "Thŭn {year}, sang hră dôk ti {prov} mă {n} čô hđeh djuê ana giăm knông čar.",
                 ["Hđeh amâo bi mưn prăk hriăm ôh leh anăn dôk ti sang hră."]),
        "bdq": T(["Hnam trĕng ƀơ̆t {prov} sơnăm {year}"], "Sơnăm {year}, hnam trĕng ƀơ̆t {prov} iŏk {n} nu hơdruh tơdăm.",
                 ["Hơioh wă jên hoc."]),
        "hnj": T(["Tsev kawm ntawv nyob rau {prov} xyoo {year}"], "Xyoo {year}, tsev kawm ntawv nyob rau {prov} txais {n} tus me nyuam kawm ntawv.",
                 ["Cov me nyuam tsis them nqi kawm ntawv."]),
    },
)

HEALTH_INSURANCE = Family(
    key="health-insurance",
    kind="leaflet",
    topics=["dan-toc-ton-giao", "y-te-kiem-dich"],
    langs=["vi", "en", "jra", "rad", "bdq", "hnj", "km", "lo"],
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2025, 98), ("dak-lak", 2025, 97), ("lam-dong", 2025, 95), ("quang-ngai", 2025, 96),
        ("lao-cai", 2025, 97), ("dien-bien", 2025, 98), ("thanh-hoa", 2025, 94), ("an-giang", 2025, 93),
        ("gia-lai", 2026, 99),
    ]],
    texts={
        "vi": T(
            ["Bảo hiểm y tế miễn phí cho đồng bào dân tộc thiểu số vùng biên {prov}",
             "Thẻ bảo hiểm y tế năm {year}: người dân xã biên giới {prov} cần biết"],
            "Năm {year}, {n}% đồng bào dân tộc thiểu số và người dân các xã biên giới {prov} có thẻ bảo hiểm y tế do Nhà nước đóng; khám "
            "chữa bệnh tại trạm y tế xã được chi trả 100%.",
            ["Mang thẻ bảo hiểm y tế hoặc căn cước công dân khi đi khám bệnh.",
             "Trường hợp cấp cứu được khám tại bất kỳ bệnh viện nào.",
             "Phụ nữ sinh con tại trạm y tế được hỗ trợ chi phí và khám thai miễn phí."],
        ),
        "en": T(
            ["Free health insurance for ethnic minorities in the border area of {prov}",
             "Health insurance cards {year}: what border communes of {prov} need to know"],
            "In {year}, {n}% of ethnic minority people and other residents of the border communes of {prov} hold a free, state-paid health insurance card; "
            "treatment at the commune health station is fully covered.",
            ["Bring your health insurance card or citizen ID when you see a doctor.",
             "In an emergency you can be treated at any hospital."],
        ),
        "lo": T(["ປະກັນສຸຂະພາບໃຫ້ປະຊາຊົນເຂດຊາຍແດນ"], "ໃນປີ {year} ປະຊາຊົນ {n}% ຢູ່ບ້ານຊາຍແດນ ມີບັດປະກັນສຸຂະພາບ.",
                ["ນຳບັດປະກັນສຸຂະພາບໄປນຳເມື່ອໄປກວດພະຍາດ."]),
        "km": T(["ធានារ៉ាប់រងសុខភាពសម្រាប់ប្រជាជនតំបន់ព្រំដែន"], "ក្នុងឆ្នាំ {year} ប្រជាជន {n}% នៅឃុំព្រំដែន មានប័ណ្ណធានារ៉ាប់រងសុខភាព។",
                ["សូមយកប័ណ្ណធានារ៉ាប់រងសុខភាពតាមខ្លួនពេលទៅពិនិត្យជំងឺ។"]),
        "jra": T(["Hră pơgang tơlơi suaih pral kơ ƀing ană plơi ƀơi {prov}"],
                 "Thŭn {year}, {n}% ƀing ană plơi ƀơi guai dêh čar hơmâo hră pơgang tơlơi suaih pral; nao ngă jrao ƀu kla prăk ôh.",
                 ["Djă ba hră pơgang tơlơi suaih pral tơdah nao ngă jrao."]),
        "rad": T(["Hră mgang klei suaih kơ mnuih ƀuôn sang ti {prov}"],
                 "Thŭn {year}, {n}% mnuih ƀuôn sang giăm knông čar mâo hră mgang klei suaih; nao mdrao amâo bi mưn prăk ôh.",
                 ["Djă ba hră mgang klei suaih tơdah nao mdrao."]),
        "bdq": T(["Hla ar pơgang jĭ jăn kơ kon pơlei {prov}"], "Sơnăm {year}, {n}% kon pơlei đei hla ar pơgang jĭ jăn.",
                 ["Ba hla ar tơdang năm hnam pơgang."]),
        "hnj": T(["Daim npav pov hwm kev noj qab haus huv rau cov neeg {prov}"],
                 "Xyoo {year}, {n}% cov neeg nyob ciam teb muaj daim npav pov hwm kev noj qab haus huv.",
                 ["Nqa daim npav thaum mus kho mob."]),
    },
)

FAKE_NEWS = Family(
    key="fake-news",
    kind="article",
    topics=["phan-bac-thong-tin-sai-lech"],
    langs=["vi", "en", "jra", "rad", "hnj"],
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2024, 35), ("dak-lak", 2025, 42), ("lao-cai", 2025, 28), ("dien-bien", 2024, 19),
        ("quang-ngai", 2025, 22),
    ]],
    texts={
        "vi": T(
            ["Cảnh giác với thông tin sai lệch, xuyên tạc trên mạng xã hội ở {prov}",
             "Nhận diện tin giả về chính sách dân tộc, tôn giáo vùng biên {prov}"],
            "Năm {year}, {prov} phát hiện {n} tài khoản mạng xã hội đăng tin sai sự thật, kích động người dân vùng "
            "biên vượt biên, bỏ đạo hoặc chống đối chính quyền.",
            ["Kiểm tra nguồn tin trên cổng thông tin của tỉnh hoặc hỏi cán bộ xã trước khi chia sẻ.",
             "Không chia sẻ, bình luận, tham gia các nhóm kín lan truyền thông tin xuyên tạc.",
             "Người đăng tin giả có thể bị phạt tiền hoặc truy cứu trách nhiệm hình sự.",
             "Thông tin sai lệch thường giả danh cơ quan nhà nước hoặc lợi dụng hình ảnh người có uy tín."],
        ),
        "en": T(
            ["Beware of false and distorted information on social media in {prov}",
             "Spotting fake news about ethnic and religious policy in the border area of {prov}"],
            "In {year} {prov} found {n} social media accounts posting false news that urged border residents to "
            "cross the border illegally, give up their faith or oppose the authorities.",
            ["Check the province's information portal or ask commune officials before sharing.",
             "Do not share, comment on or join closed groups spreading distorted information.",
             "Fake news spreads fastest in closed groups."],
        ),
        "jra": T(["Răng kơ tơlơi pơhiăp ƀu sĭt ƀơi mạng xã hội"], "Thŭn {year}, ƀơi {prov} ƀuh {n} čô pơhiăp tơlơi ƀu sĭt ƀơi mạng xã hội.",
                 ["Anăm đăo ôh tơlơi pơhiăp ƀu sĭt; tơña khua plơi hlâo."]),
        "rad": T(["Răng mgang klei hưn amâo sĭt ti mạng xã hội"], "Thŭn {year}, ti {prov} ƀuh {n} čô hưn klei amâo sĭt ti mạng xã hội.",
                 ["Đăm đăo ôh klei hưn amâo sĭt; êmuh khua ƀuôn êlâo."]),
        "hnj": T(["Ceev faj xov xwm cuav hauv social network"], "Xyoo {year}, {prov} pom {n} tus account tshaj tawm xov xwm cuav.",
                 ["Tsis txhob ntseeg thiab tsis txhob share xov xwm cuav; nug cov nom tswv hauv zos ua ntej."]),
    },
)

FAMILIES = [MARKERS, LAOS_FRIENDSHIP, CAMBODIA_FRIENDSHIP, CHINA_COOP, ELECTION, NATIONALITY, TOURISM, COFFEE, GONGS,
            FESTIVALS, LAO_STUDENTS, BOARDING, HEALTH_INSURANCE, FAKE_NEWS]
