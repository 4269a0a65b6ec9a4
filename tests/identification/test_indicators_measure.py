"""The identification measure of the progress indicators: the share of referrals with an
identification decision, exact over an organisation's own referrals (worked examples)."""

from datetime import date

import pytest

from identification.models import Decision, IdentificationDecision
from organisations.models import Organisation
from referrals import indicators
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.test_indicators import ask, referrals_in, row

pytestmark = pytest.mark.django_db
NAME = "identification_decision_share"


def decide(referrals, organisation: Organisation, decision: str = Decision.PRESUMED):
    IdentificationDecision.objects.bulk_create([
        IdentificationDecision(referral=referral, organisation=organisation, decision=decision,
                               decided_on=date(2025, 4, 1)) for referral in referrals
    ])


def test_the_measure_is_registered_from_the_identification_app():
    assert NAME in [measure.name for measure in indicators.measures()]
    definition = next(d for d in indicators.definitions() if d["name"] == NAME)
    assert definition["kind"] == "share"


def test_the_share_of_referrals_with_a_decision(reference_data):
    agency = OrganisationFactory(kind="government", name="Deciding Agency")
    ngo = OrganisationFactory(kind="ngo", name="Deciding NGO", identifies_victims=True)
    thailand = referrals_in(agency, ngo, "TH", 20, on_time=12, late=4)
    # Five decided once, two more of them decided twice (history): still five referrals; one
    # "not identified" counts too, as a decision was taken.
    decide(thailand[:4], ngo)
    decide(thailand[:2], ngo, Decision.IDENTIFIED)
    decide(thailand[4:5], ngo, Decision.NOT_IDENTIFIED)
    # Another organisation's referrals in the same country do not enter the agency's figures.
    other = OrganisationFactory(kind="government", name="Other Agency")
    decide(referrals_in(other, ngo, "TH", 12, on_time=0, late=0), ngo)

    body = ask(member(agency, "viewer"), country="TH", year=2025)
    assert NAME in [m["name"] for m in body["measures"]]
    # Every referral is in the base: 5 of 20.
    assert row(body, "TH", 2025)["indicators"][NAME] == {"value": 0.25, "base": 20, "suppressed": False}

    # The NGO accepted 16 of the agency's referrals (the first 16) and all 12 of the other's
    # decided ones are unaccepted, so its scope is 16 referrals, 5 decided.
    body = ask(member(ngo, "caseworker"), country="TH", year=2025)
    assert row(body, "TH", 2025)["indicators"][NAME] == {"value": 0.312, "base": 16, "suppressed": False}


def test_below_k_the_share_is_suppressed(reference_data):
    agency = OrganisationFactory(kind="government", name="Small Agency")
    ngo = OrganisationFactory(kind="ngo", name="Small NGO")
    decide(referrals_in(agency, ngo, "MY", 5, on_time=5, late=0), ngo)
    cell = row(ask(member(agency, "viewer")), "MY", 2025)["indicators"][NAME]
    assert cell == {"value": None, "base": None, "suppressed": True}
