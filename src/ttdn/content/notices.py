"""Who hears about a move of material, and what they are told. Called by `ttdn.content.services` inside the
transaction of the change; the notices app stores the notices and mails them after commit.

Scope of appraisers: material goes to every appraiser who may see it (the rules in content.permissions),
narrowed by the appraiser's office: an office of the central agency with a province set (a regional desk)
covers the agencies of that province only; one without a province covers every province.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role, User
from ttdn.content import permissions as perms
from ttdn.content.models import Item, State, Transition, TranslationState, Variant
from ttdn.notices import kinds
from ttdn.notices.services import do_notify

SUBMITTED = kinds.register("content.submitted", _("Material to appraise"),
                           _("%(actor)s submitted “%(title)s” for appraisal."))
RETURNED = kinds.register("content.returned", _("Material returned for changes"),
                          _("%(actor)s returned “%(title)s” for changes."))
REJECTED = kinds.register("content.rejected", _("Material rejected"), _("%(actor)s rejected “%(title)s”."))
APPROVED = kinds.register("content.approved", _("Material to publish"),
                          _("%(actor)s approved “%(title)s”; it is ready to be published."))
TRANSLATION_REQUESTED = kinds.register(
    "content.translation_requested", _("Translation wanted"),
    _("“%(title)s” is approved and needs a %(language_name)s version."))
TRANSLATION_DONE = kinds.register(
    "content.translation_done", _("Translation done"),
    _("%(actor)s finished the %(language_name)s version of “%(title)s”; it can be reviewed."))
PUBLISHED = kinds.register("content.published", _("Material published"),
                           _("“%(title)s”, contributed by your agency, was published."))
WITHDRAWN = kinds.register("content.withdrawn", _("Material withdrawn"),
                           _("“%(title)s”, contributed by your agency, was withdrawn."))

# Material aimed at a neighbouring country needs that country's language.
COUNTRY_LANGUAGES = {"LA": "lo", "KH": "km", "CN": "zh-Hans"}


def _link(item: Item) -> str:
    return reverse("content:item_detail", kwargs={"uid": item.uid})


def _title(item: Item) -> str:
    source = item.variants.filter(language=item.source_language).only("title").first()
    return source.title if source else str(item.uid)


def _holders(*wanted: str) -> Q:
    return Q(is_active=True, role_grants__role__in=list(wanted))


def appraisers_for(item: Item) -> list[User]:
    province_id = item.agency.province_id
    qs = User.objects.filter(_holders(Role.APPRAISER)).filter(
        Q(agency__province__isnull=True) | Q(agency__province_id=province_id)).distinct()
    return [u for u in qs if perms.can_view(u, item)]


def publishers_for(item: Item) -> list[User]:
    return [u for u in User.objects.filter(_holders(Role.PUBLISHER)).distinct() if perms.can_view(u, item)]


def translators_for(item: Item, language: str) -> list[User]:
    qs = User.objects.filter(is_active=True, role_grants__role=Role.TRANSLATOR,
                             role_grants__language=language).distinct()
    return [u for u in qs if perms.can_translate(u, item, language)]


def agency_people(item: Item) -> list[User]:
    """The contributing agency: its contributors and its administrators."""
    return list(User.objects.filter(_holders(Role.CONTRIBUTOR, Role.AGENCY_ADMIN), agency_id=item.agency_id)
                .distinct())


def contributors_for(item: Item) -> list[User]:
    """Whoever submitted the material last, and its author; the agency's contributors if both are gone."""
    submitter = (Transition.objects.filter(item=item, to_state=State.SUBMITTED)
                 .order_by("-at", "-id").values_list("actor_id", flat=True).first())
    ids = [i for i in (submitter, item.created_by_id) if i]
    people = list(User.objects.filter(_holders(Role.CONTRIBUTOR), pk__in=ids, agency_id=item.agency_id).distinct())
    return people or list(User.objects.filter(_holders(Role.CONTRIBUTOR), agency_id=item.agency_id).distinct())


def _notify(recipients: Iterable[User], kind: kinds.Kind, item: Item, actor: User | None, **params: str) -> None:
    do_notify(recipients, kind.code, item, actor=actor, link=_link(item), params={"title": _title(item), **params})


def transition_made(item: Item, step: Transition, actor: User | None) -> None:
    """Tell the people the move concerns. Runs inside the transition's transaction."""
    target = step.to_state
    if target == State.SUBMITTED:
        _notify(appraisers_for(item), SUBMITTED, item, actor)
    elif target == State.RETURNED:
        _notify(contributors_for(item), RETURNED, item, actor, reason=step.reason)
    elif target == State.REJECTED:
        _notify(contributors_for(item), REJECTED, item, actor, reason=step.reason)
    elif target == State.APPROVED:
        _notify(publishers_for(item), APPROVED, item, actor)
        present = set(item.variants.values_list("language", flat=True))
        for country in item.target_countries:
            language = COUNTRY_LANGUAGES.get(country)
            if language and language not in present:
                _notify(translators_for(item, language), TRANSLATION_REQUESTED, item, actor, language=language)
    elif target == State.PUBLISHED:
        _notify(agency_people(item), PUBLISHED, item, actor)
    elif target == State.WITHDRAWN:
        _notify(agency_people(item), WITHDRAWN, item, actor, reason=step.reason)


def translation_state_changed(variant: Variant, old: int, new: int, actor: User | None) -> None:
    """A translation marked done goes back to whoever asked for it: the appraiser who approved the material
    (approval is what asks for the languages), or the appraisers of its scope while it is still in appraisal."""
    if not (new == TranslationState.TRANSLATED and old < TranslationState.TRANSLATED):
        return
    item = variant.item
    approver = (Transition.objects.filter(item=item, to_state=State.APPROVED)
                .order_by("-at", "-id").values_list("actor_id", flat=True).first())
    people = list(User.objects.filter(pk=approver, is_active=True)) if approver else []
    _notify(people or appraisers_for(item), TRANSLATION_DONE, item, actor, language=variant.language)
