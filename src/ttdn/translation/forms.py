"""Forms of the desk's pages: the board's filters, a request for translations, assigning a job."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ttdn.content.models import ItemKind, Topic
from ttdn.core import languages
from ttdn.places.models import AdminUnit, UnitLevel


def _target_choices() -> list[tuple[str, str]]:
    return [(lang.tag, lang.name()) for lang in languages.LANGUAGES]


class BoardFilter(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), required=False, queryset=AdminUnit.objects.none())
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=Topic.objects.all(),
                                   to_field_name="code")
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ttdn.translation.board import CELL_STATES

        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            level=UnitLevel.PROVINCE, valid_to__isnull=True).order_by("name")
        self.fields["kind"].choices = [("", _("Any kind")), *ItemKind.choices]  # type: ignore[attr-defined]
        self.fields["language"].choices = [("", _("The usual languages")), *_target_choices()]  # type: ignore[attr-defined]
        self.fields["state"].choices = [("", _("Any state")), *CELL_STATES.items()]  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    languages = forms.MultipleChoiceField(label=_("Translate into"), widget=forms.CheckboxSelectMultiple)
    from_language = forms.ChoiceField(label=_("Translate from"), required=False)
    translator = forms.TypedChoiceField(label=_("Translator"), required=False, coerce=int, empty_value=None)
    reviewer = forms.TypedChoiceField(label=_("Reviewer"), required=False, coerce=int, empty_value=None)
    due = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, source_language: str = "vi", translators: Any = (), reviewers: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = [c for c in _target_choices()  # type: ignore[attr-defined]
                                            if c[0] != source_language]
        self.fields["from_language"].choices = [  # type: ignore[attr-defined]
            ("", _("The source (%(lang)s)") % {"lang": languages.name(source_language)}),
            *[(t, languages.name(t)) for t in ("vi", "en") if t != source_language]]
        self.fields["translator"].choices = [("", _("Any translator of the language")),  # type: ignore[attr-defined]
                                             *[(u.pk, u.display_name()) for u in translators]]
        self.fields["reviewer"].choices = [("", _("Any central editor")),  # type: ignore[attr-defined]
                                           *[(u.pk, u.display_name()) for u in reviewers]]
