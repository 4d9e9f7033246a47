"""The notices page, the bell (refreshed by htmx) and the e-mail setting. Thin: changes go through services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ttdn.core.transactions import reads_primary
from ttdn.notices import services
from ttdn.notices.models import Notice

PAGE_SIZE = 50


@login_required
@require_safe
def notice_list(request: HttpRequest) -> HttpResponse:
    qs = Notice.objects.filter(recipient_id=request.user.pk).select_related("actor")
    if request.GET.get("show") == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for notice in page.object_list:
        notice.text = services.notice_text(notice)  # type: ignore[attr-defined]
    return render(request, "notices/list.html", {
        "page": page, "unread": services.unread_count(request.user), "show": request.GET.get("show", ""),
    })


@require_safe
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for htmx to swap in place every minute. A session that ended gets 204, which htmx
    leaves alone (a redirect to the login page would be swapped into the header)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notices/_bell.html", {"notices_unread": services.unread_count(request.user)})


@reads_primary  # marks the notice read
@login_required
@require_safe
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice to its work, marking it read (the reader's own notices only)."""
    notice = Notice.objects.filter(pk=pk, recipient_id=request.user.pk).first()
    if notice is None:
        raise Http404
    services.do_mark_read(request.user, [notice.pk])  # type: ignore[arg-type]
    return redirect(notice.link or "notices:list")


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all"):
        services.do_mark_read(request.user)  # type: ignore[arg-type]
        messages.success(request, _("All notices are marked read."))
    else:
        ids = [int(i) for i in request.POST.getlist("notice") if i.isdigit()]
        services.do_mark_read(request.user, ids)  # type: ignore[arg-type]
    return redirect("notices:list")


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(
        required=False, label=gettext_lazy("Also send me my notices by e-mail"),
        help_text=gettext_lazy("Notices always appear under the bell; this only turns the e-mails on or off."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.do_set_email_enabled(user, form.cleaned_data["email_enabled"])  # type: ignore[arg-type]
            messages.success(request, _("Your notice settings were saved."))
            return redirect("notices:preferences")
    else:
        form = PreferenceForm(initial={"email_enabled": services.email_enabled(user)})  # type: ignore[arg-type]
    return render(request, "notices/preferences.html", {"form": form, "email": user.email})  # type: ignore[union-attr]
