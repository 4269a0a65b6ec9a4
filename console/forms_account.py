"""Forms of the account page: what a person types, checked for shape only. Which languages, time
zones and deliveries are valid is the services' rule (accounts.services.profile_update,
notifications.services.preferences_set); they raise and the page shows it next to the field."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery, NotificationKind


class ProfileForm(forms.Form):
    # Free text under a select: the service, not the form, refuses a language it does not know.
    language = forms.CharField(label=_("Language"), max_length=10, widget=forms.Select(choices=settings.LANGUAGES))
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64,
        help_text=_("An IANA name such as Asia/Bangkok; dates and your digest follow it."))
    email = forms.CharField(label=_("E-mail address"), max_length=254,
                            help_text=_("Notifications are sent here."))


class PreferencesForm(forms.Form):
    """One delivery per kind of event (the service wants the full map) and the digest's time."""

    digest_time = forms.TimeField(
        label=_("Time of the daily digest"), input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        help_text=_("Local time, in your time zone."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[f"choices.{kind.value}"] = forms.CharField(
                label=kind.label, max_length=16, widget=forms.Select(choices=Delivery.choices))
        # the digest's time after the kinds, as the page reads
        self.order_fields([*(f"choices.{kind.value}" for kind in NotificationKind), "digest_time"])

    def choices(self) -> dict:
        return {name.removeprefix("choices."): value for name, value in self.cleaned_data.items()
                if name.startswith("choices.")}

    def kind_fields(self):
        return [self[name] for name in self.fields if name.startswith("choices.")]
