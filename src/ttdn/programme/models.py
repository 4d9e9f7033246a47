"""Data of the plans: plans, sections, tasks, indicators, reports, officers, training and budget."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgencyGroup(models.TextChoices):
    """The groups of agencies plans name instead of one agency ("UBND cấp huyện", "các sở, ban, ngành")."""

    PROVINCIAL_DEPARTMENTS = "provincial_departments", _("Provincial departments, boards and sectors")
    DISTRICT_COMMITTEES = "district_committees", _("District People's Committees")
    COMMUNE_COMMITTEES = "commune_committees", _("Commune People's Committees")
    BORDER_DISTRICT_COMMITTEES = "border_district_committees", _("People's Committees of border districts")
    BORDER_COMMUNE_COMMITTEES = "border_commune_committees", _("People's Committees of border communes")
    MASS_ORGANISATIONS = "mass_organisations", _("Fatherland Front and socio-political organisations")
    PRESS_AGENCIES = "press_agencies", _("Press agencies")
    ALL_AGENCIES = "all_agencies", _("All agencies and units")


class TimeframeKind(models.TextChoices):
    YEARLY = "yearly", _("Every year")
    PERIOD = "period", _("Over a period")
    QUARTER = "quarter", _("In a quarter")
    BY_DATE = "by_date", _("By a date")
    ONGOING = "ongoing", _("Ongoing")
    QUARTERLY = "quarterly", _("Every quarter")
    MONTHLY = "monthly", _("Every month")


# Kinds that recur over the whole plan: they are never overdue, and take the plan's period as their dates.
RECURRING_KINDS = frozenset({TimeframeKind.YEARLY, TimeframeKind.ONGOING, TimeframeKind.QUARTERLY,
                             TimeframeKind.MONTHLY})


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    # "Đang thực hiện": the content workflow's "In progress" is "Đang dịch", hence the context.
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
    AT_RISK = "at_risk", _("At risk")
    DONE = "done", _("Done")
    # Never stored: a task not done whose end date has passed (computed, see Task.effective_status).
    OVERDUE = "overdue", _("Overdue")


STORED_TASK_STATUSES = [c for c in TaskStatus.choices if c[0] != TaskStatus.OVERDUE]


class Plan(models.Model):
    """A provincial plan ("Kế hoạch số 2509/KH-UBND"). Who runs it is data: `coordinating_agency`."""

    number = models.CharField(max_length=32, blank=True)
    symbol = models.CharField(max_length=64, blank=True)  # "KH-UBND"
    issuing_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="issued_plans"
    )
    issuer_text = models.CharField(max_length=255, blank=True)
    # The agency that runs the plan day to day and consolidates the reports (usually the Sở TT&TT).
    coordinating_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="coordinated_plans"
    )
    date = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=1000)
    legal_bases = models.JSONField(default=list, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    phases = models.JSONField(default=list, blank=True)  # [{"name", "start", "end"}]
    report_due_day = models.PositiveSmallIntegerField(default=25)
    report_due_month = models.PositiveSmallIntegerField(default=11)
    # DHIS2's "timely days": a report submitted this many days after the due date is still on time.
    timely_days = models.PositiveSmallIntegerField(default=0)
    # The agencies expected to report each period (DHIS2: the data set's organisation units).
    reporting_agencies = models.ManyToManyField("accounts.Agency", blank=True, related_name="reporting_plans")
    source_filename = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def reference(self) -> str:
        if self.number and self.symbol:
            return f"{self.number}/{self.symbol}"
        return self.number or self.symbol

    def due_date(self, year: int) -> dt.date:
        day = self.report_due_day
        while True:  # 30 February and the like fall back to the month's last day
            try:
                return dt.date(year, self.report_due_month, day)
            except ValueError:
                day -= 1


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=32)  # "II.1"
    title = models.CharField(max_length=1000)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="section_key_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    key = models.CharField(max_length=48)
    title = models.CharField(max_length=1000)
    description = models.TextField(blank=True)
    lead_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="led_tasks"
    )
    lead_group = models.CharField(max_length=32, choices=AgencyGroup.choices, blank=True)
    lead_text = models.CharField(max_length=500, blank=True)  # as the plan wrote it
    timeframe_kind = models.CharField(max_length=16, choices=TimeframeKind.choices, default=TimeframeKind.ONGOING)
    timeframe_text = models.CharField(max_length=255, blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STORED_TASK_STATUSES, default=TaskStatus.NOT_STARTED)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="task_key_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    def effective_status(self, today: dt.date | None = None) -> str:
        """The stored status, or "overdue" for a task not done whose end date has passed."""
        today = today or timezone.localdate()
        if self.status != TaskStatus.DONE and self.end is not None and self.end < today and (
            self.timeframe_kind not in RECURRING_KINDS
        ):
            return TaskStatus.OVERDUE
        return self.status

    def lead_label(self) -> str:
        if self.lead_agency is not None:
            return self.lead_agency.name
        if self.lead_group:
            return str(AgencyGroup(self.lead_group).label)
        return self.lead_text


class TaskCoordinator(models.Model):
    """A coordinating agency ("cơ quan phối hợp") or group of a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="coordinators")
    agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(max_length=32, choices=AgencyGroup.choices, blank=True)
    text = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label()

    def label(self) -> str:
        if self.agency is not None:
            return self.agency.name
        if self.group:
            return str(AgencyGroup(self.group).label)
        return self.text


class ProgressUpdate(models.Model):
    """What an agency did on a task, with evidence: files and links to published material."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=16, choices=STORED_TASK_STATUSES, blank=True)
    items = models.ManyToManyField("content.Item", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.text[:60]}"


class Evidence(models.Model):
    """A file attached to a progress update, stored once by SHA-256 like every other file."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    asset = models.ForeignKey("content.Asset", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class IndicatorUnit(models.TextChoices):
    COUNT = "count", _("Number")
    PERCENT = "percent", _("Percent")


class IndicatorSource(models.TextChoices):
    REPORTED = "reported", _("Reported by agencies")
    OFFICERS_TRAINED_PCT = "officers_trained_pct", _("Officers trained (%) — from training records")
    OFFICERS_TRAINED = "officers_trained", _("Officers trained — from training records")
    BORDER_COMMUNES_EQUIPPED_PCT = "border_communes_equipped_pct", _("Border communes equipped (%) — from equipment")
    POSTS_EQUIPPED = "posts_equipped", _("Border-guard posts equipped — from equipment")
    GATES_EQUIPPED = "gates_equipped", _("Border gates equipped — from equipment")
    SITES_EQUIPPED = "sites_equipped", _("Border sites with working equipment — from equipment")


class Indicator(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField(max_length=48)
    name = models.CharField(max_length=1000)
    unit = models.CharField(max_length=16, choices=IndicatorUnit.choices, default=IndicatorUnit.COUNT)
    baseline = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)  # as the plan wrote it
    source = models.CharField(max_length=40, choices=IndicatorSource.choices, default=IndicatorSource.REPORTED)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="indicator_key_once_per_plan")]

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    label = models.CharField(max_length=64)  # "2020 - 2025" or "2025"
    start = models.DateField()
    end = models.DateField()
    value = models.FloatField()

    class Meta:
        ordering = ["start", "end", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value:g}"


class IndicatorValue(models.Model):
    """A value reported for an indicator (the indicators the registries cannot compute)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    value = models.FloatField()
    note = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"{self.as_of}: {self.value:g}"


class ReportPeriod(models.Model):
    """One reporting round of a plan: the year's report, due on the plan's due day."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    year = models.PositiveIntegerField()
    start = models.DateField()
    end = models.DateField()
    due = models.DateField()

    class Meta:
        ordering = ["plan_id", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_period_per_plan_year")]

    def __str__(self) -> str:
        return f"{self.plan.reference} {self.year}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")


class ProgressReport(models.Model):
    """An agency's report for one period of one plan."""

    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="progress_reports")
    state = models.CharField(max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    summary = models.TextField(blank=True)
    difficulties = models.TextField(blank=True)
    proposals = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period_id", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["period", "agency"], name="one_report_per_agency_period")]

    def __str__(self) -> str:
        return f"{self.period} — {self.agency}"


class ReportEntry(models.Model):
    """What the report says about one task."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="entries")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="report_entries")
    text = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=STORED_TASK_STATUSES, blank=True)

    class Meta:
        ordering = ["task__position", "task_id"]
        constraints = [models.UniqueConstraint(fields=["report", "task"], name="one_entry_per_task")]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.task_id}"


class Notification(models.Model):
    """An in-app message. `key` makes each reminder unique per person: never the same one twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    message = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")]

    def __str__(self) -> str:
        return self.message[:80]


class Officer(models.Model):
    """An officer responsible for foreign information in an agency (the list plans ask agencies to keep)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="fi_officers")
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=300, blank=True)
    languages = models.JSONField(default=list, blank=True)  # BCP 47 tags
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return self.name


class CourseKind(models.TextChoices):
    FOREIGN_INFORMATION = "foreign_information", _("Foreign-information skills")
    LAO = "lao", _("Lao language")
    KHMER = "khmer", _("Khmer language")
    CHINESE = "chinese", _("Chinese language")
    ENGLISH = "english", _("English language")
    ETHNIC_LANGUAGE = "ethnic_language", _("Ethnic-minority language")


class Course(models.Model):
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=CourseKind.choices)
    language = models.CharField(max_length=16, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class TrainingClass(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="classes")
    organiser = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    start = models.DateField()
    end = models.DateField()
    venue = models.CharField(max_length=300)
    capacity = models.PositiveIntegerField()
    duration_hours = models.PositiveIntegerField()

    class Meta:
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="enrolments")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="enrolments")
    attended = models.BooleanField(default=False)
    completed = models.BooleanField(default=False)

    class Meta:
        ordering = ["officer__name"]
        constraints = [models.UniqueConstraint(fields=["training_class", "officer"], name="enrol_once")]

    def __str__(self) -> str:
        return f"{self.officer_id} @ {self.training_class_id}"


class BudgetLine(models.Model):
    """An estimate per task per year by the lead agency; approved and spent follow."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="budget_lines")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="budget_lines")
    year = models.PositiveIntegerField()
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    estimate = models.DecimalField(max_digits=16, decimal_places=0)  # đồng
    approved = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    spent = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["year", "agency__name", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.agency_id}: {self.estimate}"


class PlanDraft(models.Model):
    """A plan read from a file, waiting for a person to review it. Nothing is in the plan tables until then."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
