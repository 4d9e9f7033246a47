"""Every operation that changes a plan, a report or a registry, by sub-domain. `check_…` validates and authorises;
`do_…` writes in one transaction and records the audit entry. Views, the API, commands, tasks and tests call these
through this package (`from ttdn.programme import services`); the modules import each other, never this package.

- `scope`: who has a part in a plan (its province, the agencies of a group, of a task, the lead) and its periods;
- `plans`: a plan's settings, its reporting agencies, successors after a reorganisation;
- `drafts`: plans in (a reviewed `ttdn.documents.plan_draft.Draft` becomes a plan), drafts, registering missing
  agencies from the review;
- `tasks`: tasks and their progress updates with evidence;
- `reports`: progress reports, completeness and timeliness, reminders and notifications;
- `indicators`: values, targets and attainment;
- `registries`: officers, training, equipment, budget;
- `common`: text limits, refusals, the managers' check.

Figures (completeness, timeliness, indicator values, attainment) are computed when read, from the rows as they
are, so a change in a registry shows in every figure at once.
"""

from ttdn.programme.services.common import TEXT_MAX, TITLE_MAX, check_manage
from ttdn.programme.services.drafts import (
    REGISTRABLE_KINDS,
    AcceptedProposal,
    CleanPlan,
    NewAgency,
    NewSite,
    as_draft,
    check_draft,
    check_import_plan,
    check_proposals,
    check_register_agencies,
    do_confirm_draft,
    do_import_plan,
    do_read_plan_upload,
    do_register_agencies,
    do_save_draft,
    do_update_draft,
    guess_indicator_source,
)
from ttdn.programme.services.indicators import (
    Attainment,
    attainment,
    compute_source,
    current_target,
    do_record_indicator_value,
    do_set_indicator_source,
    indicator_actual,
)
from ttdn.programme.services.plans import (
    do_set_reporting_agencies,
    do_update_plan_settings,
    follow_registry,
    follow_successor,
)
from ttdn.programme.services.registries import (
    ClassData,
    OfficerData,
    check_registries,
    do_enrol,
    do_save_budget_line,
    do_save_class,
    do_save_course,
    do_save_equipment,
    do_save_officer,
    do_set_attendance,
)
from ttdn.programme.services.reports import (
    OVERDUE_EVERY,
    OVERDUE_MAX,
    REMIND_BEFORE,
    AgencyRates,
    AgencyReport,
    Rates,
    agency_reports,
    check_open_report,
    do_mark_read,
    do_open_report,
    do_return_report,
    do_save_report,
    do_send_reminders,
    do_submit_report,
    expected_periods,
    is_on_time,
    reminder_stage,
    reporting_rates,
    reports_due,
)
from ttdn.programme.services.scope import (
    GROUP_KINDS,
    group_members,
    leads_task,
    plan_agencies,
    plan_province_ids,
    task_agency_ids,
    tasks_of_agency,
)
from ttdn.programme.services.tasks import (
    TaskData,
    check_add_progress,
    check_save_task,
    do_add_progress,
    do_add_progress_upload,
    do_save_task,
    plan_parent_choices,
)

__all__ = [
    "GROUP_KINDS",
    "OVERDUE_EVERY",
    "OVERDUE_MAX",
    "REGISTRABLE_KINDS",
    "REMIND_BEFORE",
    "TEXT_MAX",
    "TITLE_MAX",
    "AcceptedProposal",
    "AgencyRates",
    "AgencyReport",
    "Attainment",
    "ClassData",
    "CleanPlan",
    "NewAgency",
    "NewSite",
    "OfficerData",
    "Rates",
    "TaskData",
    "agency_reports",
    "as_draft",
    "attainment",
    "check_add_progress",
    "check_draft",
    "check_import_plan",
    "check_manage",
    "check_open_report",
    "check_proposals",
    "check_register_agencies",
    "check_registries",
    "check_save_task",
    "compute_source",
    "current_target",
    "do_add_progress",
    "do_add_progress_upload",
    "do_confirm_draft",
    "do_enrol",
    "do_import_plan",
    "do_mark_read",
    "do_open_report",
    "do_read_plan_upload",
    "do_record_indicator_value",
    "do_register_agencies",
    "do_return_report",
    "do_save_budget_line",
    "do_save_class",
    "do_save_course",
    "do_save_draft",
    "do_save_equipment",
    "do_save_officer",
    "do_save_report",
    "do_save_task",
    "do_send_reminders",
    "do_set_attendance",
    "do_set_indicator_source",
    "do_set_reporting_agencies",
    "do_submit_report",
    "do_update_draft",
    "do_update_plan_settings",
    "expected_periods",
    "follow_registry",
    "follow_successor",
    "group_members",
    "guess_indicator_source",
    "indicator_actual",
    "is_on_time",
    "leads_task",
    "plan_agencies",
    "plan_parent_choices",
    "plan_province_ids",
    "reminder_stage",
    "reporting_rates",
    "reports_due",
    "task_agency_ids",
    "tasks_of_agency",
]
