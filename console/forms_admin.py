"""Forms of the organisation admin and statistics pages: what a person types, checked for shape
only. Every rule about what may be written is the services' (they raise, the page shows it)."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from api.fields import AreaGeometryField
from geo.models import AdministrativeArea
from integration.models import WebhookSubscription
from organisations.models import Role, ServiceType
from referrals.statistics import DIMENSIONS


class CapacityForm(forms.Form):
    capacity_available = forms.IntegerField(label=_("Beds free today"), min_value=0, max_value=100_000)


def _service_choices():
    return [(s.code, s.name) for s in ServiceType.objects.order_by("code")]


class CoverageForm(forms.Form):
    services = forms.MultipleChoiceField(label=_("Services offered there"), widget=forms.CheckboxSelectMultiple)
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas covered"), required=False, queryset=AdministrativeArea.objects.none(),
        help_text=_("Pick one or more, or draw a polygon on the map (or both)."),
    )
    geometry = forms.CharField(
        label=_("Drawn area (GeoJSON Polygon or MultiPolygon)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=200_000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = _service_choices()
        self.fields["areas"].queryset = AdministrativeArea.objects.filter(level__lte=1).defer("geometry").order_by(
            "country", "level", "name")
        self.fields["areas"].label_from_instance = lambda area: f"{area.name} ({area.country})"

    def clean_geometry(self):
        """The API's own field reads the GeoJSON (a `crs` member and invalid rings are refused)."""
        text = self.cleaned_data["geometry"].strip()
        if not text:
            return None
        try:
            return AreaGeometryField().to_internal_value(json.loads(text))
        except (ValueError, DRFValidationError) as error:
            detail = getattr(error, "detail", None)
            raise forms.ValidationError(detail if detail else _("Not a GeoJSON polygon.")) from error

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("areas") and not cleaned.get("geometry") and not self.errors:
            raise forms.ValidationError(_("Pick at least one area or draw a polygon."))
        return cleaned


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=140)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=True), max_length=128)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("Address (https)"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple,
        choices=WebhookSubscription._meta.get_field("events").base_field.choices,
    )


DIMENSION_CHOICES = [(name, name.replace("_", " ")) for name in DIMENSIONS]


class StatisticsForm(forms.Form):
    group_by = forms.ChoiceField(label=_("Count referrals by"), choices=DIMENSION_CHOICES, initial="country")
    start = forms.RegexField(label=_("From month (YYYY-MM)"), regex=r"^[0-9]{4}-(0[1-9]|1[0-2])\Z", required=False,
                             max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    end = forms.RegexField(label=_("Before month (YYYY-MM)"), regex=r"^[0-9]{4}-(0[1-9]|1[0-2])\Z", required=False,
                           max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
