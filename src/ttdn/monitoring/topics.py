"""Words that tag an article with the plans' topics (the codes of content's topics), in the border languages.

Matched like watch terms (ttdn.monitoring.matcher): folded, whole words, pairs of clusters for unspaced scripts.
"""

from __future__ import annotations

TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "phan-gioi-cam-moc": ("cột mốc", "mốc quốc giới", "phân giới cắm mốc", "boundary marker", "border marker",
                          "ຫຼັກໝາຍ", "បង្គោលព្រំដែន", "界碑"),
    "chu-quyen-lanh-tho": ("chủ quyền", "lãnh thổ", "sovereignty", "territorial", "ອະທິປະໄຕ", "អធិបតេយ្យ", "主权"),
    "dan-toc-ton-giao": ("tôn giáo", "dân tộc thiểu số", "tín ngưỡng", "religion", "religious", "ethnic minority",
                         "ສາສະໜາ", "សាសនា", "宗教", "少数民族"),
    "nhan-quyen": ("nhân quyền", "human rights", "ສິດທິມະນຸດ", "សិទ្ធិមនុស្ស", "人权"),
    "xuc-tien-dau-tu": ("đầu tư", "xúc tiến", "du lịch", "investment", "investor", "tourism", "ການລົງທຶນ",
                        "វិនិយោគ", "投资", "旅游"),
    "van-hoa-lich-su": ("lễ hội", "di tích", "văn hóa", "festival", "heritage", "ວັດທະນະທຳ", "វប្បធម៌", "文化"),
    "hoi-nhap-quoc-te": ("hội nhập", "ASEAN", "hợp tác quốc tế", "international cooperation", "东盟"),
    "phan-bac-thong-tin-sai-lech": ("thông tin sai lệch", "tin giả", "xuyên tạc", "fake news", "disinformation",
                                    "misinformation", "ຂ່າວປອມ", "ព័ត៌មានក្លែងក្លាយ", "假新闻"),
    "huu-nghi-viet-lao": ("Việt Nam - Lào", "Việt – Lào", "Việt Lào", "Vietnam-Laos", "Laos", "ລາວ-ຫວຽດນາມ",
                          "ຫວຽດນາມ", "老挝"),
    "huu-nghi-viet-campuchia": ("Việt Nam - Campuchia", "Campuchia", "Cambodia", "កម្ពុជា", "វៀតណាម", "柬埔寨"),
    "kinh-te-cua-khau": ("cửa khẩu", "xuất nhập khẩu", "biên mậu", "border gate", "border trade", "ດ່ານ",
                         "ច្រកព្រំដែន", "口岸", "边贸"),
    "luat-bien-gioi": ("luật biên giới", "khu vực biên giới", "vành đai biên giới", "border law", "border area"),
    "phong-chong-toi-pham": ("mua bán người", "buôn lậu", "ma túy", "xuất nhập cảnh trái phép", "human trafficking",
                             "smuggling", "drug", "ຢາເສບຕິດ", "គ្រឿងញៀន", "走私", "毒品"),
    "an-toan-thien-tai": ("lũ lụt", "lũ quét", "sạt lở", "bão", "thiên tai", "flood", "landslide", "storm",
                          "ນ້ຳຖ້ວມ", "ទឹកជំនន់", "洪水", "台风"),
    "y-te-kiem-dich": ("kiểm dịch", "dịch bệnh", "quarantine", "epidemic", "ກັກກັນ", "检疫"),
    "thanh-tuu-phat-trien": ("tăng trưởng", "GRDP", "xóa đói giảm nghèo", "giảm nghèo", "economic growth",
                             "poverty reduction", "ການເຕີບໂຕ", "经济增长"),
    "boi-duong-nghiep-vu": ("thông tin đối ngoại", "foreign information"),
}
