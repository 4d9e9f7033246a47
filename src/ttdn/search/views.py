"""The search page: results update as the visitor types (htmx, debounced); the form also works without
JavaScript. Thin: the search service applies the access rules."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from ttdn.accounts.permissions import is_official
from ttdn.content.models import ItemKind, State
from ttdn.core import languages
from ttdn.search import services
from ttdn.search.forms import SearchForm

PAGE_SIZE = 20
MAX_PAGE = 500


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(MAX_PAGE, int(request.GET.get("page", "1"))))
    except ValueError:
        return 1


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    show_states = is_official(request.user)
    form = SearchForm(request.GET or None, show_states=show_states)
    page = _page_number(request)
    results = None
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        if any(c.get(k) for k in ("q", "kind", "topic", "language", "province", "state", "date_from", "date_to")):
            results = services.search(request.user, services.SearchQuery(
                text=c.get("q") or "",
                kinds=[c["kind"]] if c.get("kind") else (),
                topics=[c["topic"]] if c.get("topic") else (),
                languages=[c["language"]] if c.get("language") else (),
                provinces=[c["province"]] if c.get("province") else (),
                states=[c["state"]] if c.get("state") else (),
                date_from=c.get("date_from"),
                date_to=c.get("date_to"),
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            ))
    query = request.GET.copy()
    query.pop("page", None)
    ui = languages.get(request.LANGUAGE_CODE or "vi")
    context: dict[str, Any] = {
        "form": form,
        "results": results,
        "hits": _rows(results, ui.tag if ui else "vi") if results else [],
        "page": page,
        "first_number": (page - 1) * PAGE_SIZE + 1,
        "has_previous": page > 1,
        "has_next": bool(results and page * PAGE_SIZE < results.total),
        "query": query.urlencode(),
        "show_states": show_states,
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "search/_results.html" if partial else "search/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _rows(results: services.SearchResults, ui: str) -> list[dict[str, Any]]:
    kinds = dict(ItemKind.choices)
    states = dict(State.choices)
    return [
        {
            "hit": hit,
            "kind": kinds.get(hit.kind, hit.kind),
            "state": states.get(hit.state, hit.state),
            "variants": [(v, languages.name(v.language, ui)) for v in hit.variants],
        }
        for hit in results.hits
    ]
