"""Forms of the content pages. They check shapes (a date is a date, a choice is a choice) and hand
the values to the services, which decide everything else and say what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ttdn.content.models import Audience, Classification, ItemKind, Topic, TranslationState
from ttdn.content.services import SUMMARY_MAX, TITLE_MAX, ItemData
from ttdn.core import languages
from ttdn.core.forms import DayField, DayInput
from ttdn.core.text import vi_sort_key
from ttdn.places.models import Country, current_units


def ui_language() -> str:
    return (get_language() or "vi").split("-")[0]


def language_choices() -> list[tuple[str, str]]:
    return languages.choices(ui_language())


def province_choices() -> list[tuple[str, str]]:
    rows = current_units().filter(level="province").values_list("pk", "name", "short_name")
    return [(str(pk), name) for pk, name, _short in sorted(rows, key=lambda r: vi_sort_key(r[2]))]


def topic_choices() -> list[tuple[str, str]]:
    en = ui_language() == "en"
    names = [(t.code, (t.name_en or t.name) if en else t.name) for t in Topic.objects.all()]
    return sorted(names, key=lambda pair: vi_sort_key(pair[1]))


# ------------------------------------------------------------------------------------------- dates


def start_of_day(day: dt.date | None) -> dt.datetime | None:
    """The first moment of a day, in the site's time zone."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def end_of_day(day: dt.date | None) -> dt.datetime | None:
    """`valid_until` is exclusive; a date typed as "valid until" includes that whole day."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def local_date(moment: dt.datetime | None, *, exclusive_end: bool = False) -> dt.date | None:
    if moment is None:
        return None
    if exclusive_end:
        moment = moment - dt.timedelta(microseconds=1)
    return timezone.localtime(moment).date()


# ------------------------------------------------------------------------------------------ uploads


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one <input type=file multiple>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


FILES_HELP = _(
    "You may choose several files at once. Accepted: PDF, Word (.docx), JPEG/PNG/WebP images, "
    "MP3/OGG/M4A audio, MP4/WebM video. Files are checked by their content."
)
BODY_HELP = _(
    "Simple HTML is accepted (paragraphs, bold, lists, links, tables). It is cleaned on saving: "
    "scripts, styles and other unsafe markup are removed."
)


# Kept under this name for the forms that import it; dates are typed as dd/mm/yyyy (ttdn.core.forms).
DateInput = DayInput


# -------------------------------------------------------------------------------------------- items


class ItemForm(forms.Form):
    """Metadata and the source-language text of an item (ItemData), plus files for the source."""

    kind = forms.ChoiceField(label=_("Kind of material"), choices=ItemKind.choices)
    language = forms.ChoiceField(
        label=_("Language of the material"), initial="vi",
        help_text=_("The language the material is written in; translations are made from it."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=SUMMARY_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label=_("Text"), required=False, help_text=BODY_HELP,
                           widget=forms.Textarea(attrs={"rows": 12}))
    topics = forms.MultipleChoiceField(label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.PUBLIC,
                                 widget=forms.RadioSelect)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.PUBLIC,
        widget=forms.RadioSelect,
        help_text=_("State-secret material may not be stored in this system."),
    )
    target_provinces = forms.MultipleChoiceField(label=_("Target provinces"), required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    target_countries = forms.MultipleChoiceField(label=_("Neighbouring countries"), required=False,
                                                 choices=Country.choices, widget=forms.CheckboxSelectMultiple)
    valid_from = DayField(label=_("Valid from"), required=False)
    valid_until = DayField(label=_("Valid until (inclusive)"), required=False)
    # Not `required` in the browser: its native message would be in the browser's language (often English);
    # the service refuses an unticked box with a message in the person's language.
    no_state_secrets = forms.BooleanField(
        label=_("I declare that this material contains no state secret."), required=False,
    )
    uploads = MultipleFileField(label=_("Files"), help_text=FILES_HELP)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["topics"].choices = topic_choices()  # type: ignore[attr-defined]
        self.fields["target_provinces"].choices = province_choices()  # type: ignore[attr-defined]
        if editing:
            self.fields["language"].disabled = True
            self.fields["language"].help_text = _("The language of existing material cannot be changed.")
            self.fields["uploads"].label = _("Add files")

    def item_data(self) -> ItemData:
        c = self.cleaned_data
        return ItemData(
            kind=c["kind"],
            title=c["title"],
            summary=c.get("summary") or "",
            body=c.get("body") or "",
            language=c["language"],
            topics=list(c.get("topics") or []),
            audience=c["audience"],
            classification=c["classification"],
            target_provinces=[int(pk) for pk in c.get("target_provinces") or []],
            target_countries=list(c.get("target_countries") or []),
            valid_from=start_of_day(c.get("valid_from")),
            valid_until=end_of_day(c.get("valid_until")),
            no_state_secrets=bool(c.get("no_state_secrets")),
        )


def item_initial(item: Any) -> dict[str, Any]:
    source = item.source_variant()
    return {
        "kind": item.kind,
        "language": item.source_language,
        "title": source.title if source else "",
        "summary": source.summary if source else "",
        "body": source.body if source else "",
        "topics": [t.code for t in item.topics.all()],
        "audience": item.audience,
        "classification": item.classification,
        "target_provinces": [str(p.pk) for p in item.target_provinces.all()],
        "target_countries": list(item.target_countries or []),
        "valid_from": local_date(item.valid_from),
        "valid_until": local_date(item.valid_until, exclusive_end=True),
        # Declared when the item was created (the service refuses it otherwise): stays ticked on every edit.
        "no_state_secrets": True,
    }


# ----------------------------------------------------------------------------------------- variants


class VariantForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=SUMMARY_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label=_("Text"), required=False, help_text=BODY_HELP,
                           widget=forms.Textarea(attrs={"rows": 14}))
    translation_state = forms.TypedChoiceField(label=_("Translation state"), required=False, coerce=int,
                                               empty_value=None)
    uploads = MultipleFileField(label=_("Add files"), help_text=FILES_HELP)

    def __init__(self, *args: Any, language: str, state_choice: bool = False, may_review: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The text fields hold text in the variant's language: tell the browser (fonts, spelling, voice).
        for name in ("title", "summary", "body"):
            self.fields[name].widget.attrs["lang"] = language
        if state_choice:
            choices = [(s.value, s.label) for s in TranslationState
                       if s != TranslationState.REVIEWED or may_review]
            self.fields["translation_state"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["translation_state"]


# ---------------------------------------------------------------------------------------- published


class PublishedFilterForm(forms.Form):
    q = forms.CharField(label=_("Words to find"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    date_from = DayField(label=_("Published from"), required=False)
    date_to = DayField(label=_("Published until"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("All"))]
        self.fields["kind"].choices = every + list(ItemKind.choices)  # type: ignore[attr-defined]
        self.fields["topic"].choices = every + topic_choices()  # type: ignore[attr-defined]
        self.fields["language"].choices = every + language_choices()  # type: ignore[attr-defined]
        self.fields["province"].choices = every + province_choices()  # type: ignore[attr-defined]
