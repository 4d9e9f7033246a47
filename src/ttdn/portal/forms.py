"""Forms of the officials' portal pages: declaring, updating and cancelling an alert; registering a CAP sender.
They only read the input: the services decide (ttdn.portal.services check_…/do_…)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role, User
from ttdn.content.models import Item
from ttdn.core import languages
from ttdn.places.models import AdminUnit, UnitLevel

from .models import Alert, CapStatus, Category, Certainty, Severity, Urgency
from .queries import shown
from .services import AlertInput


def commune_choices(item: Item) -> list[tuple[str, list[tuple[str, str]]]]:
    """The communes and wards in force of the item's target provinces, grouped by province."""
    groups = []
    for province in item.target_provinces.order_by("name"):
        units = AdminUnit.objects.filter(parent=province, level=UnitLevel.COMMUNE, valid_to__isnull=True)
        groups.append((province.name, [(u.gso_code, f"{u.name} ({u.gso_code})") for u in units.order_by("name")]))
    return groups


class AlertForm(forms.Form):
    status = forms.ChoiceField(label=_("Kind of message"), choices=CapStatus.choices,
                               help_text=_("“Exercise” for a drill: receiving systems do not treat it as real."))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    certainty = forms.ChoiceField(label=_("Certainty"), choices=Certainty.choices)
    expires = forms.DateTimeField(label=_("Expires"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
                                  help_text=_("Empty: until the material's validity ends."))
    communes = forms.MultipleChoiceField(
        label=_("Communes and wards"), required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Each becomes an area of the alert with its GSO code. None chosen: the whole provinces."))

    def __init__(self, *args: Any, item: Item, alert: Alert | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.languages = [v.language for v in shown(item)] or [item.source_language]
        self.fields["communes"].choices = commune_choices(item)  # type: ignore[attr-defined]
        if alert is not None and alert.is_active:
            for name in ("status", "category", "urgency", "severity", "certainty"):
                self.fields[name].initial = getattr(alert, name)
            self.fields["expires"].initial = timezone.localtime(alert.expires) if alert.expires else None
            self.fields["communes"].initial = [u.gso_code for u in alert.communes.all()]
        else:
            self.fields["urgency"].initial = Urgency.EXPECTED
            self.fields["severity"].initial = Severity.MODERATE
            self.fields["certainty"].initial = Certainty.LIKELY
            self.fields["category"].initial = Category.SAFETY
        for lang in self.languages:
            name = languages.name(lang)
            attrs = {"lang": lang}
            self.fields[f"event_{lang}"] = forms.CharField(
                label=_("Event (%(lang)s)") % {"lang": name}, required=lang == item.source_language, max_length=200,
                widget=forms.TextInput(attrs=attrs),
                initial=(alert.event.get(lang, "") if alert is not None else ""))
            self.fields[f"instruction_{lang}"] = forms.CharField(
                label=_("What people should do (%(lang)s)") % {"lang": name}, required=False, max_length=2000,
                widget=forms.Textarea(attrs={**attrs, "rows": 2}),
                initial=(alert.instruction.get(lang, "") if alert is not None else ""))

    def alert_input(self) -> AlertInput:
        data = self.cleaned_data
        return AlertInput(
            status=data["status"], category=data["category"], urgency=data["urgency"], severity=data["severity"],
            certainty=data["certainty"], expires=data["expires"], communes=list(data["communes"]),
            event={lang: data.get(f"event_{lang}", "") for lang in self.languages},
            instruction={lang: data.get(f"instruction_{lang}", "") for lang in self.languages})


class CancelAlertForm(forms.Form):
    note = forms.CharField(label=_("Why it is cancelled (sent with the Cancel)"), required=False, max_length=500)


def importing_accounts() -> Any:
    """Contributors of an agency: the imported alerts are filed under one of them."""
    return (User.objects.filter(is_active=True, agency__isnull=False, role_grants__role=Role.CONTRIBUTOR)
            .select_related("agency").distinct().order_by("agency__name", "username"))


class SenderForm(forms.Form):
    sender = forms.CharField(label=_("CAP sender"), max_length=255,
                             help_text=_("The <sender> its messages carry, e.g. canhbao@nchmf.gov.vn."))
    name = forms.CharField(label=_("Name of the system"), max_length=200, required=False)
    certificate = forms.CharField(label=_("Certificate (PEM)"), max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
                                  help_text=_("Its messages must be signed with the key of this certificate."))
    account = forms.ModelChoiceField(label=_("File the imported alerts under"), queryset=User.objects.none())
    feed_url = forms.URLField(label=_("Its CAP feed (optional)"), required=False, max_length=500, assume_scheme="https",
                              help_text=_("Polled by the worker; empty if the system posts its messages itself."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        field.queryset = importing_accounts()  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: f"{u.display_name()} — {u.agency.name}"  # type: ignore[attr-defined]
