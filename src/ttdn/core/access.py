"""Who may use each endpoint: one row for every page (by URL name) and every API operation (by operation id).

This is the contract the permission matrix (tests/security/test_matrix.py) holds the product to. The test walks
the URL conf and /api/openapi.json, so an endpoint without a row here fails it: a new page or operation must
say here who may use it. Anything a row does not allow must be refused (401, 403, 404, or a redirect to the
login page) — never answered with someone else's material.

The views enforce these rules themselves (through ttdn.content.permissions, ttdn.programme.permissions,
ttdn.accounts.permissions and the node signature); this table does not grant anything, it states the rule.

A row maps each *subject* (what the URL names, described below) to the callers allowed. Callers are named by
tokens; a caller is allowed when it holds any token of the set:

    anyone            no credentials at all (strangers, and nodes, which carry no user)
    logged_in         any active account, with or without a role
    official          an account holding at least one role, or an operator
    <role>            holds that role (accounts.models.Role: contributor, appraiser, translator, publisher,
                      agency_admin, reader, plan_manager, plan_reporter)
    <role>@agency     holds that role in the agency the subject belongs to
    translator@language  translates into the language the subject's URL names
    plan_reporter@plan   reports for an agency the subject's plan asks reports from
    self              the account the subject belongs to (one's own API token)
    operator          a superuser (the Django admin)
    node              a request signed by an enrolled, unrevoked border-site node
    monitor           holds TTDN_METRICS_TOKEN, or (with no token set) calls from the machine itself

Subjects: "-" is an endpoint that names nothing. Items are named by their workflow state ("draft",
"in_appraisal", "approved", "published" public and live, "officials" published for officials only), all of one
provincial department; "draft/vi" is that item's Vietnamese source, "approved/lo" its Lao translation;
"draft:submit" a workflow action on it. Programme subjects ("plan", "report", "class", "import") belong to the
same department, which coordinates the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ANYONE = "anyone"
LOGGED_IN = "logged_in"
OFFICIAL = "official"
OPERATOR = "operator"
NODE = "node"
MONITOR = "monitor"
SELF = "self"
NOBODY: frozenset[str] = frozenset()


def at_agency(*roles: str) -> frozenset[str]:
    return frozenset(f"{role}@agency" for role in roles)


def who(*tokens: str | Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for token in tokens:
        out |= {token} if isinstance(token, str) else set(token)
    return frozenset(out)


@dataclass(frozen=True)
class Rule:
    """Who may use an endpoint, per subject, with the method the rule is about and why, in one line."""

    why: str
    subjects: Mapping[str, frozenset[str]] = field(default_factory=dict)
    method: str = "GET"
    # The allowed callers pass a finer check of the endpoint's own (the Django admin's per-model
    # permissions: adding and deleting rows there is off, writes go through the services).
    finer: bool = False


def rule(why: str, allowed: frozenset[str] | None = None, *, method: str = "GET", finer: bool = False,
         per: Mapping[str, frozenset[str]] | None = None, **subjects: frozenset[str]) -> Rule:
    table = {**(per or {}), **subjects}
    if allowed is not None:
        table["-"] = allowed
    return Rule(why, {name.replace("__", "/"): value for name, value in table.items()}, method, finer)


# Who sees an item in each state (ttdn.content.permissions.can_view, as a table).
SEES_DRAFT = at_agency("contributor", "agency_admin")
SEES_IN_APPRAISAL = SEES_DRAFT | {"appraiser", "publisher"}
SEES_APPROVED = SEES_IN_APPRAISAL | {"translator"}
SEES_LIVE = who(ANYONE)
SEES_OFFICIALS = who(OFFICIAL)
ITEM_SEEN = {"draft": SEES_DRAFT, "in_appraisal": SEES_IN_APPRAISAL, "approved": SEES_APPROVED,
             "published": SEES_LIVE, "officials": SEES_OFFICIALS}
# Files follow the item (and the language version) they are attached to.
FILE_SEEN = {"draft": SEES_DRAFT, "published": SEES_LIVE, "officials": SEES_OFFICIALS}
# Plans: the managers of the coordinating (or issuing) agency, the agencies asked to report, operators.
SEES_PLAN = who(at_agency("plan_manager"), "plan_reporter@plan", OPERATOR)
MANAGES_PLAN = who(at_agency("plan_manager"), OPERATOR)
PLAN_USERS = who("plan_manager", "plan_reporter", OPERATOR)
TRANSLATES = who("appraiser", "translator@language")
# Press monitoring (ttdn.monitoring.services.can_use_monitoring / desk_lists).
MONITORS = who("contributor", "agency_admin", "appraiser", "publisher", OPERATOR)
MONITORS_DESK = who(at_agency("contributor", "agency_admin"), "appraiser", "publisher", OPERATOR)


PAGES: dict[str, Rule] = {
    # ---------------------------------------------------------------------------------------- accounts
    "accounts:login": rule("the login form", who(ANYONE)),
    "accounts:two_factor": rule("the second step of a login", who(LOGGED_IN)),
    "accounts:logout": rule("ending one's own session", who(ANYONE), method="POST"),
    "accounts:staff": rule("an agency's accounts, for its administrator; the operator sees every agency's",
                           who("agency_admin", OPERATOR)),
    "accounts:staff_user": rule("one account of the administrator's agency", member=at_agency("agency_admin")),
    "accounts:staff_role": rule("grant or take a role", member=at_agency("agency_admin"), method="POST"),
    "accounts:staff_password": rule("set a member's password", member=at_agency("agency_admin"), method="POST"),
    "accounts:staff_totp_reset": rule("reset a member's second factor", member=at_agency("agency_admin"),
                                      method="POST"),
    "accounts:staff_active": rule("deactivate or reactivate a member (revokes their tokens)",
                                  member=at_agency("agency_admin"), method="POST"),
    "accounts:staff_token_revoke": rule("revoke a member's API token", member=at_agency("agency_admin"),
                                        method="POST"),
    # The Django admin, for operators; its login is the product's login.
    "admin:*": rule("the Django admin: operators only (it shows every row, drafts included)", who(OPERATOR),
                    finer=True),
    "admin:login": rule("redirects to the product's login", who(ANYONE)),
    "/admin/login/": rule("redirects to the product's login", who(ANYONE)),
    "admin:logout": rule("ending one's own session", who(ANYONE), method="POST"),
    "set_language": rule("choose the interface language", who(ANYONE), method="POST"),
    # ----------------------------------------------------------------------------------------- content
    "content:home": rule("the front page: live public material", who(ANYONE)),
    "content:published": rule("the list of live material the caller may see", who(ANYONE)),
    "content:my_work": rule("one's own queues", who(LOGGED_IN)),
    "content:appraisal_queue": rule("material waiting for appraisal", who("appraiser")),
    "content:item_create": rule("submit new material", who("contributor")),
    "content:item_detail": rule("one item, as content.permissions.can_view says", per=ITEM_SEEN),
    "content:item_edit": rule(
        "edit metadata and the source text: the agency while a draft, appraisers during appraisal",
        draft=at_agency("contributor"), in_appraisal=who("appraiser"), published=NOBODY),
    "content:transition": rule(
        "the workflow (content.permissions.ACTIONS); approving and returning only with the opinion (below)",
        method="POST", per={"draft:submit": at_agency("contributor"), "in_appraisal:reject": who("appraiser"),
           "approved:publish": who("publisher"), "published:withdraw": who("publisher")}),
    "content:variant_add": rule("the language picker: only redirects to the language's page",
                                published=who(LOGGED_IN)),
    "content:variant_edit": rule(
        "write a language version: the source as item_edit, translations by appraisers and translators into it",
        draft__vi=at_agency("contributor"), approved__lo=TRANSLATES, published__lo=TRANSLATES),
    "content:variant_delete": rule("remove a translation", method="POST", approved__lo=TRANSLATES),
    "content:attachment_remove": rule("remove a file from the source", method="POST",
                                      draft=at_agency("contributor")),
    "content:revisions": rule("a language version's revisions and their comparison, to whoever sees the version",
                              draft__vi=SEES_DRAFT),
    "content:revision_restore": rule("restore an older revision as a new one, as writing the version",
                                     method="POST", draft__vi=at_agency("contributor")),
    "content:file": rule("a file, when its item and language version may be seen", per=FILE_SEEN),
    "content:file_thumb": rule("a file's thumbnail, as the file", per=FILE_SEEN),
    # ---------------------------------------------------------------------------------------- editorial
    "editorial:appraise": rule("the appraisal opinion, by appraisers while in appraisal",
                               in_appraisal=who("appraiser")),
    "editorial:schedule": rule("schedule the publication of approved material", approved=who("publisher")),
    "editorial:schedule_cancel": rule("cancel a scheduled publication", method="POST", approved=who("publisher")),
    "editorial:opinion": rule("an appraisal opinion, to officials who see its item", opinion=SEES_APPROVED),
    "editorial:opinion_docx": rule("an appraisal opinion as a document, as the opinion", opinion=SEES_APPROVED),
    # ------------------------------------------------------------------------------------------ notices
    "notices:list": rule("one's own notices", who(LOGGED_IN)),
    "notices:bell": rule("the unread count; empty (204) for a stranger", who(ANYONE)),
    "notices:mark_read": rule("mark one's own notices read", who(LOGGED_IN), method="POST"),
    "notices:preferences": rule("one's own notice settings", who(LOGGED_IN)),
    "notices:open": rule("follow one's own notice", notice=who(SELF)),
    # ------------------------------------------------------------------------------------------ search
    "search:search": rule("search what the caller may see", who(ANYONE)),
    # -------------------------------------------------------------------------------------------- sync
    "sync:enroll": rule("a node enrols with a one-time code (the code is the credential)", who(ANYONE),
                        method="POST"),
    "sync:uplink": rule("heartbeat and counts from a node", who(NODE), method="POST"),
    "sync:feed": rule("the change feed of the node's targeted material", who(NODE)),
    "sync:records": rule("records of named items, as targeted at the node", who(NODE), method="POST"),
    "sync:chunks": rule("file chunks of material targeted at the node", method="POST", targeted=who(NODE)),
    "sync:chunk": rule("one chunk of material targeted at the node", targeted=who(NODE), untargeted=NOBODY),
    "sync:issue_code": rule("issue a node's one-time enrolment code", who(OPERATOR), method="POST"),
    "sync:node_revoke": rule("revoke a node, after a confirmation page", node=who(OPERATOR)),
    "sync:dashboard": rule("the border-site nodes", who(OPERATOR, "appraiser", "publisher", "agency_admin")),
    # ------------------------------------------------------------------------------------------ programme
    "programme:plans": rule("plans", PLAN_USERS),
    "programme:plan_import": rule("import a plan document", who("plan_manager", OPERATOR)),
    "programme:draft_review": rule("review an imported draft: its importer (the agency's plan manager), operators",
                                   import_=who(at_agency("plan_manager"), OPERATOR)),
    "programme:my_reports": rule("one's agency's reports", PLAN_USERS),
    "programme:open_report": rule("open one's agency's report for a year", method="POST",
                                  plan=who("plan_reporter@plan")),
    "programme:report": rule("a report: its agency's reporters and the plan's managers",
                             report=who(at_agency("plan_reporter"), MANAGES_PLAN)),
    "programme:return_report": rule("return a report for changes", method="POST", report=MANAGES_PLAN),
    "programme:notifications": rule("one's notifications", who(LOGGED_IN)),
    "programme:officers": rule("the officers registry, scoped", PLAN_USERS),
    "programme:training": rule("training courses and classes, scoped", PLAN_USERS),
    "programme:training_class": rule("a training class", klass=PLAN_USERS),
    "programme:equipment": rule("equipment, scoped", PLAN_USERS),
    "programme:plan_detail": rule("a plan", plan=SEES_PLAN),
    "programme:dashboard": rule("a plan's dashboard", plan=SEES_PLAN),
    "programme:reporting": rule("a plan's reporting rates (agencies see their own row)", plan=SEES_PLAN),
    "programme:budget": rule("a plan's budget lines", plan=SEES_PLAN),
    "programme:task_new": rule("add a task", plan=MANAGES_PLAN),
    "programme:task_detail": rule("a task", plan=SEES_PLAN),
    "programme:evidence_file": rule("a progress update's evidence file, as the plan", plan=SEES_PLAN),
    "programme:task_edit": rule("edit a task", plan=MANAGES_PLAN),
    "programme:indicator_value": rule("record an indicator's value: the managers and the reporting agencies",
                                      method="POST", plan=SEES_PLAN),
    "programme:annual_docx": rule("the consolidated annual report, for the plan's managers", plan=MANAGES_PLAN),
    "programme:phase_docx": rule("the consolidated phase report, for the plan's managers", plan=MANAGES_PLAN),
    "programme:tasks_xlsx": rule("the tasks workbook", plan=SEES_PLAN),
    "programme:budget_xlsx": rule("the budget workbook", plan=SEES_PLAN),
    # -------------------------------------------------------------------------------- translation desk
    "translation:board": rule("the translation board (items × languages) and one's queues",
                              who("appraiser", "publisher", "translator")),
    "translation:item": rule("an item's languages and why each is (not) public, to officials who see the item",
                             draft=SEES_DRAFT, in_appraisal=SEES_IN_APPRAISAL, approved=SEES_APPROVED,
                             published=who(OFFICIAL), officials=who(OFFICIAL)),
    "translation:request": rule("ask for translations of approved or published material: central editors",
                                method="POST", approved=who("appraiser"), published=who("appraiser"),
                                draft=NOBODY),
    # A job ("job": into Lao, of the approved item, assigned to the translator into Lao): central editors and
    # the translators into its language (the view narrows it to the assigned one, or any while unassigned).
    "translation:job": rule("the segmented editor of a job", job=who("appraiser", "translator@language")),
    "translation:segment": rule("save one sentence of a job", method="POST",
                                job=who("appraiser", "translator@language")),
    "translation:job_action": rule("send for review, approve, return, assign, sign a source edit off",
                                   method="POST", job=who("appraiser", "translator@language")),
    "translation:job_xliff": rule("a job as an XLIFF file, as the editor", job=who("appraiser", "translator@language")),
    "translation:job_xliff_import": rule("a translated XLIFF file back: the comparison, then the confirmed changes",
                                         method="POST", job=who("appraiser", "translator@language")),
    "translation:glossary": rule("the glossary and its TBX/CSV files; importing (POST) for central editors",
                                 who("appraiser", "translator")),
    "translation:memory": rule("the memory's pairs and its TMX files; importing (POST) for central editors",
                               who("appraiser", "translator")),
    # ------------------------------------------------------------------------- points (a node's devices)
    # The node's officers are the box's staff accounts (points.services.can_manage): operators in this world.
    "points:devices": rule("the node's screens, kiosks and players", who(OPERATOR)),
    "points:pair": rule("pair a device by the code it shows", who(OPERATOR), method="POST"),
    "points:revoke": rule("revoke a device's pairing", device=who(OPERATOR), method="POST"),
    "points:add_rule": rule("add a playlist rule to a device", device=who(OPERATOR), method="POST"),
    "points:set_pinned": rule("pin items on a device", device=who(OPERATOR), method="POST"),
    "points:remove_rule": rule("remove a playlist rule from a device", device=who(OPERATOR), method="POST"),
    "points:conflict_seen": rule("mark read that the hub's playlist replaced the officer's", conflict=who(OPERATOR),
                                 method="POST"),
    "points:bulletin": rule("set or cancel a bulletin class on an item", who(OPERATOR), method="POST"),
    # Devices carry no account: a device's token (X-Points-Token) is its credential, checked by the views.
    "points:player": rule("the player page a device opens", who(ANYONE)),
    "points:player_start": rule("a device asks for a pairing code", who(ANYONE), method="POST"),
    "points:player_playlist": rule("a paired device's playlist (its token is the credential)", NOBODY),
    "points:player_alert": rule("a paired device's emergency poll (its token is the credential)", NOBODY),
    "points:player_heartbeat": rule("a paired device's report (its token is the credential)", NOBODY,
                                    method="POST"),
    # ------------------------------------------------------------------------ outreach (SMS campaigns)
    # Prepared by the agency's contributors, approved by its administrator or a central publisher (a second
    # person, checked by the service), seen by those and operators (ttdn.outreach.permissions).
    "outreach:campaigns": rule("campaigns of one's agency (publishers and operators: all)",
                               who("contributor", "agency_admin", "publisher", OPERATOR)),
    "outreach:campaign_new": rule("prepare a campaign for one's agency", who("contributor")),
    "outreach:preview": rule("the live preview of a campaign's texts and cost", who("contributor"), method="POST"),
    "outreach:campaign": rule("a campaign and its dashboard",
                              campaign=who(at_agency("contributor", "agency_admin"), "publisher", OPERATOR)),
    "outreach:figures": rule("a campaign's delivery figures (the dashboard's refresh)",
                             campaign=who(at_agency("contributor", "agency_admin"), "publisher", OPERATOR)),
    "outreach:results_csv": rule("a campaign's results, message by message",
                                 campaign=who(at_agency("contributor", "agency_admin"), "publisher", OPERATOR)),
    "outreach:campaign_action": rule(
        "submit, approve, return, pause, resume, cancel (the service decides which: approving is for the "
        "administrator or a publisher other than the author)", method="POST",
        campaign=who(at_agency("contributor", "agency_admin"), "publisher")),
    "outreach:area_order": rule("an approved area broadcast order as XLSX, CSV or DOCX, for the operators",
                                campaign=who(at_agency("contributor", "agency_admin"), "publisher", OPERATOR)),
    "outreach:area_results": rule("enter what the operators report for an area order", method="POST",
                                  campaign=who(at_agency("contributor", "agency_admin"), "publisher")),
    "outreach:voice_make": rule("read a campaign's message aloud with the offline engine", method="POST",
                                campaign=at_agency("contributor")),
    "outreach:voice_upload": rule("upload a recording for a language", method="POST",
                                  campaign=at_agency("contributor")),
    "outreach:voice_audio": rule("a campaign's voice message (play, download, WAV export)",
                                 campaign=who(at_agency("contributor", "agency_admin"), "publisher", OPERATOR)),
    "outreach:subscribers": rule("import opt-in subscriber lists", who("contributor")),
    "outreach:do_not_contact": rule("the do-not-contact list", who("contributor", "agency_admin", "publisher")),
    # ------------------------------------------------------------------------------- press monitoring
    # Desks are watch lists of an agency: its contributors and administrators; central editors and operators
    # read every desk. Reviewing (which may open a draft of the agency) is the agency's contributors'.
    "monitoring:queue": rule("the review queue of one's desks", MONITORS),
    "monitoring:story": rule("a story of a desk the caller reads", story=MONITORS_DESK),
    "monitoring:review": rule("review a story for one's agency's desk", method="POST",
                              story=at_agency("contributor")),
    "monitoring:sources": rule("press sources and their health", MONITORS),
    "monitoring:outlet_new": rule("add an outlet and its feeds", who("agency_admin", OPERATOR)),
    "monitoring:outlet_edit": rule("edit an outlet and its feeds", outlet=who("agency_admin", OPERATOR)),
    "monitoring:outlet_delete": rule("stop following an outlet (articles already read are kept)", method="POST",
                                     outlet=who("agency_admin", OPERATOR)),
    "monitoring:collection_add": rule("add a collection of outlets", who("agency_admin", OPERATOR), method="POST"),
    "monitoring:feed_resume": rule("resume a paused feed", method="POST", feed=who("agency_admin", OPERATOR)),
    "monitoring:watch_lists": rule("the watch lists of one's desks", MONITORS),
    "monitoring:term_add": rule("add a term to one's agency's watch list", method="POST",
                                watch=who(at_agency("contributor", "agency_admin"), OPERATOR)),
    "monitoring:thresholds": rule("set the alert thresholds of one's agency's desk", method="POST",
                                  watch=who(at_agency("contributor", "agency_admin"), OPERATOR)),
    "monitoring:digest": rule("the daily or weekly digest of one's desks, with its charts", MONITORS),
    "monitoring:digest_docx": rule("the digest as a Decree 30 document", MONITORS),
    "monitoring:stories_csv": rule("the stories of one's desks as CSV", MONITORS),
    "points:add_slot": rule("add a daily slot to a loudspeaker player", device=who(OPERATOR), method="POST"),
    "points:remove_slot": rule("remove a loudspeaker's slot", device=who(OPERATOR), method="POST"),
    "points:speaker": rule("the loudspeaker player page a device opens", who(ANYONE)),
    "points:speaker_programme": rule("a paired loudspeaker's day (its token is the credential)", NOBODY),
    "points:speech": rule("a live public item read aloud for the loudspeakers", published=who(ANYONE),
                          draft=NOBODY, officials=NOBODY),
    "points:kiosk": rule("the touch kiosk page a device opens", who(ANYONE)),
    "points:kiosk_catalogue": rule("a paired kiosk's catalogue (its token is the credential)", NOBODY),
    # On the hub: the central publishers class items for the sites; nodes poll for urgent changes (signed).
    "points:hub_wake": rule("a node's fast poll for urgent bulletins", who(NODE)),
    "points:hub_bulletins": rule("the bulletin classes given to items for the sites", who("publisher")),
    "points:hub_bulletin_set": rule("give an item a bulletin class for the sites", who("publisher"), method="POST"),
    "points:hub_bulletin_cancel": rule("cancel an item's bulletin class at every site", who("publisher"),
                                       method="POST"),
    "points:hub_device": rule("a site device's playlist, as reported and as changed at the hub",
                              device=who("publisher")),
    "points:hub_device_edit": rule("change a site device's playlist (the hub's version wins at the site)",
                                   device=who("publisher"), method="POST"),
    # ---------------------------------------------------------------------------------- public portal
    "portal:home": rule("the public portal: live public material", who(ANYONE)),
    "portal:search": rule("search of the public portal", who(ANYONE)),
    "portal:item": rule("a public item's page", published=who(ANYONE), draft=NOBODY, officials=NOBODY),
    "portal:item_bare": rule("a public item's page without its slug (redirects)", published=who(ANYONE),
                             draft=NOBODY, officials=NOBODY),
    "portal:feed_atom": rule("the Atom feed of a language", who(ANYONE)),
    "portal:feed_json": rule("the JSON Feed of a language", who(ANYONE)),
    "portal:feed_atom_path": rule("the Atom feed of a language, topic, province and kind", who(ANYONE)),
    "portal:feed_json_path": rule("the JSON Feed of a language, topic, province and kind", who(ANYONE)),
    "portal:widget": rule("the embeddable list of a feed", who(ANYONE)),
    "portal:ninjs": rule("a public item in IPTC ninjs", published=who(ANYONE), draft=NOBODY, officials=NOBODY),
    "portal:cap_index": rule("the Atom index of active CAP alerts", who(ANYONE)),
    "portal:cap_message": rule("a signed CAP message: of a live public item's alert, or a Cancel",
                               published=who(ANYONE)),
    "portal:alerts": rule("alerts in force and the live material a publisher may declare one for",
                          who("publisher")),
    "portal:alert_form": rule("declare or update a live public item's CAP alert (the form; POST sends it)",
                              published=who("publisher")),
    "portal:alert_cancel": rule("cancel an item's CAP alert", method="POST", published=who("publisher")),
    "portal:senders": rule("the CAP senders the hub takes alerts from, and registering one", who(OPERATOR)),
    "robots": rule("robots.txt", who(ANYONE)),
    "sitemap": rule("the public portal's sitemap", who(ANYONE)),
    # --------------------------------------------------------------------------------------------- ops
    "ops:healthz": rule("liveness: the process answers, nothing else", who(ANYONE)),
    "ops:readyz": rule("readiness: which checks pass, no data", who(ANYONE)),
    "ops:metrics": rule("Prometheus metrics: counts by view, state and node", who(MONITOR)),
    # ------------------------------------------------------------------------- the API's own pages
    "api:openapi-json": rule("the API description", who(ANYONE)),
    "api:openapi-view": rule("the API's offline documentation", who(ANYONE)),
    "api:docs-asset": rule("the documentation's scripts and styles", who(ANYONE)),
    "api:api-root": rule("the API's root path: a JSON 404 for everyone", NOBODY),
    "api:no-route": rule("any other path under /api/: a JSON 404 for everyone", NOBODY),
}


OPERATIONS: dict[str, Rule] = {
    # ------------------------------------------------------------------------------------------- items
    "ttdn_content_api_list_items": rule("items the caller may see", who(ANYONE)),
    "ttdn_content_api_create_item": rule("a new draft of one's agency", who("contributor"), method="POST"),
    "ttdn_content_api_get_item": rule("one item, as content.permissions.can_view says", per=ITEM_SEEN),
    "ttdn_content_api_update_item": rule("as the item_edit page", method="PATCH", draft=at_agency("contributor"),
        in_appraisal=who("appraiser"), published=NOBODY),
    "ttdn_content_api_transition_item": rule(
        "the workflow; approving and returning only with the opinion (ttdn_editorial_api_record_opinion)",
        method="POST", per={"draft:submit": at_agency("contributor"), "in_appraisal:reject": who("appraiser"),
           "approved:publish": who("publisher"), "published:withdraw": who("publisher")}),
    "ttdn_editorial_api_list_criteria": rule("the appraisal checklist asked now", who(LOGGED_IN)),
    "ttdn_editorial_api_list_opinions": rule("an item's appraisal opinions, to officials who see the item",
        in_appraisal=SEES_IN_APPRAISAL, published=who(OFFICIAL)),
    "ttdn_editorial_api_record_opinion": rule("approve or return with the appraisal opinion", method="POST",
        in_appraisal=who("appraiser")),
    "ttdn_content_api_item_actions": rule("the actions open to the caller, on an item they see (with credentials)",
        draft=SEES_DRAFT, published=who(LOGGED_IN)),
    "ttdn_content_api_get_variant": rule("one language version, as the item", draft__vi=SEES_DRAFT,
        published__vi=SEES_LIVE,
        officials__vi=SEES_OFFICIALS),
    "ttdn_content_api_save_variant": rule("as the variant_edit page", method="PUT", draft__vi=at_agency("contributor"),
        approved__lo=TRANSLATES),
    "ttdn_content_api_delete_variant": rule("as the variant_delete page", method="DELETE", approved__lo=TRANSLATES),
    "ttdn_content_api_set_translation_state": rule("a translation's state", method="POST", approved__lo=TRANSLATES),
    "ttdn_content_api_upload_file": rule("attach a file, as writing the version", method="POST",
        draft__vi=at_agency("contributor")),
    "ttdn_content_api_delete_file": rule("remove a file, as writing the version", method="DELETE",
        draft__vi=at_agency("contributor")),
    # ------------------------------------------------------------------------------------ reference, me
    "ttdn_content_api_list_topics": rule("topics", who(LOGGED_IN)),
    "ttdn_content_api_list_languages": rule("the language registry", who(LOGGED_IN)),
    "ttdn_accounts_api_get_me": rule("who am I", who(LOGGED_IN)),
    "ttdn_accounts_api_list_tokens": rule("one's own tokens", who(LOGGED_IN)),
    "ttdn_accounts_api_create_token": rule("a token for oneself", who(LOGGED_IN), method="POST"),
    "ttdn_accounts_api_revoke_token": rule("revoke one's own token", method="DELETE", token=who(SELF)),
    "ttdn_accounts_api_list_administered_tokens": rule(
        "tokens an administrator may revoke: operators all, agency administrators their agency's",
        who(OPERATOR, "agency_admin")),
    "ttdn_accounts_api_revoke_administered_token": rule("revoke a token of one's scope", method="DELETE",
                                                        token=who(OPERATOR, at_agency("agency_admin"))),
    "ttdn_search_api_search": rule("search what the caller may see", who(ANYONE)),
    "ttdn_translation_api_item_languages": rule("as the translation:item page", draft=SEES_DRAFT,
        in_appraisal=SEES_IN_APPRAISAL, approved=SEES_APPROVED, published=who(OFFICIAL), officials=who(OFFICIAL)),
    # --------------------------------------------------------------------------------------- programme
    "ttdn_programme_api_my_reports": rule("one's agency's reports (empty for others)", who(LOGGED_IN)),
    "ttdn_programme_api_open_report": rule("open one's agency's report", method="POST", plan=who("plan_reporter@plan")),
    "ttdn_programme_api_get_report": rule("as the report page", report=who(at_agency("plan_reporter"), MANAGES_PLAN)),
    "ttdn_programme_api_save_report": rule("write one's agency's report", method="PUT",
        report=at_agency("plan_reporter")),
    "ttdn_programme_api_submit_report": rule("submit one's agency's report", method="POST",
        report=at_agency("plan_reporter")),
    "ttdn_programme_api_list_plans": rule("plans the caller may see (empty for others)", who(LOGGED_IN)),
    "ttdn_programme_api_get_plan": rule("a plan", plan=SEES_PLAN),
    "ttdn_programme_api_get_indicators": rule("a plan's indicators", plan=SEES_PLAN),
    "ttdn_programme_api_get_reporting": rule("a plan's reporting rates", plan=SEES_PLAN),
    # ---------------------------------------------------------------------------------- monitoring
    "ttdn_monitoring_api_list_stories": rule("the stories of one's desks (as the review queue)", MONITORS),
    # ---------------------------------------------------------------------------------------- outreach
    # As the outreach pages (outreach:campaigns, outreach:campaign, outreach:campaign_action, outreach:preview).
    "ttdn_outreach_api_list_campaigns": rule("campaigns of one's agency (publishers and operators: all)",
        who("contributor", "agency_admin", "publisher", OPERATOR)),
    "ttdn_outreach_api_create_campaign": rule("prepare a campaign for one's agency", who("contributor"),
        method="POST"),
    "ttdn_outreach_api_preview_texts": rule("the preview of texts and cost", who("contributor"), method="POST"),
    "ttdn_outreach_api_get_campaign": rule("a campaign",
        campaign=who(at_agency("contributor", "agency_admin"), "publisher", OPERATOR)),
    "ttdn_outreach_api_campaign_results": rule("a campaign's delivery figures",
        campaign=who(at_agency("contributor", "agency_admin"), "publisher", OPERATOR)),
    "ttdn_outreach_api_campaign_action": rule(
        "submit, approve, return, pause, resume, cancel (the service decides which: approving is for the "
        "administrator or a publisher other than the author)", method="POST",
        campaign=who(at_agency("contributor", "agency_admin"), "publisher")),
    "ttdn_outreach_api_list_audiences": rule("opted-in subscribers per commune and language", who("contributor")),
    # ------------------------------------------------------------------------------------------ portal
    "ttdn_portal_api_alert_item": rule("declare or update a live public item's CAP alert", method="POST",
                                       published=who("publisher")),
    "ttdn_portal_api_cancel_alert": rule("cancel an item's CAP alert", method="POST", published=who("publisher")),
    # The credential is the message's XML signature, checked against the registered sender's certificate.
    "ttdn_portal_api_import_cap": rule("take in a signed CAP message of a registered sender", who(ANYONE),
                                       method="POST"),
    "ttdn_portal_api_add_webhook": rule("register a receiving system: operators, the agency's administrator",
                                        method="POST", agency=who(OPERATOR, at_agency("agency_admin"))),
    "ttdn_portal_api_list_webhooks": rule("the receiving systems one administers (empty for others)",
                                          who(LOGGED_IN)),
    "ttdn_portal_api_list_deliveries": rule("a receiving system's delivery log",
                                            subscriber=who(OPERATOR, at_agency("agency_admin"))),
    "ttdn_portal_api_deactivate_webhook": rule("stop sending to a receiving system", method="DELETE",
                                               subscriber=who(OPERATOR, at_agency("agency_admin"))),
}


def page_rule(url_name: str) -> Rule | None:
    """The row for a URL name; a namespace's wildcard row ("admin:*") covers all its pages.

    A page without a name is named by its route, under its namespace ("admin:/admin/<path:object_id>/")."""
    if url_name in PAGES:
        return PAGES[url_name]
    namespace, colon, _rest = url_name.partition(":")
    return PAGES.get(f"{namespace}:*") if colon and not namespace.startswith("/") else None
