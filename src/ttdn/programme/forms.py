"""Forms of the plan pages: they read and check input shapes; the rules live in ttdn.programme.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency
from ttdn.places.models import BorderSite, EquipmentKind, EquipmentStatus
from ttdn.programme.models import STORED_TASK_STATUSES, CourseKind, Officer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
    course = forms.IntegerField(label=_("Course"), widget=forms.Select)
    title = forms.CharField(label=_("Class"), max_length=300)
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
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
    installed_on = forms.DateField(label=_("Installed on"), required=False, widget=DATE)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else BorderSite.objects.none()  # type: ignore[attr-defined]


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    task = forms.IntegerField(label=_("Task"), required=False, widget=forms.Select)
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
    as_of = forms.DateField(label=_("As of"), widget=DATE)
