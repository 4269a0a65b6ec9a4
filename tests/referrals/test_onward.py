"""Onward referral (issue 14): the accepting organisation refers the person on; the parent lists
its children's progress, the child's receivers see the parent's profile and nothing more, and a
withdrawal of consent on the parent reaches every child."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals import services
from referrals.models import EventAction, OutboxEvent, OutboxEventType, Referral, Status
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import referral_data
from tests.referrals.helpers import accept, url

pytestmark = pytest.mark.django_db

PARENT_NOTE = referral_data()["notes"]
CHILD_NOTE = "Needs trauma counselling in her own language."
OUTCOME_NOTE = "Seen by the counsellor twice."


@pytest.fixture
def parent(cast, offered_referral):
    """The offered referral, accepted by the offered NGO."""
    return accept(offered_referral, cast.offered_caseworker)


def refer(cast, parent, by=None, **body):
    body = {"needs": ["psychosocial"], "organisations": [str(cast.other_ngo.pk)], "notes": CHILD_NOTE, **body}
    return client_for(by or cast.offered_caseworker).post(url(parent, "refer-onward"), body, format="json")


def child_of(cast, parent) -> Referral:
    response = refer(cast, parent)
    assert response.status_code == 201, response.content
    return Referral.objects.get(pk=response.json()["id"])


def test_the_child_is_a_referral_of_the_same_person_submitted_by_the_accepting_organisation(cast, parent):
    response = refer(cast, parent)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"] == {"id": str(parent.pk), "profile": {
        "age_band": parent.age_band, "gender": parent.gender, "nationality": parent.nationality,
        "languages": parent.languages}}
    assert body["submitting_organisation"]["id"] == str(cast.offered.pk)
    assert body["status"] == Status.OFFERED
    assert [offer["organisation"]["id"] for offer in body["offers"]] == [str(cast.other_ngo.pk)]
    assert body["needs"] == ["psychosocial"]
    assert body["consent"] == {"given": True, "basis": parent.consent_basis}
    assert body["notes"] == CHILD_NOTE
    child = Referral.objects.get(pk=body["id"])
    assert (child.parent_id, child.area_id, child.location, child.exploitation_types) == (
        parent.pk, parent.area_id, parent.location, parent.exploitation_types)
    assert child.events.filter(action=EventAction.SUBMITTED).exists()
    assert parent.events.filter(action=EventAction.REFERRED_ONWARD, detail__child=str(child.pk)).exists()
    event = OutboxEvent.objects.get(type=OutboxEventType.REFERRED_ONWARD, referral=parent)
    assert {cast.government.pk, cast.offered.pk} <= set(event.audience)


def test_without_organisations_the_child_goes_to_the_best_match(cast, parent):
    response = refer(cast, parent, organisations=[])
    if response.status_code == 409:  # nobody matches: nothing half-written
        assert not Referral.objects.filter(parent=parent).exists()
        return
    assert response.status_code == 201, response.content
    offers = response.json()["offers"]
    assert len(offers) == 1
    assert offers[0]["organisation"]["id"] != str(cast.offered.pk)


@pytest.mark.parametrize(("body", "field"), [
    ({"needs": []}, "needs"),
    ({"needs": ["no_such_service"]}, "needs"),
    ({"notes": "Call her on +66 81 234 5678."}, "notes"),
])
def test_bad_input_is_refused_and_nothing_is_written(cast, parent, body, field):
    assert_problem(refer(cast, parent, **body), 400, field)
    assert not Referral.objects.filter(parent=parent).exists()


def test_the_accepting_organisation_cannot_offer_its_own_onward_referral_to_itself(cast, parent):
    assert_problem(refer(cast, parent, organisations=[str(cast.offered.pk)]), 400, "organisations")
    assert not Referral.objects.filter(parent=parent).exists()


def test_refusals(cast, parent, api):
    assert_problem(api.post(url(parent, "refer-onward"), {"needs": ["medical"]}, format="json"), 401)
    assert_problem(refer(cast, parent, by=cast.submitter_caseworker), 403)  # another party
    assert_problem(refer(cast, parent, by=cast.submitter_viewer), 403)
    assert_problem(refer(cast, parent, by=cast.offered_viewer), 403)  # viewers read, never act
    assert_problem(refer(cast, parent, by=cast.other_ngo_caseworker), 404)
    assert_problem(refer(cast, parent, by=cast.declined_caseworker), 404)
    assert not Referral.objects.filter(parent=parent).exists()


def test_before_acceptance_the_state_refuses_it(cast, offered_referral):
    body = assert_problem(refer(cast, offered_referral), 409)
    assert body["current_status"] == Status.OFFERED


def test_the_parent_lists_its_children_progress_never_their_notes(cast, parent):
    child = child_of(cast, parent)
    accept(child, cast.other_ngo_caseworker)
    services.outcome_record(referral=child, by=cast.other_ngo_caseworker, type="psychosocial_support",
                            date=timezone.localdate(), note=OUTCOME_NOTE)
    for reader in (cast.submitter_caseworker, cast.offered_caseworker):
        response = client_for(reader).get(url(parent))
        assert response.status_code == 200
        (listed,) = response.json()["children"]
        assert listed == {
            "id": str(child.pk), "status": Status.IN_PROGRESS, "needs": ["psychosocial"],
            "accepted_by": {"id": str(cast.other_ngo.pk), "name": cast.other_ngo.name},
            "outcomes": [{"type": "psychosocial_support", "date": timezone.localdate().isoformat()}],
        }
        assert OUTCOME_NOTE not in response.content.decode()
    # the submitter of the parent follows the child only through the parent
    assert_problem(client_for(cast.submitter_caseworker).get(url(child)), 404)


def test_the_childs_receiver_sees_the_parents_profile_not_its_notes_nor_timeline(cast, parent):
    child = child_of(cast, parent)
    receiver = client_for(cast.other_ngo_caseworker)
    response = receiver.get(url(child))
    assert response.status_code == 200
    assert set(response.json()["parent"]) == {"id", "profile"}
    assert PARENT_NOTE not in response.content.decode()
    assert_problem(receiver.get(url(parent)), 404)
    assert_problem(receiver.get(url(parent, "events")), 404)
    assert_problem(receiver.get(url(parent, "outcomes")), 404)


def test_the_parent_detail_reads_its_children_in_a_fixed_number_of_queries(cast, parent):
    def queries_for_detail() -> int:
        client = client_for(cast.submitter_caseworker)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(parent)).status_code == 200
        return len(captured)

    first = child_of(cast, parent)
    accept(first, cast.other_ngo_caseworker)
    services.outcome_record(referral=first, by=cast.other_ngo_caseworker, type="medical_care",
                            date=timezone.localdate())
    queries_for_detail()  # what a request caches on the user (its groups, permission ids) is read once
    with_one = queries_for_detail()
    for _ in range(3):
        child = services.referral_refer_onward(referral=parent, by=cast.offered_caseworker, needs=["legal_aid"],
                                               organisation_ids=[cast.declined.pk])
        accept(child, cast.declined_caseworker)
        services.outcome_record(referral=child, by=cast.declined_caseworker, type="legal_aid",
                                date=timezone.localdate())
    assert len(client_for(cast.submitter_caseworker).get(url(parent)).json()["children"]) == 4
    assert queries_for_detail() == with_one


def test_consent_withdrawn_on_the_parent_reaches_every_descendant(cast, parent):
    child = child_of(cast, parent)
    accept(child, cast.other_ngo_caseworker)
    grandchild = services.referral_refer_onward(referral=child, by=cast.other_ngo_caseworker, needs=["legal_aid"],
                                                organisation_ids=[cast.declined.pk], notes="Wants to testify.")
    response = client_for(cast.submitter_caseworker).post(url(parent, "withdraw-consent"))
    assert response.status_code == 200, response.content
    for referral in (child, grandchild):
        referral.refresh_from_db()
        assert referral.status == Status.CLOSED
        assert referral.consent_withdrawn is not None
        assert referral.notes == ""
        assert referral.subject_hash == ""
        event = referral.events.get(action=EventAction.CONSENT_WITHDRAWN)
        assert (event.organisation_id, event.actor_id, event.detail) == (None, None, {"via_parent": True})
    # the receivers lost access at once; each child's submitter keeps its erased, closed record
    assert_problem(client_for(cast.other_ngo_caseworker).get(url(child)), 404)
    assert_problem(client_for(cast.declined_caseworker).get(url(grandchild)), 404)
    assert client_for(cast.offered_caseworker).get(url(child)).json()["status"] == Status.CLOSED
    assert_problem(client_for(cast.offered_caseworker).get(url(parent)), 404)


def test_a_withdrawal_on_a_child_does_not_reach_its_parent(cast, parent):
    child = child_of(cast, parent)
    services.referral_withdraw_consent(referral=child, by=cast.offered_caseworker)
    parent.refresh_from_db()
    assert parent.consent_withdrawn is None
    assert parent.status == Status.ACCEPTED
