"""GET /api/v1/referrals/: visibility, filters, pagination, constant query counts and the audit of reads."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import services
from referrals.models import Referral, ReferralEvent
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import FacilityFactory, OrganisationFactory

from .factories import cover_country, submit
from .helpers import REFERRALS, accept, record_outcome, url

pytestmark = pytest.mark.django_db

JAKARTA = {"lat": -6.2088, "lon": 106.8456}


def listed_ids(user, **params) -> list[str]:
    response = client_for(user).get(REFERRALS, {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return [referral["id"] for referral in response.json()["results"]]


def ids(*referrals) -> set[str]:
    return {str(referral.pk) for referral in referrals}


# --- who sees what --------------------------------------------------------------------------------


@pytest.fixture
def two_submitters(cast, offered_referral):
    """The cast's offered referral, and one the labour inspectorate submitted and kept to itself."""
    return offered_referral, submit(cast.other_government_caseworker)


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        pytest.param("submitter_caseworker", "offered", id="submitter"),
        pytest.param("submitter_viewer", "offered", id="submitters-viewer"),
        pytest.param("offered_caseworker", "offered", id="offered-organisation"),
        pytest.param("offered_viewer", "offered", id="offered-organisations-viewer"),
        pytest.param("declined_caseworker", None, id="declined-organisation"),
        pytest.param("other_ngo_caseworker", None, id="unrelated-ngo"),
        pytest.param("other_government_caseworker", "own", id="another-submitter"),
        pytest.param("platform_admin", None, id="platform-admin"),
    ],
)
def test_the_list_holds_only_what_the_callers_organisation_may_see(cast, two_submitters, user, sees):
    offered, own = two_submitters
    expected = {"offered": ids(offered), "own": ids(own), None: set()}[sees]

    assert set(listed_ids(getattr(cast, user))) == expected


def test_an_accepting_organisation_keeps_seeing_it_and_the_lapsed_ones_stop(cast, offered_referral):
    extra = cast.other_ngo_caseworker.membership.organisation
    services.referral_route(referral=offered_referral, by=cast.submitter_caseworker, organisation_ids=[extra.pk])
    assert set(listed_ids(cast.other_ngo_caseworker)) == ids(offered_referral)

    accept(offered_referral, cast.offered_caseworker)

    assert set(listed_ids(cast.offered_caseworker)) == ids(offered_referral)
    assert listed_ids(cast.other_ngo_caseworker) == []


def test_anonymous_callers_get_401(api):
    assert_problem(api.get(REFERRALS), 401)


# --- filters ----------------------------------------------------------------------------------------


@pytest.fixture
def varied(cast):
    by = cast.submitter_caseworker
    old = submit(by, urgency="routine", needs=["shelter"], exploitation_types=["labour"])
    abroad = submit(by, urgency="emergency", needs=["legal_aid"], exploitation_types=["sexual", "forced_marriage"],
                    location=dict(JAKARTA))
    offered = submit(by, urgency="urgent", needs=["shelter", "medical"], exploitation_types=["begging"])
    services.referral_route(referral=offered, by=by, organisation_ids=[cast.offered.pk])
    Referral.objects.filter(pk=old.pk).update(created=datetime(2024, 1, 15, tzinfo=UTC))
    return {"old": old, "abroad": abroad, "offered": offered}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"status": "offered"}, {"offered"}, id="status"),
        pytest.param({"status": "submitted"}, {"old", "abroad"}, id="status-submitted"),
        pytest.param({"status": ["submitted", "offered"]}, {"old", "abroad", "offered"}, id="several-statuses"),
        pytest.param({"status": "closed"}, set(), id="status-none"),
        pytest.param({"urgency": "emergency"}, {"abroad"}, id="urgency"),
        pytest.param({"urgency": ["routine", "urgent"]}, {"old", "offered"}, id="several-urgencies"),
        pytest.param({"need": "shelter"}, {"old", "offered"}, id="need"),
        pytest.param({"need": "legal_aid"}, {"abroad"}, id="other-need"),
        pytest.param({"need": "family_tracing"}, set(), id="need-nobody-has"),
        pytest.param({"exploitation_type": "forced_marriage"}, {"abroad"}, id="exploitation-type"),
        pytest.param({"exploitation_type": "begging"}, {"offered"}, id="other-exploitation-type"),
        pytest.param({"area": "TH"}, {"old", "offered"}, id="area"),
        pytest.param({"area": "ID"}, {"abroad"}, id="other-area"),
        pytest.param({"created_after": "2025-01-01T00:00:00Z"}, {"abroad", "offered"}, id="created-after"),
        pytest.param({"created_before": "2025-01-01T00:00:00Z"}, {"old"}, id="created-before"),
        pytest.param({"need": "shelter", "status": "submitted"}, {"old"}, id="combined"),
    ],
)
def test_filters(cast, varied, area, params, expected):
    if "area" in params:
        params = {**params, "area": area(params["area"]).pk}

    assert set(listed_ids(cast.submitter_caseworker, **params)) == ids(*(varied[name] for name in expected))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"status": "lost"}, "status", id="status"),
        pytest.param({"urgency": "whenever"}, "urgency", id="urgency"),
        pytest.param({"exploitation_type": "slavery"}, "exploitation_type", id="exploitation-type"),
        pytest.param({"created_after": "last tuesday"}, "created_after", id="created-after"),
        pytest.param({"area": "Thailand"}, "area", id="area"),
    ],
)
def test_an_invalid_filter_is_refused_naming_it(cast, varied, params, field):
    response = client_for(cast.submitter_caseworker).get(REFERRALS, params)

    assert_problem(response, 400, field)


def test_filters_do_not_widen_what_is_visible(cast, varied):
    """Filtering the offered organisation's list never brings in the submitter's other referrals."""
    assert set(listed_ids(cast.offered_caseworker, need="shelter")) == ids(varied["offered"])
    assert listed_ids(cast.offered_caseworker, status="submitted") == []


# --- pagination -------------------------------------------------------------------------------------


def test_pages_follow_each_other_newest_first_without_gaps_or_repeats(cast):
    referrals = [submit(cast.submitter_caseworker) for _ in range(5)]
    client = client_for(cast.submitter_caseworker)

    seen, pages, next_url = [], [], f"{REFERRALS}?page_size=2"
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.json()
        page = [r["id"] for r in response.json()["results"]]
        pages.append(len(page))
        seen.extend(page)
        next_url = response.json()["next"]

    assert pages == [2, 2, 1]
    assert seen == [str(r.pk) for r in reversed(referrals)]


def test_the_page_size_is_capped(cast):
    for _ in range(3):
        submit(cast.submitter_caseworker)

    response = client_for(cast.submitter_caseworker).get(REFERRALS, {"page_size": 100_000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


# --- query counts -------------------------------------------------------------------------------------


def _rich_referrals(cast, count):
    """Referrals with two offers (one accepted, one lapsed) and an outcome each: everything the list
    serializes that could be fetched row by row."""
    for _ in range(count):
        referral = submit(cast.submitter_caseworker)
        services.referral_route(referral=referral, by=cast.submitter_caseworker,
                                organisation_ids=[cast.offered.pk, cast.declined.pk])
        accept(referral, cast.offered_caseworker)
        record_outcome(referral, cast.offered_caseworker)


def _queries(user_pk, path, params=None):
    """Queries of one request by a fresh user object (nothing cached from an earlier request)."""
    user = get_user_model().objects.get(pk=user_pk)
    client = client_for(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response


@pytest.mark.parametrize("reader", ["submitter_caseworker", "offered_caseworker"])
def test_the_list_costs_the_same_queries_for_5_and_25_referrals(cast, reader):
    user = getattr(cast, reader)
    _rich_referrals(cast, 5)
    _queries(user.pk, REFERRALS, {"page_size": 25})  # warm caches (content types, permissions)
    few, response = _queries(user.pk, REFERRALS, {"page_size": 25})
    assert len(response.json()["results"]) == 5

    _rich_referrals(cast, 20)
    many, response = _queries(user.pk, REFERRALS, {"page_size": 25})

    assert len(response.json()["results"]) == 25
    assert many == few, (few, many)


@pytest.fixture
def jakarta_referral(cast):
    return submit(cast.submitter_caseworker, location=dict(JAKARTA))


def _covering_ngos(count, start=0):
    for index in range(start, start + count):
        ngo = OrganisationFactory(name=f"Jakarta NGO {index}", kind="ngo", country="ID")
        cover_country(ngo, "ID", services_offered=("shelter", "medical"))
        FacilityFactory(organisation=ngo, location=Point(106.8 + index / 100, -6.2, srid=4326),
                        services=["shelter", "medical"], languages=["my", "id"])


def test_matches_cost_the_same_queries_for_2_and_10_candidates(cast, jakarta_referral):
    _covering_ngos(2)
    path = url(jakarta_referral, "matches")
    _queries(cast.submitter_caseworker.pk, path)  # warm caches
    few, response = _queries(cast.submitter_caseworker.pk, path)
    assert len(response.json()) == 2
    assert all(match["facility"] is not None for match in response.json())

    _covering_ngos(8, start=2)
    many, response = _queries(cast.submitter_caseworker.pk, path)

    assert len(response.json()) == 10
    assert many == few, (few, many)


# --- reads are audited ---------------------------------------------------------------------------------


def test_listing_records_a_listed_event_for_each_referral_on_the_page(cast):
    referrals = [submit(cast.submitter_caseworker) for _ in range(3)]

    response = client_for(cast.submitter_viewer).get(REFERRALS, {"page_size": 2})

    assert response.status_code == 200
    listed = ReferralEvent.objects.filter(action="listed")
    assert {str(e.referral_id) for e in listed} == {r["id"] for r in response.json()["results"]}
    assert listed.count() == 2
    assert {(e.actor, e.organisation) for e in listed} == {(cast.submitter_viewer, cast.government)}
    assert not ReferralEvent.objects.filter(action="listed", referral=referrals[0]).exists()  # on page 2


def test_reading_one_records_a_viewed_event(cast, offered_referral):
    before = ReferralEvent.objects.filter(action="viewed").count()

    response = client_for(cast.offered_viewer).get(url(offered_referral))

    assert response.status_code == 200
    viewed = ReferralEvent.objects.filter(action="viewed")
    assert viewed.count() == before + 1
    event = viewed.latest("created")
    assert (event.referral_id, event.actor, event.organisation) == (
        offered_referral.pk, cast.offered_viewer, cast.offered,
    )


def test_reading_the_matches_is_recorded(cast, offered_referral):
    response = client_for(cast.submitter_caseworker).get(url(offered_referral, "matches"))

    assert response.status_code == 200
    assert ReferralEvent.objects.filter(
        referral=offered_referral, action="matches_viewed", actor=cast.submitter_caseworker
    ).count() == 1


def test_a_refused_read_records_nothing(cast, offered_referral):
    before = ReferralEvent.objects.count()

    assert client_for(cast.other_ngo_caseworker).get(url(offered_referral)).status_code == 404
    assert client_for(cast.platform_admin).get(REFERRALS).json()["results"] == []

    assert ReferralEvent.objects.count() == before
