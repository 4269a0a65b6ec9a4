"""ETag and If-Match on GET and PATCH /api/v1/referrals/{id}/: no lost updates."""

import pytest

from referrals import services
from referrals.models import Referral, Status
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import submit
from tests.referrals.helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(cast):
    return submit(cast.submitter_caseworker)


def etag(user, referral) -> str:
    response = client_for(user).get(url(referral))
    assert response.status_code == 200, response.content
    return response["ETag"]


def patch(user, referral, body, if_match=None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client_for(user).patch(url(referral), body, format="json", headers=headers)


def test_reading_a_referral_returns_its_etag(cast, referral):
    response = client_for(cast.submitter_caseworker).get(url(referral))

    assert response.status_code == 200
    tag = response["ETag"]
    assert tag.startswith('"')
    assert tag.endswith('"')
    assert len(tag) > 2
    assert tag == f'"{services.referral_version(referral)}"'
    assert client_for(cast.submitter_viewer).get(url(referral))["ETag"] == tag  # one resource, one version


def test_the_etag_changes_with_every_change(cast, referral):
    before = etag(cast.submitter_caseworker, referral)

    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])

    assert etag(cast.submitter_caseworker, referral) != before


def test_a_patch_without_if_match_is_refused(cast, referral):
    response = patch(cast.submitter_caseworker, referral, {"urgency": "emergency"})

    assert_problem(response, 428)
    referral.refresh_from_db()
    assert referral.urgency == "urgent"


def test_a_patch_with_the_current_etag_applies_and_returns_a_new_etag(cast, referral):
    tag = etag(cast.submitter_caseworker, referral)

    response = patch(cast.submitter_caseworker, referral,
                     {"needs": ["shelter"], "urgency": "emergency", "notes": "Needs a female interpreter."},
                     if_match=tag)

    assert response.status_code == 200, response.content
    assert response.json()["needs"] == ["shelter"]
    assert response.json()["urgency"] == "emergency"
    assert response.json()["notes"] == "Needs a female interpreter."
    assert response["ETag"] != tag
    assert response["ETag"] == etag(cast.submitter_caseworker, referral)
    referral.refresh_from_db()
    assert (referral.needs, referral.urgency) == (["shelter"], "emergency")


def test_a_weak_etag_is_accepted(cast, referral):
    tag = etag(cast.submitter_caseworker, referral)

    response = patch(cast.submitter_caseworker, referral, {"urgency": "routine"}, if_match=f"W/{tag}")

    assert response.status_code == 200, response.content
    assert response.json()["urgency"] == "routine"


def test_a_patch_with_a_stale_etag_is_refused(cast, referral):
    stale = etag(cast.submitter_caseworker, referral)
    current = patch(cast.submitter_admin, referral, {"urgency": "emergency"}, if_match=stale)
    assert current.status_code == 200

    response = patch(cast.submitter_caseworker, referral, {"urgency": "routine"}, if_match=stale)

    assert_problem(response, 412)
    referral.refresh_from_db()
    assert referral.urgency == "emergency"  # the other change stands
    assert patch(cast.submitter_caseworker, referral, {"urgency": "routine"},
                 if_match=current["ETag"]).status_code == 200


def test_a_patch_with_a_made_up_etag_is_refused(cast, referral):
    response = patch(cast.submitter_caseworker, referral, {"urgency": "routine"}, if_match='"0123456789abcdef0123"')

    assert_problem(response, 412)


def test_a_referral_that_is_no_longer_submitted_cannot_be_edited(cast, referral):
    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])

    response = patch(cast.submitter_caseworker, referral, {"urgency": "emergency"},
                     if_match=etag(cast.submitter_caseworker, referral))

    body = assert_problem(response, 409)
    assert body["current_status"] == Status.OFFERED
    assert Referral.objects.get(pk=referral.pk).urgency == "urgent"


@pytest.mark.parametrize("body", [{"status": "closed"}, {"urgency": "routine", "accepted_by": None},
                                  {"notes": "fine", "submitting_organisation": "x"}])
def test_other_fields_cannot_be_changed(cast, referral, body):
    response = patch(cast.submitter_caseworker, referral, body, if_match=etag(cast.submitter_caseworker, referral))

    field = next(name for name in body if name not in ("urgency", "notes"))
    assert_problem(response, 400, field)
    referral.refresh_from_db()
    assert (referral.status, referral.urgency, referral.notes) == (
        Status.SUBMITTED, "urgent", "Found during a labour inspection of a fishing boat."
    )


def test_an_empty_patch_is_refused(cast, referral):
    response = patch(cast.submitter_caseworker, referral, {}, if_match=etag(cast.submitter_caseworker, referral))

    assert_problem(response, 400)


def test_an_unknown_service_code_is_refused(cast, referral):
    response = patch(cast.submitter_caseworker, referral, {"needs": ["teleportation"]},
                     if_match=etag(cast.submitter_caseworker, referral))

    assert_problem(response, 400, "needs")


def test_notes_with_a_phone_number_are_refused(cast, referral):
    response = patch(cast.submitter_caseworker, referral, {"notes": "Her sister answers on +66 81 234 5678."},
                     if_match=etag(cast.submitter_caseworker, referral))

    assert_problem(response, 400, "notes")
    referral.refresh_from_db()
    assert "5678" not in referral.notes


def test_an_offered_organisation_may_see_but_not_edit(cast, offered_referral):
    tag = etag(cast.offered_caseworker, offered_referral)

    response = patch(cast.offered_caseworker, offered_referral, {"urgency": "emergency"}, if_match=tag)

    # The state is checked before the party: an offered referral is no longer editable by anyone.
    assert_problem(response, 409)
    assert response.json()["current_status"] == "offered"
    assert Referral.objects.get(pk=offered_referral.pk).urgency == "urgent"


def test_a_viewer_of_the_submitter_may_not_edit(cast, referral):
    response = patch(cast.submitter_viewer, referral, {"urgency": "emergency"},
                     if_match=etag(cast.submitter_viewer, referral))

    assert_problem(response, 403)


@pytest.mark.parametrize("who", ["other_ngo_caseworker", "other_government_caseworker", "declined_caseworker"])
def test_an_organisation_that_cannot_see_it_gets_404(cast, offered_referral, who):
    tag = etag(cast.submitter_caseworker, offered_referral)

    response = patch(getattr(cast, who), offered_referral, {"urgency": "emergency"}, if_match=tag)

    assert_problem(response, 404)
    assert client_for(getattr(cast, who)).get(url(offered_referral)).status_code == 404


def test_the_etag_changes_when_an_offer_is_declined_while_another_stands(cast, referral):
    """The submitter's representation changes (the offer's status and reason), so must its ETag."""
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    before = client_for(cast.submitter_caseworker).get(url(referral))

    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason="Full.")
    after = client_for(cast.submitter_caseworker).get(url(referral))

    assert after.json()["offers"] != before.json()["offers"]
    assert after["ETag"] != before["ETag"]


def test_if_match_star_accepts_any_version(cast):
    referral = submit(cast.submitter_caseworker)
    response = client_for(cast.submitter_caseworker).patch(
        f"/api/v1/referrals/{referral.pk}/", {"urgency": "emergency"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["urgency"] == "emergency"
