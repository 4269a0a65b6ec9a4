"""Routing, accepting, declining, withdrawing and closing a referral through the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import services
from referrals.models import OfferStatus, Referral, Status
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import OrganisationFactory, member

from .factories import cover_country, submit
from .helpers import accept, url

pytestmark = pytest.mark.django_db


def route(user, referral, body):
    return client_for(user).post(url(referral, "route"), body, format="json")


@pytest.fixture
def referral(cast):
    """Freshly submitted by the government; nobody offered yet."""
    return submit(cast.submitter_caseworker)


@pytest.fixture
def specialists(cast):
    """Two NGOs for a referral needing shelter, legal aid and interpretation: `best` offers all
    three, `second` two of them; the cast's NGOs offer only shelter of the three."""
    best = OrganisationFactory(name="Full Service NGO", kind="ngo", country="TH")
    second = OrganisationFactory(name="Legal Clinic", kind="ngo", country="TH")
    cover_country(best, services_offered=("shelter", "legal_aid", "interpretation"))
    cover_country(second, services_offered=("legal_aid", "interpretation"))
    return {
        "best": best, "best_caseworker": member(best, "caseworker"),
        "second": second, "second_caseworker": member(second, "caseworker"),
    }


def needs_specialists(cast):
    return submit(cast.submitter_caseworker, needs=["shelter", "legal_aid", "interpretation"])


# --- routing to chosen organisations ----------------------------------------------------------


def test_routing_to_chosen_organisations_offers_it_to_each(cast, referral):
    response = route(cast.submitter_caseworker, referral,
                     {"organisations": [str(cast.offered.pk), str(cast.declined.pk)]})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.OFFERED
    assert {o["organisation"]["id"] for o in response.json()["offers"]} == {str(cast.offered.pk), str(cast.declined.pk)}
    assert set(referral.offers.values_list("organisation", "status")) == {
        (cast.offered.pk, OfferStatus.PENDING), (cast.declined.pk, OfferStatus.PENDING),
    }
    assert client_for(cast.offered_caseworker).get(url(referral)).status_code == 200


def _unverified(cast, referral):
    return OrganisationFactory(name="Not Yet Verified", kind="ngo", country="TH", verified=False).pk


def _submitter(cast, referral):
    return cast.government.pk


def _already_offered(cast, referral):
    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
    return cast.offered.pk


def _already_declined(cast, referral):
    _already_offered(cast, referral)
    services.offer_decline(referral=referral, by=cast.offered_caseworker, reason="")
    return cast.offered.pk


def _unknown(cast, referral):
    return "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(_unverified, id="unverified"),
        pytest.param(_submitter, id="the-submitter-itself"),
        pytest.param(_already_offered, id="already-offered"),
        pytest.param(_already_declined, id="declined-before"),
        pytest.param(_unknown, id="no-such-organisation"),
    ],
)
def test_routing_to_an_organisation_that_may_not_have_it_is_refused(cast, referral, target):
    organisation_id = target(cast, referral)
    offers_before = list(referral.offers.values_list("organisation", "status"))

    response = route(cast.submitter_caseworker, referral, {"organisations": [str(organisation_id)]})

    assert_problem(response, 400, "organisations")
    assert list(referral.offers.values_list("organisation", "status")) == offers_before


def test_one_bad_organisation_refuses_the_whole_routing(cast, referral):
    response = route(cast.submitter_caseworker, referral,
                     {"organisations": [str(cast.offered.pk), str(cast.government.pk)]})

    assert_problem(response, 400, "organisations")
    assert not referral.offers.exists()
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda cast: {"auto": True, "organisations": [str(cast.offered.pk)]}, id="both"),
        pytest.param(lambda cast: {}, id="neither"),
        pytest.param(lambda cast: {"auto": False}, id="auto-false-only"),
        pytest.param(lambda cast: {"organisations": []}, id="empty-list"),
        pytest.param(lambda cast: {"organisations": ["not-a-uuid"]}, id="malformed-id"),
    ],
)
def test_routing_needs_either_organisations_or_auto(cast, referral, body):
    response = route(cast.submitter_caseworker, referral, body(cast))

    assert_problem(response, 400)
    assert not referral.offers.exists()


# --- automatic routing ----------------------------------------------------------------------------


def test_auto_routing_offers_the_best_match(cast, specialists):
    referral = needs_specialists(cast)

    response = route(cast.submitter_caseworker, referral, {"auto": True})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.OFFERED
    assert [o["organisation"]["id"] for o in response.json()["offers"]] == [str(specialists["best"].pk)]
    referral.refresh_from_db()
    assert referral.status == Status.OFFERED
    assert referral.auto_route is True
    assert list(referral.offers.values_list("organisation", flat=True)) == [specialists["best"].pk]


def test_auto_routing_without_a_candidate_conflicts(cast):
    referral = submit(cast.submitter_caseworker, needs=["family_tracing"])  # nobody offers it

    response = route(cast.submitter_caseworker, referral, {"auto": True})

    body = assert_problem(response, 409)
    assert body["current_status"] == Status.SUBMITTED
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert not referral.offers.exists()


def test_with_auto_routing_a_decline_offers_the_next_match(cast, specialists):
    referral = needs_specialists(cast)
    assert route(cast.submitter_caseworker, referral, {"auto": True}).status_code == 200

    declined = client_for(specialists["best_caseworker"]).post(url(referral, "decline"), {"reason": ""},
                                                               format="json")

    assert declined.status_code == 200, declined.json()
    referral.refresh_from_db()
    assert referral.status == Status.OFFERED
    assert dict(referral.offers.values_list("organisation", "status")) == {
        specialists["best"].pk: OfferStatus.DECLINED,
        specialists["second"].pk: OfferStatus.PENDING,
    }
    assert client_for(specialists["second_caseworker"]).get(url(referral)).status_code == 200
    assert client_for(specialists["best_caseworker"]).get(url(referral)).status_code == 404


def test_without_auto_routing_declining_the_last_offer_returns_the_referral_to_submitted(cast, referral):
    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])

    response = client_for(cast.offered_caseworker).post(url(referral, "decline"), {}, format="json")

    assert response.status_code == 200, response.json()
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert referral.offers.get().status == OfferStatus.DECLINED
    assert client_for(cast.offered_caseworker).get(url(referral)).status_code == 404


def test_declining_one_of_several_offers_keeps_the_referral_offered(cast, referral):
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])

    response = client_for(cast.declined_caseworker).post(url(referral, "decline"), {}, format="json")

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == Status.OFFERED
    assert client_for(cast.offered_caseworker).get(url(referral)).status_code == 200


# --- who may route, and when --------------------------------------------------------------------


def _close(cast, referral):
    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
    accept(referral, cast.offered_caseworker)
    services.referral_close(referral=referral, by=cast.offered_caseworker)
    return Status.CLOSED


def _withdraw(cast, referral):
    services.referral_withdraw(referral=referral, by=cast.submitter_caseworker)
    return Status.WITHDRAWN


def _accept(cast, referral):
    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
    accept(referral, cast.offered_caseworker)
    return Status.ACCEPTED


@pytest.mark.parametrize("make_state", [_close, _withdraw, _accept], ids=["closed", "withdrawn", "accepted"])
def test_routing_a_referral_that_is_no_longer_open_to_offers_conflicts(cast, referral, make_state):
    state = make_state(cast, referral)
    offers_before = referral.offers.count()

    response = route(cast.submitter_caseworker, referral, {"organisations": [str(cast.declined.pk)]})

    body = assert_problem(response, 409)
    assert body["current_status"] == state
    assert referral.offers.count() == offers_before


@pytest.mark.parametrize(
    ("user", "status"),
    [
        pytest.param("submitter_viewer", 403, id="viewer-of-the-submitter"),
        pytest.param("offered_caseworker", 403, id="the-offered-organisation"),
        pytest.param("other_ngo_caseworker", 404, id="unrelated-ngo"),
        pytest.param("other_government_caseworker", 404, id="unrelated-government"),
        pytest.param("platform_admin", 404, id="platform-admin"),
    ],
)
def test_only_the_submitters_admins_and_caseworkers_route(cast, offered_referral, user, status):
    response = route(getattr(cast, user), offered_referral, {"organisations": [str(specialist_free(cast))]})

    assert_problem(response, status)
    assert set(offered_referral.offers.values_list("organisation", flat=True)) == {cast.offered.pk, cast.declined.pk}


def specialist_free(cast):
    """A verified organisation that holds no offer of the cast's referral."""
    return OrganisationFactory(name="Fresh NGO", kind="ngo", country="TH").pk


def test_the_submitters_admin_may_route_too(cast, referral):
    response = route(cast.submitter_admin, referral, {"organisations": [str(cast.offered.pk)]})

    assert response.status_code == 200, response.json()


# --- accepting ---------------------------------------------------------------------------------


@pytest.fixture
def offered_to_three(cast, referral):
    other_ngo = cast.other_ngo_caseworker.membership.organisation
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk, other_ngo.pk])
    return referral


def test_the_first_acceptance_wins_and_the_other_offers_lapse(cast, offered_to_three):
    referral = offered_to_three

    response = client_for(cast.offered_caseworker).post(url(referral, "accept"))

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.ACCEPTED
    assert response.json()["accepted_by"]["id"] == str(cast.offered.pk)
    other_ngo = cast.other_ngo_caseworker.membership.organisation
    assert dict(referral.offers.values_list("organisation", "status")) == {
        cast.offered.pk: OfferStatus.ACCEPTED,
        cast.declined.pk: OfferStatus.LAPSED,
        other_ngo.pk: OfferStatus.LAPSED,
    }
    for loser in (cast.declined_caseworker, cast.other_ngo_caseworker):
        client = client_for(loser)
        assert client.get(url(referral)).status_code == 404
        assert client.post(url(referral, "accept")).status_code == 404
        assert str(referral.pk) not in {r["id"] for r in client.get("/api/v1/referrals/").json()["results"]}
    assert client_for(cast.offered_viewer).get(url(referral)).status_code == 200


def test_accepting_again_is_refused_and_changes_nothing(cast, offered_referral):
    first = client_for(cast.offered_caseworker).post(url(offered_referral, "accept"))
    assert first.status_code == 200
    events = offered_referral.events.count()

    again = client_for(cast.offered_caseworker).post(url(offered_referral, "accept"))

    assert again.status_code in (403, 409)
    assert_problem(again, again.status_code)
    assert offered_referral.offers.get(organisation=cast.offered).status == OfferStatus.ACCEPTED
    assert offered_referral.events.filter(action="accepted").count() == 1
    assert offered_referral.events.count() == events


def test_accepting_again_conflicts(cast, offered_referral):
    first = client_for(cast.offered_caseworker).post(url(offered_referral, "accept"))
    assert first.status_code == 200

    again = client_for(cast.offered_caseworker).post(url(offered_referral, "accept"))

    body = assert_problem(again, 409)
    assert body["current_status"] == Status.ACCEPTED


def test_a_viewer_of_the_offered_organisation_cannot_accept(cast, offered_referral):
    response = client_for(cast.offered_viewer).post(url(offered_referral, "accept"))

    assert_problem(response, 403)
    offered_referral.refresh_from_db()
    assert offered_referral.status == Status.OFFERED


def test_the_submitter_cannot_accept_its_own_referral(cast, offered_referral):
    response = client_for(cast.submitter_caseworker).post(url(offered_referral, "accept"))

    assert_problem(response, 403)
    assert Referral.objects.get(pk=offered_referral.pk).status == Status.OFFERED


# --- withdrawing ---------------------------------------------------------------------------------


def test_withdrawal_lapses_pending_offers_and_ends_their_access(cast, offered_referral):
    response = client_for(cast.submitter_caseworker).post(url(offered_referral, "withdraw"))

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.WITHDRAWN
    assert offered_referral.offers.get(organisation=cast.offered).status == OfferStatus.LAPSED
    assert offered_referral.offers.get(organisation=cast.declined).status == OfferStatus.DECLINED
    assert client_for(cast.offered_caseworker).get(url(offered_referral)).status_code == 404
    assert client_for(cast.offered_caseworker).post(url(offered_referral, "accept")).status_code == 404
    # The submitter keeps reading its own referral.
    assert client_for(cast.submitter_viewer).get(url(offered_referral)).status_code == 200


def test_withdrawing_twice_conflicts(cast, offered_referral):
    assert client_for(cast.submitter_caseworker).post(url(offered_referral, "withdraw")).status_code == 200

    again = client_for(cast.submitter_caseworker).post(url(offered_referral, "withdraw"))

    body = assert_problem(again, 409)
    assert body["current_status"] == Status.WITHDRAWN


@pytest.mark.parametrize(("user", "status"), [("submitter_viewer", 403), ("offered_caseworker", 403)])
def test_only_the_submitter_withdraws(cast, offered_referral, user, status):
    response = client_for(getattr(cast, user)).post(url(offered_referral, "withdraw"))

    assert_problem(response, status)
    assert Referral.objects.get(pk=offered_referral.pk).status == Status.OFFERED


# --- closing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [
        pytest.param("submitter_caseworker", 403, id="submitter"),
        pytest.param("submitter_admin", 403, id="submitters-admin"),
        pytest.param("offered_viewer", 403, id="accepting-viewer"),
        pytest.param("declined_caseworker", 404, id="declined-organisation"),
        pytest.param("other_ngo_caseworker", 404, id="unrelated"),
    ],
)
def test_only_the_accepting_organisations_admins_and_caseworkers_close(cast, offered_referral, user, status):
    accept(offered_referral, cast.offered_caseworker)

    response = client_for(getattr(cast, user)).post(url(offered_referral, "close"), {"reason": ""}, format="json")

    assert_problem(response, status)
    assert Referral.objects.get(pk=offered_referral.pk).status == Status.ACCEPTED


def test_the_accepting_organisation_closes(cast, offered_referral):
    accept(offered_referral, cast.offered_caseworker)

    response = client_for(cast.offered_caseworker).post(url(offered_referral, "close"), {"reason": "Returned home."},
                                                        format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.CLOSED
    assert response.json()["close_reason"] == "Returned home."


def test_a_referral_that_was_not_accepted_cannot_be_closed(cast, offered_referral):
    response = client_for(cast.offered_caseworker).post(url(offered_referral, "close"), {}, format="json")

    assert response.status_code in (403, 409)
    assert_problem(response, response.status_code)
    assert Referral.objects.get(pk=offered_referral.pk).status == Status.OFFERED


def test_closing_a_referral_that_was_not_accepted_conflicts(cast, offered_referral):
    response = client_for(cast.offered_caseworker).post(url(offered_referral, "close"), {}, format="json")

    body = assert_problem(response, 409)
    assert body["current_status"] == Status.OFFERED


def test_closing_twice_conflicts(cast, offered_referral):
    accept(offered_referral, cast.offered_caseworker)
    first = client_for(cast.offered_caseworker).post(url(offered_referral, "close"), {}, format="json")
    assert first.status_code == 200

    again = client_for(cast.offered_caseworker).post(url(offered_referral, "close"), {}, format="json")

    body = assert_problem(again, 409)
    assert body["current_status"] == Status.CLOSED


# --- the matches ------------------------------------------------------------------------------


def test_the_matches_read_the_referral_without_what_showing_it_needs(cast, specialists):
    """GET matches works on the referral but does not show it (READ_WITHOUT_SHOWING): none of the
    prefetches that serialising a referral needs, and the same candidates as before."""
    referral = needs_specialists(cast)
    with CaptureQueriesContext(connection) as queries:
        response = client_for(cast.submitter_caseworker).get(url(referral, "matches"))

    assert response.status_code == 200, response.json()
    assert response.json()[0]["organisation"]["id"] == str(specialists["best"].pk)
    prefetched = [q["sql"] for q in queries.captured_queries
                  if 'FROM "referrals_outcome"' in q["sql"] or 'FROM "identification_' in q["sql"]]
    assert prefetched == []
    assert client_for(cast.offered_caseworker).get(url(referral, "matches")).status_code == 404
