"""What a campaign's texts cost before it is sent (the live preview), and how its sending stands (the
dashboard's figures): read-only, shared by the pages and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from ttdn.core import languages
from ttdn.core.sms import SegmentInfo, analyse
from ttdn.outreach import services
from ttdn.outreach.models import Campaign, CampaignState, Message, MessageState, Operator


def preview(texts: dict[str, str], no_accents: bool, segment_limit: int, commune_ids: list[int]) -> dict[str, Any]:
    """What each language's message costs and how the subscriber receives it."""
    infos: dict[str, SegmentInfo] = {}
    rows = []
    for lang, text in texts.items():
        if not text.strip():
            continue
        info = analyse(text, no_accents=no_accents and lang == "vi")
        infos[lang] = info
        rows.append({"language": lang, "language_name": languages.name(lang), "info": info,
                     "too_long": info.segments > segment_limit, "shown": info.text if no_accents and lang == "vi"
                     else ""})
    counts = services.audience_counts(commune_ids, list(infos))
    cost = services.cost_preview(infos, counts, services.operator_prices())
    for row in rows:
        row["recipients"] = sum(n for (lang, _op), n in counts.items() if lang == row["language"])
        row["cost"] = sum((line["cost"] for line in cost["lines"] if line["language"] == row["language"]), Decimal(0))
    return {"rows": rows, "cost": cost, "segment_limit": segment_limit}


BUCKETS: dict[str, str] = {MessageState.DELIVERED: "delivered", MessageState.FAILED: "failed",
                           MessageState.SUBMITTED: "sent", MessageState.SKIPPED: "skipped"}


def campaign_figures(campaign: Campaign) -> dict[str, Any]:
    by = (Message.objects.filter(campaign=campaign).values("operator__name", "language", "state")
          .annotate(n=Count("pk"), segments=Sum("segments")))
    table: dict[tuple[str, str], dict[str, int]] = {}
    totals = dict.fromkeys(("total", "delivered", "failed", "sent", "pending", "skipped"), 0)
    billed_segments: dict[str, int] = {}
    for row in by:
        key = (row["operator__name"], row["language"])
        cell = table.setdefault(key, dict.fromkeys(("total", "delivered", "failed", "sent", "pending", "skipped"), 0))
        bucket = BUCKETS.get(str(row["state"]), "pending")
        for target in (cell, totals):
            target["total"] += row["n"]
            target[bucket] += row["n"]
        if row["state"] in (MessageState.DELIVERED, MessageState.FAILED, MessageState.SUBMITTED):
            billed_segments[row["operator__name"]] = billed_segments.get(row["operator__name"], 0) + row["segments"]
    prices = dict(Operator.objects.values_list("name", "price_per_segment"))
    cost = sum((prices.get(op, Decimal(0)) * n for op, n in billed_segments.items()), Decimal(0))
    done = totals["delivered"] + totals["failed"] + totals["skipped"] + totals["sent"]
    percent = int(100 * done / totals["total"]) if totals["total"] else 0
    reach = (Message.objects.filter(campaign=campaign, state=MessageState.DELIVERED)
             .values("commune__name").annotate(n=Count("pk")).order_by("-n")[:50])
    rows = [{"operator": op, "language": lang, "language_name": languages.name(lang), **cell}
            for (op, lang), cell in sorted(table.items())]
    return {"rows": rows, "totals": totals, "percent": percent, "cost": cost, "reach": list(reach),
            "finished": str(campaign.state) in (CampaignState.FINISHED, CampaignState.CANCELLED)}
