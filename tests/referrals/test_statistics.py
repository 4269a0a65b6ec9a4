import itertools

import pytest
from django.conf import settings

from referrals.disclosure import Item, Table, recoverable_cells, suppress
from tests.conftest import client_for
from tests.organisations.factories import OrganisationFactory, member

from .seed import seed_referrals

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/referrals/"
K = 11


@pytest.fixture
def seeded(reference_data, django_user_model):
    from django.contrib.auth.models import Group, Permission

    agency = OrganisationFactory(kind="government", name="Seeding Agency")
    ngo = OrganisationFactory(name="Seeded NGO")
    seed_referrals(agency, 600, accepted_by=ngo)
    other = OrganisationFactory(kind="government", name="Other Agency")
    seed_referrals(other, 150, seed=11)
    analysts = Group.objects.create(name="platform analysts")
    analysts.permissions.add(Permission.objects.get(codename="view_all_statistics"))
    analyst = django_user_model.objects.create_user("analyst", password="x")
    analyst.groups.add(analysts)
    return {"agency": agency, "ngo": ngo, "analyst": analyst, "agency_user": member(agency, "viewer"),
            "ngo_user": member(ngo, "caseworker"), "other": other}


def published_counts(body):
    items = [*body["cells"], body["total"], *itertools.chain.from_iterable(body["margins"].values())]
    return [item["count"] for item in items if not item["suppressed"]]


def table_from(body) -> Table:
    """Rebuild the published table (suppressed items as unknowns) to attack it by subtraction."""
    names = body["group_by"]
    cells = {tuple(c[n] for n in names): Item(c["count"] or 0, c["suppressed"]) for c in body["cells"]}
    margins = {n: {m["value"]: Item(m["count"] or 0, m["suppressed"]) for m in ms} for n, ms in body["margins"].items()}
    total = Item(body["total"]["count"] or 0, body["total"]["suppressed"])
    return Table(dimensions=names, cells=cells, margins=margins, total=total)


GROUP_BYS = [
    "country", "nationality", "gender,age_band", "country,nationality", "exploitation_type,gender",
    "need,status", "outcome,submitting_kind", "month", "country,gender,age_band", "area,urgency",
]
# Network-wide answers are noisy; a discrete Laplace draw of these scales (at most 16 here) exceeds
# this with probability below 1e-20, so the bound holds without asserting any noise value.
NOISE_BOUND = 16 * 48


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_no_published_cell_is_below_k_and_none_is_recoverable(seeded, group_by):
    # An organisation's exact answer over its own referrals: k-anonymised, nothing recoverable.
    response = client_for(seeded["agency_user"]).get(URL, {"group_by": group_by})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["k"] == K
    assert body["privacy"] is None
    assert all(count >= K for count in published_counts(body))
    assert recoverable_cells(table_from(body)) == []
    for cell in body["cells"]:
        assert (cell["count"] is None) == cell["suppressed"]


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_network_wide_answers_publish_nothing_below_the_threshold(seeded, group_by):
    response = client_for(seeded["analyst"]).get(URL, {"group_by": group_by})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["k"] == K
    assert body["threshold"] >= K
    assert body["privacy"]["epsilon"] > 0
    assert all(count >= body["threshold"] for count in published_counts(body))
    for cell in body["cells"]:  # keys below the threshold are left out, not listed
        assert cell["suppressed"] is False
        assert cell["count"] >= body["threshold"]


def test_counts_are_right_where_published(seeded):
    from django.db.models import Q

    from referrals.models import Referral

    agency = seeded["agency"]
    own = Referral.objects.filter(Q(submitting_organisation=agency) | Q(accepted_by=agency))
    body = client_for(seeded["agency_user"]).get(URL, {"group_by": "country"}).json()
    for cell in body["cells"]:
        if not cell["suppressed"]:
            assert cell["count"] == own.filter(area__country=cell["country"]).count()
    assert body["total"]["count"] == own.count()
    # Network-wide: near the truth, not necessarily equal to it.
    body = client_for(seeded["analyst"]).get(URL, {"group_by": "country"}).json()
    for cell in body["cells"]:
        assert abs(cell["count"] - Referral.objects.filter(area__country=cell["country"]).count()) <= NOISE_BOUND
    assert abs(body["total"]["count"] - Referral.objects.count()) <= NOISE_BOUND


def test_an_organisation_sees_only_referrals_it_submitted_or_accepted(seeded):
    from django.db.models import Q

    from referrals.models import Referral

    for user_key, organisation in (("agency_user", seeded["agency"]), ("ngo_user", seeded["ngo"])):
        total = client_for(seeded[user_key]).get(URL, {"group_by": "status"}).json()["total"]
        expected = Referral.objects.filter(
            Q(submitting_organisation=organisation) | Q(accepted_by=organisation)
        ).count()
        assert total["count"] == expected


def test_platform_admins_and_analysts_read_everything(seeded, django_user_model):
    from referrals.models import Referral

    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    answers = [client_for(user).get(URL, {"group_by": "gender"}).json() for user in (staff, seeded["analyst"])]
    for body in answers:
        assert abs(body["total"]["count"] - Referral.objects.count()) <= NOISE_BOUND
    # The first asker paid for the month's release; the second is given the same one, free.
    assert answers[0]["privacy"]["budget_spent"] == settings.STATS_EPSILON_PER_QUERY
    assert answers[1]["privacy"]["budget_spent"] == 0
    assert answers[0]["cells"] == answers[1]["cells"]


def test_the_period_filter(seeded):
    body = client_for(seeded["analyst"]).get(URL, {"group_by": "month", "from": "2100-01-01T00:00:00Z"}).json()
    assert body["cells"] == []
    assert body["total"] == {"count": None, "suppressed": True}


@pytest.mark.parametrize("params", [
    {}, {"group_by": "name"}, {"group_by": "gender,gender"}, {"group_by": "a,b,c,d"},
    {"group_by": "country,gender,age_band,status"}, {"group_by": "gender", "from": "yesterday"},
    {"group_by": "gender", "from": "2025-01-02T00:00:00Z", "to": "2025-01-01T00:00:00Z"},
])
def test_bad_queries_are_refused(seeded, params):
    response = client_for(seeded["analyst"]).get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_anonymous_and_people_without_an_organisation_are_refused(seeded, api, django_user_model):
    assert api.get(URL, {"group_by": "gender"}).status_code == 401
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert client_for(nobody).get(URL, {"group_by": "gender"}).status_code == 403


@pytest.mark.parametrize("reader", ["analyst", "agency_user"])
def test_response_times_are_suppressed_like_counts(seeded, reader):
    response = client_for(seeded[reader]).get("/api/v1/stats/referrals/response-times/")
    assert response.status_code == 200
    for group in response.json()["groups"]:
        if group["suppressed"]:
            assert group["count"] is None
            assert group["median_hours_to_acceptance"] is None
        else:
            assert group["count"] >= K


def test_secondary_suppression_on_a_small_table():
    # One small cell in a row with a published margin must drag a second cell (or the margin) down.
    table = Table(
        dimensions=["a", "b"],
        cells={("x", "p"): Item(40), ("x", "q"): Item(3), ("y", "p"): Item(25), ("y", "q"): Item(30)},
        margins={"a": {"x": Item(43), "y": Item(55)}, "b": {"p": Item(65), "q": Item(33)}},
        total=Item(98),
    )
    suppress(table, K)
    assert table.cells[("x", "q")].suppressed
    assert recoverable_cells(table) == []
    assert sum(item.suppressed for item in table.cells.values()) >= 2


# --- the counting statement against a count by hand -----------------------------------------

BRUTE_FORCE_GROUPINGS = (
    ["exploitation_type", "gender"], ["need", "exploitation_type", "gender"], ["need"], ["gender"],
    ["outcome", "need"], ["country", "status"],
)


def _by_hand(group_by):
    """Cells, margins and total of distinct referrals, computed in Python from the rows."""
    from referrals.models import Referral

    def values(referral, name):
        single = {"gender": referral.gender, "status": referral.status,
                  "country": referral.area.country if referral.area_id else "unknown"}
        if name in single:
            return {single[name]}
        if name == "outcome":
            return set(referral.outcomes.values_list("type", flat=True)) or {"none"}
        return set(referral.exploitation_types if name == "exploitation_type" else referral.needs)

    rows = [{name: values(r, name) for name in group_by} for r in Referral.objects.select_related("area")]
    rows = [row for row in rows if all(row.values())]  # a referral without a value of an array field has no row
    cells, margins = {}, {name: {} for name in group_by} if len(group_by) > 1 else {}
    for row in rows:
        for key in itertools.product(*(sorted(row[name]) for name in group_by)):
            cells[key] = cells.get(key, 0) + 1
        for name in margins:
            for value in row[name]:
                margins[name][value] = margins[name].get(value, 0) + 1
    return cells, margins, len(rows)


@pytest.mark.parametrize("group_by", BRUTE_FORCE_GROUPINGS, ids=",".join)
def test_every_cell_margin_and_total_counts_distinct_referrals(seeded, group_by):
    """count_referrals counts each grouping set in a branch joining only its own multi-valued
    fields (count(*) there, no DISTINCT): a referral with two exploitation types and two needs
    still counts once in the gender margin and in the total."""
    from referrals.models import Referral
    from referrals.statistics import Scope, count_referrals

    assert Referral.objects.filter(exploitation_types__len__gt=1).exists()
    counts = count_referrals(group_by=group_by, scope=Scope())
    cells, margins, total = _by_hand(group_by)

    assert counts.cells == cells
    assert counts.margins == margins
    assert counts.total == total


@pytest.mark.parametrize("group_by", BRUTE_FORCE_GROUPINGS, ids=",".join)
def test_a_limit_above_every_referrals_values_counts_the_same(seeded, group_by):
    """The clamped joins of network-wide answers mark a referral's first row their own way (a
    padded unnest); with a limit no referral reaches they count exactly what the exact joins do,
    a referral with no need or no exploitation type left out of both."""
    from referrals.models import Referral
    from referrals.statistics import Scope, count_referrals

    first, second = Referral.objects.order_by("pk")[:2]
    Referral.objects.filter(pk=first.pk).update(needs=[])
    Referral.objects.filter(pk=second.pk).update(exploitation_types=[])
    exact = count_referrals(group_by=group_by, scope=Scope())
    clamped = count_referrals(group_by=group_by, scope=Scope(), limit=50)

    assert (clamped.cells, clamped.margins, clamped.total) == (exact.cells, exact.margins, exact.total)
