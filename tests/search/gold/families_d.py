"""Words of several syllables (issue 21): for each word, an item about it and a distractor holding its syllables
apart — more often, or in its title — in the same place, so only the syllables' order and adjacency tell them
apart. Vietnamese ("đường biên giới": border line; "đường" alone: sugar), place names ("Lào Cai", "Ia Mơ"
against "mở"), and Lao and Khmer words whose pieces stand inside other words (ຫຼັກໝາຍ against ຫຼັກສູດ … ກົດໝາຍ).

Each case is queried as typed by an official: the word and the place (Vietnamese also without diacritics, by
the build). The item about the word is the one relevant; the distractor is judged not relevant (it is about
something else).
"""

# ruff: noqa: E501 — whole sentences read better on one line each.

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    key: str
    query: str
    place: str
    together: tuple[str, str, str]  # title, summary, body sentence ({p}: the place)
    apart: tuple[str, str, str]
    # Lao or Khmer: the same item in that language (the Vietnamese source is `together` / `apart`).
    lang: str = "vi"
    together_local: tuple[str, str, str] | None = None
    apart_local: tuple[str, str, str] | None = None
    # The family of the gold set the word's item belongs to as well (its other queries judge it relevant).
    family: str = "words"


VI: list[Case] = [
    Case("duong-bien-gioi", "đường biên giới", "Huổi Lả",
         ("Tuần tra bảo vệ đường biên giới ở bản {p}", "Tổ tuần tra đi dọc đường biên giới.",
          "Bộ đội biên phòng phát quang lối mòn ven mốc."),
         ("Đường cát lậu qua biên giới bị bắt ở {p}", "Xe chở đường kính trắng vượt biên giới, đường cát bị thu.",
          "Giá đường trong nước tăng khiến buôn lậu qua biên giới nóng lên.")),
    Case("nghe-nhan", "nghệ nhân", "Nậm Cáy",
         ("Nghệ nhân cồng chiêng ở {p} truyền nghề", "Một nghệ nhân dạy đánh chiêng cho thanh niên.",
          "Lớp học mở vào các tối cuối tuần."),
         ("Nghệ An: nhân dân {p} góp công làm đường", "Người dân Nghệ An và nhân dân bản {p} cùng làm.",
          "Nhân rộng mô hình dân vận khéo ở Nghệ An.")),
    Case("gian-hang", "gian hàng", "Pa Thơm",
         ("Hội chợ {p} có 120 gian hàng", "Các gian hàng bày nông sản và thổ cẩm.", "Hội chợ mở đến hết tuần."),
         ("Thời gian thông quan hàng hóa ở {p} rút ngắn", "Thời gian chờ giảm, hàng hóa qua nhanh hơn.",
          "Thời gian làm thủ tục cho hàng nông sản chỉ còn một giờ.")),
    Case("hai-quan", "hải quan", "Sín Thầu",
         ("Hải quan {p} hướng dẫn khai báo", "Chi cục hải quan nhắc chủ hàng khai đủ giấy tờ.",
          "Tờ khai được nộp trực tuyến."),
         ("Ngư dân Hải Phòng tham quan {p}", "Đoàn Hải Phòng tham quan và tìm hiểu quan hệ hữu nghị.",
          "Hải Phòng và {p} ký kết quan hệ kết nghĩa.")),
    Case("cot-moc", "cột mốc", "A Dơi",
         ("Sửa chữa cột mốc ở xã {p}", "Cột mốc bị sạt lở được gia cố lại.", "Tổ công tác đo đạc vị trí mốc."),
         ("Cột điện ở {p} phải dời trước mốc tháng Sáu", "Cột điện cũ cản đường; mốc thời gian dời cột là tháng Sáu.",
          "Điện lực cam kết dời cột đúng mốc.")),
    Case("thu-tuc", "thủ tục", "Tà Long",
         ("Thủ tục cấp giấy tạm trú ở {p}", "Người dân làm thủ tục tại xã.", "Hồ sơ gồm tờ khai và căn cước."),
         ("Già làng {p} giữ phong tục, thủ công dệt vải", "Phong tục cưới hỏi và nghề thủ công được giữ gìn.",
          "Thủ công mỹ nghệ gắn với phong tục của bản.")),
    Case("tiem-phong", "tiêm phòng", "Ba Nang",
         ("Tiêm phòng bệnh dại cho chó ở {p}", "Chiến dịch tiêm phòng kéo dài hai tuần.",
          "Chủ nuôi mang vật nuôi đến điểm tiêm."),
         ("Phòng y tế {p} nhắc người dân đi tiêm đủ mũi", "Phòng y tế lập danh sách; mũi tiêm thứ hai vào tháng sau.",
          "Trạm y tế mở thêm buổi tiêm chiều thứ Bảy.")),
    Case("nhap-canh", "nhập cảnh", "Ia Dom",
         ("Hướng dẫn nhập cảnh cho khách qua {p}", "Khách nhập cảnh cần hộ chiếu còn hạn.", "Thời gian làm thủ tục ngắn."),
         ("Gỗ nhập khẩu ở {p} bị cảnh sát kiểm tra", "Lô gỗ nhập khẩu bị cảnh sát giữ lại; cảnh sát lập biên bản.",
          "Doanh nghiệp nhập khẩu phải trình giấy tờ.")),
    Case("thong-hanh", "thông hành", "Ia Lốp",
         ("Cấp giấy thông hành cho cư dân {p}", "Cư dân biên giới được cấp thông hành trong ngày.",
          "Hồ sơ nộp tại đồn biên phòng."),
         ("Thông báo lịch xe cho hành khách đi {p}", "Thông tin giờ chạy giúp hành khách chủ động; thông báo dán ở bến.",
          "Hành khách mua vé tại bến xe.")),
    Case("hoc-bong", "học bổng", "Đắk Dục",
         ("Học bổng cho sinh viên nghèo ở {p}", "Hai mươi suất học bổng được trao.", "Sinh viên nộp đơn trước tháng Chín."),
         ("Học sinh {p} và chế độ lương bổng giáo viên", "Học sinh nội trú tăng; lương bổng giáo viên được điều chỉnh.",
          "Học sinh được miễn học phí.")),
    Case("dan-quan", "dân quân", "Hoành Mô",
         ("Dân quân {p} tuần tra mùa khô", "Tổ dân quân canh lửa rừng.", "Mỗi tổ có năm người trực."),
         ("Nhân dân và quân đội {p} chung sức dựng nhà", "Người dân và quân đội góp công; dân bản và quân nhân cùng làm.",
          "Quân đội hỗ trợ vật liệu, dân góp ngày công.")),
    Case("an-ninh", "an ninh", "Pò Hèn",
         ("Bảo đảm an ninh trật tự ở {p}", "Lực lượng an ninh tăng cường tuần tra.", "Người dân báo tin qua đường dây nóng."),
         ("Học sinh An Giang giao lưu với Ninh Bình tại {p}", "Đoàn An Giang và đoàn Ninh Bình gặp nhau.",
          "Ninh Bình tặng sách; An Giang tặng quà.")),
    Case("thoi-tiet", "thời tiết", "Nà Sự",
         ("Dự báo thời tiết vùng núi {p}", "Thời tiết chuyển lạnh, có sương muối.", "Người dân chú ý giữ ấm cho gia súc."),
         ("Thời gian dùng điện ở {p} và cách tiết kiệm", "Thời gian cao điểm tăng giá; tiết kiệm điện giúp giảm chi phí.",
          "Thời gian tắt đèn được nhắc mỗi tối.")),
    Case("phong-chong", "phòng chống", "Chi Ma",
         ("Phòng chống cháy rừng ở {p}", "Xã lập phương án phòng chống cháy.", "Tổ xung kích trực suốt mùa khô."),
         ("Phòng văn hóa {p} họp bàn cách chống hạn", "Phòng văn hóa và các bản bàn cách chống hạn cho lúa.",
          "Phòng văn hóa cử cán bộ xuống bản.")),
    Case("mua-ban", "mua bán", "Tà Lùng",
         ("Cảnh giác mua bán người ở {p}", "Kẻ xấu dụ dỗ phụ nữ sang bên kia biên giới để mua bán.",
          "Gọi tổng đài khi nghi ngờ."),
         ("Mùa mua sắm Tết ở chợ {p}, tiểu thương bán đắt", "Người dân mua sắm đông; hàng bán chạy.",
          "Tiểu thương bán hàng đến khuya.")),
    Case("lao-dong", "lao động", "Nậm Nhùn",
         ("Lao động {p} đi làm thuê trái phép", "Nhiều lao động vượt biên làm thuê.", "Chính quyền khuyên người lao động về quê."),
         ("Đoàn từ Lao Bảo vận động người dân {p}", "Cán bộ Lao Bảo vận động bà con; Lao Bảo gửi quà.",
          "Vận động học sinh đến trường.")),
    Case("xuat-khau", "xuất khẩu", "Pa Vây Sử",
         ("Xuất khẩu chè {p} tăng mạnh", "Chè xuất khẩu đạt giá cao.", "Hợp tác xã ký thêm hợp đồng."),
         ("Xuất cảnh qua cửa khẩu gần {p}", "Người xuất cảnh làm thủ tục ở cửa khẩu; xuất trình giấy tờ tại cửa khẩu.",
          "Cửa khẩu mở từ bảy giờ sáng.")),
    Case("cua-khau", "cửa khẩu", "Thu Lũm",
         ("Cửa khẩu {p} mở thêm luồng xanh", "Cửa khẩu ưu tiên xe nông sản.", "Xe qua trong mười lăm phút."),
         ("Cửa hàng ở {p} phát khẩu trang miễn phí", "Các cửa hàng tặng khẩu trang; cửa hàng tạp hóa góp thêm khẩu trang.",
          "Người dân nhận khẩu trang tại cửa hàng.")),
    Case("bien-phong", "biên phòng", "Mù Cả",
         ("Đồn biên phòng {p} giúp dân thu hoạch", "Bộ đội biên phòng xuống ruộng cùng dân.", "Lúa được gặt kịp trước mưa."),
         ("Biên bản họp phòng văn hóa {p}", "Biên bản ghi ý kiến của phòng; phòng thống nhất biên bản.",
          "Phòng lưu biên bản ở văn thư.")),
    Case("quoc-tich", "quốc tịch", "Ka Lăng",
         ("Giải quyết quốc tịch cho cư dân di cư ở {p}", "Người di cư tự do được xét quốc tịch.", "Hồ sơ gửi lên tỉnh."),
         ("Quốc lộ qua {p}: tịch thu hàng lậu", "Trên quốc lộ, tổ kiểm tra tịch thu thuốc lá; quốc lộ bị chặn.",
          "Hàng bị tịch thu được tiêu hủy.")),
    Case("van-hoa", "văn hóa", "Dào San",
         ("Lễ hội văn hóa các dân tộc ở {p}", "Ngày hội văn hóa có múa xòe và hát then.", "Du khách đến xem đông."),
         ("Văn bản về hóa đơn điện tử cho hộ kinh doanh {p}", "Văn bản hướng dẫn dùng hóa đơn; hóa đơn giấy bỏ dần.",
          "Hộ kinh doanh nhận văn bản qua xã.")),
    Case("ngu-dan", "ngư dân", "Xà Xía",
         ("Ngư dân {p} vươn khơi bám biển", "Ngư dân ra khơi sau bão.", "Tàu cá được tiếp dầu."),
         ("Ngư trường gần {p} và đời sống người dân", "Ngư trường cạn cá; dân chuyển sang nuôi trồng.",
          "Ngư trường được quy hoạch lại.")),
    Case("ho-chieu", "hộ chiếu", "Sì Lở Lầu",
         ("Cấp hộ chiếu cho người dân {p}", "Người dân làm hộ chiếu tại tỉnh.", "Lệ phí được niêm yết."),
         ("Hộ nghèo {p} được chiếu phim lưu động", "Đội chiếu phim đến bản; hộ nghèo xem miễn phí, chiếu hai tối.",
          "Hộ gia đình mang ghế đến xem.")),
    Case("ca-phe", "cà phê", "Lũng Cú",
         ("Giá cà phê ở {p} tăng", "Nông dân bán cà phê được giá.", "Thương lái thu mua tại vườn."),
         ("Dự án cà chua ở {p} được phê duyệt", "Cà chua trồng trong nhà màng; tỉnh phê duyệt vốn.",
          "Cà chua bán cho siêu thị.")),
    Case("y-te", "y tế", "Sủng Là",
         ("Khai báo y tế khi về {p}", "Người về từ vùng dịch khai báo y tế.", "Trạm xá nhận tờ khai."),
         ("Cửa khẩu Bờ Y đón khách quốc tế đến {p}", "Khách quốc tế qua Bờ Y; Bờ Y mở thêm quầy.",
          "Khách quốc tế được hướng dẫn tận tình.")),
    Case("bo-y", "Bờ Y", "Xín Cái",
         ("Cửa khẩu quốc tế Bờ Y và chợ {p}", "Bờ Y là cửa khẩu với Lào.", "Xe hàng qua lại hằng ngày."),
         ("Bờ sông {p} sạt lở, trạm y tế phải dời", "Bờ sông lở sát trạm y tế; y sĩ chuyển thuốc đi.",
          "Bờ kè mới được xây.")),
    Case("lao-bao", "Lao Bảo", "Tả Van",
         ("Đoàn {p} thăm cửa khẩu Lao Bảo", "Lao Bảo là cửa khẩu quốc tế.", "Đoàn dự buổi giao lưu."),
         ("Lao động tự do ở {p} tham gia bảo hiểm", "Người lao động được hướng dẫn đóng bảo hiểm; bảo hiểm y tế được hỗ trợ.",
          "Lao động nông thôn đăng ký đông.")),
    Case("ia-mo", "Ia Mơ", "Chư Prông",
         ("Đồn biên phòng Ia Mơ giúp dân {p}", "Xã Ia Mơ có đường biên với Campuchia.", "Bộ đội Ia Mơ dựng nhà cho dân."),
         ("Ia Grai mở lớp xóa mù chữ, ước mơ đến trường ở {p}", "Ia Grai mở thêm lớp; mơ ước của trẻ em được chắp cánh.",
          "Lớp học mở buổi tối.")),
    Case("nghe-an", "Nghệ An", "Trịnh Tường",
         ("Mưa lớn ở Nghệ An, {p} sơ tán dân", "Nghệ An có nguy cơ lũ.", "Người dân được đưa đến nơi an toàn."),
         ("Nghệ thuật dân gian và an toàn lễ hội ở {p}", "Nghệ thuật hát then được biểu diễn; an toàn được bảo đảm.",
          "Nghệ sĩ bản địa lên sân khấu.")),
    Case("lao-cai", "Lào Cai", "A Xing",
         ("Đoàn {p} học kinh nghiệm ở Lào Cai", "Lào Cai chia sẻ cách làm du lịch.", "Đoàn thăm chợ phiên."),
         ("Cai nghiện cho người từ Lào trở về {p}", "Trung tâm cai nghiện nhận người từ Lào; cai nghiện tự nguyện.",
          "Gia đình được tư vấn.")),
    Case("tuan-tra", "tuần tra", "Hướng Lập",
         ("Tuần tra song phương ở {p}", "Hai bên tuần tra dọc biên giới.", "Kết quả được thông báo."),
         ("Tuần lễ hội trà xanh ở {p}", "Tuần này có hội trà; trà được bán tại chỗ.", "Trà xanh là đặc sản.")),
    Case("ma-tuy", "ma túy", "Húc Nghì",
         ("Bắt vụ vận chuyển ma túy ở {p}", "Đối tượng mang ma túy qua rừng.", "Tang vật bị thu giữ."),
         ("Ma lanh dọa trẻ ở {p}, túy lúy say xỉn bị phạt", "Kẻ say túy lúy dọa ma trẻ em.", "Chính quyền xử phạt.")),
    Case("thuong-mai", "thương mại", "Đăk Long",
         ("Xúc tiến thương mại ở {p}", "Hội nghị thương mại thu hút doanh nghiệp.", "Nhiều hợp đồng được ký."),
         ("Thương binh {p} nhận quà, mái nhà được lợp mới", "Thương binh được thăm; mái nhà dột được sửa.",
          "Thương binh nặng nhận trợ cấp.")),
    Case("hop-tac", "hợp tác", "Mô Rai",
         ("Hợp tác giữa {p} và huyện bạn", "Hai bên hợp tác phòng dịch.", "Biên bản ghi nhớ được ký."),
         ("Cuộc họp ở {p} bàn tác hại của rượu", "Họp thôn nói về tác hại; cuộc họp kéo dài.", "Tác hại của rượu được nêu rõ.")),
    Case("tai-tro", "tài trợ", "Rờ Kơi",
         ("Tài trợ xây trường ở {p}", "Một doanh nghiệp tài trợ ba phòng học.", "Trường khánh thành vào tháng Chín."),
         ("Tài xế chở học sinh {p}, trợ giúp bà con", "Tài xế nhận trợ cấp xăng; học sinh được đưa đón.",
          "Tài xế làm việc không công.")),
    Case("khai-bao", "khai báo", "Ia Púch",
         ("Khai báo tạm trú ở {p}", "Người đến ở phải khai báo với công an xã.", "Khai báo qua ứng dụng."),
         ("Khai mạc hội báo xuân ở {p}", "Hội báo xuân khai mạc; báo chí các tỉnh tham gia.", "Báo xuân được trưng bày.")),
    Case("tam-tru", "tạm trú", "Tân Hòa",
         ("Đăng ký tạm trú cho người lao động ở {p}", "Người lao động đến {p} đăng ký tạm trú.", "Công an xã hướng dẫn."),
         ("Tạm dừng xây nhà trú bão ở {p}", "Công trình tạm dừng vì mưa; nhà trú bão xây lại sau.", "Nhà trú bão có hai tầng.")),
    Case("dich-benh", "dịch bệnh", "Khánh Bình",
         ("Phòng dịch bệnh cho gia súc ở {p}", "Dịch bệnh lở mồm long móng xuất hiện.", "Thú y phun thuốc khử trùng."),
         ("Bản dịch tài liệu về bệnh viện {p}", "Bản dịch sang tiếng Khmer; bệnh viện phát cho bệnh nhân.",
          "Người dịch là giáo viên.")),
    Case("nong-san", "nông sản", "Vĩnh Xương",
         ("Nông sản {p} xuất sang nước bạn", "Xe chở nông sản qua cửa khẩu.", "Giá nông sản ổn định."),
         ("Nông dân {p} và sản phẩm OCOP", "Nông dân làm sản phẩm mới; sản phẩm được chứng nhận.", "Nông dân học làm bao bì.")),
    Case("biet-phai", "biệt phái", "Thường Phước",
         ("Cán bộ biệt phái về {p}", "Cán bộ biệt phái hỗ trợ xã biên giới.", "Thời gian biệt phái là ba năm."),
         ("Biệt đội hát ở {p} phải dời lịch", "Biệt đội văn nghệ phải dời; biệt đội hát vào tháng sau.",
          "Khán giả biết tin qua loa.")),
    Case("cap-cuu", "cấp cứu", "Tịnh Biên",
         ("Cấp cứu ngư dân bị nạn ở {p}", "Tổ cấp cứu đưa người bị thương vào bờ.", "Bệnh nhân qua cơn nguy kịch."),
         ("Cấp phép cứu hộ giao thông ở {p}", "Xe cứu hộ được cấp phép; cấp huyện kiểm tra.", "Cứu hộ trực hai mươi bốn giờ.")),
    Case("khu-vuc", "khu vực", "Tà Vân",
         ("Quy định khu vực biên giới ở {p}", "Người vào khu vực biên giới phải đăng ký.", "Biển báo được cắm."),
         ("Khu dân cư {p} vực dậy sau lũ", "Khu dân cư ngập; bà con vực dậy sản xuất.", "Khu chợ mở lại.")),
    Case("bao-ve", "bảo vệ", "Lóng Luông",
         ("Bảo vệ rừng đầu nguồn ở {p}", "Tổ bảo vệ rừng đi tuần.", "Rừng được giao cho bản."),
         ("Bảo hiểm cho nông dân {p}, vệ sinh chuồng trại", "Bảo hiểm nông nghiệp được hỗ trợ; vệ sinh chuồng trại.",
          "Bảo hiểm chi trả khi có thiên tai.")),
    Case("kiem-dich", "kiểm dịch", "Na Ư",
         ("Kiểm dịch gia cầm qua {p}", "Trạm kiểm dịch lấy mẫu gia cầm.", "Lô hàng có giấy chứng nhận."),
         ("Kiểm tra bản dịch hợp đồng ở {p}", "Cán bộ kiểm tra bản dịch; kiểm tra chữ ký.", "Bản dịch có công chứng.")),
    Case("giay-to", "giấy tờ", "Mường Mươn",
         ("Mang theo giấy tờ khi vào {p}", "Người vào vùng biên mang giấy tờ tùy thân.", "Đồn biên phòng kiểm tra."),
         ("Nhà máy giấy ở {p} và tờ rơi", "Giấy tái chế; tờ rơi phát cho công nhân nhà máy giấy.", "Tờ rơi in hai màu.")),
    Case("song-phuong", "song phương", "Nà Bủng",
         ("Hội đàm song phương tại {p}", "Hai bên hội đàm song phương về mốc giới.", "Biên bản được ký."),
         ("Song ca ở {p}, phương án văn nghệ", "Tiết mục song ca; phương án biểu diễn được duyệt.",
          "Song ca được khen.")),
    Case("tam-giac", "tam giác", "Bản Giốc",
         ("Tam giác chè ở {p}", "Vùng tam giác chè cho năng suất cao.", "Chè được thu hái quanh năm."),
         ("Tạm ngừng tam cấp, giác quan thú vị ở {p}", "Bậc tam cấp sửa; giác quan du khách được đánh thức.",
          "Du khách đến đông.")),
]

LO: list[Case] = [
    Case("lo-lak-mai", "ຫຼັກໝາຍ", "ບ້ານນາຫວ້າ",
         ("Sửa mốc biên giới ở bản Na Hoa", "Mốc được gia cố.", "Tổ đo đạc làm việc."),
         ("Khóa học pháp luật ở bản Na Hoa", "Người dân học luật.", "Lớp học mở buổi tối."),
         lang="lo", family="markers",
         together_local=("ສ້ອມແປງຫຼັກໝາຍຊາຍແດນຢູ່{p}", "ຫຼັກໝາຍໄດ້ຮັບການສ້ອມແປງ", "ທີມງານວັດແທກ"),
         apart_local=("ຫຼັກສູດອົບຮົມກົດໝາຍຢູ່{p} ຫຼັກສູດກົດໝາຍ", "ປະຊາຊົນຮຽນກົດໝາຍຕາມຫຼັກສູດ", "ຫ້ອງຮຽນເປີດຕອນແລງ")),
    Case("lo-dan-sakon", "ດ່ານສາກົນ", "ບ້ານນາໂພ",
         ("Cửa khẩu quốc tế gần bản Na Pho mở cửa", "Cửa khẩu phục vụ khách.", "Xe qua lại đông."),
         ("Trạm địa phương đóng, hội chợ quốc tế dời lịch", "Hội chợ dời.", "Khách chờ tin."),
         lang="lo",
         together_local=("ດ່ານສາກົນໃກ້{p}ເປີດບໍລິການ", "ດ່ານສາກົນຮັບນັກທ່ອງທ່ຽວ", "ລົດຜ່ານໄປມາຫຼາຍ"),
         apart_local=("ດ່ານທ້ອງຖິ່ນ{p}ປິດ ງານວາງສະແດງສາກົນເລື່ອນ", "ດ່ານທ້ອງຖິ່ນປິດຊົ່ວຄາວ ງານສາກົນເລື່ອນ",
                      "ແຂກລໍຖ້າຂ່າວ")),
    Case("lo-bat-phan-daen", "ບັດຜ່ານແດນ", "ບ້ານດອນໃຫຍ່",
         ("Cấp giấy thông hành biên giới cho dân bản Don Yai", "Người dân nhận thẻ.", "Thủ tục đơn giản."),
         ("Thẻ học sinh bản Don Yai, xe đi qua vùng đất", "Học sinh nhận thẻ.", "Xe đi qua."),
         lang="lo", family="border-pass",
         together_local=("ອອກບັດຜ່ານແດນໃຫ້ປະຊາຊົນ{p}", "ປະຊາຊົນໄດ້ຮັບບັດຜ່ານແດນ", "ຂັ້ນຕອນງ່າຍ"),
         apart_local=("ບັດນັກຮຽນ{p} ລົດຂົນສົ່ງຜ່ານເຂດດິນແດນ", "ນັກຮຽນໄດ້ຮັບບັດ ລົດແລ່ນຜ່ານບ້ານ", "ດິນແດນກວ້າງ")),
    Case("lo-talat-nat", "ຕະຫຼາດນັດ", "ບ້ານພູຫົວຊ້າງ",
         ("Phiên chợ ở bản Phu Hua Xang", "Chợ phiên họp mỗi tuần.", "Người mua đông."),
         ("Chợ bản Phu Hua Xang, hẹn gặp trưởng bản", "Chợ mở cửa; buổi hẹn dời.", "Trưởng bản đi vắng."),
         lang="lo",
         together_local=("ຕະຫຼາດນັດ{p}", "ຕະຫຼາດນັດເປີດທຸກອາທິດ", "ຜູ້ຊື້ຫຼາຍ"),
         apart_local=("ຕະຫຼາດ{p}ເປີດ ນາຍບ້ານເລື່ອນການນັດພົບ", "ຕະຫຼາດເປີດປົກກະຕິ ການນັດໝາຍເລື່ອນ", "ນາຍບ້ານບໍ່ຢູ່")),
]

KM: list[Case] = [
    Case("km-jounh-dou", "ការជួញដូរម្រេច", "ភូមិអូរស្វាយ",
         ("Buôn bán hồ tiêu ở làng O Svay", "Thương lái mua hồ tiêu.", "Giá hồ tiêu tăng."),
         ("Cuộc họp ở làng O Svay, thương nhân và hồ tiêu", "Thương nhân dự họp.", "Hồ tiêu được nhắc tới."),
         lang="km",
         together_local=("ការជួញដូរម្រេចនៅ{p}", "ឈ្មួញទិញម្រេច", "តម្លៃម្រេចឡើង"),
         apart_local=("ការប្រជុំនៅ{p} អ្នកជួញដូរ និងម្រេច", "អ្នកជួញដូរចូលរួមការប្រជុំ", "ម្រេចត្រូវបានលើកឡើង")),
    Case("km-phsar-prum-daen", "ផ្សារព្រំដែន", "ភូមិថ្មដា",
         ("Chợ biên giới làng Thma Da mở lại", "Chợ mở cửa.", "Người bán đông."),
         ("Chợ làng Thma Da và tuần tra biên giới", "Chợ họp; tuần tra biên giới.", "Cán bộ đi tuần."),
         lang="km",
         together_local=("ផ្សារព្រំដែន{p}បើកឡើងវិញ", "ផ្សារព្រំដែនបើក", "អ្នកលក់ច្រើន"),
         apart_local=("ផ្សារ{p} និងការល្បាតព្រំដែន", "ផ្សារបើក ការល្បាតព្រំដែន", "មន្ត្រីល្បាត")),
    Case("km-chrok-tvear", "ច្រកទ្វារ", "ភូមិព្រែកជ្រៃ",
         ("Cửa khẩu gần làng Preaek Chrey mở cửa", "Cửa khẩu phục vụ khách.", "Thủ tục nhanh."),
         ("Hẻm núi làng Preaek Chrey, cửa nhà mở", "Hẻm núi hẹp; cửa nhà mở.", "Người dân vui."),
         lang="km",
         together_local=("ច្រកទ្វារ{p}បើក", "ច្រកទ្វារបម្រើភ្ញៀវ", "នីតិវិធីលឿន"),
         apart_local=("ច្រកភ្នំ{p} ទ្វារផ្ទះបើក", "ច្រកភ្នំតូច ទ្វារបើក", "ប្រជាជនសប្បាយ")),
]

CASES = VI + LO + KM


def _variant(lang: str, texts: tuple[str, str, str], place: str) -> dict[str, str]:
    title, summary, body = (t.format(p=place) for t in texts)
    return {"language": lang, "title": title, "summary": summary, "body": f"<p>{body}</p>"}


def items() -> list[dict[str, Any]]:
    """Two items per case: the word together (relevant) and its syllables or pieces apart."""
    out = []
    for case in CASES:
        for side in ("together", "apart"):
            texts = getattr(case, side)
            variants = [_variant("vi", texts, case.place if case.lang == "vi" else "")]
            local = getattr(case, f"{side}_local")
            if local is not None:
                variants.append(_variant(case.lang, local, case.place))
            out.append({
                "key": f"words-{case.key}-{side}", "family": case.family if side == "together" else "words",
                "kind": "article",
                "topics": ["chu-quyen-lanh-tho"], "provinces": [], "countries": [], "source_language": "vi",
                "attrs": {"aspect": f"{case.key}-{side}"}, "variants": variants,
            })
    return out


def queries() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(language, text, families, aspect of the relevant item): the word and the place, as typed."""
    return [(case.lang, f"{case.query} {case.place}", tuple(dict.fromkeys(("words", case.family))),
             f"{case.key}-together") for case in CASES]
