"""Opening a return (POST /api/v1/referrals/{id}/return/) and designating focal points."""

import pytest

from returns.models import ReturnCase, ReturnEvent, ReturnStatus
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import OrganisationFactory
from tests.referrals.helpers import url

from .conftest import CONSENT, open_return

pytestmark = pytest.mark.django_db


def post_return(user, referral, **overrides):
    body = {"destination_country": "MM", "services_requested": ["family_tracing"], "consent": dict(CONSENT),
            **overrides}
    return client_for(user).post(url(referral, "return"), body, format="json")


def test_the_accepting_organisation_opens_a_return_offered_to_the_focal_points(cast, accepted, destination):
    response = post_return(cast.offered_caseworker, accepted)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == ReturnStatus.REQUESTED
    assert (body["origin_country"], body["destination_country"]) == ("TH", "MM")
    assert body["origin_organisation"]["id"] == str(cast.offered.pk)
    assert body["referral"] == str(accepted.pk)  # the origin's own
    assert body["consent"] == CONSENT
    assert [event["action"] for event in body["timeline"]] == ["requested"]
    case = ReturnCase.objects.get(pk=body["id"])
    assert client_for(destination.caseworker).get(f"/api/v1/returns/{case.pk}/").status_code == 200


def test_the_submitter_may_open_one_too_but_only_one_is_open_at_a_time(cast, accepted, destination):
    assert post_return(cast.submitter_caseworker, accepted).status_code == 201
    body = assert_problem(post_return(cast.offered_caseworker, accepted), 409)
    assert body["current_status"] == accepted.status


def test_refusals(cast, accepted, destination, api):
    assert_problem(api.post(url(accepted, "return"), {}, format="json"), 401)
    assert_problem(post_return(cast.submitter_viewer, accepted), 403)
    assert_problem(post_return(cast.offered_viewer, accepted), 403)
    assert_problem(post_return(cast.other_ngo_caseworker, accepted), 404)
    assert_problem(post_return(cast.declined_caseworker, accepted), 404)
    assert_problem(post_return(destination.caseworker, accepted), 404)  # the destination sees no referral
    assert_problem(post_return(cast.platform_admin, accepted), 404)  # staff run the network, not cases
    assert not ReturnCase.objects.exists()


def test_a_pending_offer_is_not_enough(cast, offered_referral, destination):
    assert_problem(post_return(cast.offered_caseworker, offered_referral), 403)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"consent": {"given": False, "basis": "informed_consent"}}, "consent"),
    ({"consent": {"basis": "informed_consent"}}, "consent"),
    ({"destination_country": "TH"}, "destination_country"),  # where the person is already
    ({"destination_country": "KH"}, "destination_country"),  # no focal point there
    ({"destination_country": "XX"}, "destination_country"),
    ({"services_requested": ["no_such_service"]}, "services_requested"),
])
def test_bad_input_is_refused(cast, accepted, destination, overrides, field):
    assert_problem(post_return(cast.offered_caseworker, accepted, **overrides), 400, field)
    assert not ReturnCase.objects.exists()


def test_an_unverified_focal_point_receives_nothing(cast, accepted):
    OrganisationFactory(country="VN", focal_point=True, verified=False)
    assert_problem(post_return(cast.offered_caseworker, accepted, destination_country="VN"), 400,
                   "destination_country")


def test_a_withdrawn_referral_opens_no_return(cast, accepted, destination):
    from referrals import services

    services.referral_withdraw_consent(referral=accepted, by=cast.submitter_caseworker)
    assert_problem(post_return(cast.submitter_caseworker, accepted), 409)


def test_consent_withdrawn_on_the_referral_cancels_its_open_return_and_erases_its_notes(cast, accepted, destination):
    from referrals import services as referral_services
    from returns import services

    case = open_return(accepted, cast.offered_caseworker)
    services.return_transition(case=case, by=destination.caseworker, to="assessing", note="Family found.")
    referral_services.referral_withdraw_consent(referral=accepted, by=cast.submitter_caseworker)
    case.refresh_from_db()
    assert case.status == ReturnStatus.CANCELLED
    assert case.events.last().detail == {"reason": "consent_withdrawn"}
    assert not ReturnEvent.objects.exclude(note="").exists()


def test_consent_withdrawn_on_a_parent_cancels_the_return_of_its_child(cast, accepted, destination):
    from referrals import services as referral_services
    from tests.referrals.helpers import accept

    child = referral_services.referral_refer_onward(referral=accepted, by=cast.offered_caseworker,
                                                    needs=["psychosocial"], organisation_ids=[cast.other_ngo.pk])
    accept(child, cast.other_ngo_caseworker)
    case = open_return(child, cast.other_ngo_caseworker)
    referral_services.referral_withdraw_consent(referral=accepted, by=cast.submitter_caseworker)
    case.refresh_from_db()
    assert case.status == ReturnStatus.CANCELLED


# --- focal points are designated by platform administrators --------------------------------------

def organisation_url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/"


def test_a_platform_administrator_designates_a_focal_point(cast):
    response = client_for(cast.platform_admin).patch(organisation_url(cast.other_government), {"focal_point": True},
                                                     format="json")
    assert response.status_code == 200, response.content
    assert response.json()["focal_point"] is True
    cast.other_government.refresh_from_db()
    assert cast.other_government.focal_point


def test_nobody_else_designates_one_not_even_for_their_own_organisation(cast):
    response = client_for(cast.submitter_admin).patch(organisation_url(cast.government), {"focal_point": True},
                                                      format="json")
    body = assert_problem(response, 403)
    assert "focal_point" in body["detail"]
    cast.government.refresh_from_db()
    assert not cast.government.focal_point
    # the rest of its entry stays the admin's to change
    response = client_for(cast.submitter_admin).patch(organisation_url(cast.government), {"description": "Police."},
                                                      format="json")
    assert response.status_code == 200
