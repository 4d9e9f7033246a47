"""Who may see and do what with material. Deny by default; every rule is a function here.

The workflow table says which role moves an item from which state to which; who sees what is the table of
rules in `ttdn.content.visibility`, and the functions below are its compiled forms for users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import has_role, roles, translator_languages
from ttdn.content import visibility
from ttdn.content.models import Item, State, Variant


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    own_agency: bool  # the actor must belong to the item's agency
    needs_reason: bool
    label: Any


def _a(name: str, sources: set[str], target: str, who: set[str], own: bool, reason: bool, label: Any) -> Action:
    return Action(name, frozenset(sources), target, frozenset(who), own, reason, label)


# The workflow. Expiry is done by the system (validity window), never by a person.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _a("submit", {State.DRAFT, State.RETURNED}, State.SUBMITTED, {Role.CONTRIBUTOR}, True, False,
           _("Submit for appraisal")),
        _a("start_appraisal", {State.SUBMITTED}, State.IN_APPRAISAL, {Role.APPRAISER}, False, False,
           _("Start appraisal")),
        _a("return", {State.IN_APPRAISAL}, State.RETURNED, {Role.APPRAISER}, False, True, _("Return for changes")),
        _a("reject", {State.IN_APPRAISAL}, State.REJECTED, {Role.APPRAISER}, False, True, _("Reject")),
        _a("approve", {State.IN_APPRAISAL}, State.APPROVED, {Role.APPRAISER}, False, False, _("Approve")),
        _a("publish", {State.APPROVED}, State.PUBLISHED, {Role.PUBLISHER}, False, False, _("Publish")),
        _a("withdraw", {State.PUBLISHED}, State.WITHDRAWN, {Role.PUBLISHER}, False, True, _("Withdraw")),
        _a("archive", {State.PUBLISHED, State.EXPIRED, State.WITHDRAWN, State.REJECTED}, State.ARCHIVED,
           {Role.PUBLISHER}, False, False, _("Archive")),
    )
}
# Steps taken only with the appraisal opinion that led to them (the checklist, in `editorial`).
APPRAISAL_ACTIONS = frozenset({"approve", "return"})
SYSTEM_EXPIRE = _a("expire", {State.PUBLISHED}, State.EXPIRED, set(), False, False, _("Expire"))

# States in which the material must be gone from every screen (and a tombstone left for the sites).
GONE_STATES = frozenset({State.WITHDRAWN, State.EXPIRED, State.ARCHIVED})
# States the contributing agency may still edit.
AGENCY_EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
# States central staff can see (drafts belong to their agency alone).
CENTRAL_VISIBLE_STATES = visibility.CENTRAL_VISIBLE_STATES


def _same_agency(user: Any, item: Item) -> bool:
    return bool(getattr(user, "agency_id", None)) and user.agency_id == item.agency_id


def is_live(item: Item, now: Any = None) -> bool:
    """Published and inside its validity window."""
    return visibility.is_live(item, now)


def live_q(now: Any = None) -> Q:
    return visibility.live_q(now)


def can_view(user: Any, item: Item) -> bool:
    return visibility.can_see(user, item)


def visible_items(user: Any) -> QuerySet[Item]:
    """The queryset form of can_view: the one place list pages, search and the API start from."""
    return Item.objects.filter(visibility.items_q(user))


def can_edit(user: Any, item: Item) -> bool:
    """Edit metadata and the source-language variant."""
    if item.state in AGENCY_EDITABLE_STATES:
        return _same_agency(user, item) and has_role(user, Role.CONTRIBUTOR)
    # Appraisers edit ("biên tập") while the item is in their hands.
    return item.state == State.IN_APPRAISAL and has_role(user, Role.APPRAISER)


def can_translate(user: Any, item: Item, language: str) -> bool:
    if language == item.source_language:
        return can_edit(user, item)
    if item.state in AGENCY_EDITABLE_STATES and _same_agency(user, item) and has_role(user, Role.CONTRIBUTOR):
        return True  # an agency may send its own translations with its material
    if item.state not in {State.IN_APPRAISAL, State.APPROVED, State.PUBLISHED}:
        return False
    if has_role(user, Role.APPRAISER):
        return True
    return language in translator_languages(user)


def can_review_translation(user: Any, item: Item) -> bool:
    return item.state in {State.IN_APPRAISAL, State.APPROVED, State.PUBLISHED} and has_role(user, Role.APPRAISER)


def can_create(user: Any) -> bool:
    return bool(getattr(user, "agency_id", None)) and has_role(user, Role.CONTRIBUTOR)


def can_do(user: Any, item: Item, action: Action) -> bool:
    if item.state not in action.sources:
        return False
    if not getattr(user, "is_authenticated", False) or not (roles(user) & action.roles):
        return False
    return not action.own_agency or _same_agency(user, item)


def available_actions(user: Any, item: Item) -> list[Action]:
    return [a for a in ACTIONS.values() if can_do(user, item, a)]


def sees_unfinished_variants(user: Any, item: Item) -> bool:
    """Editors, translators and the contributing agency see every language version, finished or not."""
    return visibility.sees_all_versions(user, item)


def is_ready(variant: Variant, source_revision: int | None) -> bool:
    """A version fit for the public: the source itself, or a reviewed translation of its current revision."""
    return visibility.version_ready(variant.source_variant_id is None, variant.translation_state,
                                    variant.source_revision, source_revision)


def shown_variants(user: Any, item: Item, variants: list[Variant]) -> list[Variant]:
    """The language versions of an item this user is shown (the web pages, the API and sites agree)."""
    if sees_unfinished_variants(user, item):
        return variants
    source_revision = next((v.revision for v in variants if v.source_variant_id is None), None)
    return [v for v in variants if is_ready(v, source_revision)]


def ready_variants_q() -> Q:
    """Queryset form of is_ready (over Variant)."""
    return visibility.ready_q()


def shown_variants_q(user: Any) -> Q:
    """Queryset form of shown_variants over Variant, limited to the items the user may see."""
    return visibility.versions_q(user)
