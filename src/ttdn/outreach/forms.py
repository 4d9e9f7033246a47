"""The campaign form (texts per language with a live preview), the subscriber import and the do-not-contact form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ttdn.core import languages
from ttdn.outreach.models import CampaignKind
from ttdn.outreach.services import CampaignData

# Languages offered for messages: those subscribers are on lists for, and Vietnamese.
DEFAULT_LANGUAGES = ("vi",)


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("How it reaches people"), choices=CampaignKind.choices, initial="sms",
                             widget=forms.RadioSelect, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    sender_name = forms.CharField(
        label=_("Sender name (brandname)"), max_length=11,
        help_text=_("What the subscriber sees as the sender: up to 11 Latin letters or digits."))
    communes = forms.MultipleChoiceField(label=_("Communes"), required=False,
                                         help_text=_("None chosen: every commune with subscribers."))
    segment_limit = forms.IntegerField(label=_("Most SMS segments per message"), min_value=1, max_value=10, initial=3)
    no_accents = forms.BooleanField(label=_("Send Vietnamese without diacritics (không dấu)"), required=False,
                                    help_text=_("160 characters a segment instead of 70; đ becomes d."))
    start_at = forms.DateTimeField(label=_("Start"), required=False, help_text=_("Empty: as soon as approved."))
    expires_at = forms.DateTimeField(label=_("Too old to send after"), required=False)
    quiet_start = forms.TimeField(label=_("Quiet hours from"), initial="22:00")
    quiet_end = forms.TimeField(label=_("Quiet hours until"), initial="07:00")
    cap = forms.IntegerField(label=_("Most messages per number in 24 hours"), min_value=1, max_value=50, initial=3)
    item = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, text_languages: list[str], commune_choices: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text_languages = text_languages
        communes = self.fields["communes"]
        assert isinstance(communes, forms.MultipleChoiceField)
        communes.choices = commune_choices
        for lang in text_languages:
            self.fields[f"text_{lang}"] = forms.CharField(
                label=_("Message in %(language)s") % {"language": languages.name(lang)}, required=False,
                widget=forms.Textarea(attrs={"rows": 4, "lang": lang, "data-language": lang}), max_length=2000)

    def text_fields(self) -> list[Any]:
        return [self[f"text_{lang}"] for lang in self.text_languages]

    def data_for_service(self, item_id: int | None) -> CampaignData:
        c = self.cleaned_data
        return CampaignData(
            title=c["title"], sender_name=c["sender_name"],
            texts={lang: c.get(f"text_{lang}") or "" for lang in self.text_languages},
            commune_ids=[int(x) for x in c["communes"]], segment_limit=c["segment_limit"],
            no_accents=c["no_accents"], start_at=c["start_at"], expires_at=c["expires_at"],
            quiet_start=c["quiet_start"], quiet_end=c["quiet_end"], cap=c["cap"], item_id=item_id,
            kind=c["kind"] or CampaignKind.SMS)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("List (CSV or XLSX)"),
                           help_text=_("Columns: phone number, operator, commune (code or name), language."))
    commune = forms.ChoiceField(label=_("Commune for rows without one"), required=False)
    language = forms.ChoiceField(label=_("Language for rows without one"), required=False)

    def __init__(self, *args: Any, commune_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commune = self.fields["commune"]
        assert isinstance(commune, forms.ChoiceField)
        commune.choices = [("", "—"), *commune_choices]
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [("", "—"), *languages.choices()]


class DoNotContactForm(forms.Form):
    numbers = forms.CharField(label=_("Numbers (one per line)"), widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=20_000)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class AreaResultForm(forms.Form):
    operator = forms.ChoiceField(label=_("Operator"))
    commune = forms.ChoiceField(label=_("Commune"))
    subscribers = forms.IntegerField(label=_("Subscribers reached"), min_value=0)
    delivered = forms.IntegerField(label=_("Delivered"), min_value=0)
    cost = forms.DecimalField(label=_("Cost (VND)"), min_value=0, max_digits=14, decimal_places=0)
    final = forms.BooleanField(label=_("These are the final results: close the campaign"), required=False)

    def __init__(self, *args: Any, operators: list[tuple[str, str]], communes: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("operator", operators), ("commune", communes)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
