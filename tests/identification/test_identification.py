"""Identification decisions: by organisations competent to identify victims (set by platform
administrators), kept as a history, shown on the referral with the reflection and recovery period."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.http import Http404

from identification.models import IdentificationDecision
from identification.services import identification_decide
from referrals import services
from referrals.models import OutboxEvent, ReferralEvent
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.identification.conftest import PHONE_NOTE, today
from tests.organisations.factories import member
from tests.referrals.factories import submit
from tests.referrals.helpers import url

pytestmark = pytest.mark.django_db


def decide(user, referral, decision="presumed", decided_on=None, basis="Indicators of deception and debt."):
    body = {"decision": decision, "basis": basis, "decided_on": (decided_on or today()).isoformat()}
    return client_for(user).post(url(referral, "identification"), body, format="json")


def organisation_url(organisation):
    return f"/api/v1/organisations/{organisation.pk}/"


def test_only_platform_administrators_mark_an_organisation_competent(cast):
    response = client_for(cast.submitter_admin).patch(
        organisation_url(cast.government), {"identifies_victims": True}, format="json")
    body = assert_problem(response, 403)
    assert "identifies_victims" in body["detail"]
    cast.government.refresh_from_db()
    assert cast.government.identifies_victims is False
    # the organisation's own admin still edits the rest of its entry (and may send the value unchanged)
    response = client_for(cast.submitter_admin).patch(
        organisation_url(cast.government), {"description": "Police", "identifies_victims": False}, format="json")
    assert response.status_code == 200
    response = client_for(cast.platform_admin).patch(
        organisation_url(cast.government), {"identifies_victims": True}, format="json")
    assert response.status_code == 200
    assert response.json()["identifies_victims"] is True


def test_an_organisation_without_identify_victims_gets_403(cast, offered_referral):
    for user in (cast.submitter_caseworker, cast.offered_caseworker, cast.submitter_admin):
        assert_problem(decide(user, offered_referral), 403)
    assert not IdentificationDecision.objects.exists()


def test_a_competent_organisation_that_cannot_see_the_referral_gets_404(cast, offered_referral):
    cast.other_ngo.identifies_victims = True
    cast.other_ngo.save()
    assert_problem(decide(cast.other_ngo_caseworker, offered_referral), 404)
    assert_problem(client_for(cast.other_ngo_caseworker).get(url(offered_referral, "identification")), 404)


def test_no_credentials_and_viewers(cast, offered_referral, competent, api):
    assert_problem(api.post(url(offered_referral, "identification"), {}, format="json"), 401)
    assert_problem(api.get(url(offered_referral, "identification")), 401)
    assert_problem(decide(cast.offered_viewer, offered_referral), 403)
    assert not IdentificationDecision.objects.exists()


def test_a_competent_organisation_decides_and_the_referral_shows_it(cast, offered_referral, competent, settings):
    settings.REFLECTION_PERIOD_DAYS = 30
    response = decide(cast.offered_caseworker, offered_referral)
    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == {"id": str(competent.pk), "name": competent.name}
    detail = client_for(cast.submitter_viewer).get(url(offered_referral)).json()
    assert detail["identification"] == {
        "decision": "presumed", "organisation": {"id": str(competent.pk), "name": competent.name},
        "decided_on": today().isoformat(), "created": detail["identification"]["created"],
    }
    assert detail["reflection_period_ends"] == (today() + timedelta(days=30)).isoformat()
    event = ReferralEvent.objects.get(referral=offered_referral, action="identification_decided")
    assert (event.organisation, event.detail["decision"]) == (competent, "presumed")
    outbox = OutboxEvent.objects.get(referral=offered_referral, type="referral.identification_decided")
    assert set(outbox.audience) == {cast.government.pk, competent.pk}


def test_every_decision_is_kept_and_the_latest_counts(cast, offered_referral, competent):
    assert decide(cast.offered_caseworker, offered_referral, "presumed").status_code == 201
    assert decide(cast.offered_caseworker, offered_referral, "not_identified", basis="").status_code == 201
    history = client_for(cast.submitter_caseworker).get(url(offered_referral, "identification")).json()
    assert [item["decision"] for item in history] == ["presumed", "not_identified"]
    assert [item["basis"] for item in history] == [None, None]  # the basis stays with the deciding organisation
    own = client_for(cast.offered_viewer).get(url(offered_referral, "identification")).json()
    assert own[0]["basis"] == "Indicators of deception and debt."
    detail = client_for(cast.submitter_caseworker).get(url(offered_referral)).json()
    assert detail["identification"]["decision"] == "not_identified"
    assert detail["reflection_period_ends"] is None
    with pytest.raises(DatabaseError), transaction.atomic():
        IdentificationDecision.objects.update(decision="identified")


@pytest.mark.parametrize(("days", "field"), [(1, "decided_on"), (-1, "decided_on")])
def test_decided_on_neither_in_the_future_nor_before_the_referral(cast, offered_referral, competent, days, field):
    assert_problem(decide(cast.offered_caseworker, offered_referral, decided_on=today() + timedelta(days=days)), 400,
                   field)
    assert not IdentificationDecision.objects.exists()


def test_bad_decisions_and_personal_data_in_the_basis(cast, offered_referral, competent):
    assert_problem(decide(cast.offered_caseworker, offered_referral, decision="probably"), 400, "decision")
    body = assert_problem(decide(cast.offered_caseworker, offered_referral, basis=PHONE_NOTE), 400, "basis")
    assert "+66" not in str(body)
    assert not IdentificationDecision.objects.exists()
    assert not OutboxEvent.objects.filter(type="referral.identification_decided").exists()


def test_the_service_itself_refuses_an_organisation_that_cannot_see_the_referral(cast, offered_referral):
    cast.other_ngo.identifies_victims = True
    cast.other_ngo.save()
    with pytest.raises(Http404):
        identification_decide(referral=offered_referral, by=cast.other_ngo_caseworker, decision="presumed",
                              decided_on=today())
    assert not IdentificationDecision.objects.exists()


def test_another_organisation_holding_an_offer_is_not_told_who_decided(cast, competent):
    """An offered organisation never learns who else has the case: not from the offers, not from
    the decision either. The submitter and the deciding organisation see its name."""
    referral = submit(cast.submitter_caseworker, case_reference="DECIDER-HIDDEN-1")
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[competent.pk, cast.other_ngo.pk])
    assert decide(cast.offered_caseworker, referral).status_code == 201
    other = client_for(member(cast.other_ngo, "caseworker"))

    assert other.get(url(referral)).json()["identification"]["organisation"] is None
    assert [item["organisation"] for item in other.get(url(referral, "identification")).json()] == [None]
    named = {"id": str(competent.pk), "name": competent.name}
    assert client_for(cast.submitter_caseworker).get(url(referral)).json()["identification"]["organisation"] == named
    assert client_for(cast.offered_viewer).get(url(referral)).json()["identification"]["organisation"] == named
