"""GET /api/v1/stats/indicators/: progress indicators per country and year, exact over an
organisation's own referrals, differentially private over the network (same budget and releases
as the other statistics). Noise values are never asserted: only what holds whatever the draw."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Value

from geo.models import AdministrativeArea
from referrals import indicators
from referrals.models import Offer, OfferStatus, Outcome, PrivacySpend, Referral, StatisticsRelease
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import OrganisationFactory, member, staff_user

from .factories import analyst
from .seed import seed_referrals

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/indicators/"
START = datetime(2025, 3, 1, 8, tzinfo=UTC)


def referrals_in(agency, ngo, country: str, count: int, *, on_time: int, late: int, year: int = 2025):
    """`count` referrals submitted in `year` in `country`: the first `on_time` accepted by `ngo`
    after 24 hours, the next `late` after 100 hours, the rest never; each accepted one has a first
    outcome 1, 2, 3 ... days after submission (and a later second one)."""
    made = seed_referrals(agency, count, seed=count + on_time)
    Referral.objects.filter(pk__in=[r.pk for r in made]).update(area=_area(country), accepted_by=None)
    Outcome.objects.filter(referral__in=made).delete()
    start = START.replace(year=year)
    for index, referral in enumerate(made):
        Referral.objects.filter(pk=referral.pk).update(created=start + timedelta(hours=index))
        referral.created = start + timedelta(hours=index)
        if index < on_time + late:
            hours = 24 if index < on_time else 100
            Referral.objects.filter(pk=referral.pk).update(accepted_by=ngo)
            offer = Offer.objects.create(referral=referral, organisation=ngo, status=OfferStatus.ACCEPTED)
            Offer.objects.filter(pk=offer.pk).update(responded=referral.created + timedelta(hours=hours))
            for days in (index + 1, index + 30):
                outcome = Outcome.objects.create(referral=referral, organisation=ngo, type="medical_care",
                                                 date=referral.created.date())
                Outcome.objects.filter(pk=outcome.pk).update(created=referral.created + timedelta(days=days))
    return made


def _area(code):
    return AdministrativeArea.objects.get(level=0, code=code)


@pytest.fixture
def network(reference_data):
    agency = OrganisationFactory(kind="government", name="Indicator Agency")
    ngo = OrganisationFactory(kind="ngo", name="Indicator NGO")
    referrals_in(agency, ngo, "TH", 20, on_time=12, late=4)
    referrals_in(agency, ngo, "MY", 5, on_time=5, late=0)
    return {"agency": agency, "ngo": ngo, "agency_user": member(agency, "viewer")}


def ask(user, **params):
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def row(body, country, year):
    return next(r for r in body["rows"] if (r["country"], r["year"]) == (country, year))


def test_an_organisation_reads_exact_figures_over_its_own_referrals(network):
    body = ask(network["agency_user"])
    assert body["privacy"] is None
    assert [m["name"] for m in body["measures"]] == [
        "referrals_received", "accepted_within_72_hours", "median_days_to_first_outcome",
        "identification_decision_share", "returns_followed_up_12_months_share"]
    thailand = row(body, "TH", 2025)["indicators"]
    assert thailand["referrals_received"] == {"value": 20, "base": 20, "suppressed": False}
    assert thailand["accepted_within_72_hours"] == {"value": 0.6, "base": 20, "suppressed": False}
    assert thailand["median_days_to_first_outcome"] == {"value": 8.5, "base": 16, "suppressed": False}
    # Malaysia: five referrals, fewer than k: the whole row is withheld.
    malaysia = row(body, "MY", 2025)["indicators"]
    assert all(cell == {"value": None, "base": None, "suppressed": True} for cell in malaysia.values())
    assert not PrivacySpend.objects.exists()


def test_the_accepting_organisation_reads_what_it_accepted_and_filters_apply(network):
    ngo_user = member(network["ngo"], "caseworker")
    body = ask(ngo_user, country="TH", year=2025)
    assert (body["country"], body["year"]) == ("TH", 2025)
    assert [(r["country"], r["year"]) for r in body["rows"]] == [("TH", 2025)]
    # Its scope is the 16 referrals it accepted, 12 of them within 72 hours.
    thailand = row(body, "TH", 2025)["indicators"]
    assert thailand["referrals_received"]["value"] == 16
    assert thailand["accepted_within_72_hours"] == {"value": 0.75, "base": 16, "suppressed": False}
    assert thailand["median_days_to_first_outcome"]["value"] == 8.5
    assert ask(ngo_user, year=2024)["rows"] == []


def test_an_analyst_gets_a_noisy_release_with_its_privacy_block(network, settings):
    referrals_in(network["agency"], network["ngo"], "ID", 300, on_time=200, late=50)
    reader = analyst("indicator-analyst")
    body = ask(reader, year=2025)
    privacy = body["privacy"]
    assert privacy["mechanism"].startswith("discrete_laplace_threshold+discrete_laplace")
    assert privacy["epsilon"] == settings.STATS_EPSILON_PER_QUERY
    assert privacy["budget_spent"] == settings.STATS_EPSILON_PER_QUERY
    assert body["threshold"] >= body["k"]
    # Nothing below the threshold is a row; rows of 5 and 20 referrals are not released.
    assert {r["country"] for r in body["rows"]} <= {"ID", "TH"}
    for published in body["rows"]:
        for cell in published["indicators"].values():
            assert cell["suppressed"] or cell["base"] >= body["k"]
    indonesia = row(body, "ID", 2025)["indicators"]  # 300 referrals: released but for a one-in-a-million draw
    share = indonesia["accepted_within_72_hours"]["value"]
    assert 0 <= share <= 1
    assert 0 <= indonesia["median_days_to_first_outcome"]["value"] <= settings.INDICATOR_MEDIAN_MAX_DAYS
    # The same query again: the stored release, free.
    again = ask(reader, year=2025)
    assert again["rows"] == body["rows"]
    assert again["privacy"]["budget_spent"] == privacy["budget_spent"]
    assert StatisticsRelease.objects.filter(kind="indicators").count() == 1


def test_platform_staff_read_the_network_privately_too(network):
    body = ask(staff_user("indicator-staff"))
    assert body["privacy"]["mechanism"].startswith("discrete_laplace_threshold")


def test_the_budget_runs_out_with_429(network, settings):
    settings.STATS_EPSILON_PER_QUERY = 1.0
    settings.STATS_EPSILON_BUDGET = 2.0
    reader = analyst("indicator-spender")
    ask(reader, year=2025)
    ask(reader, year=2024)
    releases = StatisticsRelease.objects.count()
    body = assert_problem(client_for(reader).get(URL, {"country": "TH"}), 429)
    assert body["title"] == "Privacy budget spent"
    assert body["budget_remaining"] == 0
    assert StatisticsRelease.objects.count() == releases
    assert ask(reader, year=2025)["privacy"]["budget_remaining"] == 0  # released already: still answered


def test_others_are_refused(network, api):
    outsider = get_user_model().objects.create_user("outsider", password="an-unusual-passphrase-42")
    assert_problem(client_for(outsider).get(URL), 403)
    assert_problem(api.get(URL), 401)


@pytest.mark.parametrize("params", [{"year": "1999"}, {"year": "twenty"}, {"country": "XX"}, {"country": "th"}])
def test_bad_parameters_are_named(network, params):
    assert_problem(client_for(network["agency_user"]).get(URL, params), 400, next(iter(params)))


def test_apps_above_add_measures_to_the_table(network, monkeypatch):
    """What identification and returns do at merge: register a measure from their AppConfig.ready()."""
    monkeypatch.setattr(indicators, "MEASURES", list(indicators.MEASURES))
    indicators.register_measure(indicators.Measure(
        "with_an_outcome_share", indicators.SHARE, "Share with an outcome.",
        lambda: Exists(Outcome.objects.filter(referral=OuterRef("pk"))),
    ))
    indicators.register_measure(indicators.Measure("again", indicators.COUNT, "Ignored: same name.",
                                                   lambda: Value(True)))
    indicators.register_measure(indicators.Measure("with_an_outcome_share", indicators.COUNT, "A no-op.",
                                                   lambda: Value(True)))
    body = ask(network["agency_user"], country="TH")
    assert [m["name"] for m in body["measures"]][-2:] == ["with_an_outcome_share", "again"]
    assert row(body, "TH", 2025)["indicators"]["with_an_outcome_share"] == {
        "value": 0.8, "base": 20, "suppressed": False}
    with pytest.raises(ValueError, match="unknown measure kind"):
        indicators.register_measure(indicators.Measure("x", "mean", "", lambda: Value(1)))
