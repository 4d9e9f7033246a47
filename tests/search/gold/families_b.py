"""Families of material about crime at the border, epidemics and the rules of the border area."""

# ruff: noqa: E501 — whole sentences in many scripts read better on one line each.
from __future__ import annotations

from tests.search.gold.model import Family, T

_CRIME_PROVINCES = ["gia-lai", "dak-lak", "tay-ninh", "an-giang", "quang-tri", "thanh-hoa", "nghe-an", "dien-bien",
                    "lao-cai", "lang-son", "quang-ngai"]

DRUGS = Family(
    key="drugs",
    kind="leaflet",
    topics=["phong-chong-toi-pham"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad", "hnj"],
    instances=[{"prov": p, "year": y, "n": n} for i, p in enumerate(_CRIME_PROVINCES)
               for y, n in [(2024 + (i % 2), 12 + i * 3)]]
    + [{"prov": p, "year": 2026, "n": 20 + i} for i, p in enumerate(["thanh-hoa", "dien-bien", "lao-cai", "nghe-an"])],
    texts={
        "vi": T(
            ["Phòng, chống ma túy ở khu vực biên giới {prov}", "Cảnh giác với thủ đoạn vận chuyển ma túy qua biên giới {prov} năm {year}"],
            "Năm {year}, lực lượng biên phòng {prov} phát hiện {n} vụ vận chuyển trái phép chất ma túy; người dân "
            "không nhận mang hộ hàng hóa cho người lạ.",
            ["Đối tượng thường lợi dụng người dân biên giới để vận chuyển heroin, ma túy đá và thuốc lắc.",
             "Không sử dụng, tàng trữ, mua bán ma túy; phát hiện hành vi vi phạm hãy báo cho đồn biên phòng gần nhất.",
             "Gia đình cần quan tâm con em, nhất là thanh niên đi làm ăn xa, để không sa vào nghiện ma túy.",
             "Người nghiện được hỗ trợ cai nghiện tự nguyện tại cộng đồng và được giữ bí mật.",
             "Cả thôn, bản cùng tham gia phòng, chống ma túy."],
        ),
        "en": T(
            ["Fighting drugs in the border area of {prov}", "Beware of drug couriers crossing the border in {prov}, {year}"],
            "In {year} the border guards of {prov} uncovered {n} cases of drug trafficking; never carry a parcel for "
            "a stranger.",
            ["Traffickers use border residents to carry heroin, crystal methamphetamine and ecstasy.",
             "Do not use, keep or trade drugs; report any offence to the nearest border guard post.",
             "Families should look after their children, especially young people working far away, so they do not "
             "fall into addiction.",
             "People with addiction can get voluntary treatment in the community, in confidence."],
        ),
        "lo": T(
            ["ຕ້ານຢາເສບຕິດຢູ່ເຂດຊາຍແດນແຂວງ{prov}", "ລະວັງການລັກລອບຂົນສົ່ງຢາເສບຕິດຂ້າມຊາຍແດນ ປີ {year}"],
            "ໃນປີ {year} ທະຫານຊາຍແດນແຂວງ{prov} ໄດ້ກວດພົບ {n} ກໍລະນີລັກລອບຂົນສົ່ງຢາເສບຕິດ ປະຊາຊົນບໍ່ຄວນຮັບຝາກສິ່ງຂອງຈາກຄົນແປກໜ້າ.",
            ["ຜູ້ກະທຳຜິດມັກໃຊ້ປະຊາຊົນຊາຍແດນຂົນເຮໂຣອິນ ຢາບ້າ ແລະ ຢາອີ.",
             "ບໍ່ເສບ ບໍ່ເກັບຮັກສາ ບໍ່ຊື້ຂາຍຢາເສບຕິດ ແລະ ແຈ້ງປ້ອມທະຫານຊາຍແດນທີ່ໃກ້ທີ່ສຸດ.",
             "ຄອບຄົວຄວນເອົາໃຈໃສ່ລູກຫຼານ ໂດຍສະເພາະຊາວໜຸ່ມທີ່ໄປເຮັດວຽກໄກບ້ານ."],
        ),
        "km": T(
            ["ការប្រយុទ្ធប្រឆាំងគ្រឿងញៀននៅតំបន់ព្រំដែនខេត្ត{prov}", "ប្រុងប្រយ័ត្នការដឹកជញ្ជូនគ្រឿងញៀនឆ្លងព្រំដែន ឆ្នាំ {year}"],
            "ក្នុងឆ្នាំ {year} កងការពារព្រំដែនខេត្ត{prov}បានរកឃើញករណីដឹកជញ្ជូនគ្រឿងញៀនខុសច្បាប់ចំនួន {n}។ "
            "កុំទទួលយកកញ្ចប់ពីមនុស្សចម្លែក។",
            ["ជនល្មើសតែងប្រើប្រជាជនព្រំដែនដើម្បីដឹកហេរ៉ូអ៊ីន មេតំហ្វេតាមីន និងថ្នាំអ៊ិចស្តាស៊ី។",
             "កុំប្រើប្រាស់ រក្សាទុក ឬជួញដូរគ្រឿងញៀន ហើយរាយការណ៍ទៅប៉ុស្តិ៍ការពារព្រំដែនដែលនៅជិតបំផុត។",
             "គ្រួសារគួរយកចិត្តទុកដាក់ចំពោះកូនចៅ ជាពិសេសយុវជនដែលទៅធ្វើការឆ្ងាយ។"],
        ),
        "zh-Hans": T(
            ["{prov}边境地区禁毒宣传", "警惕跨境运毒手段（{year}年）"],
            "{year}年，{prov}边防部队查获非法运输毒品案件{n}起；请勿替陌生人携带物品。",
            ["犯罪分子常利用边境居民运输海洛因、冰毒和摇头丸。",
             "不吸毒、不藏毒、不贩毒，发现违法行为请向最近的边防站举报。",
             "家庭要关心子女，特别是外出务工的青年，防止染上毒瘾。",
             "全民参与禁毒，共建无毒边境。"],
        ),
        "jra": T(
            ["Răng kơ ma túy ƀơi guai dêh čar {prov}"],
            "Thŭn {year}, ling tơhan wai guai {prov} ƀuh {n} tơlơi ba ma túy ƀu tơpă; anăm ba gơnam brơi mơnuih ƀu thâo krăn ôh.",
            ["Anăm ngă, sĭ, blơi ma túy ôh; tơdah ƀuh, pơhiăp brơi kơ ling tơhan wai guai."],
        ),
        "rad": T(
            ["Răng mgang ma túy ti knông čar {prov}"],
            "Thŭn {year}, phung kahan mgang knông čar {prov} ƀuh {n} klei ba ma túy amâo djŏ klei bhiăn; đăm ba mnơ̆ng kơ mnuih amâo thâo kral ôh.",
            ["Đăm mnăm, čhĭ, blei ma túy ôh; tơdah ƀuh, hưn kơ phung kahan mgang knông čar."],
        ),
        "hnj": T(
            ["Tiv thaiv tshuaj yeeb tshuaj maj ntawm ciam teb {prov}"],
            "Xyoo {year}, tub rog ciam teb {prov} ntes tau {n} rooj plaub thauj tshuaj yeeb; tsis txhob nqa khoom rau neeg txawv.",
            ["Tsis txhob siv, khaws, yuav lossis muag tshuaj yeeb; pom ces qhia rau tub rog ciam teb."],
        ),
    },
)

TRAFFICKING = Family(
    key="trafficking",
    kind="leaflet",
    topics=["phong-chong-toi-pham"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad", "hnj"],
    instances=[{"prov": p, "year": 2025 - (i % 2), "n": 4 + i} for i, p in enumerate(_CRIME_PROVINCES)]
    + [{"prov": p, "year": 2026, "n": 9 + i} for i, p in enumerate(["gia-lai", "an-giang", "nghe-an", "lao-cai"])],
    texts={
        "vi": T(
            ["Cảnh giác với thủ đoạn mua bán người ở {prov}", "Phòng, chống mua bán người qua biên giới {prov} năm {year}"],
            "Kẻ xấu dụ dỗ \"việc nhẹ lương cao\" ở nước ngoài, rồi bán nạn nhân; năm {year} {prov} giải cứu {n} "
            "nạn nhân. Gọi 111 để được giúp đỡ miễn phí.",
            ["Không tin lời hứa việc làm lương cao, lấy chồng nước ngoài giàu có qua mạng xã hội.",
             "Không giao giấy tờ tùy thân cho người khác giữ.",
             "Khi người thân đi làm ăn xa mất liên lạc, báo ngay cho công an xã hoặc đồn biên phòng.",
             "Tổng đài 111 hoạt động 24/24 giờ, miễn phí, giữ bí mật cho người gọi."],
        ),
        "en": T(
            ["Beware of human traffickers' tricks in {prov}", "Preventing cross-border human trafficking in {prov}, {year}"],
            "Traffickers promise \"easy work, high pay\" abroad and then sell their victims; in {year} {prov} "
            "rescued {n} victims. Call 111 for free help.",
            ["Do not trust promises of well-paid jobs or rich foreign husbands made on social media.",
             "Never hand your identity papers to someone else to keep.",
             "If a relative working away stops answering, tell the commune police or the border guard post.",
             "The 111 hotline is free, confidential and open around the clock.",
             "Human trafficking often starts with a message from a new online friend."],
        ),
        "lo": T(
            ["ລະວັງກົນອຸບາຍການຄ້າມະນຸດ", "ຕ້ານການຄ້າມະນຸດຂ້າມຊາຍແດນ ປີ {year}"],
            "ຜູ້ກະທຳຜິດຊັກຊວນໄປເຮັດວຽກເບົາ ເງິນເດືອນສູງຢູ່ຕ່າງປະເທດ ແລ້ວຂາຍຜູ້ເຄາະຮ້າຍ; ໃນປີ {year} ໄດ້ຊ່ວຍເຫຼືອຜູ້ເຄາະຮ້າຍ {n} ຄົນ. ໂທ 111.",
            ["ຢ່າເຊື່ອຄຳສັນຍາວຽກເງິນເດືອນສູງ ຫຼື ການແຕ່ງງານກັບຄົນຕ່າງປະເທດທີ່ຮັ່ງມີຜ່ານສື່ສັງຄົມອອນລາຍ.",
             "ຢ່າມອບເອກະສານປະຈຳຕົວໃຫ້ຜູ້ອື່ນເກັບຮັກສາ."],
        ),
        "km": T(
            ["ប្រុងប្រយ័ត្នល្បិចរបស់ជនជួញដូរមនុស្ស", "ការទប់ស្កាត់ការជួញដូរមនុស្សឆ្លងព្រំដែន ឆ្នាំ {year}"],
            "ជនល្មើសបោកប្រាស់ដោយសន្យាថា «ការងារស្រាល ប្រាក់ខែខ្ពស់» នៅបរទេស រួចលក់ជនរងគ្រោះ។ ក្នុងឆ្នាំ {year} "
            "ជនរងគ្រោះចំនួន {n} នាក់ត្រូវបានជួយសង្គ្រោះ។ សូមទូរស័ព្ទលេខ ១១១។",
            ["កុំជឿការសន្យាការងារប្រាក់ខែខ្ពស់ ឬការរៀបការជាមួយជនបរទេសអ្នកមានតាមបណ្តាញសង្គម។",
             "កុំប្រគល់ឯកសារអត្តសញ្ញាណឱ្យអ្នកដទៃរក្សាទុក។"],
        ),
        "zh-Hans": T(
            ["警惕拐卖人口的手段", "防范跨境拐卖人口（{year}年）"],
            "犯罪分子以出国\"轻松工作、高薪\"为诱饵，再将受害人卖掉；{year}年共解救受害人{n}名。求助请拨打111。",
            ["不要相信网上高薪工作或嫁给富有外国人的承诺。",
             "不要把身份证件交给他人保管。"],
        ),
        "jra": T(
            ["Răng kơ tơlơi sĭ mơnuih ƀơi {prov}"],
            "Anăm tui mơnuih ƀu thâo krăn nao ngă bruă ƀơi dêh čar tơdron ôh. Tơdah tŭ tơlơi tơnap, iâu 111.",
            ["Anăm brơi hră pơar ƀing ta pô kơ mơnuih pơkŏn djă."],
        ),
        "rad": T(
            ["Răng mgang klei čhĭ mnuih ti {prov}"],
            "Đăm tui ôh mnuih amâo thâo kral nao mă bruă ti čar tač. Tơdah mâo klei dleh, iêu 111.",
            ["Đăm brei hră mñă kơ mnuih mkăn djă."],
        ),
        "hnj": T(
            ["Ceev faj kev muag neeg ntawm {prov}"],
            "Tsis txhob ntseeg cov neeg hais tias muaj hauj lwm yooj yim nyiaj ntau nyob txawv teb chaws. Hu 111.",
            ["Tsis txhob muab koj daim ntawv pov thawj rau lwm tus khaws."],
        ),
    },
)

ILLEGAL_WORK = Family(
    key="illegal-work",
    kind="article",
    topics=["phong-chong-toi-pham"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "hnj"],
    instances=[{"prov": p, "country": c, "n": n} for p, c, n in [
        ("nghe-an", "CN", 37), ("thanh-hoa", "LA", 21), ("ha-tinh", "LA", 18), ("lao-cai", "CN", 45),
        ("lang-son", "CN", 29), ("an-giang", "KH", 33), ("tay-ninh", "KH", 26), ("dien-bien", "CN", 19),
        ("gia-lai", "KH", 12),
    ]],
    texts={
        "vi": T(
            ["Hệ lụy của việc xuất cảnh trái phép sang {country} lao động", "Cảnh báo tình trạng đi làm thuê \"chui\" tại {country}"],
            "Trong năm qua, {n} người ở {prov} xuất cảnh trái phép sang {country} làm thuê đã bị bắt giữ, trả về "
            "hoặc bị bóc lột sức lao động.",
            ["Người lao động không có hợp đồng, không được bảo hiểm và dễ bị cưỡng bức lao động.",
             "Muốn đi làm việc ở nước ngoài, hãy liên hệ doanh nghiệp được cấp phép đưa người lao động đi làm việc.",
             "Tuyệt đối không theo người môi giới vượt biên qua đường mòn, lối mở."],
        ),
        "en": T(
            ["The cost of crossing illegally into {country} for work", "Warning: undocumented work in {country}"],
            "Over the past year {n} people from {prov} who crossed into {country} illegally to work were detained, "
            "sent back or exploited.",
            ["Workers without a contract have no insurance and are easily forced into labour.",
             "To work abroad, go through a licensed labour export company.",
             "Never follow a broker across the border by forest trails or unofficial crossings.",
             "Working illegally in {country} leaves you without any protection."],
        ),
        "lo": T(
            ["ຜົນເສຍຂອງການຂ້າມແດນຜິດກົດໝາຍໄປເຮັດວຽກຢູ່{country}"],
            "ໃນປີຜ່ານມາ ມີ {n} ຄົນທີ່ຂ້າມແດນຜິດກົດໝາຍໄປເຮັດວຽກຢູ່{country} ຖືກຈັບ ສົ່ງກັບ ຫຼື ຖືກຂູດຮີດແຮງງານ.",
            ["ຢາກໄປເຮັດວຽກຕ່າງປະເທດ ໃຫ້ຜ່ານບໍລິສັດທີ່ໄດ້ຮັບອະນຸຍາດ."],
        ),
        "km": T(
            ["ផលវិបាកនៃការឆ្លងដែនខុសច្បាប់ទៅធ្វើការនៅ{country}"],
            "ក្នុងឆ្នាំកន្លងមក មនុស្សចំនួន {n} នាក់ដែលឆ្លងដែនខុសច្បាប់ទៅធ្វើការនៅ{country} ត្រូវបានចាប់ខ្លួន បញ្ជូនត្រឡប់ ឬត្រូវគេកេងប្រវ័ញ្ច។",
            ["ប្រសិនបើចង់ទៅធ្វើការនៅបរទេស សូមឆ្លងកាត់ក្រុមហ៊ុនដែលមានអាជ្ញាប័ណ្ណ។"],
        ),
        "zh-Hans": T(
            ["非法越境赴{country}务工的后果"],
            "过去一年，{prov}有{n}人非法越境赴{country}务工，被拘留、遣返或遭受劳动剥削。",
            ["出国务工请通过有资质的劳务派遣企业办理。",
             "切勿跟随中介走小路偷越国境。"],
        ),
        "hnj": T(
            ["Tsis txhob hla ciam teb mus ua hauj lwm tsis raws cai hauv {country}"],
            "Xyoo tas los, muaj {n} tus neeg hla ciam teb tsis raws cai mus ua hauj lwm raug ntes thiab xa rov qab.",
            ["Yog xav mus ua hauj lwm txawv teb chaws, mus nrog lub tuam txhab raug cai."],
        ),
    },
)

MARRIAGE = Family(
    key="marriage",
    kind="leaflet",
    topics=["phong-chong-toi-pham", "luat-bien-gioi"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "hnj", "jra"],
    instances=[{"prov": p, "n": n} for p, n in [
        ("lao-cai", 14), ("dien-bien", 22), ("nghe-an", 17), ("thanh-hoa", 9), ("lang-son", 11), ("an-giang", 8),
        ("gia-lai", 6),
    ]],
    texts={
        "vi": T(
            ["Tảo hôn, kết hôn không đăng ký với người nước ngoài ở vùng biên {prov}",
             "Hôn nhân có yếu tố nước ngoài: đăng ký kết hôn đúng pháp luật"],
            "{prov} còn {n} cặp kết hôn với người nước ngoài không đăng ký; con sinh ra dễ không có quốc tịch, "
            "không được đi học, không có bảo hiểm y tế.",
            ["Kết hôn với công dân nước láng giềng phải đăng ký tại Ủy ban nhân dân xã biên giới.",
             "Tảo hôn và hôn nhân cận huyết ảnh hưởng đến sức khỏe của mẹ và trẻ.",
             "Trẻ em sinh ra cần được đăng ký khai sinh để có quốc tịch Việt Nam."],
        ),
        "en": T(
            ["Child marriage and unregistered marriage with foreigners in the border area of {prov}",
             "Marrying a foreign citizen: register your marriage lawfully"],
            "{prov} still counts {n} unregistered marriages with foreigners; their children risk having no "
            "nationality, no schooling and no health insurance.",
            ["A marriage with a citizen of a neighbouring country must be registered at the border commune's "
             "People's Committee.",
             "Child marriage and marriage between close relatives harm the health of mothers and babies.",
             "Children must have their birth registered to have Vietnamese nationality."],
        ),
        "lo": T(
            ["ການແຕ່ງງານກັບຄົນຕ່າງປະເທດ: ຕ້ອງຈົດທະບຽນຕາມກົດໝາຍ"],
            "ຍັງມີ {n} ຄູ່ທີ່ແຕ່ງງານກັບຄົນຕ່າງປະເທດໂດຍບໍ່ຈົດທະບຽນ ລູກທີ່ເກີດມາອາດບໍ່ມີສັນຊາດ.",
            ["ການແຕ່ງງານກັບພົນລະເມືອງປະເທດເພື່ອນບ້ານຕ້ອງຈົດທະບຽນຢູ່ອົງການປົກຄອງບ້ານຊາຍແດນ."],
        ),
        "km": T(
            ["អាពាហ៍ពិពាហ៍ជាមួយជនបរទេស៖ ត្រូវចុះបញ្ជីតាមច្បាប់"],
            "នៅមានគូស្វាមីភរិយាចំនួន {n} ដែលរៀបការជាមួយជនបរទេសដោយមិនបានចុះបញ្ជី។ កូនដែលកើតមកអាចគ្មានសញ្ជាតិ។",
            ["អាពាហ៍ពិពាហ៍ជាមួយពលរដ្ឋប្រទេសជិតខាងត្រូវចុះបញ្ជីនៅគណៈកម្មាធិការប្រជាជនឃុំព្រំដែន។"],
        ),
        "zh-Hans": T(
            ["与外国人结婚须依法登记"],
            "{prov}仍有{n}对与外国人结婚未登记的夫妇，所生子女可能没有国籍，无法上学，也没有医疗保险。",
            ["与邻国公民结婚须在边境乡人民委员会登记。",
             "早婚和近亲结婚危害母亲和婴儿的健康。"],
        ),
        "hnj": T(
            ["Yuav poj niam txiv neej nrog neeg txawv teb chaws yuav tsum sau npe raws cai"],
            "Tseem muaj {n} khub yuav txawv teb chaws tsis tau sau npe; cov me nyuam yug los yuav tsis muaj haiv neeg pej xeem.",
            ["Tsis txhob yuav poj niam thaum tseem hluas dhau."],
        ),
        "jra": T(
            ["Tơlơi dŏ ung mô̆ hăng mơnuih dêh čar tơdron khŏm čih anăn tui tơlơi phiăn"],
            "Ƀơi {prov} ăt dŏ {n} ƀing dŏ ung mô̆ hăng mơnuih dêh čar tơdron ƀu čih anăn ôh.",
            ["Ană čơđai tơkeng rai khŏm čih anăn pơ khua plơi."],
        ),
    },
)

SMUGGLING = Family(
    key="smuggling",
    kind="article",
    topics=["kinh-te-cua-khau", "phong-chong-toi-pham"],
    langs=["vi", "en", "lo", "km", "zh-Hans"],
    everywhere=("zh-Hans",),
    instances=[{"gate": g, "goods": goods, "year": y, "n": n} for g, goods, y, n in [
        ("moc-bai", "sugar", 2024, 45), ("tinh-bien", "sugar", 2025, 60), ("tinh-bien", "cigarettes", 2024, 120),
        ("moc-bai", "fuel", 2025, 80), ("lao-bao", "cigarettes", 2025, 95), ("na-meo", "timber", 2024, 30),
        ("cau-treo", "timber", 2025, 25), ("le-thanh", "fuel", 2024, 40), ("lao-cai", "poultry", 2025, 300),
        ("huu-nghi", "poultry", 2024, 250), ("mong-cai", "fireworks", 2025, 70), ("lao-cai", "fireworks", 2024, 55),
        ("bo-y", "cigarettes", 2025, 35),
    ]],
    extra={"goods": {
        "sugar": {"vi": "đường cát", "en": "sugar", "lo": "ນ້ຳຕານ", "km": "ស្ករស", "zh-Hans": "白糖"},
        "cigarettes": {"vi": "thuốc lá điếu", "en": "cigarettes", "lo": "ຢາສູບ", "km": "បារី", "zh-Hans": "卷烟"},
        "fuel": {"vi": "xăng dầu", "en": "fuel", "lo": "ນ້ຳມັນເຊື້ອໄຟ", "km": "ប្រេងឥន្ធនៈ", "zh-Hans": "成品油"},
        "timber": {"vi": "gỗ", "en": "timber", "lo": "ໄມ້", "km": "ឈើ", "zh-Hans": "木材"},
        "poultry": {"vi": "gia cầm", "en": "poultry", "lo": "ສັດປີກ", "km": "បសុបក្សី", "zh-Hans": "家禽"},
        "fireworks": {"vi": "pháo nổ", "en": "fireworks", "lo": "ບັ້ງໄຟດອກ", "km": "កាំជ្រួច", "zh-Hans": "烟花爆竹"},
    }},
    texts={
        "vi": T(
            ["Buôn lậu {goods} qua {gate} diễn biến phức tạp", "Chống buôn lậu {goods} qua biên giới {prov} năm {year}"],
            "Năm {year}, các lực lượng chức năng tại {gate} bắt giữ {n} vụ buôn lậu {goods}, tịch thu hàng hóa "
            "và xử phạt hành chính.",
            ["Đối tượng thuê người dân biên giới vận chuyển hàng lậu qua đường mòn vào ban đêm.",
             "Hàng lậu không rõ nguồn gốc gây thiệt hại cho sản xuất trong nước và nguy hiểm cho người tiêu dùng.",
             "Người dân không tiếp tay vận chuyển, cất giấu hàng lậu; người tố giác được giữ bí mật và khen thưởng.",
             "Hải quan, biên phòng và quản lý thị trường phối hợp kiểm soát chặt các tuyến đường mòn, lối mở."],
        ),
        "en": T(
            ["Smuggling of {goods} through {gate} on the rise", "Fighting {goods} smuggling across the border of {prov}, {year}"],
            "In {year} the authorities at {gate} seized {n} consignments of smuggled {goods} and fined those "
            "involved.",
            ["Smugglers hire border residents to carry goods along forest trails at night.",
             "Smuggled goods of unknown origin hurt local producers and put consumers at risk.",
             "Do not carry or hide smuggled goods; informants are protected and rewarded."],
        ),
        "lo": T(
            ["ການລັກລອບຄ້າ{goods}ຜ່ານ{gate}"],
            "ໃນປີ {year} ເຈົ້າໜ້າທີ່ຢູ່{gate} ໄດ້ຈັບກຸມການລັກລອບຄ້າ{goods} {n} ກໍລະນີ.",
            ["ຜູ້ລັກລອບຈ້າງປະຊາຊົນຊາຍແດນຂົນສິນຄ້າຕາມທາງປ່າໃນເວລາກາງຄືນ.",
             "ປະຊາຊົນບໍ່ຄວນຊ່ວຍຂົນສົ່ງ ຫຼື ເຊື່ອງສິນຄ້າເຖື່ອນ."],
        ),
        "km": T(
            ["ការរត់ពន្ធ{goods}តាម{gate}"],
            "ក្នុងឆ្នាំ {year} អាជ្ញាធរនៅ{gate}បានបង្ក្រាបករណីរត់ពន្ធ{goods}ចំនួន {n}។",
            ["ជនល្មើសជួលប្រជាជនព្រំដែនឱ្យដឹកទំនិញតាមផ្លូវលំក្នុងព្រៃនៅពេលយប់។",
             "ប្រជាជនមិនត្រូវជួយដឹកជញ្ជូន ឬលាក់ទំនិញរត់ពន្ធឡើយ។"],
        ),
        "zh-Hans": T(
            ["经{gate}走私{goods}情况复杂", "{year}年{prov}边境打击{goods}走私"],
            "{year}年，{gate}执法部门查获走私{goods}案件{n}起，没收货物并予以行政处罚。",
            ["走私分子雇用边境居民夜间沿山间小路运货。",
             "来源不明的走私货物损害国内生产，危害消费者安全。"],
        ),
    },
)

SWINE_FEVER = Family(
    key="swine-fever",
    kind="leaflet",
    topics=["y-te-kiem-dich"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad", "bdq", "hnj"],
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2019, 12), ("gia-lai", 2024, 5), ("dak-lak", 2019, 20), ("dak-lak", 2025, 7),
        ("lam-dong", 2024, 6), ("quang-ngai", 2025, 4), ("thanh-hoa", 2019, 31), ("thanh-hoa", 2024, 9),
        ("nghe-an", 2025, 11), ("lao-cai", 2024, 8), ("lang-son", 2025, 6), ("tay-ninh", 2024, 3),
        ("dien-bien", 2025, 5),
    ]],
    texts={
        "vi": T(
            ["Phòng, chống bệnh dịch tả lợn châu Phi tại {prov}", "Dịch tả lợn châu Phi tái phát ở {prov} năm {year}"],
            "Năm {year}, dịch tả lợn châu Phi xuất hiện ở {n} xã của {prov}; bệnh chưa có thuốc điều trị, lây rất "
            "nhanh qua lợn bệnh, thịt lợn và dụng cụ chăn nuôi.",
            ["Không mua lợn, thịt lợn không rõ nguồn gốc, nhất là lợn nhập lậu qua biên giới.",
             "Không vứt xác lợn chết ra sông suối; báo ngay cho thú y xã khi lợn ốm, chết.",
             "Tiêu độc chuồng trại bằng vôi bột và thuốc sát trùng, thực hiện chăn nuôi an toàn sinh học.",
             "Bệnh không lây sang người nhưng gây thiệt hại nặng cho hộ chăn nuôi."],
        ),
        "en": T(
            ["Preventing African swine fever in {prov}", "African swine fever returns to {prov} in {year}"],
            "In {year} African swine fever broke out in {n} communes of {prov}; there is no cure and it spreads "
            "fast through sick pigs, pork and farm tools.",
            ["Do not buy pigs or pork of unknown origin, especially pigs smuggled across the border.",
             "Do not throw dead pigs into rivers; tell the commune vet at once when pigs fall sick or die.",
             "Disinfect pens with lime powder and disinfectant, and keep the farm biosecure.",
             "The disease does not infect people but ruins pig farmers."],
        ),
        "lo": T(
            ["ປ້ອງກັນພະຍາດອະຫິວາໝູອາຟຣິກາ ຢູ່ແຂວງ{prov}"],
            "ໃນປີ {year} ພະຍາດອະຫິວາໝູອາຟຣິກາ ໄດ້ເກີດຂຶ້ນຢູ່ {n} ບ້ານ ພະຍາດນີ້ບໍ່ມີຢາປິ່ນປົວ ແລະ ລະບາດໄວຫຼາຍ.",
            ["ບໍ່ຊື້ໝູ ຫຼື ຊີ້ນໝູທີ່ບໍ່ຮູ້ແຫຼ່ງທີ່ມາ ໂດຍສະເພາະໝູທີ່ລັກລອບນຳເຂົ້າຂ້າມຊາຍແດນ.",
             "ບໍ່ຖິ້ມຊາກໝູຕາຍລົງແມ່ນ້ຳ ແລະ ແຈ້ງສັດຕະວະແພດບ້ານທັນທີ."],
        ),
        "km": T(
            ["ការបង្ការជំងឺប៉េស្តជ្រូកអាហ្វ្រិកនៅខេត្ត{prov}"],
            "ក្នុងឆ្នាំ {year} ជំងឺប៉េស្តជ្រូកអាហ្វ្រិកបានផ្ទុះឡើងនៅ {n} ឃុំ។ ជំងឺនេះគ្មានថ្នាំព្យាបាល ហើយឆ្លងយ៉ាងលឿន។",
            ["កុំទិញជ្រូក ឬសាច់ជ្រូកដែលមិនដឹងប្រភព ជាពិសេសជ្រូកនាំចូលខុសច្បាប់ឆ្លងព្រំដែន។",
             "កុំបោះចោលសាកសពជ្រូកទៅក្នុងទន្លេ ហើយរាយការណ៍ទៅពេទ្យសត្វភ្លាមៗ។"],
        ),
        "zh-Hans": T(
            ["{prov}防控非洲猪瘟", "{year}年{prov}非洲猪瘟疫情复发"],
            "{year}年，{prov}有{n}个乡发生非洲猪瘟；该病无药可治，通过病猪、猪肉和饲养工具迅速传播。",
            ["不要购买来源不明的生猪和猪肉，特别是走私入境的生猪。",
             "不要把死猪扔进河里；生猪患病或死亡时立即报告乡兽医。"],
        ),
        "jra": T(
            ["Răng kơ tơlơi ruă bui Châu Phi ƀơi {prov}"],
            "Thŭn {year}, tơlơi ruă bui Châu Phi ƀuh ƀơi {n} plơi; ƀu hơmâo jrao pơsuaih ôh.",
            ["Anăm blơi bui ƀu thâo mơ̆ng anih pă rai; tơdah bui ruă, pơhiăp brơi kơ khua ngă jrao hlô mơnơ̆ng."],
        ),
        "rad": T(
            ["Răng mgang klei ruă un Châu Phi ti {prov}"],
            "Thŭn {year}, klei ruă un Châu Phi mâo ti {n} ƀuôn; amâo mâo ôh êa drao.",
            ["Đăm blei un amâo thâo mơ̆ng anôk; tơdah un ruă, hưn kơ phung mdrao hlô mnơ̆ng."],
        ),
        "bdq": T(
            ["Pơgang jĭ nhŭng Châu Phi ƀơ̆t {prov}"],
            "Sơnăm {year}, jĭ nhŭng Châu Phi đei ƀơ̆t {n} pơlei.",
            ["Wă rĕ nhŭng kơ bơngai ƀu băt."],
        ),
        "hnj": T(
            ["Tiv thaiv kab mob npua Africa ntawm {prov}"],
            "Xyoo {year}, kab mob npua Africa kis rau {n} lub zos; tsis muaj tshuaj kho.",
            ["Tsis txhob yuav npua tsis paub qhov chaw los; npua mob ces qhia rau kws tsiaj."],
        ),
    },
)

HEALTH_DECLARATION = Family(
    key="health-declaration",
    kind="leaflet",
    topics=["y-te-kiem-dich"],
    langs=["vi", "en", "lo", "km", "zh-Hans"],
    everywhere=("zh-Hans",),
    instances=[{"gate": g, "year": y} for g, y in [
        ("le-thanh", 2020), ("le-thanh", 2022), ("moc-bai", 2020), ("moc-bai", 2022), ("na-meo", 2021),
        ("lao-bao", 2020), ("lao-bao", 2022), ("cau-treo", 2021), ("huu-nghi", 2020), ("huu-nghi", 2022),
        ("mong-cai", 2021), ("lao-cai", 2020), ("lao-cai", 2022), ("bo-y", 2021), ("tinh-bien", 2021),
    ]],
    texts={
        "vi": T(
            ["Khai báo y tế phòng dịch COVID-19 tại {gate} năm {year}", "Kiểm dịch y tế COVID-19 đối với người nhập cảnh qua {gate}"],
            "Người nhập cảnh qua {gate} khai báo y tế, đo thân nhiệt và xuất trình giấy xét nghiệm theo quy định "
            "phòng, chống dịch COVID-19 năm {year}.",
            ["Người có biểu hiện sốt, ho, khó thở được cách ly và lấy mẫu xét nghiệm tại chỗ.",
             "Lái xe chở hàng tuân thủ quy trình giao nhận hàng hóa tại bãi chuyển tải, hạn chế tiếp xúc.",
             "Đeo khẩu trang, sát khuẩn tay và giữ khoảng cách trong khu vực cửa khẩu.",
             "Trạm kiểm dịch y tế quốc tế tại cửa khẩu hoạt động 24/24 giờ."],
        ),
        "en": T(
            ["COVID-19 health declaration at {gate}, {year}", "COVID-19 health checks for arrivals through {gate}"],
            "Arrivals through {gate} fill in a health declaration, have their temperature taken and show a test "
            "result under the COVID-19 rules of {year}.",
            ["Anyone with fever, cough or shortness of breath is isolated and tested on the spot.",
             "Truck drivers follow the cargo hand-over procedure at the transfer yard and limit contact.",
             "Wear a mask, clean your hands and keep your distance inside the gate area."],
        ),
        "lo": T(
            ["ການແຈ້ງສຸຂະພາບເພື່ອປ້ອງກັນພະຍາດໂຄວິດ-19 ຢູ່{gate} ປີ {year}"],
            "ຜູ້ເດີນທາງເຂົ້າປະເທດຜ່ານ{gate} ຕ້ອງແຈ້ງສຸຂະພາບ ວັດແທກອຸນຫະພູມ ແລະ ສະແດງຜົນກວດ ຕາມລະບຽບປ້ອງກັນພະຍາດໂຄວິດ-19.",
            ["ຜູ້ທີ່ມີອາການໄຂ້ ໄອ ຫຼື ຫາຍໃຈຍາກ ຈະຖືກກັກຕົວ ແລະ ກວດຫາເຊື້ອທັນທີ.",
             "ໃສ່ຜ້າອັດປາກ ລ້າງມື ແລະ ຮັກສາໄລຍະຫ່າງ."],
        ),
        "km": T(
            ["ការប្រកាសសុខភាពដើម្បីការពារជំងឺកូវីដ-១៩ នៅ{gate} ឆ្នាំ {year}"],
            "អ្នកចូលប្រទេសតាម{gate}ត្រូវប្រកាសសុខភាព វាស់កម្តៅ និងបង្ហាញលទ្ធផលតេស្ត តាមបទប្បញ្ញត្តិការពារជំងឺកូវីដ-១៩។",
            ["អ្នកដែលមានគ្រុនក្តៅ ក្អក ឬពិបាកដកដង្ហើម ត្រូវធ្វើចត្តាឡីស័ក និងធ្វើតេស្តភ្លាមៗ។",
             "ពាក់ម៉ាស លាងដៃ និងរក្សាគម្លាត។"],
        ),
        "zh-Hans": T(
            ["{year}年{gate}新冠肺炎疫情防控健康申报", "经{gate}入境人员新冠肺炎卫生检疫"],
            "经{gate}入境人员须按照{year}年新冠肺炎疫情防控规定进行健康申报、测量体温并出示检测结果。",
            ["有发热、咳嗽或呼吸困难症状者，将就地隔离并采样检测。",
             "货车司机在货物转运场按照交接流程作业，减少接触。",
             "在口岸区域内请佩戴口罩、手部消毒并保持距离。"],
        ),
    },
)

WILDLIFE = Family(
    key="wildlife",
    kind="leaflet",
    topics=["phong-chong-toi-pham"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad"],
    everywhere=("zh-Hans",),
    instances=[{"prov": p, "year": y, "n": n} for p, y, n in [
        ("gia-lai", 2024, 14), ("dak-lak", 2025, 9), ("quang-tri", 2025, 11), ("nghe-an", 2024, 16),
        ("lang-son", 2025, 7), ("tay-ninh", 2024, 5),
    ]],
    texts={
        "vi": T(
            ["Không săn bắt, buôn bán động vật hoang dã qua biên giới {prov}"],
            "Năm {year}, {prov} xử lý {n} vụ buôn bán động vật hoang dã như tê tê, gấu, rùa và ngà voi.",
            ["Buôn bán loài nguy cấp, quý, hiếm có thể bị phạt tù đến 15 năm.",
             "Không mua bán, tiêu thụ thịt thú rừng; thả động vật hoang dã về rừng hoặc giao cho kiểm lâm."],
        ),
        "en": T(
            ["Do not hunt or trade wildlife across the border of {prov}"],
            "In {year} {prov} dealt with {n} cases of wildlife trafficking, including pangolins, bears, turtles and "
            "ivory.",
            ["Trading endangered species can mean up to 15 years in prison.",
             "Do not buy or eat bushmeat; release wild animals or hand them to the forest rangers."],
        ),
        "lo": T(
            ["ຢ່າລ່າ ແລະ ຄ້າຂາຍສັດປ່າຂ້າມຊາຍແດນ"],
            "ໃນປີ {year} ໄດ້ແກ້ໄຂ {n} ກໍລະນີຄ້າສັດປ່າ ເຊັ່ນ: ລີ່ນ ໝີ ເຕົ່າ ແລະ ງາຊ້າງ.",
            ["ບໍ່ຊື້ ບໍ່ກິນຊີ້ນສັດປ່າ."],
        ),
        "km": T(
            ["កុំបរបាញ់ និងជួញដូរសត្វព្រៃឆ្លងព្រំដែន"],
            "ក្នុងឆ្នាំ {year} មានករណីជួញដូរសត្វព្រៃចំនួន {n} ដូចជា ពង្រូល ខ្លាឃ្មុំ អណ្តើក និងភ្លុកដំរី។",
            ["កុំទិញ ឬបរិភោគសាច់សត្វព្រៃ។"],
        ),
        "zh-Hans": T(
            ["禁止跨境猎捕和买卖野生动物"],
            "{year}年，{prov}查处野生动物走私案件{n}起，涉及穿山甲、熊、龟和象牙。",
            ["买卖濒危珍稀物种最高可判处15年有期徒刑。", "不买卖、不食用野味。"],
        ),
        "jra": T(
            ["Anăm sĭ blơi hlô mơnơ̆ng glai găn guai dêh čar"],
            "Thŭn {year}, ƀơi {prov} ƀuh {n} tơlơi sĭ blơi hlô mơnơ̆ng glai.",
            ["Anăm ƀơ̆ng čơđeh hlô mơnơ̆ng glai ôh."],
        ),
        "rad": T(
            ["Đăm čhĭ blei hlô mnơ̆ng hlăm kmrơ̆ng găn knông čar"],
            "Thŭn {year}, ti {prov} ƀuh {n} klei čhĭ blei hlô mnơ̆ng hlăm kmrơ̆ng.",
            ["Đăm ƀơ̆ng kđeh hlô mnơ̆ng hlăm kmrơ̆ng ôh."],
        ),
    },
)

BORDER_ZONE = Family(
    key="border-zone",
    kind="publication",
    topics=["luat-bien-gioi"],
    langs=["vi", "en", "lo", "km", "zh-Hans", "jra", "rad", "bdq", "hnj"],
    instances=[{"prov": p, "n": n} for p, n in [
        ("gia-lai", 5), ("dak-lak", 7), ("lam-dong", 4), ("quang-ngai", 6), ("tay-ninh", 9), ("an-giang", 8),
        ("thanh-hoa", 11), ("quang-tri", 10), ("nghe-an", 12), ("dien-bien", 9), ("lao-cai", 8), ("lang-son", 10),
        ("quang-ninh", 6), ("ha-tinh", 5),
    ]],
    texts={
        "vi": T(
            ["Quy chế khu vực biên giới đất liền: những điều người dân {prov} cần biết",
             "Hỏi – đáp về Luật Biên giới quốc gia và Luật Biên phòng Việt Nam ({prov})"],
            "Khu vực biên giới của {prov} gồm {n} xã; người ngoài khu vực vào xã biên giới phải mang giấy tờ tùy "
            "thân và trình báo công an xã.",
            ["Người vào vành đai biên giới phải có giấy phép của đồn biên phòng.",
             "Nghiêm cấm làm hư hỏng, xê dịch mốc quốc giới, chặt phá rừng biên giới.",
             "Luật Biên phòng Việt Nam có hiệu lực từ ngày 1 tháng 1 năm 2022.",
             "Mọi công dân có trách nhiệm xây dựng, quản lý và bảo vệ biên giới quốc gia."],
        ),
        "en": T(
            ["Rules of the land border area: what residents of {prov} need to know",
             "Questions and answers on the Law on National Borders and the Law on Border Guards ({prov})"],
            "The border area of {prov} covers {n} communes; visitors from outside must carry identity papers and "
            "report to the commune police.",
            ["Entering the border belt requires a permit from the border guard post.",
             "Damaging or moving boundary markers and cutting border forest are strictly forbidden.",
             "The Law on Vietnam Border Guards took effect on 1 January 2022.",
             "Every citizen has a duty to build, manage and protect the national border."],
        ),
        "lo": T(
            ["ລະບຽບການເຂດຊາຍແດນທາງບົກ: ສິ່ງທີ່ປະຊາຊົນຄວນຮູ້"],
            "ເຂດຊາຍແດນຂອງແຂວງ{prov} ມີ {n} ຕາແສງ ຜູ້ທີ່ມາຈາກນອກເຂດຕ້ອງນຳເອກະສານປະຈຳຕົວ.",
            ["ຫ້າມທຳລາຍ ຫຼື ເຄື່ອນຍ້າຍຫຼັກໝາຍຊາຍແດນ.", "ທຸກຄົນມີໜ້າທີ່ປົກປັກຮັກສາຊາຍແດນແຫ່ງຊາດ."],
        ),
        "km": T(
            ["បទប្បញ្ញត្តិតំបន់ព្រំដែនគោក៖ អ្វីដែលប្រជាជនត្រូវដឹង"],
            "តំបន់ព្រំដែននៃខេត្ត{prov}មាន {n} ឃុំ។ អ្នកមកពីក្រៅតំបន់ត្រូវយកឯកសារអត្តសញ្ញាណតាមខ្លួន។",
            ["ហាមបំផ្លាញ ឬផ្លាស់ទីបង្គោលព្រំដែន។", "ពលរដ្ឋគ្រប់រូបមានកាតព្វកិច្ចការពារព្រំដែនជាតិ។"],
        ),
        "zh-Hans": T(
            ["陆地边境地区规定：居民须知"],
            "{prov}边境地区包括{n}个乡；外地人员进入边境乡须携带身份证件并向乡公安报告。",
            ["严禁损坏、移动界碑，严禁砍伐边境森林。", "每个公民都有建设、管理和保护国家边界的责任。"],
        ),
        "jra": T(
            ["Tơlơi khŏm thâo tơdah mŭt nao anih guai dêh čar {prov}"],
            "Mơnuih mŭt nao anih guai dêh čar khŏm djă ba hră pơar ƀing ta pô.",
            ["Anăm pơrai ƀlŏk mốc guai dêh čar ôh."],
        ),
        "rad": T(
            ["Klei brei thâo êlâo kơ êlan mŭt kơ anôk giăm knông čar {prov}"],
            "Mnuih mŭt kơ anôk giăm knông čar brei djă ba hră mñă kơ ñu pô.",
            ["Đăm bi rai mốc knông čar ôh."],
        ),
        "bdq": T(
            ["Tơdrong athei băt tơdang mŭt anih tơ̆ng dêh {prov}"],
            "Bơngai mŭt anih tơ̆ng dêh athei ba hla ar kơ nu.",
            ["Wă pơrăm mốc tơ̆ng dêh."],
        ),
        "hnj": T(
            ["Yam yuav tsum paub thaum mus rau thaj chaw ciam teb {prov}"],
            "Cov neeg mus rau thaj chaw ciam teb yuav tsum nqa daim ntawv pov thawj.",
            ["Tsis txhob rhuav lossis txav cov ncej ciam teb."],
        ),
    },
)

BORDER_PASS = Family(
    key="border-pass",
    kind="leaflet",
    topics=["kinh-te-cua-khau", "luat-bien-gioi"],
    langs=["vi", "en", "lo", "km", "zh-Hans"],
    instances=[{"gate": g, "n": n} for g, n in [
        ("le-thanh", 15), ("moc-bai", 30), ("na-meo", 15), ("lao-bao", 30), ("huu-nghi", 15), ("mong-cai", 15),
        ("lao-cai", 15), ("tinh-bien", 30),
    ]],
    texts={
        "vi": T(
            ["Cấp giấy thông hành biên giới cho cư dân qua {gate}"],
            "Cư dân các xã biên giới được cấp giấy thông hành biên giới để qua {gate}, lưu trú tối đa {n} ngày "
            "mỗi lần tại tỉnh {neigh}.",
            ["Hồ sơ gồm tờ khai, ảnh và căn cước công dân; nộp tại công an tỉnh hoặc đồn biên phòng.",
             "Giấy thông hành có giá trị 12 tháng và chỉ dùng cho cửa khẩu ghi trong giấy.",
             "Lệ phí được niêm yết công khai tại nơi tiếp nhận hồ sơ."],
        ),
        "en": T(
            ["Border passes for residents crossing at {gate}"],
            "Residents of border communes can get a border pass to cross at {gate} and stay up to {n} days each "
            "time in {neigh}.",
            ["Apply with a form, a photo and your citizen ID card at the provincial police or the border guard "
             "post.",
             "The pass is valid for 12 months and only at the gate written on it."],
        ),
        "lo": T(
            ["ການອອກບັດຜ່ານແດນໃຫ້ປະຊາຊົນຊາຍແດນ ຜ່ານ{gate}"],
            "ປະຊາຊົນບ້ານຊາຍແດນສາມາດຂໍບັດຜ່ານແດນເພື່ອຜ່ານ{gate} ແລະ ພັກເຊົາໄດ້ບໍ່ເກີນ {n} ວັນ ຢູ່ແຂວງ{neigh}.",
            ["ບັດຜ່ານແດນມີອາຍຸ 12 ເດືອນ ແລະ ໃຊ້ໄດ້ສະເພາະດ່ານທີ່ລະບຸໄວ້."],
        ),
        "km": T(
            ["ការចេញលិខិតអនុញ្ញាតឆ្លងព្រំដែនសម្រាប់ប្រជាជនតាម{gate}"],
            "ប្រជាជនឃុំព្រំដែនអាចស្នើសុំលិខិតអនុញ្ញាតឆ្លងព្រំដែន ដើម្បីឆ្លងតាម{gate} និងស្នាក់នៅមិនលើស {n} ថ្ងៃ នៅខេត្ត{neigh}។",
            ["លិខិតនេះមានសុពលភាព ១២ ខែ ហើយប្រើបានតែនៅច្រកព្រំដែនដែលបានកំណត់។"],
        ),
        "zh-Hans": T(
            ["为边民办理经{gate}出入境的边境通行证"],
            "边境乡居民可申领边境通行证经{gate}出入境，每次在{neigh}停留不超过{n}天。",
            ["通行证有效期12个月，仅限证上注明的口岸使用。"],
        ),
    },
)

FAMILIES = [DRUGS, TRAFFICKING, ILLEGAL_WORK, MARRIAGE, SMUGGLING, SWINE_FEVER, HEALTH_DECLARATION, WILDLIFE,
            BORDER_ZONE, BORDER_PASS]
