import pytest
from django.utils import timezone

from referrals.models import OfferStatus, ReferralEvent
from tests.conftest import client_for

from .factories import referral_payload

pytestmark = pytest.mark.django_db


def test_a_referral_goes_from_submission_to_closure(cast):
    submitter = client_for(cast.submitter_caseworker)
    ngo = client_for(cast.offered_caseworker)

    created = submitter.post("/api/v1/referrals/", referral_payload(), format="json")
    assert created.status_code == 201, created.json()
    referral = created.json()
    assert referral["status"] == "submitted"
    assert "case_reference" not in referral
    assert len(referral["subject_key"]) == 16
    assert referral["location"]["country"] == "TH"
    assert referral["location"]["point"]["coordinates"] == [100.5, 13.8]
    url = f"/api/v1/referrals/{referral['id']}"

    matches = submitter.get(f"{url}/matches/").json()
    assert {m["organisation"]["name"] for m in matches} == {"Safe Haven", "Harbour House", "Unrelated NGO"}

    routed = submitter.post(f"{url}/route/", {"organisations": [str(cast.offered.pk)]}, format="json")
    assert routed.status_code == 200, routed.json()
    assert routed.json()["status"] == "offered"

    assert ngo.get(f"{url}/").status_code == 200
    accepted = ngo.post(f"{url}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["accepted_by"]["name"] == "Safe Haven"

    today = timezone.localdate().isoformat()
    outcome = ngo.post(f"{url}/outcomes/", {"type": "safe_accommodation", "date": today, "note": ""}, format="json")
    assert outcome.status_code == 201, outcome.json()
    assert ngo.get(f"{url}/").json()["status"] == "in_progress"

    closed = ngo.post(f"{url}/close/", {"reason": "Returned home safely."}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"

    again = ngo.post(f"{url}/close/", {"reason": ""}, format="json")
    assert again.status_code == 409
    assert again.json()["current_status"] == "closed"

    actions = [e["action"] for e in submitter.get(f"{url}/events/").json()["results"]]
    for expected in ("submitted", "offered", "accepted", "outcome_recorded", "closed", "viewed"):
        assert expected in actions


def test_declining_removes_access_and_returns_the_referral_when_no_offer_stands(cast, offered_referral):
    url = f"/api/v1/referrals/{offered_referral.pk}/"
    assert client_for(cast.declined_caseworker).get(url).status_code == 404
    response = client_for(cast.offered_caseworker).post(url + "decline/", {"reason": "Full."}, format="json")
    assert response.status_code == 200
    offered_referral.refresh_from_db()
    assert offered_referral.status == "submitted"
    assert client_for(cast.offered_caseworker).get(url).status_code == 404
    assert set(offered_referral.offers.values_list("status", flat=True)) == {OfferStatus.DECLINED}


def test_the_audit_trail_cannot_be_changed(cast, offered_referral):
    from django.db import DatabaseError, transaction

    event = ReferralEvent.objects.filter(referral=offered_referral).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        ReferralEvent.objects.filter(pk=event.pk).update(action="viewed")
    with pytest.raises(DatabaseError), transaction.atomic():
        ReferralEvent.objects.filter(pk=event.pk).delete()
