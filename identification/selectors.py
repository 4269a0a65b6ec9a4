"""Reads of the mechanism: forms, screenings, decisions and the reflection and recovery period."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from geo.boundaries import bali_process_members
from referrals.models import Referral

from .models import OPENS_REFLECTION, CountrySetting, IdentificationDecision, ScreeningForm


def screening_forms_for(user, *, country: str | None = None) -> QuerySet[ScreeningForm]:
    """The forms the user may read; with `country`, those that apply there: the regional ones
    and that country's own."""
    forms = ScreeningForm.objects.restrict(user, "view").prefetch_related("questions")
    if country:
        forms = forms.filter(Q(country__isnull=True) | Q(country=country.upper()))
    return forms


def referral_country(referral: Referral) -> str:
    """The country the referral is handled in: its area's, else its submitter's."""
    if referral.area_id is not None:
        return referral.area.country
    return referral.submitting_organisation.country


# --- countries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryRules:
    code: str
    name: str
    reflection_period_days: int
    regional_default: bool  # no setting of its own: the regional default applies


def member_countries() -> dict[str, str]:
    return bali_process_members()


def country_rules(code: str, *, setting: CountrySetting | None = None, looked_up: bool = False) -> CountryRules:
    if not looked_up:
        setting = CountrySetting.objects.filter(pk=code).first()
    default = settings.REFLECTION_PERIOD_DAYS
    return CountryRules(
        code=code, name=member_countries().get(code, code),
        reflection_period_days=setting.reflection_period_days if setting else default,
        regional_default=setting is None,
    )


def country_rules_list() -> list[CountryRules]:
    """Every member state, with its own setting or the regional default (one query)."""
    settings_by_code = {setting.country: setting for setting in CountrySetting.objects.all()}
    return [
        country_rules(code, setting=settings_by_code.get(code), looked_up=True)
        for code in sorted(member_countries())
    ]


def reflection_days(country: str) -> int:
    return country_rules(country).reflection_period_days


# --- identification ---------------------------------------------------------------------------


def latest_decision(referral: Referral) -> IdentificationDecision | None:
    """The decision that counts: the last recorded. Uses the prefetched decisions when there are."""
    decisions = list(referral.identification_decisions.all())
    return max(decisions, key=lambda d: (d.created, d.pk)) if decisions else None


def reflection_period_ends(referral: Referral, decision: IdentificationDecision | None) -> date | None:
    """A presumed or identified decision opens the period: decided_on plus the days of the
    referral's country (or the regional default)."""
    if decision is None or decision.decision not in OPENS_REFLECTION:
        return None
    return decision.decided_on + timedelta(days=reflection_days(referral_country(referral)))


def decisions_of(referral: Referral) -> QuerySet[IdentificationDecision]:
    """Every decision on the referral, oldest first (the history)."""
    return referral.identification_decisions.select_related("organisation")


def screenings_of(referral: Referral):
    return referral.screenings.select_related("form", "organisation")
