"""Pages for the kept revisions of a language version: the list, a word-level comparison of two of them,
and restoring an older one (after a confirmation page) as a new revision. Changes go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ttdn.content import permissions as perms
from ttdn.content import services
from ttdn.content.diff import body_diff, word_diff
from ttdn.content.forms import ui_language
from ttdn.content.models import Item, Variant, VariantRevision
from ttdn.content.views import _forbidden, ui_variant, with_visible_item
from ttdn.core import languages
from ttdn.core.errors import ServiceError


def _variant(request: HttpRequest, item: Item, lang: str) -> Variant:
    """The version whose history is asked for; only people who work on the item's versions see it."""
    variant = item.variants.filter(language=lang).first()
    if variant is None or not perms.sees_unfinished_variants(request.user, item):
        raise Http404
    return variant


def _number(raw: Any, default: int) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


@login_required
@require_safe
@with_visible_item
def revisions(request: HttpRequest, item: Item, lang: str) -> HttpResponse:
    variant = _variant(request, item, lang)
    kept = list(variant.revisions.select_related("author"))  # newest first
    numbers = [r.number for r in kept]
    newer = _number(request.GET.get("to"), variant.revision)
    older = _number(request.GET.get("from"), numbers[1] if len(numbers) > 1 else variant.revision)
    by_number = {r.number: r for r in kept}
    compare = None
    if older in by_number and newer in by_number and older != newer:
        a, b = by_number[older], by_number[newer]
        compare = {
            "older": a,
            "newer": b,
            "title": word_diff(a.title, b.title),
            "summary": word_diff(a.summary, b.summary),
            "body": body_diff(a.body, b.body),
        }
    may_restore = perms.can_translate(request.user, item, variant.language)
    return render(request, "content/revisions.html", {
        "item": item,
        "variant": variant,
        "language_name": languages.name(variant.language, ui_language()),
        "revisions": kept,
        "older": older,
        "newer": newer,
        "compare": compare,
        "may_restore": may_restore,
        "title_variant": ui_variant(item, request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
@with_visible_item
def revision_restore(request: HttpRequest, item: Item, lang: str, number: int) -> HttpResponse:
    variant = _variant(request, item, lang)
    old = VariantRevision.objects.filter(variant=variant, number=number).first()
    if old is None:
        raise Http404
    name = languages.name(variant.language, ui_language())
    back = reverse("content:revisions", kwargs={"uid": item.uid, "lang": variant.language})
    try:
        services.check_restore_revision(request.user, variant, number)  # type: ignore[arg-type]
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, exc.message)
        messages.error(request, str(exc.message))
        return redirect(back)
    if request.method == "POST":
        try:
            saved = services.do_restore_revision(request.user, variant, number)  # type: ignore[arg-type]
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect(back)
        messages.success(request, _("Revision %(old)d of the %(lang)s version was restored as revision %(new)d.")
                         % {"old": number, "lang": name, "new": saved.revision})
        return redirect(back)
    consequences = [
        _("The text of revision %(old)d becomes the current text of the %(lang)s version, as a new revision %(new)d.")
        % {"old": number, "lang": name, "new": variant.revision + 1},
        _("Every revision stays kept: the current text remains in the history as revision %(n)d.")
        % {"n": variant.revision},
    ]
    if not variant.is_source:
        consequences.append(_("A reviewed translation will need to be reviewed again."))
    else:
        consequences.append(_("Translations made from the current text will be marked out of date."))
    return render(request, "core/confirm.html", {
        "heading": _("Restore revision %(n)d?") % {"n": number},
        "consequences": consequences,
        "action_url": request.path,
        "confirm_label": _("Restore this revision"),
        "cancel_url": back,
        "danger": False,
        "testid": "confirm-restore",
    })
