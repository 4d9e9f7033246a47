"""`ttdn demo`: a realistic hub built from the data in demo_data/ through the services, as people would.

Agencies and sites of the three seed provinces, one account per role, the plans' topics and material in every
workflow state with variants in Vietnamese, foreign and ethnic-minority languages. Running it twice changes
nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from unittest import mock

from django.utils import timezone

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Agency, Role, User
from ttdn.content import permissions as perms
from ttdn.content import services
from ttdn.content.models import Item, State, TranslationState, Variant
from ttdn.core.registry import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoPart, demo_part
from ttdn.core.transactions import bulk_load
from ttdn.places import services as places
from ttdn.places.models import AdminUnit, BorderSite, UnitLevel

# DEMO_PASSWORD and DEMO_TOTP_SECRET (a known second-factor key; `ttdn demo_code USER` prints the current code)
# are shared by every app's demo part.
TSTATE = {
    "to_do": TranslationState.TO_DO,
    "in_progress": TranslationState.IN_PROGRESS,
    "translated": TranslationState.TRANSLATED,
    "reviewed": TranslationState.REVIEWED,
}


def _load(name: str) -> Any:
    return json.loads(resources.files("ttdn.content.demo_data").joinpath(name).read_text(encoding="utf-8"))


def _load_items() -> list[dict[str, Any]]:
    folder = resources.files("ttdn.content.demo_data")
    rows: list[dict[str, Any]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("items") and entry.name.endswith(".json"):
            rows.extend(json.loads(entry.read_text(encoding="utf-8")))
    return rows


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@contextmanager
def _clock(at: dt.datetime) -> Iterator[None]:
    """Backdate what the services stamp, so demo material has a believable history. Demo only."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


@dataclass
class DemoReport:
    agencies: int = 0
    sites: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)
    items: dict[str, int] = field(default_factory=dict)
    skipped: bool = False


class DemoBuilder:
    def __init__(self, log: Callable[[str], None] = print):
        self.log = log
        self.report = DemoReport()
        self.agencies: dict[str, Agency] = {}
        self.users: dict[str, User] = {}
        self.contributors: dict[str, User] = {}

    # ------------------------------------------------------------------------------------------ places
    def places(self) -> None:
        if not AdminUnit.objects.filter(level=UnitLevel.PROVINCE).exists():
            self.log("Nạp đơn vị hành chính từ gói dữ liệu… / loading administrative units…")
            places.do_load_admin_units(None)

    def agencies_tree(self) -> None:
        self.agencies = accounts.do_import_agencies(None, _load("agencies.json"))
        self.report.agencies = len(self.agencies)

    def sites(self) -> None:
        places.do_import_border_sites(None, _load("sites.json"))
        self.report.sites = BorderSite.objects.count()

    def topics(self) -> None:
        for row in _load("topics.json"):
            services.do_save_topic(None, row["code"], row["name"], row.get("name_en", ""), row.get("description", ""))

    # ------------------------------------------------------------------------------------------- users
    def _account(self, username: str, agency: Agency, full_name: str, position: str,
                 grants: list[tuple[str, str]]) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.do_create_user(None, username, DEMO_PASSWORD, agency=agency, full_name=full_name,
                                           position=position)
        for role, lang in grants:
            accounts.do_grant_role(None, user, role, lang)
        if any(role in {Role.APPRAISER, Role.PUBLISHER, Role.AGENCY_ADMIN} for role, _lang in grants):
            accounts.do_set_totp_secret(None, user, DEMO_TOTP_SECRET)
        return user

    def people(self) -> None:
        for row in _load("users.json"):
            langs = row.get("languages") or [""]
            grants = [(role, lang if role == Role.TRANSLATOR else "") for role in row["roles"]
                      for lang in (langs if role == Role.TRANSLATOR else [""])]
            user = self._account(row["username"], self.agencies[row["agency"]], row["full_name"],
                                 row.get("position", ""), grants)
            self.users[row["username"]] = user
            described = ", ".join(
                f"{role} ({', '.join(row.get('languages') or [])})" if role == Role.TRANSLATOR else role
                for role in row["roles"])
            self.report.users.append((user.username, described, user.agency.name if user.agency else ""))
            if Role.CONTRIBUTOR in row["roles"]:
                self.contributors.setdefault(row["agency"], user)
        if "admin" not in {u.username for u in User.objects.filter(is_superuser=True)}:
            admin = accounts.do_create_user(None, "admin", DEMO_PASSWORD, agency=None, full_name="Quản trị hệ thống",
                                            is_superuser=True)
            accounts.do_set_totp_secret(None, admin, DEMO_TOTP_SECRET)
        self.report.users.append(("admin", "operator (Django admin)", ""))

    def _role_user(self, role: str, language: str = "") -> User:
        for user in self.users.values():
            grants = set(user.role_grants.values_list("role", "language"))
            if (role, language) in grants or (not language and any(r == role for r, _l in grants)):
                return user
        raise LookupError(f"no demo user with role {role} {language}")

    def _contributor_for(self, agency_code: str) -> User:
        if agency_code not in self.contributors:
            agency = self.agencies[agency_code]
            self.contributors[agency_code] = self._account(
                f"cb.{agency_code}", agency, f"Cán bộ {agency.name}", "Chuyên viên", [(Role.CONTRIBUTOR, "")])
        return self.contributors[agency_code]

    # ------------------------------------------------------------------------------------------- items
    def items(self) -> None:
        appraiser = self._role_user(Role.APPRAISER)
        publisher = self._role_user(Role.PUBLISHER)
        now = timezone.now()
        provinces = {p.short_name: p for p in AdminUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to=None)}
        for row in _load_items():
            author = self._contributor_for(row["agency"])
            started = now - dt.timedelta(days=int(row.get("days_ago", 10)), hours=3)
            variants = row["variants"]
            vi = variants["vi"]
            until = row.get("valid_until")
            valid_until = (timezone.make_aware(dt.datetime.fromisoformat(until).replace(hour=23, minute=59))
                           if until else None)
            with bulk_load(), _clock(started):
                item = services.do_create_item(author, services.ItemData(
                    kind=row["kind"], title=vi["title"], summary=vi.get("summary", ""), body=vi.get("body", ""),
                    language="vi", topics=row.get("topics", []), audience=row.get("audience", "public"),
                    target_provinces=[provinces[name].pk for name in row.get("target_provinces", [])
                                      if name in provinces],
                    target_countries=row.get("target_countries", []), valid_until=valid_until,
                    no_state_secrets=True,
                ))
                self._attach_demo_file(author, item, row)
                stale = row.get("stale_languages") or []
                # Translations listed as stale were made before the source's last revision; the rest after it.
                for tag in [t for t in variants if t in stale] + ["vi"] + [t for t in variants if t not in stale]:
                    text = variants[tag]
                    if tag == "vi":
                        if stale:
                            services.do_save_variant(author, item, "vi", vi["title"], vi.get("summary", ""),
                                                     vi.get("body", "") + "<p><em>Cập nhật số liệu mới nhất.</em></p>")
                        continue
                    services.do_save_variant(author, item, tag, text["title"], text.get("summary", ""),
                                             text.get("body", ""))
            self._walk(item, row, author, appraiser, publisher, started)
            self.report.items[row["state"]] = self.report.items.get(row["state"], 0) + 1

    def _walk(self, item: Item, row: dict[str, Any], author: User, appraiser: User, publisher: User,
              started: dt.datetime) -> None:
        target = row["state"]
        reason = row.get("reason") or "Đề nghị rà soát, bổ sung nguồn trích dẫn."
        steps: list[tuple[str, User, str]] = []
        if target == State.DRAFT:
            return
        steps.append(("submit", author, ""))
        if target != State.SUBMITTED:
            steps.append(("start_appraisal", appraiser, ""))
        if target == State.RETURNED:
            steps.append(("return", appraiser, reason))
        elif target == State.REJECTED:
            steps.append(("reject", appraiser, reason))
        elif target not in {State.SUBMITTED, State.IN_APPRAISAL}:
            steps.append(("approve", appraiser, ""))
            if target != State.APPROVED:
                steps.append(("publish", publisher, ""))
            if target == State.WITHDRAWN:
                steps.append(("withdraw", publisher, reason))
            elif target == State.ARCHIVED:
                steps.append(("archive", publisher, ""))
        at = started
        for action, actor, why in steps:
            at += dt.timedelta(hours=5)
            with _clock(at):
                if action == "approve":
                    self._set_translation_states(item, row, appraiser, at)
                if action in perms.APPRAISAL_ACTIONS:
                    if appraise is None:
                        raise RuntimeError("the editorial app's demo module is not loaded: it records opinions")
                    appraise(actor, item, action, why)
                else:
                    services.do_transition(actor, item, action, why)
        if target == State.EXPIRED:
            services.do_expire_due()
            item.refresh_from_db()
        if target in {State.IN_APPRAISAL}:
            self._set_translation_states(item, row, appraiser, at)
        if item.state != target:
            raise ValueError(f"demo item {row['key']} ended {item.state}, wanted {target}")

    def _set_translation_states(self, item: Item, row: dict[str, Any], appraiser: User, at: dt.datetime) -> None:
        for tag, text in row["variants"].items():
            if tag == "vi":
                continue
            wanted = TSTATE.get(text.get("translation_state", "translated"), TranslationState.TRANSLATED)
            variant = Variant.objects.get(item=item, language=tag)
            if variant.is_stale and wanted == TranslationState.REVIEWED:
                wanted = TranslationState.TRANSLATED  # a stale translation cannot pass review
            if variant.translation_state != wanted:
                services.do_set_translation_state(appraiser, variant, wanted)

    def _attach_demo_file(self, author: User, item: Item, row: dict[str, Any]) -> None:
        made = demo_file(row["kind"], row["variants"]["vi"]["title"], row["variants"]["vi"].get("summary", ""))
        if made is None:
            return
        name, data = made
        source = item.variants.get(language="vi")
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as tmp:
            tmp.write(data)
            tmp.flush()
            services.do_attach_file(author, source, Path(tmp.name), name)

    # --------------------------------------------------------------------------------------------- run
    def run(self) -> DemoReport:
        self.places()
        if Item.objects.exists():
            self.report.skipped = True
            self.agencies = {a.code: a for a in Agency.objects.all()}
            self.report.agencies = len(self.agencies)
            self.report.sites = BorderSite.objects.count()
            for row in _load("users.json"):
                self.report.users.append((row["username"], ", ".join(row["roles"]), ""))
            self.report.users.append(("admin", "operator (Django admin)", ""))
            return self.report
        self.topics()
        self.agencies_tree()
        self.sites()
        self.people()
        self.items()
        return self.report


# Approving and returning are taken with the appraisal opinion, which the editorial app records: its demo module
# (every app's demo module is loaded before any part runs) sets this to a step with every criterion passed.
appraise: Callable[[User, Item, str, str], None] | None = None


@demo_part(order=10)
def build_demo(log: Callable[[str], None]) -> DemoPart:
    """The content part of `ttdn demo`: places, agencies, accounts and material."""
    report = DemoBuilder(log=log).run()
    if report.skipped:
        line = "Dữ liệu mẫu đã có sẵn / demo data already present."
    else:
        by_state = ", ".join(f"{k} {v}" for k, v in sorted(report.items.items()))
        line = (f"Đã tạo / built: {report.agencies} cơ quan, {report.sites} điểm biên giới, "
                f"{sum(report.items.values())} tài liệu: {by_state}")
    return DemoPart(users=report.users, lines=[line])


def demo_file(kind: str, title: str, summary: str) -> tuple[str, bytes] | None:
    """A real file for the kinds that carry one: a DOCX note, a PDF publication, a PNG infographic."""
    from PIL import Image, ImageDraw

    if kind == "orientation_note":
        from docx import Document

        doc = Document()
        doc.add_heading(title, level=1)
        doc.add_paragraph(summary)
        doc.add_paragraph("Tài liệu định hướng dùng trong nội bộ cán bộ làm công tác thông tin đối ngoại.")
        buf = io.BytesIO()
        doc.save(buf)
        return "dinh-huong.docx", buf.getvalue()
    if kind in {"image", "publication", "leaflet"}:
        img = Image.new("RGB", (1200, 800), (0, 84, 147))
        draw = ImageDraw.Draw(img)
        draw.rectangle((60, 60, 1140, 740), outline=(255, 205, 0), width=12)
        draw.polygon([(600, 180), (650, 330), (800, 330), (680, 420), (725, 570), (600, 480), (475, 570),
                      (520, 420), (400, 330), (550, 330)], fill=(218, 37, 29))
        buf = io.BytesIO()
        if kind == "image":
            img.save(buf, "PNG")
            return "infographic.png", buf.getvalue()
        img.save(buf, "PDF", resolution=100.0)
        return ("an-pham.pdf" if kind == "publication" else "to-gap.pdf"), buf.getvalue()
    return None


def demo_code(username: str) -> str:
    """The current six-digit code of a demo account (refused for any other key)."""
    import pyotp

    from ttdn.accounts.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).first()
    if device is None or device.secret != DEMO_TOTP_SECRET:
        raise LookupError(f"{username} is not a demo account with a second factor")
    return pyotp.TOTP(device.secret).now()
