"""Names of the places the gold set speaks about, in every language it is written in.

A place missing a language here means the item is not written in that language (no one would translate a
Móng Cái notice into Khmer). Minority languages keep the Vietnamese spelling of place names, as their
broadcasts and leaflets do.
"""

from __future__ import annotations

Names = dict[str, str]

# Languages in which place names are written as in Vietnamese.
VI_SPELLING = ("jra", "rad", "bdq", "hnj")


def _p(vi: str, en: str, lo: str | None = None, km: str | None = None, zh: str | None = None, **more: str) -> Names:
    names: Names = {"vi": vi, "en": en}
    if lo:
        names["lo"] = lo
    if km:
        names["km"] = km
    if zh:
        names["zh-Hans"] = zh
    for lang in VI_SPELLING:
        names[lang] = more.get(lang, vi)
    return names


COUNTRIES: dict[str, Names] = {
    "LA": _p("Lào", "Laos", "ລາວ", "ឡាវ", "老挝", jra="Lào", rad="Lào"),
    "KH": _p("Campuchia", "Cambodia", "ກຳປູເຈຍ", "កម្ពុជា", "柬埔寨", jra="Kur", rad="Kur"),
    "CN": _p("Trung Quốc", "China", "ຈີນ", "ចិន", "中国", hnj="Suav Teb"),
}

# Current provinces (2025 map) with their names; "gso" is the short name in the administrative-unit data.
PROVINCES: dict[str, Names] = {
    "gia-lai": _p("Gia Lai", "Gia Lai", "ຢາລາຍ", "យ៉ាឡាយ", "嘉莱"),
    "dak-lak": _p("Đắk Lắk", "Dak Lak", "ດັກລັກ", "ដាក់ឡាក់", "多乐"),
    "lam-dong": _p("Lâm Đồng", "Lam Dong", "ລຳດົງ", "ឡាំដុង", "林同"),
    "tay-ninh": _p("Tây Ninh", "Tay Ninh", "ເຕີຍນິງ", "តៃនិញ", "西宁"),
    "quang-ngai": _p("Quảng Ngãi", "Quang Ngai", "ກວາງໄງ", "ក្វាងង៉ាយ", "广义"),
    "thanh-hoa": _p("Thanh Hóa", "Thanh Hoa", "ແທງຮວາ", "ថាញ់ហ័រ", "清化"),
    "quang-tri": _p("Quảng Trị", "Quang Tri", "ກວາງຈິ", "ក្វាងទ្រី", "广治"),
    "ha-tinh": _p("Hà Tĩnh", "Ha Tinh", "ຮ່າຕິ້ງ", None, "河静"),
    "nghe-an": _p("Nghệ An", "Nghe An", "ເງະອານ", None, "乂安"),
    "dien-bien": _p("Điện Biên", "Dien Bien", "ດ້ຽນບຽນ", None, "奠边"),
    "lang-son": _p("Lạng Sơn", "Lang Son", "ລາງເຊີນ", None, "谅山"),
    "lao-cai": _p("Lào Cai", "Lao Cai", "ລາວກາຍ", None, "老街"),
    "quang-ninh": _p("Quảng Ninh", "Quang Ninh", None, None, "广宁"),
    "an-giang": _p("An Giang", "An Giang", None, "អានយ៉ាង", "安江"),
}
PROVINCE_GSO: dict[str, str] = {key: names["vi"] for key, names in PROVINCES.items()}
PROVINCE_COUNTRY: dict[str, str] = {
    "gia-lai": "KH", "dak-lak": "KH", "lam-dong": "KH", "tay-ninh": "KH", "an-giang": "KH",
    "quang-ngai": "LA", "thanh-hoa": "LA", "quang-tri": "LA", "ha-tinh": "LA", "nghe-an": "LA", "dien-bien": "LA",
    "lang-son": "CN", "lao-cai": "CN", "quang-ninh": "CN",
}
# Provinces of the Central Highlands, where Jarai, Ede and Bahnar are spoken.
HIGHLANDS = {"gia-lai", "dak-lak", "lam-dong", "quang-ngai"}
# Provinces of the northern mountains, where Hmong is spoken.
HMONG = {"lao-cai", "dien-bien", "nghe-an", "thanh-hoa"}

# Neighbouring provinces across the border.
NEIGHBOURS: dict[str, Names] = {
    "ratanakiri": _p("Ratanakiri", "Ratanakiri", "ຣັດຕະນະຄີຣີ", "រតនគិរី", "腊塔纳基里"),
    "mondulkiri": _p("Mondulkiri", "Mondulkiri", "ມົນດູນຄີຣີ", "មណ្ឌលគិរី", "蒙多基里"),
    "svay-rieng": _p("Svay Rieng", "Svay Rieng", None, "ស្វាយរៀង", "柴桢"),
    "houaphanh": _p("Hủa Phăn", "Houaphanh", "ຫົວພັນ", "ហួផាន់", "华潘"),
    "savannakhet": _p("Savannakhet", "Savannakhet", "ສະຫວັນນະເຂດ", "សាវ៉ាន់ណាខេត", "沙湾拿吉"),
    "attapeu": _p("Attapeu", "Attapeu", "ອັດຕະປື", "អាត្តាពឺ", "阿速坡"),
    "bolikhamxay": _p("Bolikhamxay", "Bolikhamxay", "ບໍລິຄຳໄຊ", None, "波里坎赛"),
    "guangxi": _p("Quảng Tây", "Guangxi", "ກວາງຊີ", None, "广西"),
    "yunnan": _p("Vân Nam", "Yunnan", "ຢຸນນານ", None, "云南"),
}

# International and main border gates: full name, province, country across, the neighbouring province.
GATES: dict[str, Names] = {
    "le-thanh": _p("Cửa khẩu Quốc tế Lệ Thanh", "Le Thanh International Border Gate", "ດ່ານສາກົນເລແທັງ",
                   "ច្រកព្រំដែនអន្តរជាតិឡេថាញ់", "黎清国际口岸", jra="Ƀăng jang dêh čar Lệ Thanh",
                   rad="Ƀăng bhă knông čar Lệ Thanh"),
    "duc-lap": _p("Cửa khẩu Đắk Ruê", "Dak Rue Border Gate", "ດ່ານດັກຣູເອ", "ច្រកព្រំដែនដាក់រួយ", "达瑞口岸",
                  jra="Ƀăng jang dêh čar Đắk Ruê", rad="Ƀăng bhă knông čar Đắk Ruê"),
    "bu-prang": _p("Cửa khẩu Bu Prăng", "Bu Prang Border Gate", "ດ່ານບູປຣັງ", "ច្រកព្រំដែនប៊ូព្រាំង", "布卜朗口岸",
                   jra="Ƀăng jang dêh čar Bu Prăng", rad="Ƀăng bhă knông čar Bu Prăng"),
    "moc-bai": _p("Cửa khẩu Quốc tế Mộc Bài", "Moc Bai International Border Gate", None, "ច្រកព្រំដែនអន្តរជាតិមុកបៃ",
                  "木排国际口岸"),
    "tinh-bien": _p("Cửa khẩu Quốc tế Tịnh Biên", "Tinh Bien International Border Gate", None,
                    "ច្រកព្រំដែនអន្តរជាតិទិញបៀន", "静边国际口岸"),
    "bo-y": _p("Cửa khẩu Quốc tế Bờ Y", "Bo Y International Border Gate", "ດ່ານສາກົນບໍອີ", "ច្រកព្រំដែនអន្តរជាតិបឺអ៊ី",
               "波夷国际口岸", jra="Ƀăng jang dêh čar Bờ Y", rad="Ƀăng bhă knông čar Bờ Y"),
    "na-meo": _p("Cửa khẩu Quốc tế Na Mèo", "Na Meo International Border Gate", "ດ່ານສາກົນນາແມວ",
                 "ច្រកព្រំដែនអន្តរជាតិណាមៀវ", "那猫国际口岸"),
    "lao-bao": _p("Cửa khẩu Quốc tế Lao Bảo", "Lao Bao International Border Gate", "ດ່ານສາກົນລາວບາວ",
                  "ច្រកព្រំដែនអន្តរជាតិឡាវបាវ", "老保国际口岸"),
    "cau-treo": _p("Cửa khẩu Quốc tế Cầu Treo", "Cau Treo International Border Gate", "ດ່ານສາກົນເກົາແຈວ", None,
                   "桥溜国际口岸"),
    "tay-trang": _p("Cửa khẩu Quốc tế Tây Trang", "Tay Trang International Border Gate", "ດ່ານສາກົນໄຕຈາງ", None,
                    "西庄国际口岸"),
    "huu-nghi": _p("Cửa khẩu Quốc tế Hữu Nghị", "Huu Nghi International Border Gate", "ດ່ານສາກົນຮືວງີ", None,
                   "友谊关国际口岸"),
    "mong-cai": _p("Cửa khẩu Quốc tế Móng Cái", "Mong Cai International Border Gate", None, None, "芒街国际口岸"),
    "lao-cai": _p("Cửa khẩu Quốc tế Lào Cai", "Lao Cai International Border Gate", "ດ່ານສາກົນລາວກາຍ", None,
                  "老街国际口岸", hnj="Ciam teb Lào Cai"),
}
GATE_PROVINCE: dict[str, str] = {
    "le-thanh": "gia-lai", "duc-lap": "dak-lak", "bu-prang": "lam-dong", "moc-bai": "tay-ninh",
    "tinh-bien": "an-giang", "bo-y": "quang-ngai", "na-meo": "thanh-hoa", "lao-bao": "quang-tri",
    "cau-treo": "ha-tinh", "tay-trang": "dien-bien", "huu-nghi": "lang-son", "mong-cai": "quang-ninh",
    "lao-cai": "lao-cai",
}
GATE_NEIGHBOUR: dict[str, str] = {
    "le-thanh": "ratanakiri", "duc-lap": "mondulkiri", "bu-prang": "mondulkiri", "moc-bai": "svay-rieng",
    "tinh-bien": "svay-rieng", "bo-y": "attapeu", "na-meo": "houaphanh", "lao-bao": "savannakhet",
    "cau-treo": "bolikhamxay", "tay-trang": "houaphanh", "huu-nghi": "guangxi", "mong-cai": "guangxi",
    "lao-cai": "yunnan",
}

RIVERS: dict[str, Names] = {
    "se-san": _p("sông Sê San", "Se San River", "ແມ່ນ້ຳເຊຊານ", "ទន្លេសេសាន", "色桑河", jra="krông Sê San",
                 rad="krông Sê San", bdq="krông Sê San"),
    "srepok": _p("sông Srêpốk", "Srepok River", "ແມ່ນ້ຳເຊປົກ", "ទន្លេស្រែពក", "斯雷博河", jra="krông Srêpốk",
                 rad="krông Srêpốk", bdq="krông Srêpốk"),
    "ba": _p("sông Ba", "Ba River", "ແມ່ນ້ຳບາ", "ទន្លេបា", "巴江", jra="krông Ba", rad="krông Ba", bdq="krông Ba"),
    "krong-ana": _p("sông Krông Ana", "Krong Ana River", None, "ទន្លេក្រុងអាណា", "库隆阿纳河", jra="krông Ana",
                    rad="krông Ana", bdq="krông Ana"),
    "ma": _p("sông Mã", "Ma River", "ແມ່ນ້ຳມ້າ", None, "马江", hnj="tus dej Mã"),
    "ca": _p("sông Cả", "Ca River", "ແມ່ນ້ຳກາ", None, "蓝江", hnj="tus dej Cả"),
    "hong": _p("sông Hồng", "Red River", "ແມ່ນ້ຳແດງ", None, "红河", hnj="tus Dej Liab"),
}
RIVER_PROVINCE: dict[str, str] = {
    "se-san": "gia-lai", "srepok": "dak-lak", "ba": "gia-lai", "krong-ana": "dak-lak", "ma": "thanh-hoa",
    "ca": "nghe-an", "hong": "lao-cai",
}

MONTHS: dict[str, list[str]] = {
    "vi": [f"tháng {m}" for m in range(1, 13)],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "lo": ["ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ", "ກໍລະກົດ", "ສິງຫາ", "ກັນຍາ", "ຕຸລາ", "ພະຈິກ",
           "ທັນວາ"],
    "km": ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"],
    "zh-Hans": [f"{m}月" for m in range(1, 13)],
    "jra": [f"blan {m}" for m in range(1, 13)],
    "rad": [f"mlan {m}" for m in range(1, 13)],
    "bdq": [f"khei {m}" for m in range(1, 13)],
    "hnj": [f"lub hli {m}" for m in range(1, 13)],
}

KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def number(lang: str, value: int | str) -> str:
    """Numbers as the language writes them: Khmer digits in Khmer text, Arabic digits elsewhere."""
    text = str(value)
    return text.translate(KHMER_DIGITS) if lang == "km" else text
