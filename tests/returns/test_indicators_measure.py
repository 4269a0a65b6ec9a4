"""The returns measure of the progress indicators: among referrals with a return handed over at
least 12 months before (today, or the end of the year asked), the share whose 12-month follow-up
has an outcome. Exact over an organisation's own referrals, with worked examples."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from referrals import indicators
from returns.models import FollowUp, FollowUpOutcome, ReturnCase, ReturnStatus
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.test_indicators import ask, referrals_in, row

pytestmark = pytest.mark.django_db
NAME = "returns_followed_up_12_months_share"


def returned(referral, origin, *, handed_over_on, outcome_12=None, status=ReturnStatus.REINTEGRATION):
    """A return of `referral` handed over on that date, with its three follow-ups; the 12-month
    one with `outcome_12` (None: not recorded)."""
    case = ReturnCase.objects.create(
        referral=referral, origin_organisation=origin, origin_country="TH", destination_country="MM",
        consent_given=True, consent_basis="informed_consent", status=status, handed_over_on=handed_over_on,
    )
    for months in (3, 6, 12):
        FollowUp.objects.create(return_case=case, months=months, due_on=handed_over_on + relativedelta(months=months),
                                outcome=outcome_12 if months == 12 else FollowUpOutcome.REINTEGRATED)
    return case


def test_the_measure_is_registered_from_the_returns_app():
    measure = next(m for m in indicators.measures() if m.name == NAME)
    assert (measure.kind, measure.as_of) == ("share", True)


@pytest.fixture
def thailand(reference_data):
    agency = OrganisationFactory(kind="government", name="Returning Agency")
    ngo = OrganisationFactory(kind="ngo", name="Returning NGO")
    return agency, ngo, referrals_in(agency, ngo, "TH", 20, on_time=12, late=4)


def test_the_share_among_returns_handed_over_a_year_ago(thailand):
    agency, ngo, made = thailand
    today = timezone.localdate()
    long_ago = today - relativedelta(months=13)
    # In the base (handed over 13 months ago): 12 referrals, 9 followed up (any outcome counts,
    # re-trafficked too), 3 not yet recorded.
    for referral in made[:6]:
        returned(referral, ngo, handed_over_on=long_ago, outcome_12=FollowUpOutcome.REINTEGRATED)
    for referral in made[6:9]:
        returned(referral, ngo, handed_over_on=long_ago, outcome_12=FollowUpOutcome.RE_TRAFFICKED)
    for referral in made[9:12]:
        returned(referral, ngo, handed_over_on=long_ago)
    # Out of the base: handed over 11 months ago (the follow-up is not due), and a return never
    # handed over; the other referrals have no return at all.
    returned(made[12], ngo, handed_over_on=today - relativedelta(months=11), outcome_12=None)
    ReturnCase.objects.create(referral=made[13], origin_organisation=ngo, origin_country="TH",
                              destination_country="MM", consent_given=True, consent_basis="informed_consent")
    # A referral with a cancelled older return and a followed-up one counts once, as followed up.
    returned(made[11], ngo, handed_over_on=long_ago - timedelta(days=30), outcome_12=FollowUpOutcome.LOST_CONTACT)

    body = ask(member(agency, "viewer"), country="TH")
    cell = row(body, "TH", 2025)["indicators"][NAME]
    assert cell == {"value": 0.833, "base": 12, "suppressed": False}  # 10 of 12


def test_the_end_of_the_year_asked_is_the_date_it_is_taken_at(thailand):
    agency, ngo, made = thailand
    # Handed over in March 2025 and followed up in 2026: asked for 2025, none of them had been
    # handed over 12 months before the end of 2025, so the base is empty (null, suppressed).
    for referral in made[:12]:
        returned(referral, ngo, handed_over_on=timezone.localdate().replace(year=2025, month=3, day=15),
                 outcome_12=FollowUpOutcome.REINTEGRATED)
    cell = row(ask(member(agency, "viewer"), year=2025), "TH", 2025)["indicators"][NAME]
    assert cell == {"value": None, "base": None, "suppressed": True}
    # Handed over in 2024 (12 months before the end of 2025): in the base for 2025.
    ReturnCase.objects.filter(referral__in=made[:12]).update(handed_over_on=timezone.localdate().replace(
        year=2024, month=11, day=30))
    cell = row(ask(member(agency, "viewer"), year=2025), "TH", 2025)["indicators"][NAME]
    assert cell == {"value": 1.0, "base": 12, "suppressed": False}
