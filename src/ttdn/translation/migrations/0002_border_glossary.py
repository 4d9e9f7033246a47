"""The starting glossary of border and foreign-affairs terms: border marker, border gate, border-guard post,
border area and demarcation; the provinces across the border; Vietnamese province names kept as they are in
English. Central editors add to it (or import TBX/CSV) from the glossary page."""

from django.db import migrations

P, D, F = "preferred", "do_not_translate", "forbidden"
TERMS = [
    # (source, target language, target, status, note)
    ("mốc quốc giới", "en", "border marker", P, ""),
    ("mốc quốc giới", "en", "landmark", F, "A landmark is not a border marker."),
    ("mốc quốc giới", "zh-Hans", "界碑", P, ""),
    ("mốc quốc giới", "lo", "ຫຼັກໝາຍຊາຍແດນ", P, ""),
    ("mốc quốc giới", "km", "បង្គោលព្រំដែន", P, ""),
    ("cửa khẩu", "en", "border gate", P, ""),
    ("cửa khẩu", "zh-Hans", "口岸", P, ""),
    ("cửa khẩu", "lo", "ດ່ານຊາຍແດນ", P, ""),
    ("cửa khẩu", "km", "ច្រកព្រំដែន", P, ""),
    ("đồn biên phòng", "en", "border-guard post", P, ""),
    ("đồn biên phòng", "zh-Hans", "边防站", P, ""),
    ("khu vực biên giới", "en", "border area", P, ""),
    ("khu vực biên giới", "zh-Hans", "边境地区", P, ""),
    ("khu vực biên giới", "lo", "ເຂດຊາຍແດນ", P, ""),
    ("khu vực biên giới", "km", "តំបន់ព្រំដែន", P, ""),
    ("phân giới cắm mốc", "en", "border demarcation and marker placement", P, ""),
    ("phân giới cắm mốc", "zh-Hans", "勘界立碑", P, ""),
    # Provinces across the border, as their own country writes them.
    ("Át-tô-pư", "lo", "ອັດຕະປື", P, "Attapeu (Laos)"),
    ("Át-tô-pư", "en", "Attapeu", P, ""),
    ("Chăm-pa-xắc", "lo", "ຈຳປາສັກ", P, "Champasak (Laos)"),
    ("Chăm-pa-xắc", "en", "Champasak", P, ""),
    ("Xê-kông", "lo", "ເຊກອງ", P, "Sekong (Laos)"),
    ("Xê-kông", "en", "Sekong", P, ""),
    ("Xa-van-na-khệt", "lo", "ສະຫວັນນະເຂດ", P, "Savannakhet (Laos)"),
    ("Xa-van-na-khệt", "en", "Savannakhet", P, ""),
    ("Ra-ta-na-ki-ri", "km", "រតនគិរី", P, "Ratanakiri (Cambodia)"),
    ("Ra-ta-na-ki-ri", "en", "Ratanakiri", P, ""),
    ("Mon-đun-ki-ri", "km", "មណ្ឌលគិរី", P, "Mondulkiri (Cambodia)"),
    ("Mon-đun-ki-ri", "en", "Mondulkiri", P, ""),
    ("Vân Nam", "zh-Hans", "云南", P, "Yunnan (China)"),
    ("Vân Nam", "en", "Yunnan", P, ""),
    ("Quảng Tây", "zh-Hans", "广西", P, "Guangxi (China)"),
    ("Quảng Tây", "en", "Guangxi", P, ""),
    # Vietnamese border provinces keep their names in English.
    *[(name, "en", "", D, "") for name in ("Gia Lai", "Quảng Trị", "Điện Biên", "Lai Châu", "Lào Cai",
                                            "Tây Ninh", "An Giang")],
]


def seed(apps, schema_editor):
    Term = apps.get_model("translation", "Term")
    for source, target_language, target, status, note in TERMS:
        Term.objects.get_or_create(source_language="vi", target_language=target_language, source=source,
                                   target=target, defaults={"status": status, "note": note})


def unseed(apps, schema_editor):
    Term = apps.get_model("translation", "Term")
    for source, target_language, target, _status, _note in TERMS:
        Term.objects.filter(source_language="vi", target_language=target_language, source=source,
                            target=target).delete()


class Migration(migrations.Migration):
    dependencies = [("translation", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
