"""The console's forms: every field of the API's referral, with the choices in words. The forms
only shape input; the services validate, screen and decide."""

from functools import cache

import pycountry
from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from geo.models import AdministrativeArea
from organisations.codes import country_codes, language_codes
from organisations.models import ServiceType
from referrals.models import (
    AgeBand,
    ConsentBasis,
    ExploitationType,
    Indicator,
    OutcomeType,
    ProfileGender,
    Status,
    Urgency,
)

FREE_TEXT_MAX = 2000  # as the API's


def _in_words(value: str, label) -> str:
    """In English the code in words (`withholding_of_wages` -> "Withholding of wages"), the form's
    wording since the start; in another language the model's translated label."""
    english = value.replace("_", " ").capitalize()
    return english if (get_language() or "en").split("-")[0] == "en" else str(label)


_lazy_words = lazy(_in_words, str)


def _words(choices) -> list[tuple[str, str]]:
    """The choices with labels in words, resolved when shown (so in the reader's language)."""
    return [(value, _lazy_words(value, label)) for value, label in choices]


def words(choices) -> dict[str, str]:
    return dict(_words(choices))


@cache
def country_choices() -> list[tuple[str, str]]:
    names = {code: getattr(pycountry.countries.get(alpha_2=code), "name", code) for code in country_codes()}
    return sorted(names.items(), key=lambda item: item[1])


@cache
def language_choices() -> list[tuple[str, str]]:
    names = {code: getattr(pycountry.languages.get(alpha_2=code), "name", code) for code in language_codes()}
    return sorted(names.items(), key=lambda item: item[1])


def _age_band(value: str) -> str:
    return gettext_now("Unknown") if value == AgeBand.UNKNOWN else gettext_now("%(band)s years") % {"band": value}


AGE_BAND_WORDS = [(value, lazy(_age_band, str)(value)) for value in AgeBand.values]


class ReferralForm(forms.Form):
    # Named `case_id` here; never sent back to the browser, not even to a form the server refused
    # (render_value=False): the API never shows it back either.
    case_id = forms.CharField(
        label=_("Your case reference"), max_length=200,
        help_text=_("Your own case id. It is stored only as a keyed hash and never shown back: after a refusal, "
                    "type it again."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    age_band = forms.ChoiceField(label=_("Age band"), choices=AGE_BAND_WORDS)
    gender = forms.ChoiceField(label=_("Gender"), choices=_words(ProfileGender.choices))
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), required=False, help_text=_("Hold Ctrl (or Cmd) to choose more than one."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    exploitation_types = forms.MultipleChoiceField(
        label=_("Forms of exploitation"), choices=_words(ExploitationType.choices), widget=forms.CheckboxSelectMultiple)
    indicators = forms.MultipleChoiceField(
        label=_("Indicators observed (ILO forced-labour indicators)"), required=False,
        choices=_words(Indicator.choices), widget=forms.CheckboxSelectMultiple)
    needs = forms.MultipleChoiceField(label=_("Needs"), widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=_words(Urgency.choices), widget=forms.RadioSelect)
    area = forms.ModelChoiceField(
        label=_("Area"), required=False, empty_label=_("Choose an area, or click the map"),
        queryset=AdministrativeArea.objects.none(),
        help_text=_("The person's location is kept only as this area (or a point on the map, generalised)."),
    )
    # Filled by a click on the map (console/location-map.js); never shown back (see clean()).
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    consent_given = forms.BooleanField(
        label=_("The person gave consent to share this referral, or another lawful basis applies"), required=True)
    consent_basis = forms.ChoiceField(label=_("Basis for sharing"), choices=_words(ConsentBasis.choices))
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=FREE_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("No names, phone numbers, e-mail addresses, document numbers or exact places: they are refused."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", _("Unknown")), *country_choices()]
        self.fields["languages"].choices = language_choices()
        self.fields["needs"].choices = list(ServiceType.objects.order_by("name").values_list("code", "name"))
        self.fields["area"].queryset = AdministrativeArea.objects.defer("geometry").order_by("level", "name")
        self.fields["area"].label_from_instance = lambda area: area.name

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lon") is not None
        if data.get("area") is None and not has_point and "area" not in self.errors:
            self.add_error("area", _("Choose the area from the list, or click the map."))
        return data

    def payload(self) -> dict:
        """The shape referrals.services.referral_submit takes (the API's, validated)."""
        data = self.cleaned_data
        location = ({"area": data["area"]} if data.get("area") is not None
                    else {"lat": data["lat"], "lon": data["lon"]})
        return {
            "case_reference": data["case_id"],
            "profile": {"age_band": data["age_band"], "gender": data["gender"],
                        "nationality": data.get("nationality", ""), "languages": data.get("languages", [])},
            "exploitation_types": data["exploitation_types"],
            "indicators": data.get("indicators", []),
            "needs": data["needs"],
            "urgency": data["urgency"],
            "location": location,
            "consent": {"given": True, "basis": data["consent_basis"]},
            "notes": data.get("notes", ""),
        }


class OutcomeForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of outcome"), choices=_words(OutcomeType.choices))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=FREE_TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=FREE_TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=FREE_TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ListFilterForm(forms.Form):
    PERIODS = [("", _("Any time")), ("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days")),
               ("365", _("Last year"))]
    status = forms.ChoiceField(label=_("Status"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("Any")), *_words(Urgency.choices)])
    period = forms.ChoiceField(label=_("Submitted in"), required=False, choices=PERIODS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *_words(Status.choices)]
