"""The appraisal opinion form (one pair of fields per criterion asked) and the scheduling form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ttdn.core.forms import DayField
from ttdn.editorial.models import Criterion
from ttdn.editorial.services import OpinionData, criterion_field, note_field

PASS_CHOICES = [("pass", _("Passed")), ("fail", _("Failed"))]


class OpinionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your overall opinion. When you return the material, the contributor reads it."),
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        ui = get_language() or "vi"
        for criterion in criteria:
            self.fields[criterion_field(criterion.pk)] = forms.ChoiceField(
                label=criterion.label(ui), choices=PASS_CHOICES, widget=forms.RadioSelect,
                help_text=criterion.guidance,
                error_messages={"required": _("Mark this criterion as passed or failed.")},
            )
            self.fields[note_field(criterion.pk)] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[criterion_field(c.pk)], self[note_field(c.pk)]) for c in self.criteria]

    def opinion_data(self, decision: str) -> OpinionData:
        c = self.cleaned_data
        checks: dict[int, tuple[bool | None, str]] = {}
        for criterion in self.criteria:
            mark = c.get(criterion_field(criterion.pk))
            checks[criterion.pk] = (None if not mark else mark == "pass", c.get(note_field(criterion.pk), ""))
        return OpinionData(decision=decision, checks=checks, comment=c.get("comment", ""))


class ScheduleForm(forms.Form):
    """Date as dd/mm/yyyy and time as HH:mm (24 h), whatever the browser's locale, in the hub's time zone."""

    # The shared day field: typed dd/mm/yyyy, with the calendar button (ttdn/js/dates.js).
    date = DayField(label=_("Date (dd/mm/yyyy)"),
                    error_messages={"invalid": _("Write the date as dd/mm/yyyy, e.g. 01/12/2026.")})
    time = forms.TimeField(label=_("Time (HH:mm, 24 h)"), input_formats=["%H:%M"],
                           widget=forms.TextInput(attrs={"placeholder": "HH:mm", "inputmode": "numeric",
                                                         "autocomplete": "off", "size": 5}),
                           error_messages={"invalid": _("Write the time as HH:mm, e.g. 07:30.")})

    def publish_at(self) -> dt.datetime:
        moment = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(moment, timezone.get_default_timezone())
