"""The search part of the API (thin: every read goes through ttdn.search.services.search, which applies the
same access rules as the rest of the API)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator

from ttdn.accounts.api import PUBLIC_AUTH, PUBLIC_OPENAPI, errors, request_user
from ttdn.content.api import LANGUAGE_TAG_PATTERN, MAX_OFFSET, MAX_YEAR, MIN_YEAR, TOPIC_CODE_PATTERN
from ttdn.content.models import ItemKind, State
from ttdn.search import services

router = Router(tags=["search"])

PROVINCE_KEY_PATTERN = r"^[a-z]+:[a-z]:[0-9]{1,8}$"
MAX_VALUES = 20


def _text(value: str) -> str:
    try:
        value.encode("utf-8")  # JSON and URLs may carry lone surrogates; no database stores them
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode (no lone surrogates).") from None
    return value


def _day(value: dt.date) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"Dates must lie between the years {MIN_YEAR} and {MAX_YEAR}.")
    return value


QueryText = Annotated[str, AfterValidator(_text)]
Day = Annotated[dt.date, AfterValidator(_day)]


class VariantHitOut(Schema):
    language: str = Field(..., description="BCP 47 tag of this language version.")
    title: str
    title_html: str = Field(..., description="The title, HTML-escaped, matched words in <mark>.")
    snippet_html: str = Field(..., description="An excerpt, HTML-escaped, matched words in <mark>.")
    score: float


class ItemHitOut(Schema):
    uid: str
    kind: str
    state: str
    score: float
    url: str = Field(..., description="The item in the API.")
    variants: list[VariantHitOut] = Field(..., description="The matching language versions, best first.")


class SearchOut(Schema):
    total: int = Field(..., description="How many items match, over all pages (at most 1,000: see total_capped).")
    total_capped: bool = Field(False, description="More items match than `total` says: counting stopped at 1,000.")
    limit: int
    offset: int
    relaxed: bool = Field(..., description="No item held every word; items holding some of them are shown.")
    backend: str
    took_ms: float
    hits: list[ItemHitOut]


@router.get(
    "",
    response={200: SearchOut, **errors(401, 422)},
    auth=PUBLIC_AUTH,
    openapi_extra=PUBLIC_OPENAPI,
    summary="Search material in every language",
    description=(
        "Full-text search over titles, summaries, texts, files' text, topics, kind and language. Vietnamese "
        "matches with or without diacritics; Lao, Khmer, Thai and Chinese words are found inside longer runs. "
        '`"…"` is a phrase, `word*` a prefix. Results are items (one per item) with their matching language '
        "versions. Anonymous callers see published public material only (finished language versions); "
        "logged-in callers also what their roles let them see. Filters repeat for several values."
    ),
)
def search(
    request: HttpRequest,
    q: Annotated[QueryText, Query("", max_length=500, description="What to look for.")] = "",
    kind: Annotated[list[ItemKind] | None, Query(None, max_length=MAX_VALUES)] = None,
    topic: Annotated[
        list[Annotated[str, Field(max_length=64, pattern=TOPIC_CODE_PATTERN)]] | None,
        Query(None, max_length=MAX_VALUES, description="Topic codes."),
    ] = None,
    language: Annotated[
        list[Annotated[str, Field(max_length=35, pattern=LANGUAGE_TAG_PATTERN)]] | None,
        Query(None, max_length=MAX_VALUES, description="BCP 47 tags."),
    ] = None,
    province: Annotated[
        list[Annotated[str, Field(max_length=32, pattern=PROVINCE_KEY_PATTERN)]] | None,
        Query(None, max_length=MAX_VALUES, description="Administrative unit keys, e.g. new:p:64."),
    ] = None,
    state: Annotated[list[State] | None, Query(None, max_length=MAX_VALUES)] = None,
    date_from: Annotated[Day | None, Query(None, description="Published (or last changed) on or after.")] = None,
    date_to: Annotated[Day | None, Query(None, description="Published (or last changed) on or before.")] = None,
    limit: Annotated[int, Query(10, ge=1, le=services.MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(0, ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    results = services.search(request_user(request), services.SearchQuery(
        text=q,
        kinds=[str(k) for k in kind or ()],
        topics=topic or (),
        languages=language or (),
        provinces=province or (),
        states=[str(s) for s in state or ()],
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        offset=offset,
    ))
    return {
        "total": results.total,
        "total_capped": results.total_capped,
        "limit": limit,
        "offset": offset,
        "relaxed": results.relaxed,
        "backend": services.backend_name(),
        "took_ms": round(results.took_ms, 3),
        "hits": [
            {
                "uid": hit.item_uid,
                "kind": hit.kind,
                "state": hit.state,
                "score": hit.score,
                "url": reverse("api:get_item", kwargs={"uid": hit.item_uid}),
                "variants": [v.__dict__ for v in hit.variants],
            }
            for hit in results.hits
        ],
    }
