"""Strings of the plan roles and the equipment registry, defined in accounts and places, and Django's own form
messages its Vietnamese catalogue leaves untranslated, listed here so that `makemessages` run in this app keeps
their Vietnamese in this app's catalogue (the shared one is not ours)."""

from django.utils.translation import gettext_lazy as _

STRINGS = (
    _("Plan manager"), _("Plan reporter"),
    _("Screen"), _("Kiosk"), _("Edge box"), _("Loudspeaker"), _("Billboard"),
    _("Planned"), _("Installed, working"), _("Installed, out of order"), _("Removed"),
    _("Select a valid choice. That choice is not one of the available choices."),
    _("Select a valid choice. %(value)s is not one of the available choices."),
)
