"""Strings Django itself shows but whose Vietnamese translation Django lacks (time spans in "… ago").

Declared here so that makemessages keeps them in our catalogue, which then supplies the Vietnamese.
"""

from django.utils.translation import ngettext_lazy

TIME_SPANS = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)
