"""Forms of the plan pages: they read and check input shapes; the rules live in ttdn.programme.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency
from ttdn.core.forms import DayField, DayInput
from ttdn.documents.timeframes import quarter_dates
from ttdn.places.models import BorderSite, EquipmentKind, EquipmentStatus
from ttdn.programme import services
from ttdn.programme.models import (
    STORED_TASK_STATUSES,
    AgencyGroup,
    CourseKind,
    Officer,
    Plan,
    Section,
    Task,
    TaskStatus,
    TimeframeKind,
)

DATE = DayInput()


class PlanUploadForm(forms.Form):
    file = forms.FileField(label=_("Plan file (TXT, DOCX or PDF)"))


class PlanSettingsForm(forms.Form):
    report_due_day = forms.IntegerField(label=_("Reports due on day"), min_value=1, max_value=31)
    report_due_month = forms.IntegerField(label=_("of month"), min_value=1, max_value=12)
    timely_days = forms.IntegerField(label=_("Days of grace"), min_value=0, max_value=90)


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(label=_("Status of the task"), choices=[("", "—"), *STORED_TASK_STATUSES],
                               required=False)
    items = forms.CharField(label=_("Published material (ids, one per line)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence files"), required=False,
                            widget=forms.ClearableFileInput(attrs={"multiple": False}))


class ReportForm(forms.Form):
    summary = forms.CharField(label=_("Overall results"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    difficulties = forms.CharField(label=_("Difficulties"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    proposals = forms.CharField(label=_("Proposals"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OfficerForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    name = forms.CharField(label=_("Full name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=300, required=False)
    languages = forms.CharField(label=_("Languages (e.g. vi, lo, km)"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()  # type: ignore[attr-defined]


class CourseForm(forms.Form):
    name = forms.CharField(label=_("Course"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    language = forms.CharField(label=_("Language (tag)"), max_length=16, required=False)


class ClassForm(forms.Form):
    course = forms.IntegerField(label=_("Course"), widget=forms.Select, min_value=1, max_value=2**63 - 1)
    title = forms.CharField(label=_("Class"), max_length=300)
    start = DayField(label=_("From"), widget=DATE)
    end = DayField(label=_("To"), widget=DATE)
    venue = forms.CharField(label=_("Venue"), max_length=300)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10_000)
    duration_hours = forms.IntegerField(label=_("Duration (hours)"), min_value=1, max_value=10_000)


class EnrolForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=Officer.objects.none())

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers if officers is not None else Officer.objects.none()  # type: ignore[attr-defined]


class EquipmentForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=BorderSite.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=EquipmentKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=EquipmentStatus.choices)
    installed_on = DayField(label=_("Installed on"), required=False, widget=DATE)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else BorderSite.objects.none()  # type: ignore[attr-defined]


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    task = forms.IntegerField(label=_("Task"), required=False, widget=forms.Select, min_value=1, max_value=2**63 - 1)
    agency = forms.ModelChoiceField(label=_("Lead agency"), queryset=Agency.objects.none())
    estimate = forms.CharField(label=_("Estimate (đồng)"), max_length=24)
    approved = forms.CharField(label=_("Approved (đồng)"), max_length=24, required=False)
    spent = forms.CharField(label=_("Spent (đồng)"), max_length=24, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()  # type: ignore[attr-defined]


class IndicatorValueForm(forms.Form):
    value = forms.FloatField(label=_("Value"))
    as_of = DayField(label=_("As of"), widget=DATE)


class _TaskChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.key} {obj.title}"[:120]


class TaskForm(forms.Form):
    """A task of a plan, added or corrected by hand. The form turns the timeframe's year and quarter into dates and
    checks the shapes; `services.do_save_task` checks the rest against the plan."""

    key = forms.CharField(label=_("Number"), max_length=48, help_text=_("As in the plan, e.g. II.1.c"))
    title = forms.CharField(label=_("Task"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    section = forms.ModelChoiceField(label=_("Section"), queryset=Section.objects.none(), required=False)
    parent = _TaskChoice(label=_("Sub-task of"), queryset=Task.objects.none(), required=False)
    lead_agency = forms.ModelChoiceField(label=_("Lead agency"), queryset=Agency.objects.none(), required=False)
    lead_group = forms.ChoiceField(label=_("or lead group of agencies"), choices=[("", "—"), *AgencyGroup.choices],
                                   required=False)
    coordinating_agencies = forms.ModelMultipleChoiceField(
        label=_("Coordinating agencies"), queryset=Agency.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}))
    coordinating_groups = forms.MultipleChoiceField(
        label=_("Coordinating groups of agencies"), choices=AgencyGroup.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    timeframe_kind = forms.ChoiceField(label=_("Kind of timeframe"), choices=TimeframeKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False,
                              help_text=_("For a task in a quarter"))
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=[("", "—"), (1, "I"), (2, "II"), (3, "III"),
                                                                   (4, "IV")], coerce=int, empty_value=None,
                                     required=False)
    start = DayField(label=_("From"), widget=DATE, required=False)
    end = DayField(label=_("To (or by)"), widget=DATE, required=False)
    timeframe_text = forms.CharField(label=_("Timeframe as written"), max_length=255, required=False,
                                     help_text=_("Leave empty to show the kind and the dates."))
    status = forms.ChoiceField(label=_("Status"), choices=STORED_TASK_STATUSES, initial=TaskStatus.NOT_STARTED)
    description = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, plan: Plan, task: Task | None = None, **kwargs: Any) -> None:
        if task is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_of(task)
        super().__init__(*args, **kwargs)
        agencies = services.plan_agencies(plan).order_by("name")
        self.fields["section"].queryset = plan.sections.all()  # type: ignore[attr-defined]
        self.fields["parent"].queryset = services.plan_parent_choices(plan, task)  # type: ignore[attr-defined]
        self.fields["lead_agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["coordinating_agencies"].queryset = agencies  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(task: Task) -> dict[str, Any]:
        coordinators = list(task.coordinators.all())
        initial: dict[str, Any] = {
            "key": task.key, "title": task.title, "section": task.section_id, "parent": task.parent_id,
            "lead_agency": task.lead_agency_id, "lead_group": task.lead_group,
            "coordinating_agencies": [c.agency_id for c in coordinators if c.agency_id],
            "coordinating_groups": [c.group for c in coordinators if c.group],
            "timeframe_kind": task.timeframe_kind, "start": task.start, "end": task.end,
            "timeframe_text": task.timeframe_text, "status": task.status, "description": task.description,
        }
        if task.timeframe_kind == TimeframeKind.QUARTER and task.start is not None:
            initial["year"], initial["quarter"] = task.start.year, (task.start.month - 1) // 3 + 1
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, start, end = data.get("timeframe_kind"), data.get("start"), data.get("end")
        if data.get("lead_agency") is not None and data.get("lead_group"):
            self.add_error("lead_group", _("Choose either one lead agency or one group, not both."))
        if kind == TimeframeKind.QUARTER:
            year, quarter = data.get("year"), data.get("quarter")
            if year is None or quarter is None:
                self.add_error("quarter", _("Give the year and the quarter."))
            else:
                # A quarter is stored as its first and last day, so the overdue rule needs nothing more.
                data["start"], data["end"] = quarter_dates(year, quarter)
        elif kind == TimeframeKind.PERIOD and (start is None or end is None):
            if "start" not in self.errors and "end" not in self.errors:
                self.add_error("end", _("Give the first and the last day of the period."))
        elif kind == TimeframeKind.BY_DATE and end is None and "end" not in self.errors:
            self.add_error("end", _("Give the date the task must be done by."))
        if start is not None and end is not None and end < start and kind != TimeframeKind.QUARTER:
            self.add_error("end", _("The end must not come before the start."))
        return data

    def task_data(self) -> services.TaskData:
        data = self.cleaned_data
        return services.TaskData(
            key=data["key"], title=data["title"], description=data["description"],
            section_id=data["section"].pk if data.get("section") else None,
            parent_id=data["parent"].pk if data.get("parent") else None,
            lead_agency_id=data["lead_agency"].pk if data.get("lead_agency") else None,
            lead_group=data["lead_group"],
            coordinating_agency_ids=[a.pk for a in data["coordinating_agencies"]],
            coordinating_groups=list(data["coordinating_groups"]),
            timeframe_kind=data["timeframe_kind"], timeframe_text=data["timeframe_text"],
            start=data.get("start"), end=data.get("end"), status=data["status"],
        )
