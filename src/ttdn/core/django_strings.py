"""Strings Django itself shows but whose Vietnamese translation Django lacks (time spans, password rules).

Declared here so that makemessages keeps them in our catalogue, which then supplies the Vietnamese.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

TIME_SPANS = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)

PASSWORD_RULES = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_lazy("The password is too similar to the %(verbose_name)s."),
    gettext_lazy("This password is too common."),
    gettext_lazy("This password is entirely numeric."),
)
