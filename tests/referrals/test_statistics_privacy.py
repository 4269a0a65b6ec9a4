"""Differentially private network-wide statistics, attacked the way issue 11 attacked them:
differencing two tables, asking again for fresh noise, spending past the budget, racing the
ledger. No noise value is asserted: only properties that hold whatever the draw (or fail with a
probability stated next to the assertion)."""

from datetime import UTC, date, datetime

import pytest
from django.db import DatabaseError, transaction
from django.db.models import Q

from referrals.models import PrivacyBudget, PrivacySpend, Referral, StatisticsRelease
from referrals.privacy import mechanisms, tables
from referrals.privacy.budget import month_of, next_month
from referrals.statistics import Scope, count_referrals
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import OrganisationFactory, member

from .factories import analyst
from .seed import seed_referrals
from .test_concurrency import run_at_once

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/referrals/"
TIMES_URL = "/api/v1/stats/referrals/response-times/"
K = 11


def _thirteen(agency):
    """Thirteen referrals of one nationality and gender no one else has: twelve closed, one
    withdrawn (the cell of 13 and the 13th person of the issue)."""
    group = seed_referrals(agency, 13, seed=5)
    Referral.objects.filter(pk__in=[r.pk for r in group]).update(nationality="BT", gender="male", status="closed")
    Referral.objects.filter(pk=group[0].pk).update(status="withdrawn")
    return group


@pytest.fixture
def network(reference_data):
    agency = OrganisationFactory(kind="government", name="Seeding Agency")
    seed_referrals(agency, 400)
    thirteen = _thirteen(agency)
    return {"agency": agency, "agency_user": member(agency, "viewer"), "analyst": analyst("dp-analyst"),
            "thirteen": thirteen}


def ask(user, **params):
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def without_budget(body):
    """The release itself: everything but the caller's budget figures."""
    privacy = {name: body["privacy"][name] for name in ("mechanism", "epsilon", "delta")}
    return {**body, "privacy": privacy}


def published(body):
    margins = [item for items in body["margins"].values() for item in items]
    return [item for item in [*body["cells"], *margins, body["total"]] if not item["suppressed"]]


def test_differencing_two_tables_does_not_single_out_the_13th(network):
    reader = network["analyst"]
    two = ask(reader, group_by="nationality,gender")
    three = ask(reader, group_by="nationality,gender,status")
    # The attack read a published 13 and twelve of them one level down. Here no key held
    # by so few referrals is published at all, in either table: there is nothing to subtract.
    for body in (two, three):
        assert body["threshold"] > 13
        assert not [cell for cell in body["cells"] if cell["nationality"] == "BT"]
        assert not [item for item in body["margins"]["nationality"] if item["value"] == "BT"]
        assert all(item["count"] >= body["threshold"] for item in published(body))
    # What is published is noisy: the counts are not the true ones. A discrete Laplace draw at
    # scale 2 or more is zero with probability at most tanh(1/4), about 0.245: with 12 or more
    # published items, all being exact has probability below 1e-7.
    items = [*pairs(two), *pairs(three), *pairs(ask(reader, group_by="age_band"))]
    assert len(items) >= 12
    assert any(noisy != exact for noisy, exact in items)


def pairs(body):
    """(published, true) for every published count of a network-wide answer."""
    names = body["group_by"]
    truth = count_referrals(group_by=names, scope=Scope())
    found = [(cell["count"], truth.cells[tuple(cell[name] for name in names)]) for cell in body["cells"]]
    found += [(m["count"], truth.margins[name][m["value"]]) for name, ms in body["margins"].items() for m in ms]
    if not body["total"]["suppressed"]:
        found.append((body["total"]["count"], truth.total))
    return found


def test_asking_again_returns_the_stored_release_and_spends_nothing(network):
    reader = network["analyst"]
    first = ask(reader, group_by="nationality,gender")
    spends = PrivacySpend.objects.count()
    again = [
        ask(reader, group_by="nationality,gender"),
        ask(reader, group_by="gender,nationality"),  # the order of the fields is not a new query
        ask(reader, group_by="nationality,gender", to="2200-01-01T00:00:00Z"),  # nor is an end in the future
    ]
    for body in again:
        assert without_budget(body) == without_budget(first)
        assert body["privacy"]["budget_spent"] == first["privacy"]["budget_spent"]
    assert PrivacySpend.objects.count() == spends
    assert StatisticsRelease.objects.count() == 1


def test_new_data_does_not_buy_fresh_noise(network):
    # Had new referrals made a new release, an attacker could trickle in a referral (or wait for
    # one) and ask again to average the noise away. The month's release stands.
    reader = network["analyst"]
    first = ask(reader, group_by="gender")
    seed_referrals(network["agency"], 60, seed=99)
    assert without_budget(ask(reader, group_by="gender")) == without_budget(first)
    assert PrivacySpend.objects.count() == 1


def test_another_reader_gets_the_same_release_and_pays_nothing(network):
    first = ask(network["analyst"], group_by="age_band")
    second_reader = analyst("dp-analyst-2")
    second = ask(second_reader, group_by="age_band")
    assert without_budget(second) == without_budget(first)
    assert second["privacy"]["budget_spent"] == 0
    assert not PrivacySpend.objects.filter(budget__user=second_reader).exists()


def test_the_privacy_block(network, settings):
    settings.STATS_EPSILON_PER_QUERY = 0.5
    settings.STATS_EPSILON_BUDGET = 2.0
    reader = network["analyst"]
    first = ask(reader, group_by="status")["privacy"]
    assert first["mechanism"] == mechanisms.COUNTS_MECHANISM
    assert first["epsilon"] == 0.5
    assert 0 < first["delta"] <= settings.STATS_DELTA_PER_QUERY
    assert (first["budget_spent"], first["budget_remaining"]) == (0.5, 1.5)
    second = ask(reader, group_by="urgency")["privacy"]
    assert (second["budget_spent"], second["budget_remaining"]) == (1.0, 1.0)
    spend = PrivacySpend.objects.get(release__parameters__group_by=["status"])
    assert float(spend.epsilon) == 0.5
    assert (spend.budget.user, spend.budget.month) == (reader, month_of())


def test_the_budget_runs_out_with_a_problem_and_nothing_is_recorded(network, settings):
    settings.STATS_EPSILON_PER_QUERY = 1.0
    settings.STATS_EPSILON_BUDGET = 2.0
    reader = network["analyst"]
    ask(reader, group_by="gender")
    ask(reader, group_by="status")
    releases, spends = StatisticsRelease.objects.count(), PrivacySpend.objects.count()

    for url, params in ((URL, {"group_by": "age_band"}), (TIMES_URL, {})):
        body = assert_problem(client_for(reader).get(url, params), 429)
        assert body["title"] == "Privacy budget spent"
        assert (body["budget_remaining"], body["budget_spent"]) == (0, 2.0)
        assert body["budget_renews"] == next_month(month_of()).isoformat()
        assert body["budget_renews"] in body["detail"]
    assert (StatisticsRelease.objects.count(), PrivacySpend.objects.count()) == (releases, spends)
    # What was already released is still answered, free; another reader has a budget of their own.
    assert ask(reader, group_by="gender")["privacy"]["budget_remaining"] == 0
    assert ask(analyst("dp-analyst-3"), group_by="age_band")["privacy"]["budget_spent"] == 1.0


def test_the_months_are_calendar_months():
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert next_month(date(2026, 1, 1)) == date(2026, 2, 1)


def test_an_organisation_reads_its_own_referrals_exactly_and_spends_nothing(network):
    agency = network["agency"]
    body = ask(network["agency_user"], group_by="nationality,gender")
    assert body["privacy"] is None
    own = Referral.objects.filter(Q(submitting_organisation=agency) | Q(accepted_by=agency))
    assert body["total"]["count"] == own.count()
    cell = next(c for c in body["cells"] if (c["nationality"], c["gender"]) == ("BT", "male"))
    assert cell["count"] == 13  # exact, and at least k: the organisation knows these referrals anyway
    assert not StatisticsRelease.objects.exists()
    assert not PrivacySpend.objects.exists()


def test_noisy_counts_under_the_minimum_cell_are_suppressed(network, settings):
    settings.STATS_MIN_CELL = 150
    body = ask(network["analyst"], group_by="country,gender")
    assert body["k"] == 150
    assert body["threshold"] >= 150
    assert all(item["count"] >= 150 for item in published(body))
    truth = count_referrals(group_by=["country", "gender"], scope=Scope())
    assert any(count < 150 for count in truth.cells.values())  # so something was held back


def test_multi_valued_fields_have_the_sensitivity_they_really_have(network, settings):
    settings.STATS_MAX_VALUES_PER_FIELD = 3
    # One referral: its cell, one value per single-valued margin, the total...
    assert tables.contributions(["gender"]) == 2
    assert tables.contributions(["gender", "status"]) == 1 + 2 + 1
    # ... and up to three values of each multi-valued field, which multiply in the cells.
    assert tables.contributions(["need"]) == 3 + 1
    assert tables.contributions(["exploitation_type", "need"]) == 3 * 3 + (3 + 3) + 1
    # OpenDP's privacy map agrees that the noise scaled to that costs no more than asked.
    for group_by in (["gender"], ["exploitation_type", "need", "gender"]):
        contributions = tables.contributions(group_by)
        scale, threshold = mechanisms.calibrate(contributions, 1.0, 1e-6, K)
        epsilon, delta = mechanisms._count_measurement(scale, threshold).map((contributions, contributions, 1))
        assert (epsilon <= 1.0, delta <= 1e-6, threshold >= K) == (True, True, True)
    # A referral with five needs counts under three of them in a private answer (and five in an
    # exact one).
    many = network["thirteen"][1]
    alone = datetime(2001, 1, 1, tzinfo=UTC)  # a month no other referral is in
    Referral.objects.filter(pk=many.pk).update(
        needs=["shelter", "medical", "psychosocial", "legal_aid", "interpretation"], created=alone)
    window = {"scope": Scope(), "start": alone, "end": datetime(2001, 2, 1, tzinfo=UTC)}
    clamped = count_referrals(group_by=["need"], limit=3, **window)
    exact = count_referrals(group_by=["need"], **window)
    assert (clamped.total, sum(clamped.cells.values())) == (1, 3)
    assert (exact.total, sum(exact.cells.values())) == (1, 5)


def test_the_ledger_is_append_only(network):
    ask(network["analyst"], group_by="gender")
    spend = PrivacySpend.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        PrivacySpend.objects.filter(pk=spend.pk).update(epsilon=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        PrivacySpend.objects.filter(pk=spend.pk).delete()


def test_private_response_times(network):
    reader = network["analyst"]
    response = client_for(reader).get(TIMES_URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["privacy"]["mechanism"] == "discrete_laplace_threshold+exponential_quantile"
    assert body["privacy"]["budget_spent"] == 1.0
    for group in body["groups"]:
        assert group["count"] >= body["threshold"] >= K
        for name in ("median_hours_to_acceptance", "median_hours_to_first_outcome"):
            assert group[name] is None or 0 <= group[name] <= body["median_max_hours"]
    again = client_for(reader).get(TIMES_URL).json()
    assert without_budget(again) == without_budget(body)
    assert again["privacy"]["budget_spent"] == 1.0
    # The organisation's own response times stay exact, without a privacy block.
    assert client_for(network["agency_user"]).get(TIMES_URL).json()["privacy"] is None


def test_the_schema_describes_the_privacy_block_and_the_429():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in (URL, TIMES_URL):
        responses = schema["paths"][f"/api/v1{path.removeprefix('/api/v1')}"]["get"]["responses"]
        assert "budget" in responses["429"]["description"]
        assert responses["429"]["content"]["application/problem+json"]["schema"]["$ref"].endswith(
            "PrivacyBudgetProblem")
    privacy = schema["components"]["schemas"]["StatisticsPrivacy"]["properties"]
    assert set(privacy) == {"mechanism", "epsilon", "delta", "budget_spent", "budget_remaining"}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_queries_cannot_overspend(reference_data, settings):
    settings.STATS_EPSILON_PER_QUERY = 1.0
    settings.STATS_EPSILON_BUDGET = 1.0  # enough for one new query
    seed_referrals(OrganisationFactory(kind="government"), 120)
    reader = analyst("racing-analyst")
    # The month's budget row exists already (a query earlier in the month), so that nothing but
    # its row lock can order the two spends.
    PrivacyBudget.objects.create(user=reader, month=month_of())
    statuses = run_at_once([
        lambda: client_for(reader).get(URL, {"group_by": "gender"}).status_code,
        lambda: client_for(reader).get(URL, {"group_by": "status"}).status_code,
    ])
    assert sorted(statuses) == [200, 429]
    assert PrivacySpend.objects.count() == 1 == StatisticsRelease.objects.count()


@pytest.mark.django_db(transaction=True)
def test_two_readers_racing_for_the_same_query_share_one_release(reference_data):
    seed_referrals(OrganisationFactory(kind="government"), 120)
    readers = [analyst("racer-1"), analyst("racer-2")]
    bodies = run_at_once([lambda user=user: client_for(user).get(URL, {"group_by": "gender"}).json()
                          for user in readers])
    assert without_budget(bodies[0]) == without_budget(bodies[1])
    assert (StatisticsRelease.objects.count(), PrivacySpend.objects.count()) == (1, 1)
