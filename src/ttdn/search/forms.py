"""The search form: what the page and the published list ask; choices from the registries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ttdn.content.forms import language_choices, topic_choices
from ttdn.content.models import ItemKind, State
from ttdn.core.forms import DayField
from ttdn.core.text import vi_sort_key
from ttdn.places.models import current_units


def province_key_choices() -> list[tuple[str, str]]:
    rows = current_units().filter(level="province").values_list("key", "name", "short_name")
    return [(key, name) for key, name, _short in sorted(rows, key=lambda r: vi_sort_key(r[2]))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words to find"), required=False, max_length=500,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True,
                                                      "placeholder": _("e.g. bien gioi, ດ່ານ, 口岸")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("Until"), required=False)

    def __init__(self, *args: Any, show_states: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("All"))]
        self.fields["kind"].choices = every + list(ItemKind.choices)  # type: ignore[attr-defined]
        self.fields["topic"].choices = every + topic_choices()  # type: ignore[attr-defined]
        self.fields["language"].choices = every + language_choices()  # type: ignore[attr-defined]
        self.fields["province"].choices = every + province_key_choices()  # type: ignore[attr-defined]
        if show_states:
            self.fields["state"].choices = every + list(State.choices)  # type: ignore[attr-defined]
        else:
            del self.fields["state"]  # the public sees published material only

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date comes before the start date."))
        return data
