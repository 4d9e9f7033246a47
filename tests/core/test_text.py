"""Vietnamese ordering."""

from ttdn.core.text import vi_sort_key


def test_vietnamese_alphabetical_order() -> None:
    names = ["Đắk Lắk", "Yên Bái", "Điện Biên", "An Giang", "Ăn", "Bắc Ninh", "Cà Mau", "Đồng Nai", "Dương"]
    assert sorted(names, key=vi_sort_key) == [
        "An Giang", "Ăn", "Bắc Ninh", "Cà Mau", "Dương", "Đắk Lắk", "Điện Biên", "Đồng Nai", "Yên Bái"]
