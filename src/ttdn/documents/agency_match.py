"""Agencies named in plans → agency records or the groups plans use ("UBND cấp huyện", "các sở, ban, ngành").

Plans name agencies loosely: "Sở TT&TT", "Sở Thông tin và Truyền thông tỉnh", "BCH BĐBP tỉnh", "Đài PT-TH tỉnh",
with or without diacritics, under old or new province names. Names are compared as token sequences with marks
folded and abbreviations expanded; "và", commas and dashes inside a name are optional, and the province ("tỉnh",
"tỉnh Gia Lai", "của tỉnh") may follow. The longest match wins; an agency beats a group of the same length.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from ttdn.accounts.models import Agency, AgencyKind

# Abbreviations officials write, on the folded text (no marks, đ→d, lower case).
_PHRASES: list[tuple[str, str]] = [
    (r"\btt\s*&\s*tt\b|\btt\s*va\s*tt\b|\btttt\b", "thong tin truyen thong"),
    (r"\bpt\s*-?\s*th\b|\bptth\b|\bpt\s*&\s*th\b", "phat thanh truyen hinh"),
    (r"\bvh\s*,?\s*tt\s*(?:&|va)?\s*dl\b|\bvhttdl\b", "van hoa the thao du lich"),
    (r"\bkh\s*(?:&|va)\s*dt\b|\bkhdt\b", "ke hoach dau tu"),
    (r"\btn\s*(?:&|va)\s*mt\b|\btnmt\b", "tai nguyen moi truong"),
    (r"\bgd\s*(?:&|va)\s*dt\b|\bgddt\b", "giao duc dao tao"),
    (r"\bld\s*-?\s*tb\s*(?:&|va)?\s*xh\b|\bldtbxh\b", "lao dong thuong binh xa hoi"),
    (r"\bnn\s*(?:&|va)\s*ptnt\b|\bnnptnt\b", "nong nghiep phat trien nong thon"),
    (r"\bbchbdbp\b|\bbch\s*bdbp\b", "bo chi huy bo doi bien phong"),
    (r"\bbchqs\b|\bbch\s*qs\b", "bo chi huy quan su"),
    (r"\bbdbp\b", "bo doi bien phong"),
    (r"\bbch\b", "bo chi huy"),
    (r"\bubmttqvn\b|\bub\s*mttq\s*vn\b", "uy ban mat tran to quoc viet nam"),
    (r"\bubmttq\b|\bub\s*mttq\b", "uy ban mat tran to quoc"),
    (r"\bmttqvn\b", "mat tran to quoc viet nam"),
    (r"\bmttq\b", "mat tran to quoc"),
    (r"\bubnd\b|\bub\s*nd\b", "uy ban nhan dan"),
    (r"\bhdnd\b", "hoi dong nhan dan"),
    (r"\bctxh\b", "chinh tri xa hoi"),
    (r"\btx\b", "thi xa"),
    (r"\btp\b", "thanh pho"),
    (r"\bsngv\b", "so ngoai vu"),
    (r"\bstttt\b", "so thong tin truyen thong"),
    (r"\bca\s+tinh\b", "cong an tinh"),
]
_COMPILED = [(re.compile(p), r) for p, r in _PHRASES]
# Inside a name these may be present or not: "Sở Văn hóa, Thể thao và Du lịch", "Đài Phát thanh - Truyền hình".
_SKIPPABLE = {"va", ",", "-", "&", "cac"}
# After a name: the province, written many ways.
_SUFFIX_WORDS = {"tinh", "cua", "thuoc", "trong", "cap", "tren", "dia", "ban"}

GROUP_PATTERNS: dict[str, list[str]] = {
    "border_district_committees": [
        "uy ban nhan dan # huyen bien gioi", "uy ban nhan dan cac huyen bien gioi",
        "uy ban nhan dan huyen bien gioi", "cac huyen bien gioi", "# huyen bien gioi",
    ],
    "border_commune_committees": [
        "uy ban nhan dan # xa bien gioi", "uy ban nhan dan cac xa bien gioi", "uy ban nhan dan xa bien gioi",
        "cac xa bien gioi", "# xa bien gioi", "uy ban nhan dan cac xa phuong thi tran bien gioi",
    ],
    "district_committees": [
        "uy ban nhan dan cac huyen thi xa thanh pho", "uy ban nhan dan huyen thi xa thanh pho",
        "uy ban nhan dan cac huyen thi thanh pho", "uy ban nhan dan cap huyen", "uy ban nhan dan cac huyen",
        "uy ban nhan dan cac huyen thi xa", "uy ban nhan dan cac huyen thanh pho",
        "cac huyen thi xa thanh pho", "uy ban nhan dan cac dia phuong",
    ],
    "commune_committees": [
        "uy ban nhan dan cap xa", "uy ban nhan dan cac xa phuong thi tran", "uy ban nhan dan cac xa phuong",
        "uy ban nhan dan cac xa", "uy ban nhan dan xa phuong thi tran",
    ],
    "mass_organisations": [
        "uy ban mat tran to quoc viet nam", "uy ban mat tran to quoc", "mat tran to quoc viet nam",
        "mat tran to quoc", "cac to chuc chinh tri xa hoi",
        "uy ban mat tran to quoc viet nam cac to chuc chinh tri xa hoi", "mat tran to quoc cac doan the",
        "uy ban mat tran to quoc cac to chuc chinh tri xa hoi",
        "mat tran to quoc cac to chuc chinh tri xa hoi", "to chuc chinh tri xa hoi", "cac doan the",
        "doan the", "cac hoi doan the",
    ],
    "press_agencies": [
        "cac co quan bao chi", "co quan bao chi", "cac co quan thong tan bao chi", "co quan thong tan bao chi",
        "cac co quan thong tan", "cac bao dai", "cac co quan bao chi truyen thong", "cac co quan truyen thong",
    ],
    "provincial_departments": [
        "cac so ban nganh", "so ban nganh", "cac so nganh", "cac ban so nganh", "cac so ban nganh doan the",
        "cac so ban nganh cap tinh", "cac co quan chuyen mon", "cac so", "cac nganh", "cac ban nganh",
        "cac co quan nha nuoc",
    ],
    "all_agencies": [
        "cac co quan don vi lien quan", "cac co quan don vi co lien quan", "cac co quan don vi dia phuong lien quan",
        "cac co quan don vi dia phuong co lien quan", "cac don vi lien quan", "cac don vi co lien quan",
        "cac co quan lien quan", "cac co quan co lien quan", "cac co quan don vi",
        "cac dia phuong don vi lien quan", "cac nganh don vi lien quan", "cac nganh don vi co lien quan",
        "cac co quan to chuc ca nhan lien quan",
    ],
}


@dataclass
class AgencyMatch:
    text: str
    agency: str | None = None  # Agency.code
    group: str | None = None  # an AgencyGroup value
    score: float = 0.0
    candidates: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.agency is not None or self.group is not None

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "agency": self.agency, "group": self.group}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    text = re.sub("[\u0300-\u036f]", "", text).replace("đ", "d").replace("Đ", "D").lower()
    text = text.replace("–", "-").replace("—", "-")
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return text


def tokens(text: str) -> list[str]:
    """Folded words and the punctuation that separates names (",", ";", "-", "(", ")" …)."""
    return re.findall(r"[a-z0-9]+|[,;:.()&/-]", fold(text))


def _words(text: str) -> list[str]:
    return [t for t in tokens(text) if t.isalnum()]


@dataclass
class _Key:
    words: list[str]
    code: str | None
    group: str | None
    needs_suffix: bool = False
    valid_on: tuple[date | None, date | None] = (None, None)


def _match_at(toks: list[str], start: int, key: list[str]) -> int | None:
    """The index after `key` matched at `start`, skipping "và", commas, dashes inside the name; None if no match."""
    i, k = start, 0
    while k < len(key):
        if i >= len(toks):
            return None
        tok = toks[i]
        want = key[k]
        if want == "#" and tok.isdigit():
            i, k = i + 1, k + 1
        elif tok == want:
            i, k = i + 1, k + 1
        elif tok in _SKIPPABLE and (k > 0 or tok == "cac"):
            i += 1
        else:
            return None
    return i


class AgencyMatcher:
    """Matches texts against a set of agencies (built once per plan) and the plan groups."""

    def __init__(self, agencies: Iterable[Agency], *, on: date | None = None):
        self.on = on
        self.province_words: set[tuple[str, ...]] = set()
        self.keys: list[_Key] = []
        agency_list = list(agencies)
        province_names = self._province_names(agency_list)
        for name in province_names:
            self.province_words.add(tuple(_words(name)))
        # Every province's name, old and new: a name followed by another province's is that province's agency.
        self.foreign_words = {words for words in _all_province_words() if words not in self.province_words}
        for agency in agency_list:
            self._add_agency(agency, province_names)
        for group, patterns in GROUP_PATTERNS.items():
            for pattern in patterns:
                self.keys.append(_Key(pattern.split(), None, group))
        # Longest first: "UBND các huyện biên giới" before "UBND các huyện".
        self.keys.sort(key=lambda k: (-len(k.words), k.code is None))
        # Keys by their first word, so a lookup tries only the keys that can start here.
        self.by_first: dict[str, list[_Key]] = {}
        for key in self.keys:
            self.by_first.setdefault(key.words[0] if key.words else "", []).append(key)

    @staticmethod
    def _province_names(agencies: list[Agency]) -> set[str]:
        from ttdn.places.models import AdminUnit, UnitLevel

        names = {a.province.short_name for a in agencies if a.province_id and a.province is not None}
        # Old names of the same provinces ("Bình Định" now in Gia Lai, "Phú Yên" in Đắk Lắk).
        ids = {a.province_id for a in agencies if a.province_id}
        if ids:
            names |= set(AdminUnit.objects.filter(level=UnitLevel.PROVINCE, successors__in=ids)
                         .values_list("short_name", flat=True))
        return {n for n in names if n}

    def _add_agency(self, agency: Agency, province_names: set[str]) -> None:
        valid = (agency.valid_from, agency.valid_to)
        name = re.sub(r"\([^)]*\)", " ", agency.name)
        full = _words(name)
        self.keys.append(_Key(full, agency.code, None, valid_on=valid))
        stripped = list(full)
        for province in sorted(province_names, key=len, reverse=True):
            pw = _words(province)
            if len(stripped) > len(pw) and stripped[-len(pw):] == pw:
                stripped = stripped[: -len(pw)]
                break
        if stripped and stripped[-1] == "tinh":
            stripped = stripped[:-1]
        if stripped != full and stripped:
            generic = agency.kind == AgencyKind.PROVINCIAL_PC or len(stripped) < 2
            self.keys.append(_Key(stripped, agency.code, None, needs_suffix=generic, valid_on=valid))
            # "Đài Phát thanh - Truyền hình" is also "Đài Phát thanh và Truyền hình".
        if agency.abbreviation and len(agency.abbreviation) >= 4 and agency.kind not in (
                AgencyKind.PROVINCIAL_PC, AgencyKind.DISTRICT_PC, AgencyKind.COMMUNE_PC, AgencyKind.BORDER_POST):
            self.keys.append(_Key(_words(agency.abbreviation), agency.code, None, needs_suffix=True, valid_on=valid))

    def _suffix(self, toks: list[str], i: int) -> int:
        """Skip the province after a name: "tỉnh", "của tỉnh", "thuộc tỉnh", "tỉnh Gia Lai", "Gia Lai"."""
        start = i
        while i < len(toks) and toks[i] in _SUFFIX_WORDS:
            i += 1
        for words in sorted(self.province_words, key=len, reverse=True):
            if words and tuple(toks[i:i + len(words)]) == words:
                return i + len(words)
        if i > start and toks[i - 1] != "tinh":
            # "cua", "trong" … not followed by "tỉnh" or a province belong to the next words.
            return start
        return i

    def _foreign_province_at(self, toks: list[str], i: int) -> bool:
        """Whether the words at `i` ("tỉnh Gia Lai", "Gia Lai") name a province other than the plan's."""
        while i < len(toks) and toks[i] in {"tinh", "cua", "thuoc"}:
            i += 1
        return any(words and tuple(toks[i:i + len(words)]) == words for words in self.foreign_words)

    def _valid_rank(self, key: _Key) -> int:
        if self.on is None:
            return 0
        start, end = key.valid_on
        ok = (start is None or start <= self.on) and (end is None or end > self.on)
        return 0 if ok else 1

    def match_prefix(self, toks: list[str], start: int) -> tuple[_Key, int] | None:
        """The best key matching at `start` (longest, then valid on the plan's date), and the index after it."""
        best: list[tuple[int, int, int, _Key]] = []
        first = toks[start] if start < len(toks) else ""
        candidates = list(self.by_first.get(first, []))
        if first == "cac" and start + 1 < len(toks):
            candidates += self.by_first.get(toks[start + 1], [])
        if first.isdigit():
            candidates += self.by_first.get("#", [])
        for key in candidates:
            end = _match_at(toks, start, key.words)
            if end is None:
                continue
            after = self._suffix(toks, end)
            if key.needs_suffix and after == end:
                continue
            if key.code is not None and self._foreign_province_at(toks, end):
                continue  # "Sở Ngoại vụ tỉnh Gia Lai" in a Đắk Lắk plan is not Đắk Lắk's department
            best.append((-(end - start), key.code is None, self._valid_rank(key), key))
            if len(best) > 64:
                break
        if not best:
            return None
        best.sort(key=lambda b: (b[0], b[1], b[2]))
        top = best[0]
        same = {b[3].code for b in best if b[:3] == top[:3] and b[3].code}
        if len(same) > 1:
            return None  # the same name in several provinces and no province to choose by
        end = _match_at(toks, start, top[3].words)
        assert end is not None
        return top[3], self._suffix(toks, end)

    def match(self, text: str) -> AgencyMatch:
        """The agency or group a whole text names ("Sở TT&TT", "UBND các huyện, thị xã, thành phố")."""
        clean = re.sub(r"\([^)]*\)", " ", text)
        clean = re.sub(r"^\s*(?:-|\+|\d+[.)])?\s*(?:đề nghị|giao|yêu cầu)\s+", "", clean, flags=re.IGNORECASE)
        toks = [t for t in tokens(clean) if t not in {".", ":", ";", "(", ")"}]
        while toks and toks[0] in {",", "-", "va"}:
            toks = toks[1:]
        result = AgencyMatch(text=text.strip())
        if not toks:
            return result
        found = self.match_prefix(toks, 0)
        if found:
            key, end = found
            rest = [t for t in toks[end:] if t.isalnum() and t not in _TRAILING]
            words = [t for t in toks if t.isalnum()]
            covered = 1 - len(rest) / max(len(words), 1)
            if covered >= 0.75:
                result.agency, result.group, result.score = key.code, key.group, round(covered, 3)
                return result
        # Typos and odd spellings: compare the folded words as strings, never across provinces, and only with
        # names of the same kind ("Sở …" is never "Bộ …": one letter apart, a ministry is not a department).
        if any(self._foreign_province_at(toks, i) for i in range(len(toks))):
            return result
        target = " ".join(t for t in toks if t.isalnum() and t not in {"va", "tinh"})
        head = next((t for t in toks if t.isalnum() and t != "cac"), "")
        best_ratio, best_codes = 0.0, set()
        for key in self.keys:
            if key.code is None or not key.words or key.words[0] != head:
                continue
            candidate = " ".join(w for w in key.words if w not in {"va", "tinh"})
            matcher = difflib.SequenceMatcher(None, target, candidate)
            if matcher.real_quick_ratio() < 0.9 or matcher.quick_ratio() < 0.9:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio + 1e-9:
                best_ratio, best_codes = ratio, {key.code}
            elif abs(ratio - best_ratio) <= 1e-9:
                best_codes.add(key.code)
        # Only one agency may come that close; the same name in several provinces is no match.
        if best_ratio >= 0.9 and len(best_codes) == 1:
            result.agency, result.score = best_codes.pop(), round(best_ratio, 3)
        return result

    def leading(self, text: str) -> tuple[list[AgencyMatch], str]:
        """The agencies a sentence starts with ("Sở TT&TT, Sở Ngoại vụ và các cơ quan báo chí tổ chức …") and
        the rest of the sentence."""
        toks = tokens(text)
        i = 0
        while i < len(toks) and toks[i] in {"-", "+", ","}:
            i += 1
        for verb in (["de", "nghi"], ["giao"], ["yeu", "cau"]):
            if toks[i:i + len(verb)] == verb:
                i += len(verb)
        found: list[AgencyMatch] = []
        while i < len(toks):
            hit = self.match_prefix(toks, i)
            if hit is None:
                break
            key, end = hit
            found.append(AgencyMatch(text=_span_text(text, toks, i, end), agency=key.code, group=key.group,
                                     score=1.0))
            i = end
            # "Các sở, ban, ngành liên quan, UBND …": fillers after a group before the next name.
            for filler in (["co", "lien", "quan"], ["lien", "quan"], ["khac"]):
                if toks[i:i + len(filler)] == filler:
                    i += len(filler)
                    break
            j = i
            while j < len(toks) and toks[j] in {",", ";", "va", "-"}:
                j += 1
            if j == i or j >= len(toks) or self.match_prefix(toks, j) is None:
                break
            i = j
        return found, _rest_text(text, i) if found else text.strip()


def _all_province_words() -> set[tuple[str, ...]]:
    from ttdn.places.models import AdminUnit, UnitLevel

    names = AdminUnit.objects.filter(level=UnitLevel.PROVINCE).values_list("short_name", flat=True).distinct()
    return {tuple(_words(name)) for name in names if name}


_TRAILING = {"lien", "quan", "co", "thuoc", "tinh", "cua", "trong", "cap", "tren", "dia", "ban", "cac", "va", "nay",
             "khac", "phuong", "trung", "uong"}


def _cuts(text: str) -> list[int]:
    """For each token count n, the shortest prefix of `text` that folds to at least n tokens."""
    ends = [m.end() for m in re.finditer(r"\w+|[^\w\s]", text)]
    cuts = [0]
    for end in ends:
        count = len(tokens(text[:end]))
        while len(cuts) <= count:
            cuts.append(end)
    return cuts


def _span_text(text: str, toks: list[str], start: int, end: int) -> str:
    """The words of `text` that tokens [start, end) came from."""
    cuts = _cuts(text)
    a = cuts[min(start, len(cuts) - 1)]
    b = cuts[min(end, len(cuts) - 1)]
    return text[a:b].strip(" ,;:-")


def _rest_text(text: str, start: int) -> str:
    cuts = _cuts(text)
    return text[cuts[min(start, len(cuts) - 1)]:].strip(" ,;:") if start < len(cuts) else ""


def match_agency(text: str, agencies: QuerySet[Agency] | Iterable[Agency], *,
                 province_key: str | None = None) -> AgencyMatch:
    """The agency record or plan group `text` names, with a score in [0, 1]; agency and group None if neither."""
    return matcher_for(agencies, province_key=province_key).match(text)


def matcher_for(agencies: QuerySet[Agency] | Iterable[Agency], *, province_key: str | None = None,
                on: date | None = None) -> AgencyMatcher:
    if isinstance(agencies, QuerySet):
        agencies = agencies.select_related("province")
    selected = list(agencies)
    if province_key:
        province = resolve_province(province_key)
        if province is not None:
            selected = [a for a in selected if a.province_id in (None, province.pk)]
    return AgencyMatcher(selected, on=on)


def resolve_province(key_or_name: str) -> Any:
    """A province by its AdminUnit key ("new:p:64") or by a name, old or new ("Bình Định" → Gia Lai)."""
    from ttdn.core.errors import ServiceError
    from ttdn.places.models import AdminUnit, UnitLevel
    from ttdn.places.services import province_for

    unit = AdminUnit.objects.filter(key=key_or_name, level=UnitLevel.PROVINCE).first()
    if unit is not None:
        return unit
    try:
        return province_for(key_or_name)
    except ServiceError:
        return None
