"""Notices: the one service every app calls (`do_notify`), marking read, and the e-mail choice.

`do_notify` joins the caller's transaction: a notice belongs to the change that caused it and is rolled
back with it. E-mail is sent only after that transaction commits (never from inside it), so a refused or
rolled-back change never mails anyone, and a slow mail server never holds a row lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ttdn.accounts.models import User
from ttdn.core import audit, languages
from ttdn.core.errors import ServiceError
from ttdn.notices import kinds
from ttdn.notices.models import Notice, NoticePreference

logger = logging.getLogger(__name__)


def _safe_link(link: str) -> str:
    """Only paths of this site: a notice never sends anyone elsewhere."""
    return link if link.startswith("/") and not link.startswith("//") and "\\" not in link else ""


def do_notify(
    recipients: Iterable[User],
    kind: str,
    obj: Model | None = None,
    *,
    actor: User | None = None,
    link: str = "",
    params: dict[str, Any] | None = None,
    include_actor: bool = False,
) -> list[Notice]:
    """Tell each recipient (once, active accounts only, never the actor about their own act unless
    `include_actor`) in the app, and by e-mail after commit unless they opted out or have no address.

    Call it inside the `do_…` that made the change, after its writes. Returns the notices created.
    """
    if kinds.get(kind) is None:
        raise ServiceError("unknown_notice_kind", f"Unknown notice kind {kind!r}")
    seen: set[int] = set()
    people: list[User] = []
    for user in recipients:
        if user is None or not user.pk or user.pk in seen or not user.is_active:
            continue
        if actor is not None and user.pk == actor.pk and not include_actor:
            continue
        seen.add(user.pk)
        people.append(user)
    if not people:
        return []
    now = timezone.now()
    clean = {k: audit._jsonable(v) for k, v in (params or {}).items()}
    rows = [
        Notice(
            recipient=user,
            kind=kind,
            actor=actor if actor is not None and actor.pk else None,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            link=_safe_link(link),
            params=clean,
            created_at=now,
        )
        for user in people
    ]
    created = Notice.objects.bulk_create(rows)
    opted_out = set(
        NoticePreference.objects.filter(user_id__in=seen, email_enabled=False).values_list("user_id", flat=True)
    )
    # bulk_create returns the ids on SQLite and PostgreSQL, the two databases we run on.
    to_mail = [n.pk for n, user in zip(created, people, strict=True) if user.email and user.pk not in opted_out]
    if to_mail:
        transaction.on_commit(lambda: send_notice_emails(to_mail), robust=True)
    return created


def notice_text(notice: Notice) -> str:
    actor = notice.actor.display_name() if notice.actor is not None else ""
    params = dict(notice.params)
    if params.get("language"):
        params["language_name"] = languages.name(str(params["language"]), translation.get_language() or "vi")
    return kinds.render(notice.kind, params, actor)


def absolute_link(link: str) -> str:
    return (settings.SITE_URL.rstrip("/") + link) if link else ""


def send_notice_emails(notice_ids: list[int]) -> int:
    """Send the e-mail of each notice not yet mailed, in its reader's language, over one connection. Run
    after commit. A failure is logged and the notices stay unmailed: the change they report was committed."""
    messages: list[tuple[int, EmailMessage]] = []
    for notice in Notice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True).select_related(
        "recipient", "actor"
    ):
        user = notice.recipient
        if not user.email or not user.is_active:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            kind = kinds.get(notice.kind)
            label = str(kind.label) if kind else notice.kind
            title = str(notice.params.get("title") or "")
            subject = f"[TTĐN] {label}" + (f": {title}" if title else "")
            lines = [notice_text(notice)]
            if notice.params.get("reason"):
                lines += ["", _("Reason:"), str(notice.params["reason"])]
            if notice.link:
                lines += ["", _("Open the work: %(url)s") % {"url": absolute_link(notice.link)}]
            lines += ["", _("You receive this because of your role in TTĐN. You can turn these e-mails off on "
                            "your notice settings page: %(url)s") % {"url": absolute_link("/notices/settings/")}]
        messages.append((notice.pk, EmailMessage(
            " ".join(subject[:200].split()), "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email])))
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            sent = connection.send_messages([m for _pk, m in messages]) or 0
    except Exception:
        logger.exception("could not e-mail notices %s", [pk for pk, _m in messages])
        return 0
    Notice.objects.filter(pk__in=[pk for pk, _m in messages]).update(emailed_at=timezone.now())
    return int(sent)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def do_mark_read(actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notices read: those named, or all of them when `ids` is None."""
    with transaction.atomic():
        qs = Notice.objects.filter(recipient=actor, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=[int(i) for i in ids])
        return qs.update(read_at=timezone.now())


def do_set_email_enabled(actor: User, enabled: bool) -> NoticePreference:
    with transaction.atomic():
        pref, _created = NoticePreference.objects.select_for_update().get_or_create(user=actor)
        if pref.email_enabled != enabled:
            pref.email_enabled = enabled
            pref.updated_at = timezone.now()
            pref.save(update_fields=["email_enabled", "updated_at"])
            audit.record(actor, "notices.preference.email", pref, enabled=enabled)
    return pref


def email_enabled(user: User) -> bool:
    pref = NoticePreference.objects.filter(user=user).first()
    return pref.email_enabled if pref else True
